using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Portal.Detection.Evaluation;
using Portal.Detection.Files;
using Portal.Detection.Signals;

namespace Portal.Cli.Commands;

/// <summary>
/// Detection as code: <c>vigil rules validate</c>, <c>vigil rules test</c> and <c>vigil detect</c>. They read files and
/// print results; exit codes are 0 for success, 1 for rule errors (invalid rules, failing tests), 2 for usage errors.
/// </summary>
internal static class DetectionCommands
{
    public const int Success = 0;
    public const int RuleErrors = 1;
    public const int UsageError = 2;

    /// <summary><c>vigil rules validate &lt;file|dir&gt;...</c>: every error with its file and line.</summary>
    public static int Validate(IReadOnlyList<string> paths, TextWriter output, TextWriter error)
    {
        if (!TryRead(paths, error, out var rules))
        {
            return UsageError;
        }
        foreach (var problem in rules.SelectMany(r => r.Errors))
        {
            error.WriteLine(problem);
        }
        var invalid = rules.Count(r => r.Rule is null);
        output.WriteLine($"{rules.Count - invalid} of {rules.Count} rules valid");
        return invalid == 0 ? Success : RuleErrors;
    }

    /// <summary><c>vigil rules test &lt;file|dir&gt;...</c>: runs the tests embedded in each rule.</summary>
    public static int Test(IReadOnlyList<string> paths, TextWriter output, TextWriter error)
    {
        if (!TryRead(paths, error, out var rules))
        {
            return UsageError;
        }
        var (passed, failed, untested) = (0, 0, 0);
        foreach (var file in rules)
        {
            if (file.Rule is null)
            {
                file.Errors.ToList().ForEach(error.WriteLine);
                failed++;
                continue;
            }
            if (file.Rule.Tests is not { Count: > 0 })
            {
                untested++;
                continue;
            }
            foreach (var result in RuleTests.Run(file.Rule))
            {
                if (result.Passed)
                {
                    passed++;
                    continue;
                }
                failed++;
                error.WriteLine($"FAIL {file.Path}: {file.Rule.Name} / {result.Name}");
                foreach (var failure in result.Failures)
                {
                    error.WriteLine($"  {failure}");
                }
            }
        }
        output.WriteLine($"{passed} passed, {failed} failed, {untested} rules without tests");
        return failed == 0 ? Success : RuleErrors;
    }

    /// <summary>
    /// <c>vigil detect --rules &lt;file|dir|builtin&gt;... --logs &lt;file&gt;... [--source S] [--year Y]</c>: runs the rules over
    /// the logs in event-time order, as the server does, and prints each signal as one JSON line.
    /// </summary>
    public static int Detect(IReadOnlyDictionary<string, List<string>> options, TextWriter output, TextWriter error)
    {
        var rulePaths = options.GetValueOrDefault("rules") ?? [];
        var logPaths = options.GetValueOrDefault("logs") ?? [];
        var source = options.GetValueOrDefault("source")?.FirstOrDefault();
        if (rulePaths.Count == 0 || logPaths.Count == 0)
        {
            error.WriteLine("vigil detect: --rules and --logs are required (vigil detect --rules builtin --logs auth.log)");
            return UsageError;
        }
        if (source is not null && !LogFiles.Sources.Contains(source))
        {
            error.WriteLine($"vigil detect: --source must be one of {string.Join(", ", LogFiles.Sources)}, not '{source}'");
            return UsageError;
        }
        var year = DateTime.UtcNow.Year;
        if (options.GetValueOrDefault("year")?.FirstOrDefault() is { } yearText
            && (!int.TryParse(yearText, NumberStyles.None, CultureInfo.InvariantCulture, out year) || year is < 1970 or > 9999))
        {
            error.WriteLine($"vigil detect: --year must be a year, not '{yearText}'");
            return UsageError;
        }
        if (!TryRead(rulePaths, error, out var rules))
        {
            return UsageError;
        }
        var invalid = rules.Where(r => r.Rule is null).ToList();
        foreach (var problem in invalid.SelectMany(r => r.Errors))
        {
            error.WriteLine(problem);
        }
        if (invalid.Count > 0)
        {
            return RuleErrors;
        }
        var missing = logPaths.FirstOrDefault(p => !File.Exists(p));
        if (missing is not null)
        {
            error.WriteLine($"{missing}: no such file");
            return UsageError;
        }

        var logErrors = new List<FileError>();
        List<Portal.Detection.Events.LogEvent> events;
        try
        {
            events = logPaths.SelectMany(p => LogFiles.Read(p, source, year, logErrors)).OrderBy(e => e.Timestamp).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine(e.Message);
            return UsageError;
        }
        foreach (var problem in logErrors)
        {
            error.WriteLine(problem);
        }
        var detector = new StreamingDetector(rules.Select(r => CompiledRule.Compile(r.Id, r.Rule!)));
        foreach (var e in events)
        {
            detector.Process(e);
        }
        foreach (var signal in detector.Finish())
        {
            output.WriteLine(Line(signal).ToJsonString(LineOptions));
        }
        return Success;
    }

    private static readonly JsonSerializerOptions LineOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>One signal as <c>vigil detect</c> prints it.</summary>
    public static JsonObject Line(SecuritySignal signal)
    {
        var group = new JsonObject();
        foreach (var (field, value) in signal.GroupBy)
        {
            group[field] = value;
        }
        return new JsonObject
        {
            ["rule"] = new JsonObject { ["id"] = signal.RuleId, ["name"] = signal.RuleName },
            ["severity"] = signal.Severity,
            ["title"] = signal.Title,
            ["group"] = group,
            ["first_seen"] = signal.FirstSeen.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
            ["last_seen"] = signal.LastSeen.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
            ["events_matched"] = signal.EventsMatched,
            ["sample_event_ids"] = new JsonArray([.. signal.SampleEventIds.Select(id => (JsonNode?)id)]),
        };
    }

    private static bool TryRead(IReadOnlyList<string> paths, TextWriter error, out IReadOnlyList<RuleFile> rules)
    {
        rules = [];
        if (paths.Count == 0)
        {
            error.WriteLine("expected at least one rule file or directory (or 'builtin')");
            return false;
        }
        try
        {
            rules = RuleFiles.Read(paths);
            if (rules.Count == 0)
            {
                // A gate that found nothing to check must not pass: a wrong path, or rules of another format (Sigma's YAML).
                error.WriteLine($"no rule files (*.json) in {string.Join(", ", paths)}");
                return false;
            }
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine(e.Message);
            return false;
        }
    }
}
