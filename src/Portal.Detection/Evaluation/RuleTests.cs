using System.Globalization;
using System.Text.Json.Nodes;
using Portal.Detection.Events;
using Portal.Detection.Intake;
using Portal.Detection.Rules;
using Portal.Detection.Signals;

namespace Portal.Detection.Evaluation;

/// <summary>The outcome of one rule test: what went wrong (nothing when it passed) and the signals raised.</summary>
public sealed record RuleTestResult(string Name, IReadOnlyList<string> Failures, IReadOnlyList<SecuritySignal> Signals)
{
    /// <summary>True when every expectation held.</summary>
    public bool Passed => Failures.Count == 0;
}

/// <summary>
/// Runs the tests embedded in a rule (<see cref="DetectionRule.Tests"/>): each test's logs go through the intake's
/// normalisation and parsers, then through the <see cref="StreamingDetector"/> alone with the rule, and the signals
/// raised are compared with the expected ones, in order of first event.
/// </summary>
public static class RuleTests
{
    /// <summary>When the first log of a test happens if it gives no timestamp.</summary>
    public static readonly DateTimeOffset DefaultStart = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The most logs a rule's tests may send in all (repeats counted).</summary>
    public const int MaxEvents = 100_000;

    /// <summary>The most JSON a rule's tests' logs may hold in all, repeats counted (16 MB): each repeat is a log in memory.</summary>
    public const long MaxBytes = 16_000_000;

    /// <summary>How many times a test log is sent.</summary>
    public const string RepeatProperty = "repeat";

    /// <summary>Seconds between the repeats of a test log.</summary>
    public const string IntervalProperty = "intervalSeconds";

    /// <summary>Runs every test of <paramref name="rule"/>, which must be valid.</summary>
    public static IReadOnlyList<RuleTestResult> Run(DetectionRule rule)
    {
        var compiled = CompiledRule.Compile(rule.Id ?? "test", rule);
        var results = new List<RuleTestResult>();
        foreach (var (test, index) in (rule.Tests ?? []).Select((t, i) => (t, i)))
        {
            var name = string.IsNullOrWhiteSpace(test.Name) ? $"tests[{index}]" : test.Name;
            IReadOnlyList<LogEvent> events;
            try
            {
                events = Events(test);
            }
            catch (Exception e) when (e is IntakeFieldException or FormatException or ArgumentException or InvalidOperationException)
            {
                results.Add(new RuleTestResult(name, [e.Message], []));
                continue;
            }
            var detector = new StreamingDetector([compiled]);
            foreach (var e in events)
            {
                detector.Process(e);
            }
            var signals = detector.Finish().OrderBy(s => s.FirstSeen).ToList();
            results.Add(new RuleTestResult(name, Compare(test.Expect ?? [], signals), signals));
        }
        return results;
    }

    /// <summary>
    /// The events of a test in time order: a log without a timestamp comes one second after the previous one, and
    /// <c>"repeat": n</c> sends a log n times, <c>"intervalSeconds"</c> apart.
    /// </summary>
    /// <exception cref="FormatException">A <c>repeat</c> or <c>intervalSeconds</c> is not a positive number.</exception>
    public static IReadOnlyList<LogEvent> Events(RuleTest test)
    {
        var events = new List<LogEvent>();
        var time = DefaultStart - TimeSpan.FromSeconds(1);
        foreach (var (log, index) in (test.Logs ?? []).Select((l, i) => (l, i)))
        {
            var raw = log.DeepClone().AsObject();
            var repeat = Take(raw, RepeatProperty, index) ?? 1;
            var interval = TimeSpan.FromSeconds(Math.Min(Take(raw, IntervalProperty, index) ?? 1, 86_400));
            if (repeat > MaxEvents || events.Count + repeat > MaxEvents)
            {
                throw new FormatException($"logs[{index}].{RepeatProperty}: the test would send more than {MaxEvents:N0} logs");
            }
            for (var i = 0; i < repeat; i++)
            {
                var copy = raw.DeepClone().AsObject();
                var own = i == 0 ? IntakeTimestamps.TryRead(copy["timestamp"] ?? copy["date"] ?? copy["@timestamp"]) : null;
                time = own ?? time + (i == 0 ? TimeSpan.FromSeconds(1) : interval);
                copy["timestamp"] = time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
                copy.Remove("date");
                copy.Remove("@timestamp");
                events.Add(IntakeNormalizer.NormalizeRecorded(copy, time));
            }
        }
        return events.OrderBy(e => e.Timestamp).ToList();
    }

    private static double? Take(JsonObject raw, string name, int index)
    {
        if (!raw.TryGetPropertyValue(name, out var node))
        {
            return null;
        }
        raw.Remove(name);
        return node is JsonValue value && value.TryGetValue<double>(out var number) && number > 0 && double.IsFinite(number)
            ? number
            : throw new FormatException($"logs[{index}].{name}: expected a positive number");
    }

    private static List<string> Compare(List<ExpectedSignal> expected, IReadOnlyList<SecuritySignal> actual)
    {
        var failures = new List<string>();
        if (expected.Count != actual.Count)
        {
            failures.Add($"expected {expected.Count} signal(s), got {actual.Count}{Describe(actual)}");
        }
        for (var i = 0; i < Math.Min(expected.Count, actual.Count); i++)
        {
            var (want, got) = (expected[i], actual[i]);
            var at = expected.Count > 1 ? $"signal {i + 1}: " : "";
            if (want.Severity is { } severity && severity != got.Severity)
            {
                failures.Add($"{at}severity is {got.Severity}, expected {severity}");
            }
            if (want.Title is { } title && title != got.Title)
            {
                failures.Add($"{at}title is '{got.Title}', expected '{title}'");
            }
            if (want.EventsMatched is { } count && count != got.EventsMatched)
            {
                failures.Add($"{at}{got.EventsMatched} events matched, expected {count}");
            }
            foreach (var (field, value) in want.Group ?? [])
            {
                if (got.GroupBy.GetValueOrDefault(field) != value)
                {
                    failures.Add($"{at}group {field} is '{got.GroupBy.GetValueOrDefault(field)}', expected '{value}'");
                }
            }
            if (want.MessageContains is { } text && !got.Message.Contains(text, StringComparison.Ordinal))
            {
                failures.Add($"{at}message does not contain '{text}'");
            }
        }
        return failures;
    }

    private static string Describe(IReadOnlyList<SecuritySignal> signals) => signals.Count == 0
        ? ""
        : ": " + string.Join("; ", signals.Select(s => $"{s.Severity} '{s.Title}' ({s.EventsMatched} events{(s.GroupBy.Count > 0 ? ", " + string.Join(", ", s.GroupBy.Select(g => $"{g.Key}={g.Value}")) : "")})"));
}
