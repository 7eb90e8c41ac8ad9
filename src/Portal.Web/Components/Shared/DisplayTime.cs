using System.Globalization;

namespace Portal.Web.Components.Shared;

/// <summary>
/// Times as the console shows them: in the organisation's time zone (its settings; UTC unless set), whatever the
/// server's, and in the invariant culture, as the time range form reads them (<see cref="TimeRanges"/>). The CSV export
/// and the APIs write UTC.
/// </summary>
public static class DisplayTime
{
    /// <summary>How a zone is named beside its times: its IANA name (<c>Europe/Paris</c>), or <c>UTC</c>.</summary>
    public static string NameOf(TimeZoneInfo? zone) => zone is null || zone.BaseUtcOffset == TimeSpan.Zero && !zone.SupportsDaylightSavingTime ? "UTC" : zone.Id;

    /// <summary>An event's time in a list, to the millisecond: <c>Dec 06 14:05:42.123</c>.</summary>
    public static string Event(DateTimeOffset time, TimeZoneInfo? zone = null) => Format(time, zone, "MMM dd HH:mm:ss.fff");

    /// <summary>A moment to the second: <c>Dec 6 14:05:42</c>.</summary>
    public static string Second(DateTimeOffset time, TimeZoneInfo? zone = null) => Format(time, zone, "MMM d HH:mm:ss");

    /// <summary>A moment to the minute: <c>Dec 6 14:05</c>.</summary>
    public static string Minute(DateTimeOffset time, TimeZoneInfo? zone = null) => Format(time, zone, "MMM d HH:mm");

    /// <summary>A date and minute in tables of records: <c>2026-12-06 14:05</c>.</summary>
    public static string Day(DateTimeOffset time, TimeZoneInfo? zone = null) => Format(time, zone, "yyyy-MM-dd HH:mm");

    /// <summary>A moment in full, the zone named: <c>2026-12-06 14:05:42.123 UTC</c>.</summary>
    public static string Full(DateTimeOffset time, TimeZoneInfo? zone = null) => Format(time, zone, "yyyy-MM-dd HH:mm:ss.fff") + " " + NameOf(zone);

    /// <summary><paramref name="time"/> in <paramref name="zone"/> (UTC when none).</summary>
    public static DateTimeOffset In(DateTimeOffset time, TimeZoneInfo? zone) => TimeZoneInfo.ConvertTime(time, zone ?? TimeZoneInfo.Utc);

    private static string Format(DateTimeOffset time, TimeZoneInfo? zone, string format) => In(time, zone).ToString(format, CultureInfo.InvariantCulture);
}
