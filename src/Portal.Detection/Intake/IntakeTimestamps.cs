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
        if (TryUtcIso(text) is { } utc)
        {
            return utc;
        }
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return FromEpoch(number);
        }
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
            ? parsed.ToUniversalTime()
            : null;
    }

    /// <summary>
    /// The time <paramref name="text"/> states when it is written as nearly every sender writes one, UTC in ISO 8601
    /// (<c>2026-03-03T14:05:00Z</c>, <c>2026-03-03T14:05:00.123Z</c>, up to seven digits of fraction), read without the
    /// general parser, which then reads everything else; null for anything else, valid or not.
    /// </summary>
    internal static DateTimeOffset? TryUtcIso(ReadOnlySpan<char> text)
    {
        if (text.Length < 20 || text.Length > 28 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' || text[16] != ':' || text[^1] != 'Z')
        {
            return null;
        }
        int year = Digits(text, 0, 4), month = Digits(text, 5, 2), day = Digits(text, 8, 2), hour = Digits(text, 11, 2), minute = Digits(text, 14, 2), second = Digits(text, 17, 2);
        var fraction = 0L;
        if (text.Length > 20)
        {
            // A dot and one to seven digits, as ticks.
            var digits = text.Length - 21;
            var value = digits is < 1 or > 7 ? -1 : Digits(text, 20, digits);
            if (text[19] != '.' || value < 0)
            {
                return null;
            }
            fraction = value * (long)Math.Pow(10, 7 - digits);
        }
        else if (text[19] != 'Z')
        {
            return null;
        }
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour is < 0 or > 23 || minute is < 0 or > 59 || second is < 0 or > 59)
        {
            return null;
        }
        return new DateTimeOffset(new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc).Ticks + fraction, TimeSpan.Zero);
    }

    /// <summary>The number the <paramref name="count"/> digits at <paramref name="at"/> write, or -1 when one is not a digit.</summary>
    private static int Digits(ReadOnlySpan<char> text, int at, int count)
    {
        var value = 0;
        for (var i = at; i < at + count; i++)
        {
            var digit = text[i] - '0';
            if ((uint)digit > 9)
            {
                return -1;
            }
            value = value * 10 + digit;
        }
        return value;
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
