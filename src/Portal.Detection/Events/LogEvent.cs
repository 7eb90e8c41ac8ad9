using System.Text.Json.Nodes;

namespace Portal.Detection.Events;

/// <summary>
/// One normalised log event, shaped like a Datadog log: reserved attributes as properties,
/// everything else as a nested attribute object addressed with <c>@a.b.c</c> in queries.
/// </summary>
public sealed class LogEvent
{
    /// <summary>Unique id within the tenant (a sortable, time-prefixed string).</summary>
    public required string Id { get; init; }

    /// <summary>When the event happened (normalised to UTC).</summary>
    public DateTimeOffset Timestamp { get; init; }

    /// <summary>Reserved attribute <c>host</c> (Datadog's <c>hostname</c>).</summary>
    public string? Host { get; init; }

    /// <summary>Reserved attribute <c>service</c>.</summary>
    public string? Service { get; init; }

    /// <summary>Reserved attribute <c>source</c> (Datadog's <c>ddsource</c>).</summary>
    public string? Source { get; init; }

    /// <summary>Reserved attribute <c>status</c>, one of Datadog's standard statuses.</summary>
    public string? Status { get; init; }

    /// <summary>The raw or extracted message, searched by free text.</summary>
    public string? Message { get; init; }

    /// <summary>Tags as <c>key:value</c> (or bare <c>value</c>) strings.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>Every other attribute, nested as sent or as parsed.</summary>
    public JsonObject Attributes { get; init; } = [];

    /// <summary>Values of a reserved field (<c>host</c>, <c>service</c>...) or of an attribute path.</summary>
    public IEnumerable<AttributeValue> GetAttribute(string path) => AttributePath.Values(Attributes, path);

    /// <summary>Value of a reserved attribute by its query name, or null when unset or not reserved.</summary>
    public string? GetReserved(string name) => name switch
    {
        ReservedAttributes.Host => Host,
        ReservedAttributes.Service => Service,
        ReservedAttributes.Source => Source,
        ReservedAttributes.Status => Status,
        ReservedAttributes.Message => Message,
        _ => null,
    };
}
