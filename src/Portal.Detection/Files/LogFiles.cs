using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Portal.Detection.Events;
using Portal.Detection.Intake;

namespace Portal.Detection.Files;

/// <summary>
/// Reads recorded logs for offline detection (<c>vigil detect</c>): newline-delimited JSON, a JSON array, a JSON
/// object with CloudTrail's <c>Records</c>, or raw text lines (sshd, syslog, Apache/nginx access logs) that go
/// through the intake's parsing pipelines. Events keep their own time and id; raw lines get theirs from the line's
/// syslog or access-log timestamp.
/// </summary>
public static partial class LogFiles
{
    /// <summary>Sources accepted by <c>--source</c>.</summary>
    public static readonly IReadOnlyList<string> Sources = ["sshd", "apache", "nginx", "syslog", "cloudtrail", "json"];

    /// <summary>
    /// Reads the events of <paramref name="path"/>. <paramref name="source"/> is the <c>ddsource</c> of events that have
    /// none (raw lines are guessed per line without it). Lines that cannot be read go to <paramref name="errors"/>.
    /// <paramref name="year"/> completes syslog timestamps, which have none.
    /// </summary>
    public static List<LogEvent> Read(string path, string? source, int year, List<FileError> errors) =>
        Read(path, File.ReadAllText(path), source, year, errors);

    /// <summary><see cref="Read(string, string?, int, List{FileError})"/> for the <paramref name="text"/> of the file <paramref name="path"/>.</summary>
    public static List<LogEvent> Read(string path, string text, string? source, int year, List<FileError> errors)
    {
        var first = text.AsSpan().TrimStart();
        if (source != "json" && source is not null && source != "cloudtrail" && (first.Length == 0 || first[0] is not ('{' or '[')))
        {
            return ReadLines(path, text, source, year, errors);
        }
        if (first.Length > 0 && first[0] is '[' or '{')
        {
            using var whole = TryParseWhole(text);
            if (whole is not null)
            {
                return ReadRecords(whole.RootElement);
            }
            if (first[0] == '[')
            {
                errors.Add(new FileError(path, 0, "invalid JSON"));
                return [];
            }
            return ReadNdjson(path, text, source, errors);
        }
        return ReadLines(path, text, source, year, errors);

        // The file as one document: an object (CloudTrail's Records, or one record) or an array of records.
        List<LogEvent> ReadRecords(JsonElement root)
        {
            var cloudTrail = default(JsonElement);
            var withRecords = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("Records", out cloudTrail);
            if (withRecords && RepeatedKey(root) is { } repeated)
            {
                // Which of two Records would be read is anyone's guess: none is.
                errors.Add(new FileError(path, 0, $"the object holding Records repeats the key \"{repeated}\""));
                return [];
            }
            var defaultSource = source ?? (withRecords ? "cloudtrail" : null);
            var events = new List<LogEvent>();
            if (root.ValueKind == JsonValueKind.Array || withRecords && cloudTrail.ValueKind == JsonValueKind.Array)
            {
                var i = 0;
                foreach (var record in (root.ValueKind == JsonValueKind.Array ? root : cloudTrail).EnumerateArray())
                {
                    AddRecord(events, record, defaultSource, path, 0, errors, $"record {i++}");
                }
            }
            else
            {
                AddRecord(events, root, defaultSource, path, 0, errors, "record 0");
            }
            return events;
        }
    }

    /// <summary>The first key <paramref name="root"/> holds twice, or null.</summary>
    private static string? RepeatedKey(JsonElement root)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in root.EnumerateObject())
        {
            if (!names.Add(property.Name))
            {
                return property.Name;
            }
        }
        return null;
    }

    private static JsonDocument? TryParseWhole(string text)
    {
        try
        {
            return JsonDocument.Parse(text, new JsonDocumentOptions { AllowTrailingCommas = true });
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static List<LogEvent> ReadNdjson(string path, string text, string? source, List<FileError> errors)
    {
        var events = new List<LogEvent>();
        var lineNumber = 0;
        foreach (var line in text.Split('\n'))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            JsonDocument record;
            try
            {
                record = JsonDocument.Parse(line);
            }
            catch (JsonException e)
            {
                errors.Add(new FileError(path, lineNumber, $"invalid JSON at byte {e.BytePositionInLine + 1}"));
                continue;
            }
            using (record)
            {
                AddRecord(events, record.RootElement, source, path, lineNumber, errors, null);
            }
        }
        return events;
    }

    /// <summary>
    /// Adds the event of one parsed record (borrowed: the event keeps a copy), read without making its tree as the intake
    /// reads a sender's object; a record whose keys the tree would read otherwise (a key repeated, dotted or empty) the
    /// general way, from its tree. Without a <paramref name="source"/>, a record that looks like CloudTrail's (its
    /// <c>eventVersion</c> and <c>eventSource</c>) is read as one, wherever it lies in the file.
    /// </summary>
    private static void AddRecord(List<LogEvent> events, JsonElement record, string? source, string path, int line, List<FileError> errors, string? what)
    {
        if (record.ValueKind != JsonValueKind.Object)
        {
            errors.Add(Fault(path, line, what, "expected a JSON object"));
            return;
        }
        source ??= record.TryGetProperty("eventVersion", out _) && record.TryGetProperty("eventSource", out _) ? "cloudtrail" : null;
        var copy = record.Clone();
        try
        {
            if (IntakeNormalizer.NormalizeRecorded(copy, DateTimeOffset.UnixEpoch, source is "json" ? null : source) is { } read)
            {
                events.Add(read);
                return;
            }
        }
        catch (Exception e) when (e is IntakeFieldException or ArgumentException or InvalidOperationException or FormatException)
        {
            errors.Add(Fault(path, line, what, e.Message));
            return;
        }
        Add(events, JsonObject.Create(copy)!, source, path, line, errors, what);
    }

    private static List<LogEvent> ReadLines(string path, string text, string? source, int year, List<FileError> errors)
    {
        var events = new List<LogEvent>();
        var lineNumber = 0;
        // RFC 3164 times have no year: the file's first is taken to be of the year given, and a month more than half a year
        // before the last one (December, then January) starts the next year.
        var (yearOfLines, lastMonth) = (year, 0);
        foreach (var raw in text.Split('\n'))
        {
            lineNumber++;
            var line = raw.TrimEnd('\r');
            if (line.Length == 0)
            {
                continue;
            }
            var record = new JsonObject { ["message"] = line, ["ddsource"] = source is null or "syslog" ? GuessSource(line) : source };
            var classic = Rfc3164().Match(line);
            if (classic.Success && Array.IndexOf(Months, classic.Groups[1].Value) + 1 is var month and > 0)
            {
                yearOfLines += month < lastMonth - 6 ? 1 : 0;
                lastMonth = month;
            }
            if (SyslogTime(line, yearOfLines) is { } time)
            {
                record["timestamp"] = time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
            }
            else if (classic.Success)
            {
                // Not a day of that year (Feb 29 in another year, Apr 31): said, rather than read as 1970.
                errors.Add(Fault(path, lineNumber, null, $"'{classic.Groups[1].Value} {classic.Groups[2].Value.Trim()} {classic.Groups[3].Value}' is not a time of {yearOfLines} (the year given is that of the file's first line)"));
                continue;
            }
            Add(events, record, null, path, lineNumber, errors, null);
        }
        return events;
    }

    private static void Add(List<LogEvent> events, JsonObject record, string? source, string path, int line, List<FileError> errors, string? what)
    {
        try
        {
            // A key repeated in the record fails when the record is first read (here, or in normalising it).
            if (source is not null && source != "json" && !record.ContainsKey("ddsource"))
            {
                record["ddsource"] = source;
            }
            var read = IntakeNormalizer.NormalizeRecorded(record, DateTimeOffset.UnixEpoch);
            if (!read.HasLeafSource)
            {
                // Every node and string of a tree is read here, so that a key repeated deep in the record, or a string no
                // text can hold (an unpaired surrogate escape), is refused with its line, not met by detection. (An event
                // made from leaves read them all already; a raw line's event has only leaves.)
                AttributePath.ReadAll(read.Attributes, strings: true);
            }
            events.Add(read);
        }
        catch (Exception e) when (e is IntakeFieldException or ArgumentException or InvalidOperationException or FormatException)
        {
            errors.Add(Fault(path, line, what, e.Message));
        }
    }

    /// <summary>A record's fault, named by its line, and by <paramref name="what"/> (<c>record 3</c>) where the file has no lines for it.</summary>
    private static FileError Fault(string path, int line, string? what, string message) =>
        new(path, line, what is null ? message : $"{what}: {message}");

    /// <summary>The source of a raw line: sshd for sshd's syslog lines, apache for access-log lines, syslog otherwise.</summary>
    public static string GuessSource(string line) =>
        SshdProgram().IsMatch(line) ? "sshd" : AccessLogLine().IsMatch(line) ? "apache" : "syslog";

    /// <summary>
    /// The time at the start of a syslog line: RFC 3164 (<c>Dec 10 06:55:46</c>, completed with <paramref name="year"/>)
    /// or RFC 5424/ISO 8601 (<c>2026-03-03T14:02:11.123+00:00</c>); null otherwise.
    /// </summary>
    public static DateTimeOffset? SyslogTime(string line, int year)
    {
        if (Rfc3164().Match(line) is { Success: true } classic
            && DateTime.TryParseExact($"{year} {classic.Groups[1].Value} {classic.Groups[2].Value.Trim()} {classic.Groups[3].Value}", "yyyy MMM d HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            return new DateTimeOffset(time, TimeSpan.Zero);
        }
        if (Iso().Match(line) is { Success: true } iso
            && DateTimeOffset.TryParse(iso.Value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var precise))
        {
            return precise.ToUniversalTime();
        }
        return null;
    }

    [GeneratedRegex(@"^(?:<\d+>)?([A-Z][a-z]{2}) ( ?\d{1,2}) (\d{2}:\d{2}:\d{2})\b")]
    private static partial Regex Rfc3164();

    /// <summary>The months as RFC 3164 writes them.</summary>
    private static readonly string[] Months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

    [GeneratedRegex(@"^(?:<\d+>\d? ?)?\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?")]
    private static partial Regex Iso();

    [GeneratedRegex(@"\bsshd\[\d+\]:")]
    private static partial Regex SshdProgram();

    [GeneratedRegex(@"^\S+ \S+ \S+ \[[^\]]+\] ""[^""]*"" \d{3} ")]
    private static partial Regex AccessLogLine();
}
