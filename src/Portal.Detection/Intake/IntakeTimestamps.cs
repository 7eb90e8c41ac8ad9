using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Portal.Detection.Intake;

/// <summary>Reads event times as senders write them: ISO 8601 text or Unix epoch numbers.</summary>
internal static class IntakeTimestamps
{
    /// <summary>Datadog accepts events up to 18 hours old; older ones are re-stamped on arrival.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromHours(18);

    /// <summary>Clocks ahead by more than this are not trusted either, or windows would stay open for hours.</summary>
    public static readonly TimeSpan MaxSkew = TimeSpan.FromHours(2);

    /// <summary>The instant in <paramref name="node"/>, or null when it holds none.</summary>
    public static DateTimeOffset? TryRead(JsonNode? node)
    {
        if (IntakeFields.TryGetNumber(node, out var number))
        {
            return FromEpoch(number);
        }
        return node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? FromText(value.GetValue<string>()) : null;
    }

    /// <summary>Parses ISO 8601 text (or a number in text); a missing offset means UTC.</summary>
    public static DateTimeOffset? FromText(string text)
    {
        text = text.Trim();
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return FromEpoch(number);
        }
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
            ? parsed.ToUniversalTime()
            : null;
    }

    /// <summary>
    /// Epoch numbers carry no unit, so the magnitude decides: seconds below 1e11 (until year 5138),
    /// then milliseconds, microseconds and nanoseconds, the units shippers actually use.
    /// </summary>
    public static DateTimeOffset? FromEpoch(double number)
    {
        if (!double.IsFinite(number) || number < 0)
        {
            return null;
        }
        var ms = number switch
        {
            < 1e11 => number * 1000,
            < 1e14 => number,
            < 1e17 => number / 1000,
            _ => number / 1_000_000,
        };
        var maxMs = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();
        return ms > maxMs ? null : DateTimeOffset.FromUnixTimeMilliseconds((long)ms);
    }
}
