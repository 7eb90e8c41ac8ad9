using System.Globalization;
using System.Text.RegularExpressions;
using Portal.Detection.Events;
using static Portal.Detection.Intake.Parsers.LineText;

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
        var line = draft.Message;
        if (line is null || Read(line) is not { } parts)
        {
            JsonMessageParser.Parse(draft);
            return;
        }

        var ip = line.AsSpan()[parts.Ip];
        draft.AddText(IsAddress(ip) ? "network.client.ip" : "network.client.hostname", ip);
        draft.AddText("http.ident", line.AsSpan()[parts.Ident]);
        draft.AddText("usr.name", line.AsSpan()[parts.User]);
        AddRequest(draft, line, parts);
        // Three digits, as the line's grammar reads them.
        var isNumber = TryDigits(line.AsSpan()[parts.Status], int.MaxValue, out var code);
        System.Diagnostics.Debug.Assert(isNumber, "A status is three digits.");
        draft.Add("http.status_code", (int)code);
        if (TryDigits(line.AsSpan()[parts.Bytes], long.MaxValue, out var bytes))
        {
            draft.Add("network.bytes_written", bytes);
        }
        if (parts.Referer is { } referer && parts.Agent is { } agent)
        {
            AddQuoted(draft, "http.referer", line.AsSpan()[referer]);
            AddQuoted(draft, "http.useragent", line.AsSpan()[agent]);
        }

        // What the sender said wins; otherwise the response code is the severity, as in Datadog's pipelines.
        draft.Status ??= code switch
        {
            >= 500 => LogStatuses.Error,
            >= 400 => LogStatuses.Warn,
            _ => null,
        };
        if (draft.Timestamp is null && UtcTimeOf(draft.Thread, line.AsSpan()[parts.Time]) is { } time)
        {
            draft.Timestamp = time;
        }
    }

    /// <summary>
    /// The line's time (<see cref="TryParseTime"/>) in UTC, or null: <paramref name="thread"/>'s last time text is known by
    /// comparing it, for a server writes many lines in the same second.
    /// </summary>
    private static DateTimeOffset? UtcTimeOf(IntakeThread thread, ReadOnlySpan<char> text)
    {
        if (thread.LastAccessTime is { Text: { } last, Utc: var known } && ShortSpans.Same(text, last))
        {
            return known;
        }
        if (!TryParseTime(text, out var time))
        {
            return null;
        }
        var utc = time.ToUniversalTime();
        thread.LastAccessTime = (text.ToString(), utc);
        return utc;
    }

    /// <summary>Where each group of <see cref="CombinedLine"/> lies in a line it matches; null for a group that took no part.</summary>
    internal readonly record struct Parts(
        Range Ip, Range Ident, Range User, Range Time, Range Request, Range? Method, Range? Url, Range? Version, Range Status, Range Bytes,
        Range? Referer, Range? Agent);

    /// <summary>
    /// <see cref="CombinedLine"/> read by hand (its match, groups and strings were most of an access line's parse): null where
    /// it does not match. The pattern's choices are taken in its order: the request as method, URL and version (the URL
    /// as long as the rest allows, cut back only at a quote), else as quoted text; the referer and agent only as a pair.
    /// Linear: each part is one run of the line, and the URL's shorter ends are tried only at its quotes.
    /// </summary>
    internal static Parts? Read(string line)
    {
        var ipEnd = NonSpaces(line, 0);
        var identEnd = NonSpaces(line, ipEnd + 1);
        var userEnd = NonSpaces(line, identEnd + 1);
        if (ipEnd == 0 || !Is(line, ipEnd, ' ') || identEnd == ipEnd + 1 || !Is(line, identEnd, ' ') || userEnd == identEnd + 1
            || !Is(line, userEnd, ' ') || !Is(line, userEnd + 1, '['))
        {
            return null;
        }
        var timeStart = userEnd + 2;
        var timeEnd = line.IndexOf(']', timeStart);
        if (timeEnd <= timeStart || !Is(line, timeEnd + 1, ' ') || !Is(line, timeEnd + 2, '"'))
        {
            return null;
        }
        var request = timeEnd + 3;

        // (?<method>[A-Z]+) (?<url>(?:[^\s\\]|\\\S)+)(?: HTTP/(?<version>[\d.]+))?: a URL's backslash takes the next character with it
        var methodEnd = request;
        while (methodEnd < line.Length && char.IsAsciiLetterUpper(line[methodEnd]))
        {
            methodEnd++;
        }
        if (methodEnd > request && Is(line, methodEnd, ' '))
        {
            var urlStart = methodEnd + 1;
            var urlEnd = NonSpaces(line, urlStart);
            if (urlEnd > urlStart && Unescaped(line, urlEnd, urlStart) && ShortSpans.StartsWith(line.AsSpan(urlEnd), " HTTP/"))
            {
                var versionEnd = urlEnd + 6;
                while (versionEnd < line.Length && (char.IsDigit(line[versionEnd]) || line[versionEnd] == '.'))
                {
                    versionEnd++;
                }
                if (versionEnd > urlEnd + 6 && Rest(line, versionEnd) is { } rest)
                {
                    return Make(request..versionEnd, methodEnd, urlStart..urlEnd, (urlEnd + 6)..versionEnd, rest);
                }
            }
            for (var end = urlEnd; end > urlStart; end = line.LastIndexOf('"', end - 1, end - 1 - urlStart))
            {
                if (Unescaped(line, end, urlStart) && Rest(line, end) is { } rest)
                {
                    return Make(request..end, methodEnd, urlStart..end, null, rest);
                }
                if (end - 1 <= urlStart)
                {
                    break;
                }
            }
        }

        // (?:[^"\\]|\\.)*
        var quoted = Quoted(line, request);
        return Rest(line, quoted) is { } other ? Make(request..quoted, null, null, null, other) : null;

        Parts Make(Range whole, int? method, Range? url, Range? version, (Range Status, Range Bytes, Range? Referer, Range? Agent) rest) =>
            new(..ipEnd, (ipEnd + 1)..identEnd, (identEnd + 1)..userEnd, timeStart..timeEnd, whole, method is { } end ? request..end : null, url, version,
                rest.Status, rest.Bytes, rest.Referer, rest.Agent);
    }

    /// <summary>
    /// <c>" (?&lt;status&gt;[0-9]{3}) (?&lt;bytes&gt;[0-9]+|-)(?: "(?&lt;referer&gt;...)" "(?&lt;agent&gt;...)")?</c> at
    /// <paramref name="at"/>, the request's closing quote.
    /// </summary>
    private static (Range Status, Range Bytes, Range? Referer, Range? Agent)? Rest(string line, int at)
    {
        if (!Is(line, at, '"') || !Is(line, at + 1, ' ') || !AsciiDigit(line, at + 2) || !AsciiDigit(line, at + 3) || !AsciiDigit(line, at + 4)
            || !Is(line, at + 5, ' '))
        {
            return null;
        }
        var bytesStart = at + 6;
        var bytesEnd = bytesStart;
        while (AsciiDigit(line, bytesEnd))
        {
            bytesEnd++;
        }
        if (bytesEnd == bytesStart)
        {
            if (!Is(line, bytesStart, '-'))
            {
                return null;
            }
            bytesEnd++;
        }
        Range? referer = null, agent = null;
        if (Is(line, bytesEnd, ' ') && Is(line, bytesEnd + 1, '"'))
        {
            var refererEnd = Quoted(line, bytesEnd + 2);
            var agentEnd = Is(line, refererEnd, '"') && Is(line, refererEnd + 1, ' ') && Is(line, refererEnd + 2, '"') ? Quoted(line, refererEnd + 3) : -1;
            if (agentEnd >= 0 && Is(line, agentEnd, '"'))
            {
                (referer, agent) = ((bytesEnd + 2)..refererEnd, (refererEnd + 3)..agentEnd);
            }
        }
        return ((at + 2)..(at + 5), bytesStart..bytesEnd, referer, agent);
    }

    /// <summary>
    /// Whether the URL begun at <paramref name="start"/> may end before <paramref name="at"/>: an even run of backslashes
    /// before it (an odd one escapes the character there: Apache writes a quote in the request as <c>\"</c>, and a URL cut at
    /// it let the request's own text stand for the status).
    /// </summary>
    private static bool Unescaped(string line, int at, int start)
    {
        var run = 0;
        while (at - run - 1 >= start && line[at - run - 1] == '\\')
        {
            run++;
        }
        return run % 2 == 0;
    }

    /// <summary>
    /// The end of <c>(?:[^"\\]|\\.)*</c> from <paramref name="at"/>: characters other than a quote, each backslash taking the
    /// next one with it (but not a line break, which <c>.</c> does not match: the text then ends at the backslash).
    /// </summary>
    private static int Quoted(string line, int at)
    {
        while (at < line.Length)
        {
            var next = line.AsSpan(at).IndexOfAny('"', '\\');
            if (next < 0)
            {
                return line.Length;
            }
            at += next;
            if (line[at] == '"')
            {
                return at;
            }
            if (at + 1 >= line.Length || line[at + 1] == '\n')
            {
                return at;
            }
            at += 2;
        }
        return at;
    }

    private static bool AsciiDigit(string line, int at) => at < line.Length && char.IsAsciiDigit(line[at]);

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
            if (ShortSpans.Same(name, Months[month]))
            {
                return month;
            }
        }
        return -1;
    }

    /// <summary>The <paramref name="count"/> ASCII digits at <paramref name="start"/> of a time (<see cref="TryDigits"/>).</summary>
    private static bool Digits(ReadOnlySpan<char> text, int start, int count, out int value)
    {
        var read = TryDigits(text.Slice(start, count), int.MaxValue, out var number);
        value = (int)number;
        return read;
    }

    private static void AddRequest(IntakeDraft draft, string line, Parts parts)
    {
        if (parts is not { Method: { } method, Url: { } urlRange })
        {
            // Garbage request lines ("-", TLS bytes sent to port 80) are kept whole.
            draft.AddText("http.request", line[parts.Request]);
            return;
        }
        // URLs, their paths and query strings recur (a site has so many pages): each is made once while it does.
        var url = line.AsSpan()[urlRange];
        draft.AddText("http.method", line.AsSpan()[method]);
        draft.AddText("http.url", url);
        draft.AddText("http.version", parts.Version is { } version ? line.AsSpan()[version] : default);
        var query = url.IndexOf('?');
        var path = query < 0 ? url : url[..query];
        // A path starting with '/' is an absolute file URI on Unix: only what names the web's schemes is looked at.
        if ((path.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || path.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
            && Uri.TryCreate(path.ToString(), UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https")
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

    /// <summary>A quoted field of the line (referer, user agent), unescaped.</summary>
    private static void AddQuoted(IntakeDraft draft, string path, ReadOnlySpan<char> value)
    {
        if (value.Contains('\\'))
        {
            draft.AddText(path, Unescape(new string(value)));
        }
        else
        {
            draft.AddText(path, value);
        }
    }

    /// <summary>Apache and nginx escape quotes and backslashes inside quoted fields.</summary>
    private static string Unescape(string value) =>
        value.Contains('\\', StringComparison.Ordinal) ? value.Replace("\\\"", "\"", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal) : value;

    [GeneratedRegex(
        """^(?<ip>\S+) (?<ident>\S+) (?<user>\S+) \[(?<time>[^\]]+)\] "(?<request>(?<method>[A-Z]+) (?<url>(?:[^\s\\]|\\\S)+)(?: HTTP/(?<version>[\d.]+))?|(?:[^"\\]|\\.)*)" (?<status>[0-9]{3}) (?<bytes>[0-9]+|-)(?: "(?<referer>(?:[^"\\]|\\.)*)" "(?<agent>(?:[^"\\]|\\.)*)")?""",
        // No timeout, as for the sshd patterns (SshdParser.Options): the result never depends on the machine's load, and
        // the anchored pattern matches in time linear in the line.
        RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    internal static partial Regex CombinedLine();
}
