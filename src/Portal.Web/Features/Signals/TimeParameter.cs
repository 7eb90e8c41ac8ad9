using System.Globalization;
using System.Text.RegularExpressions;

namespace Portal.Web.Features.Signals;

/// <summary>
/// Time parameters as Datadog accepts them: ISO 8601, epoch milliseconds, and date math from <c>now</c> (<c>now-15m</c>,
/// <c>now+1h</c>, <c>now-1d/d</c>: steps of s, m, h, d, w, M or y added or taken away in turn, then rounded down to the unit
/// after a <c>/</c>).
/// </summary>
public static partial class TimeParameter
{
    /// <summary>
    /// Parses <paramref name="text"/>; empty means <paramref name="fallback"/>. A date and time without an offset is in
    /// <paramref name="zone"/> (UTC when none), and a time without a date is that day's there (the day of
    /// <paramref name="now"/> in the zone): the console reads what its users type in their organisation's zone.
    /// </summary>
    public static bool TryParse(string? text, DateTimeOffset now, DateTimeOffset fallback, out DateTimeOffset value, TimeZoneInfo? zone = null)
    {
        try
        {
            return TryParseCore(text, now, fallback, zone, out value);
        }
        catch (ArgumentException)
        {
            value = fallback; // "now-999999w", an epoch beyond year 9999, a time the zone skips (a clock moved forward)
            return false;
        }
    }

    private static bool TryParseCore(string? text, DateTimeOffset now, DateTimeOffset fallback, TimeZoneInfo? zone, out DateTimeOffset value)
    {
        value = fallback;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }
        text = text.Trim();
        if (DateMath().Match(text) is { Success: true } m)
        {
            value = now;
            foreach (Capture step in m.Groups["step"].Captures)
            {
                var amount = int.Parse(step.ValueSpan[1..^1], CultureInfo.InvariantCulture) * (step.ValueSpan[0] == '-' ? -1 : 1);
                value = Add(value, amount, step.ValueSpan[^1]);
            }
            if (m.Groups["round"] is { Success: true } round)
            {
                value = RoundDown(value, round.ValueSpan[0], zone ?? TimeZoneInfo.Utc);
            }
            return true;
        }
        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms))
        {
            value = DateTimeOffset.FromUnixTimeMilliseconds(ms);
            return true;
        }
        if (DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.NoCurrentDateDefault, out var timeOfDay)
            && timeOfDay.Kind == DateTimeKind.Unspecified && timeOfDay.Date == DateTime.MinValue.Date && !text.Contains("0001", StringComparison.Ordinal))
        {
            // A time without a date ("10:00") is today's in the zone, not the server's.
            var today = TimeZoneInfo.ConvertTime(now, zone ?? TimeZoneInfo.Utc).Date + timeOfDay.TimeOfDay;
            value = new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(today, zone ?? TimeZoneInfo.Utc), TimeSpan.Zero);
            return true;
        }
        if (zone is not null && zone != TimeZoneInfo.Utc && DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var written)
            && written.Kind == DateTimeKind.Unspecified)
        {
            value = new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(written, zone), TimeSpan.Zero);
            return true;
        }
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value);
    }

    /// <summary>
    /// Whether <paramref name="text"/> names a time relative to when it is read: date math from <c>now</c>, or empty (the
    /// fallback, which the pages make now). A time without a date is not: it is read as a day's, and stays that day's.
    /// </summary>
    public static bool IsRelative(string? text) => string.IsNullOrWhiteSpace(text) || DateMath().IsMatch(text.Trim());

    private static DateTimeOffset Add(DateTimeOffset time, int amount, char unit) => unit switch
    {
        's' => time.AddSeconds(amount),
        'm' => time.AddMinutes(amount),
        'h' => time.AddHours(amount),
        'd' => time.AddDays(amount),
        'w' => time.AddDays(7 * amount),
        'M' => time.AddMonths(amount),
        _ => time.AddYears(amount),
    };

    /// <summary>
    /// The start of the unit <paramref name="time"/> lies in, in <paramref name="zone"/> (a day is the organisation's day; a
    /// week starts on Monday, as Elasticsearch's date math rounds it).
    /// </summary>
    private static DateTimeOffset RoundDown(DateTimeOffset time, char unit, TimeZoneInfo zone)
    {
        var inZone = TimeZoneInfo.ConvertTime(time, zone);
        var local = inZone.DateTime;
        var start = unit switch
        {
            's' => new DateTime(local.Year, local.Month, local.Day, local.Hour, local.Minute, local.Second),
            'm' => new DateTime(local.Year, local.Month, local.Day, local.Hour, local.Minute, 0),
            'h' => new DateTime(local.Year, local.Month, local.Day, local.Hour, 0, 0),
            'd' => local.Date,
            'w' => local.Date.AddDays(-(((int)local.DayOfWeek + 6) % 7)),
            'M' => new DateTime(local.Year, local.Month, 1),
            _ => new DateTime(local.Year, 1, 1),
        };
        if (unit is 's' or 'm' or 'h')
        {
            // Within the hour, the offset is the time's own: in the hour a clock goes back, it is the pass the time is in.
            return new DateTimeOffset(start, inZone.Offset);
        }
        // A start the zone skips (a clock moved forward at midnight) is the first instant after it; one it passes twice, the first.
        while (zone.IsInvalidTime(start))
        {
            start = start.AddMinutes(15);
        }
        return zone.IsAmbiguousTime(start)
            ? new DateTimeOffset(start, zone.GetAmbiguousTimeOffsets(start).Max())
            : new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(start, zone), TimeSpan.Zero);
    }

    [GeneratedRegex(@"^now(?<step>[+-]\d{1,6}[smhdwMy])*(?:/(?<round>[smhdwMy]))?$")]
    private static partial Regex DateMath();
}
