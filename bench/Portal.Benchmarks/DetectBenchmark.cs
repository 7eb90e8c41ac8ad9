using System.Diagnostics;
using System.Text.RegularExpressions;
using Portal.Detection.Content;
using Portal.Detection.Events;
using Portal.Detection.Evaluation;
using Portal.Detection.Query;
using Portal.Detection.Rules;
using Portal.Detection.Sigma;

namespace Portal.Benchmarks;

/// <summary>
/// 1,000 rules over 1 M events on one core, as <c>vigil detect</c> and the real-time stage run them: the out-of-the-box
/// rules and the Sigma rules that convert (read from <c>VIGIL_SIGMA_DIR</c>, default <c>../shared/data/sigma</c>),
/// repeated with varied thresholds up to 1,000, through one <see cref="StreamingDetector"/>. Events are normalised
/// before the clock starts: the figure is detection alone, over events as <c>vigil detect</c> reads them from a file (each
/// with its leaves, which detection lists when it first looks); a second figure (<c>_indexed</c>) times the same over events
/// as indexing hands them to the server's detection, their leaves listed already for the documents built from them. The baseline is the naive design, every (compiled) query of
/// every rule tested against every event, timed over a slice of the events and scaled to the whole.
/// </summary>
internal static partial class DetectBenchmark
{
    private const int RuleCount = 1000;
    private const int Batch = 1_000;

    public static Task RunAsync(bool quick)
    {
        var eventCount = Throughput.Option("--events") ?? (quick ? 100_000 : 1_000_000);
        var rules = Rules();
        var distinct = rules.Count;
        var compiled = Enumerable.Range(0, RuleCount).Select(i => Variant(rules[i % rules.Count], i / rules.Count, i)).ToList();

        // The same events two ways: as the server's intake normalises a request's bytes (each event with its leaves), and
        // as `vigil detect` reads them from a file (each with its leaves, listed by detection).
        var pool = Workload.Normalized(50_000);
        var recorded = Workload.Recorded(50_000);
        var start = new DateTimeOffset(2026, 3, 3, 0, 0, 0, TimeSpan.Zero);
        // 1 M events over about 3 hours: ~100 events/s, so windows hold realistic numbers of events.
        DateTimeOffset TimeOf(int i) => start.AddMilliseconds(i * 10.0);

        // A warm-up on detectors of their own, 300,000 events at a time, so that the runs below measure the code a
        // server running for days has: after a warm-up of 100,000 events in one form, the JIT still compiled about 600
        // methods during the first measured run and 280 during the second (their detectors' construction included), and
        // each ran 0.5–1.5 µs an event slower (alternately, session 19). After two warm-ups, one in each form, it still
        // compiled about 290 (250–390 ms) during the first, mostly the making of signals; after three, about 30.
        _ = Detect(compiled, pool, Math.Min(eventCount, 300_000), TimeOf, asIndexed: true);
        _ = Detect(compiled, recorded, Math.Min(eventCount, 300_000), TimeOf, asIndexed: false);
        _ = Detect(compiled, pool, Math.Min(eventCount, 300_000), TimeOf, asIndexed: true);
        // Events as the server's detection receives them: indexed, so each carries the leaves its Lucene document was built
        // from (JournaledEventIndex shows the observer a batch once it is indexed). Then the headline, as `vigil detect`
        // runs: detection lists each event's leaves itself when it first looks.
        var indexed = Detect(compiled, pool, eventCount, TimeOf, asIndexed: true);
        var flattening = Detect(compiled, recorded, eventCount, TimeOf, asIndexed: false);

        var slice = Math.Min(eventCount, quick ? 5_000 : 10_000);
        // Flattened by the matchers' first lookup, like the headline run (about 1 % of the baseline's time).
        var events = Workload.Restamped(recorded, 0, slice, TimeOf);
        var queries = compiled.SelectMany(r => r.Queries.Select(q => QueryMatcher.Compile(q.Query))).ToList();
        var clock = Stopwatch.StartNew();
        var naiveMatches = 0L;
        for (var i = 0; i < slice; i++)
        {
            foreach (var query in queries)
            {
                naiveMatches += query(events[i]) ? 1 : 0;
            }
        }
        var naiveSeconds = clock.Elapsed.TotalSeconds * eventCount / slice;

        // Where the time goes: preparing fresh copies of events for matching (their leaves, and one lookup: a scan of a
        // small event's leaves, the index by path of a larger one's).
        // Events never matched before, as every event of a real stream is (the pool's leaves are listed by now).
        var fresh = Workload.Restamped(Workload.Recorded(slice), 0, slice, TimeOf);
        var bytesBefore = GC.GetAllocatedBytesForCurrentThread();
        clock.Restart();
        foreach (var e in fresh)
        {
            _ = e.GetAttribute("network.client.ip");
        }
        var prepareMicros = clock.Elapsed.TotalMicroseconds / slice;
        var prepareBytes = (GC.GetAllocatedBytesForCurrentThread() - bytesBefore) / slice;
        // ...and finding the queries each prepared event matches, without judging windows or signals.
        var index = new QueryIndex<int>();
        foreach (var (query, i) in compiled.SelectMany(r => r.Queries).Select(q => q.Query).Distinct().Select((q, i) => (q, i)))
        {
            index.Add(query, i);
        }
        var matched = new List<int>();
        foreach (var e in fresh.Take(100))
        {
            // Each field's automaton is built on the first value it reads.
            matched.Clear();
            index.Matches(e, matched);
        }
        bytesBefore = GC.GetAllocatedBytesForCurrentThread();
        clock.Restart();
        foreach (var e in fresh)
        {
            matched.Clear();
            index.Matches(e, matched);
        }
        var matchMicros = clock.Elapsed.TotalMicroseconds / slice;
        var matchBytes = (GC.GetAllocatedBytesForCurrentThread() - bytesBefore) / slice;
        Console.Error.WriteLine($"preparing an event for matching: {prepareMicros:0.0} µs, {prepareBytes:N0} bytes; matching it: {matchMicros:0.0} µs, {matchBytes:N0} bytes");
        foreach (var (run, name) in new[] { (indexed, "as indexed"), (flattening, "flattening") })
        {
            Console.Error.WriteLine($"{name}: {run.Seconds * 1e6 / eventCount:0.0} µs per event; {run.Allocated / eventCount:N0} bytes allocated per event; {run.Signals} signals, {run.QueriesTested / (double)eventCount:0.0} queries tested per event, {run.Unfiled} unfiled; {run.Share}");
        }
        Console.Error.WriteLine($"{compiled.Count} rules ({distinct} distinct), {eventCount:N0} events, {GC.CollectionCount(2)} collections of generation 2 in the whole run; naive slice {slice:N0} events, {naiveMatches} matches");
        new Figure("detect.seconds_1000_rules", flattening.Seconds, "s", naiveSeconds).Print();
        new Figure("detect.events_per_second", eventCount / flattening.Seconds, "events/s", eventCount / naiveSeconds).Print();
        new Figure("detect.seconds_1000_rules_indexed", indexed.Seconds, "s", naiveSeconds).Print();
        return Task.CompletedTask;
    }

    private sealed record Run(double Seconds, int Signals, long Allocated, long QueriesTested, int Unfiled, string Share);

    /// <summary>
    /// One detector over <paramref name="eventCount"/> events in batches of 1,000 (one intake request), each made before
    /// its clock starts and dropped after (a detector keeps only what its windows and signals hold), so memory is what a
    /// server's would be. <paramref name="asIndexed"/>: each batch's leaves are read before the clock, as indexing does.
    /// </summary>
    private static Run Detect(List<CompiledRule> rules, List<LogEvent> pool, int eventCount, Func<int, DateTimeOffset> timeOf, bool asIndexed)
    {
        GC.Collect();
        var detector = new StreamingDetector(rules);
        // From here: what the JIT compiles and the collector does while the events are detected, not while the rules are prepared.
        var share = CpuShare.Start();
        var clock = new Stopwatch();
        long allocated = 0;
        for (var offset = 0; offset < eventCount; offset += Batch)
        {
            var batch = Workload.Restamped(pool, offset, Math.Min(Batch, eventCount - offset), timeOf);
            if (asIndexed)
            {
                foreach (var e in batch)
                {
                    _ = e.Leaves;
                }
            }
            var before = GC.GetAllocatedBytesForCurrentThread();
            clock.Start();
            foreach (var e in batch)
            {
                detector.Process(e);
            }
            clock.Stop();
            allocated += GC.GetAllocatedBytesForCurrentThread() - before;
        }
        clock.Start();
        var signals = detector.Finish().Count;
        clock.Stop();
        return new Run(clock.Elapsed.TotalSeconds, signals, allocated, detector.QueriesTested, detector.UnfiledQueries, $"{share.Describe()}; {share.Runtime()}");
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
