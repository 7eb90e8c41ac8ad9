using System.Globalization;
using System.Text.Json.Nodes;

namespace Portal.Detection.Demo;

/// <summary>Time formats and the intake envelope shared by the demo streams.</summary>
internal static class DemoFormats
{
    /// <summary>ISO 8601 UTC with milliseconds, as the Datadog Agent sends it.</summary>
    public static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>CloudTrail's <c>eventTime</c>: ISO 8601 UTC to the second.</summary>
    public static string IsoSeconds(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>BSD syslog time: <c>Mar  5 06:55:46</c> (day padded with a space).</summary>
    public static string Syslog(DateTimeOffset at)
    {
        var utc = at.UtcDateTime;
        return utc.ToString("MMM", CultureInfo.InvariantCulture) + " "
            + utc.Day.ToString(CultureInfo.InvariantCulture).PadLeft(2) + " "
            + utc.ToString("HH:mm:ss", CultureInfo.InvariantCulture);
    }

    /// <summary>Access log time: <c>17/May/2015:10:05:03 +0000</c>.</summary>
    public static string AccessLog(DateTimeOffset at) => at.UtcDateTime.ToString("dd/MMM/yyyy:HH:mm:ss '+0000'", CultureInfo.InvariantCulture);

    /// <summary>A log line in Datadog's intake shape.</summary>
    public static JsonObject Intake(DateTimeOffset at, string source, string service, string host, string tags, string message) => new()
    {
        ["message"] = message,
        ["ddsource"] = source,
        ["service"] = service,
        ["hostname"] = host,
        ["ddtags"] = tags,
        ["timestamp"] = Iso(at),
    };
}
