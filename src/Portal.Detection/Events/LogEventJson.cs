using System.Text.Json;
using System.Text.Json.Serialization;
using Portal.Detection.Signals;

namespace Portal.Detection.Events;

/// <summary>The stored JSON form of events and signals (camelCase, nulls omitted).</summary>
public static class LogEventJson
{
    /// <summary>
    /// Deepest nesting the stored forms and the API write and read. The intake accepts events nested 64 levels deep
    /// (<c>IntakePayload</c>); an event's attributes sit a level below its stored form, and a few more below an API
    /// response's envelope: at the serializer's default of 64, such an event accepted with a 202 could not be written to
    /// the journal.
    /// </summary>
    public const int MaxDepth = 128;

    /// <summary>Serializer options shared by every store.</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        MaxDepth = MaxDepth,
    };

    public static string Serialize(LogEvent e) => JsonSerializer.Serialize(e, Options);

    /// <summary>Writes the stored form of <paramref name="e"/> as UTF-8 (one JSON value) to <paramref name="writer"/>.</summary>
    public static void Serialize(Utf8JsonWriter writer, LogEvent e) => JsonSerializer.Serialize(writer, e, Options);

    public static LogEvent Deserialize(string json) => JsonSerializer.Deserialize<LogEvent>(json, Options)
        ?? throw new JsonException("Stored event is null");

    public static LogEvent Deserialize(ReadOnlySpan<byte> utf8Json) => JsonSerializer.Deserialize<LogEvent>(utf8Json, Options)
        ?? throw new JsonException("Stored event is null");

    public static string Serialize(SecuritySignal s) => JsonSerializer.Serialize(s, Options);

    public static SecuritySignal DeserializeSignal(string json) => JsonSerializer.Deserialize<SecuritySignal>(json, Options)
        ?? throw new JsonException("Stored signal is null");
}
