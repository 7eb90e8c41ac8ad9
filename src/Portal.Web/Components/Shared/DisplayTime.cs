using System.Globalization;

namespace Portal.Web.Components.Shared;

/// <summary>
/// Times as the console shows them: in UTC, whatever the server's zone, and in the invariant culture, as the time range
/// form reads them (<see cref="TimeRanges"/>) and the CSV export writes them.
/// </summary>
public static class DisplayTime
{
    /// <summary>The zone every time is shown in, for headers and labels.</summary>
    public const string Zone = "UTC";

    /// <summary>An event's time in a list, to the millisecond: <c>Dec 06 14:05:42.123</c>.</summary>
    public static string Event(DateTimeOffset time) => Format(time, "MMM dd HH:mm:ss.fff");

    /// <summary>A moment to the second: <c>Dec 6 14:05:42</c>.</summary>
    public static string Second(DateTimeOffset time) => Format(time, "MMM d HH:mm:ss");

    /// <summary>A moment to the minute: <c>Dec 6 14:05</c>.</summary>
    public static string Minute(DateTimeOffset time) => Format(time, "MMM d HH:mm");

    /// <summary>A date and minute in tables of records: <c>2026-12-06 14:05</c>.</summary>
    public static string Day(DateTimeOffset time) => Format(time, "yyyy-MM-dd HH:mm");

    /// <summary>A moment in full, the zone named: <c>2026-12-06 14:05:42.123 UTC</c>.</summary>
    public static string Full(DateTimeOffset time) => Format(time, "yyyy-MM-dd HH:mm:ss.fff") + " " + Zone;

    private static string Format(DateTimeOffset time, string format) => time.UtcDateTime.ToString(format, CultureInfo.InvariantCulture);
}
