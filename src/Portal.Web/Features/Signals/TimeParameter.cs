using System.Globalization;
using System.Text.RegularExpressions;

namespace Portal.Web.Features.Signals;

/// <summary>Time parameters as Datadog accepts them: ISO 8601, epoch milliseconds, <c>now</c>, <c>now-15m</c>.</summary>
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
        if (text == "now")
        {
            value = now;
            return true;
        }
        if (Relative().Match(text) is { Success: true } m)
        {
            var amount = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            value = m.Groups[2].Value switch
            {
                "s" => now.AddSeconds(-amount),
                "m" => now.AddMinutes(-amount),
                "h" => now.AddHours(-amount),
                "d" => now.AddDays(-amount),
                _ => now.AddDays(-7 * amount),
            };
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

    [GeneratedRegex(@"^now-(\d{1,6})([smhdw])$")]
    private static partial Regex Relative();
}
