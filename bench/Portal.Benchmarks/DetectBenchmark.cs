using System.Diagnostics;
using System.Text.RegularExpressions;
using Portal.Detection.Content;
using Portal.Detection.Evaluation;
using Portal.Detection.Query;
using Portal.Detection.Rules;
using Portal.Detection.Sigma;

namespace Portal.Benchmarks;

/// <summary>
/// 1,000 rules over 1 M events on one core, as <c>vigil detect</c> and the real-time stage run them: the out-of-the-box
/// rules and the Sigma rules that convert (read from <c>VIGIL_SIGMA_DIR</c>, default <c>../shared/data/sigma</c>),
/// repeated with varied thresholds up to 1,000, through one <see cref="StreamingDetector"/>. Events are normalised
/// before the clock starts: the figure is detection alone. The baseline is the naive design, every (compiled) query of
/// every rule tested against every event, timed over a slice of the events and scaled to the whole.
/// </summary>
internal static partial class DetectBenchmark
{
    private const int RuleCount = 1000;

    public static Task RunAsync(bool quick)
    {
        var eventCount = Throughput.Option("--events") ?? (quick ? 100_000 : 1_000_000);
        var rules = Rules();
        var distinct = rules.Count;
        var compiled = Enumerable.Range(0, RuleCount).Select(i => Variant(rules[i % rules.Count], i / rules.Count, i)).ToList();

        var pool = Workload.Normalized(50_000);
        var start = new DateTimeOffset(2026, 3, 3, 0, 0, 0, TimeSpan.Zero);
        // 1 M events over about 3 hours: ~100 events/s, so windows hold realistic numbers of events.
        var events = Workload.Restamped(pool, 0, eventCount, i => start.AddMilliseconds(i * 10.0));

        GC.Collect();
        var detector = new StreamingDetector(compiled);
        var clock = Stopwatch.StartNew();
        foreach (var e in events)
        {
            detector.Process(e);
        }
        var signals = detector.Finish().Count;
        var seconds = clock.Elapsed.TotalSeconds;

        var slice = Math.Min(events.Count, quick ? 500 : 10_000);
        var queries = compiled.SelectMany(r => r.Queries.Select(q => QueryMatcher.Compile(q.Query))).ToList();
        clock.Restart();
        var naiveMatches = 0L;
        for (var i = 0; i < slice; i++)
        {
            foreach (var query in queries)
            {
                naiveMatches += query(events[i]) ? 1 : 0;
            }
        }
        var naiveSeconds = clock.Elapsed.TotalSeconds * events.Count / slice;

        Console.Error.WriteLine($"{compiled.Count} rules ({distinct} distinct, {detector.UnfiledQueries} queries unfiled, {detector.QueriesTested / (double)events.Count:0.0} tested per event), {events.Count:N0} events, {signals} signals; naive slice {slice:N0} events, {naiveMatches} matches");
        new Figure("detect.seconds_1000_rules", seconds, "s", naiveSeconds).Print();
        new Figure("detect.events_per_second", events.Count / seconds, "events/s", events.Count / naiveSeconds).Print();
        return Task.CompletedTask;
    }

    /// <summary>The distinct rules: shipped ones, then every Sigma rule that converts.</summary>
    private static List<DetectionRule> Rules()
    {
        var rules = OutOfTheBoxRules.LoadJson().Select(json => RuleJson.Parse(json).Rule!).ToList();
        var sigma = Environment.GetEnvironmentVariable("VIGIL_SIGMA_DIR") ?? Path.Combine("..", "shared", "data", "sigma");
        if (Directory.Exists(sigma))
        {
            foreach (var file in Directory.EnumerateFiles(sigma, "*.yml", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                rules.AddRange(SigmaConverter.ConvertAll(File.ReadAllText(file), file).Where(c => c.Rule is not null).Select(c => c.Rule!));
            }
        }
        else
        {
            Console.Error.WriteLine($"{sigma} not found: only the out-of-the-box rules are repeated");
        }
        return rules;
    }

    /// <summary>Copy <paramref name="round"/> of a rule: each number of its case conditions raised by the round.</summary>
    private static CompiledRule Variant(DetectionRule rule, int round, int index)
    {
        var copy = RuleJson.Clone(rule);
        foreach (var ruleCase in copy.Cases.Where(c => !string.IsNullOrWhiteSpace(c.Condition)))
        {
            ruleCase.Condition = Number().Replace(ruleCase.Condition, m => (long.Parse(m.Value, System.Globalization.CultureInfo.InvariantCulture) + round).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        return CompiledRule.Compile($"rule-{index}", copy);
    }

    [GeneratedRegex(@"\b\d+\b")]
    private static partial Regex Number();
}
