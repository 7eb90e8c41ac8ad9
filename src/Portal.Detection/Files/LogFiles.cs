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
    public static List<LogEvent> Read(string path, string? source, int year, List<FileError> errors)
    {
        var text = File.ReadAllText(path);
        var first = text.AsSpan().TrimStart();
        if (source != "json" && source is not null && source != "cloudtrail" && (first.Length == 0 || first[0] is not ('{' or '[')))
        {
            return ReadLines(path, text, source, year, errors);
        }
        if (first.Length > 0 && first[0] == '[' || first.Length > 0 && first[0] == '{' && TryParseWhole(text) is not null)
        {
            var root = TryParseWhole(text);
            if (root is null)
            {
                errors.Add(new FileError(path, 0, "invalid JSON"));
                return [];
            }
            var records = root is JsonObject { } o && o["Records"] is JsonArray cloudTrail ? cloudTrail
                : root as JsonArray ?? [root];
            var defaultSource = source ?? (root is JsonObject { } withRecords && withRecords.ContainsKey("Records") ? "cloudtrail" : null);
            var events = new List<LogEvent>();
            for (var i = 0; i < records.Count; i++)
            {
                if (records[i] is JsonObject record)
                {
                    JsonObject copy;
                    try
                    {
                        copy = record.DeepClone().AsObject();
                    }
                    catch (ArgumentException e)
                    {
                        errors.Add(new FileError(path, 0, $"record {i}: {e.Message}"));
                        continue;
                    }
                    Add(events, copy, defaultSource, path, 0, errors, $"record {i}");
                }
                else
                {
                    errors.Add(new FileError(path, 0, $"record {i}: expected a JSON object"));
                }
            }
            return events;
        }
        if (first.Length > 0 && first[0] == '{')
        {
            return ReadNdjson(path, text, source, errors);
        }
        return ReadLines(path, text, source, year, errors);
    }

    private static JsonNode? TryParseWhole(string text)
    {
        try
        {
            return JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true });
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
            JsonObject? record;
            try
            {
                record = JsonNode.Parse(line) as JsonObject;
            }
            catch (JsonException e)
            {
                errors.Add(new FileError(path, lineNumber, $"invalid JSON at byte {e.BytePositionInLine + 1}"));
                continue;
            }
            if (record is null)
            {
                errors.Add(new FileError(path, lineNumber, "expected a JSON object"));
                continue;
            }
            string? detected;
            try
            {
                detected = record.ContainsKey("eventVersion") && record.ContainsKey("eventSource") ? "cloudtrail" : null;
            }
            catch (ArgumentException e)
            {
                // A key duplicated in the object only fails when the object is first read.
                errors.Add(new FileError(path, lineNumber, e.Message));
                continue;
            }
            Add(events, record, source ?? detected, path, lineNumber, errors, null);
        }
        return events;
    }

    private static List<LogEvent> ReadLines(string path, string text, string? source, int year, List<FileError> errors)
    {
        var events = new List<LogEvent>();
        var lineNumber = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNumber++;
            var line = raw.TrimEnd('\r');
            if (line.Length == 0)
            {
                continue;
            }
            var record = new JsonObject { ["message"] = line, ["ddsource"] = source is null or "syslog" ? GuessSource(line) : source };
            if (SyslogTime(line, year) is { } time)
            {
                record["timestamp"] = time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
            }
            Add(events, record, null, path, lineNumber, errors, null);
        }
        return events;
    }

    private static void Add(List<LogEvent> events, JsonObject record, string? source, string path, int line, List<FileError> errors, string? what)
    {
        if (source is not null && source != "json" && !record.ContainsKey("ddsource"))
        {
            record["ddsource"] = source;
        }
        try
        {
            events.Add(IntakeNormalizer.NormalizeRecorded(record, DateTimeOffset.UnixEpoch));
        }
        catch (Exception e) when (e is IntakeFieldException or ArgumentException or InvalidOperationException or FormatException)
        {
            errors.Add(new FileError(path, line, what is null ? e.Message : $"{what}: {e.Message}"));
        }
    }

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

    [GeneratedRegex(@"^(?:<\d+>\d? ?)?\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?")]
    private static partial Regex Iso();

    [GeneratedRegex(@"\bsshd\[\d+\]:")]
    private static partial Regex SshdProgram();

    [GeneratedRegex(@"^\S+ \S+ \S+ \[[^\]]+\] ""[^""]*"" \d{3} ")]
    private static partial Regex AccessLogLine();
}
