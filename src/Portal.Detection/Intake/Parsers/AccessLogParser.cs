using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace Portal.Detection.Intake.Parsers;

/// <summary>
/// Parses web server access lines in the common and combined log formats (Apache, nginx) into
/// Datadog's standard <c>http.*</c> and <c>network.*</c> attributes.
/// </summary>
internal static partial class AccessLogParser
{
    private const string TimeFormat = "dd/MMM/yyyy:HH:mm:ss zzz";

    /// <summary>Parses the draft's message; other messages (JSON-shipped web logs) are left to the JSON parser.</summary>
    public static void Parse(IntakeDraft draft)
    {
        var match = draft.Message is null ? Match.Empty : CombinedLine().Match(draft.Message);
        if (!match.Success)
        {
            JsonMessageParser.Parse(draft);
            return;
        }

        var ip = match.Groups["ip"].Value;
        draft.AddText(IPAddress.IsValid(ip) ? "network.client.ip" : "network.client.hostname", ip);
        draft.AddText("http.ident", match.Groups["ident"].Value);
        draft.AddText("usr.name", match.Groups["user"].Value);
        AddRequest(draft, match);
        var code = int.Parse(match.Groups["status"].Value, CultureInfo.InvariantCulture);
        draft.Add("http.status_code", code);
        if (long.TryParse(match.Groups["bytes"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes))
        {
            draft.Add("network.bytes_written", bytes);
        }
        draft.AddText("http.referer", Unescape(match.Groups["referer"].Value));
        draft.AddText("http.useragent", Unescape(match.Groups["agent"].Value));

        // What the sender said wins; otherwise the response code is the severity, as in Datadog's pipelines.
        draft.Status ??= code switch
        {
            >= 500 => LogStatuses.Error,
            >= 400 => LogStatuses.Warn,
            _ => null,
        };
        if (draft.Timestamp is null && TryParseTime(match.Groups["time"].ValueSpan, out var time))
        {
            draft.Timestamp = time.ToUniversalTime();
        }
    }

    private static readonly string[] Months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

    /// <summary>
    /// The log formats' time, <c>10/Oct/2000:13:55:36 -0700</c>, read by position (the general parser costs more than
    /// the rest of the line); any other shape goes to <see cref="DateTimeOffset.TryParseExact(string, string, IFormatProvider, DateTimeStyles, out DateTimeOffset)"/>.
    /// </summary>
    internal static bool TryParseTime(ReadOnlySpan<char> text, out DateTimeOffset time)
    {
        time = default;
        if (text.Length == 26 && text[2] == '/' && text[6] == '/' && text[11] == ':' && text[14] == ':' && text[17] == ':' && text[20] == ' '
            && text[21] is '+' or '-'
            && MonthOf(text.Slice(3, 3)) is var month and >= 0
            && Digits(text, 0, 2, out var day) && Digits(text, 7, 4, out var year) && Digits(text, 12, 2, out var hour)
            && Digits(text, 15, 2, out var minute) && Digits(text, 18, 2, out var second)
            && Digits(text, 22, 2, out var offsetHours) && Digits(text, 24, 2, out var offsetMinutes)
            && day >= 1 && day <= DateTime.DaysInMonth(Math.Max(1, year), month + 1) && hour < 24 && minute < 60 && second < 60
            && offsetMinutes < 60 && offsetHours * 60 + offsetMinutes <= 14 * 60 && year >= 1)
        {
            var offset = new TimeSpan(offsetHours, offsetMinutes, 0) * (text[21] == '-' ? -1 : 1);
            var local = new DateTime(year, month + 1, day, hour, minute, second, DateTimeKind.Unspecified);
            // The instant must exist in UTC too (the first hours of year 1 east of Greenwich do not).
            if ((local - DateTime.MinValue) >= offset && (DateTime.MaxValue - local) >= -offset)
            {
                time = new DateTimeOffset(local, offset);
                return true;
            }
        }
        return DateTimeOffset.TryParseExact(text, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out time);
    }

    private static int MonthOf(ReadOnlySpan<char> name)
    {
        for (var month = 0; month < Months.Length; month++)
        {
            if (name.SequenceEqual(Months[month]))
            {
                return month;
            }
        }
        return -1;
    }

    private static bool Digits(ReadOnlySpan<char> text, int start, int count, out int value)
    {
        value = 0;
        foreach (var c in text.Slice(start, count))
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
            value = value * 10 + (c - '0');
        }
        return true;
    }

    private static void AddRequest(IntakeDraft draft, Match match)
    {
        if (!match.Groups["method"].Success)
        {
            // Garbage request lines ("-", TLS bytes sent to port 80) are kept whole.
            draft.AddText("http.request", match.Groups["request"].Value);
            return;
        }
        var url = match.Groups["url"].Value;
        draft.AddText("http.method", match.Groups["method"].Value);
        draft.AddText("http.url", url);
        draft.AddText("http.version", match.Groups["version"].Value);
        var query = url.IndexOf('?', StringComparison.Ordinal);
        var path = query < 0 ? url : url[..query];
        // A path starting with '/' is an absolute file URI on Unix: only what names the web's schemes is looked at.
        if ((path.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || path.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
            && Uri.TryCreate(path, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https")
        {
            // Proxies log absolute URLs; the path facet should still be the path.
            draft.AddText("http.url_details.host", absolute.Host);
            path = absolute.AbsolutePath;
        }
        draft.AddText("http.url_details.path", path);
        if (query >= 0 && query + 1 < url.Length)
        {
            draft.AddText("http.url_details.queryString", url[(query + 1)..]);
        }
    }

    /// <summary>Apache and nginx escape quotes and backslashes inside quoted fields.</summary>
    private static string Unescape(string value) =>
        value.Contains('\\', StringComparison.Ordinal) ? value.Replace("\\\"", "\"", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal) : value;

    [GeneratedRegex(
        """^(?<ip>\S+) (?<ident>\S+) (?<user>\S+) \[(?<time>[^\]]+)\] "(?<request>(?<method>[A-Z]+) (?<url>\S+)(?: HTTP/(?<version>[\d.]+))?|(?:[^"\\]|\\.)*)" (?<status>[0-9]{3}) (?<bytes>[0-9]+|-)(?: "(?<referer>(?:[^"\\]|\\.)*)" "(?<agent>(?:[^"\\]|\\.)*)")?""",
        // No timeout, as for the sshd patterns (SshdParser.Options): the result never depends on the machine's load, and
        // the anchored pattern matches in time linear in the line.
        RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex CombinedLine();
}
