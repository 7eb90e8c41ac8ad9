using System.Globalization;
using System.Text.Json.Nodes;
using Portal.Detection.Evaluation;
using Portal.Detection.Events;
using Portal.Detection.Intake;
using Portal.Detection.Rules;
using Portal.Detection.Signals;

namespace Portal.Detection.Tests.Evaluation;

/// <summary>
/// The streaming threshold windows (rings that grow, wrap and shrink, with distinct values and numbers kept beside) against
/// a recount of the same events: every candidate's aggregates must equal what the events in its window give.
/// </summary>
public class ThresholdWindowTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 3, 14, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Observe_BurstsAndQuietSpells_AggregatesEqualARecountOfTheWindow()
    {
        var events = Events();
        var rules = new[]
        {
            Rule("distinct", 60, ["@grp"], Query("a", "@kind:a"), Query("b", "@kind:b", RuleAggregations.Cardinality, distinct: "@user")),
            Rule("numbers", 300, ["@grp", "@zone"], Query("a", "@kind:a", RuleAggregations.Sum, metric: "@bytes"), Query("b", "@kind:b", RuleAggregations.Max, metric: "@bytes")),
            Rule("mixed", 60, ["@zone"], Query("a", "@kind:b", RuleAggregations.Max, metric: "@bytes"), Query("b", "@kind:a", RuleAggregations.Cardinality, distinct: "@user")),
        };
        // A rule's queries are disjoint here: an event matching two of them is judged once per query, and the first
        // judgement sees the other window without it.
        var candidates = new List<(CompiledRule Rule, SignalCandidate Candidate)>();
        var detector = new StreamingDetector(rules, sink: (rule, candidate) => candidates.Add((rule, candidate)));

        foreach (var e in events)
        {
            detector.Process(e);
        }

        Assert.True(candidates.Count > 10_000, $"only {candidates.Count} candidates");
        var times = events.Select(e => e.Timestamp).ToArray();
        var matches = rules.SelectMany(r => r.Definition.Queries).Distinct()
            .ToDictionary(q => q, q => events.Select(e => Portal.Detection.Query.QueryMatcher.Matches(Portal.Detection.Query.QueryParser.Parse(q.Query), e)).ToArray());
        foreach (var (rule, candidate) in candidates)
        {
            // Times only grow, so the window is a range of the events: from the first at or after its start to its last.
            var window = TimeSpan.FromSeconds(rule.Definition.Options.EvaluationWindow);
            var from = Array.BinarySearch(times, candidate.LastSeen - window);
            from = from < 0 ? ~from : from;
            var to = Array.BinarySearch(times, candidate.LastSeen);
            var inWindow = Enumerable.Range(from, to - from + 1).Where(i => GroupKey(rule, events[i]) == candidate.GroupKey).ToList();
            // Every event raises a candidate here, so each one adds exactly itself to an open signal.
            Assert.Equal(1, candidate.NewCounts.Values.Sum());
            foreach (var query in rule.Definition.Queries)
            {
                var matching = inWindow.Where(i => matches[query][i]).Select(i => events[i]).ToList();
                Assert.Equal(matching.Count, candidate.WindowCounts[query.Name!]);
                Assert.Equal(Expected(query, matching), candidate.Values[query.Name!]);
            }
        }
    }

    /// <summary>
    /// Clones of a rule with other thresholds share one set of windows; each must raise exactly what it raises alone:
    /// same groups, cases, aggregates, counts of new events, times and samples, including when one event matches two
    /// queries whose text is the same, when the same event is fed twice, and for a window of 0.
    /// </summary>
    [Fact]
    public void Observe_RulesDifferingOnlyInCases_ShareWindowsAndRaiseWhatEachRaisesAlone()
    {
        // Some events have no group: they join no window, for any clone.
        var events = Events(withoutGroup: 11);
        var conditions = new[] { "a > 3", "a > 12 || b > 2", "b >= 1 && a >= 1", "a >= 0 || b >= 0" };
        var shapes = new Func<string, string, CompiledRule>[]
        {
            (id, condition) => Rule(id, 60, ["@grp"], condition, Query("a", "@kind:a"), Query("b", "@kind:b", RuleAggregations.Cardinality, distinct: "@user")),
            (id, condition) => Rule(id, 300, ["@grp", "@zone"], condition, Query("a", "@kind:a", RuleAggregations.Sum, metric: "@bytes"), Query("b", "@kind:b", RuleAggregations.Max, metric: "@bytes")),
            // Queries that overlap: one event is added to both windows, each once.
            (id, condition) => Rule(id, 600, ["@zone"], condition, Query("a", "@kind:a"), Query("b", "@kind:a OR @grp:g1", RuleAggregations.Cardinality, distinct: "@user")),
            (id, condition) => Rule(id, 0, ["@grp"], condition, Query("a", "@kind:b"), Query("b", "@kind:a")),
        };
        var rules = shapes.SelectMany((shape, s) => conditions.Select((condition, c) => shape($"shape{s}-case{c}", condition))).ToList();
        // Each shape's clones share their windows; no two shapes do, and a rule with the same query twice shares none.
        Assert.Null(ThresholdWindows.SharingKey(Rule("twice", 60, ["@grp"], Query("a", "@kind:a"), Query("b", "@kind:a"))));
        var keys = shapes.Select((_, s) => rules.Where(r => r.Id.StartsWith($"shape{s}-", StringComparison.Ordinal)).Select(ThresholdWindows.SharingKey).Distinct().ToList()).ToList();
        Assert.All(keys, k => Assert.NotNull(Assert.Single(k)));
        Assert.Equal(shapes.Length, keys.Select(k => k[0]).Distinct().Count());
        // Rules differing in one thing that shapes their windows do not share them.
        var basis = Rule("basis", 60, ["@grp"], Query("a", "@kind:a"), Query("b", "@kind:b", RuleAggregations.Cardinality, distinct: "@user"));
        var variants = new[]
        {
            Rule("window", 300, ["@grp"], Query("a", "@kind:a"), Query("b", "@kind:b", RuleAggregations.Cardinality, distinct: "@user")),
            Rule("group", 60, ["@zone"], Query("a", "@kind:a"), Query("b", "@kind:b", RuleAggregations.Cardinality, distinct: "@user")),
            Rule("query", 60, ["@grp"], Query("a", "@kind:b"), Query("b", "@kind:a", RuleAggregations.Cardinality, distinct: "@user")),
            Rule("aggregation", 60, ["@grp"], Query("a", "@kind:a"), Query("b", "@kind:b", RuleAggregations.Count)),
            Rule("distinct", 60, ["@grp"], Query("a", "@kind:a"), Query("b", "@kind:b", RuleAggregations.Cardinality, distinct: "@zone")),
            Rule("metric", 60, ["@grp"], Query("a", "@kind:a", RuleAggregations.Sum, metric: "@bytes"), Query("b", "@kind:b", RuleAggregations.Cardinality, distinct: "@user")),
        };
        Assert.All(variants, v => Assert.NotEqual(ThresholdWindows.SharingKey(basis), ThresholdWindows.SharingKey(v)));
        // Some events are fed twice in a row, as a sender that repeats itself would.
        var stream = events.SelectMany((e, i) => i % 97 == 0 ? new[] { e, e } : [e]).ToList();

        var together = Run(rules, stream);

        var total = 0;
        foreach (var rule in rules)
        {
            var alone = Run([rule], stream);
            Assert.Equal(Describe(alone[rule.Id]), Describe(together[rule.Id]));
            total += alone[rule.Id].Count;
        }
        Assert.True(total > 20_000, $"only {total} candidates");
    }

    /// <summary>
    /// A detector that keeps the signals lets a runner update an open signal in place instead of building a candidate;
    /// the signals must be exactly those the lifecycle makes of every candidate: counts per query, samples, severity
    /// (escalated by a more severe case), times, and new signals once keep-alive or the maximum duration runs out.
    /// </summary>
    [Fact]
    public void Process_OpenSignalsUpdatedInPlace_EqualTheLifecycleAppliedToEveryCandidate()
    {
        var events = Events(withoutGroup: 11);
        DetectionRule Definition(string name, int window, int keepAlive, int maxDuration, bool lowerInTest, List<string> groupBy, params RuleQuery[] queries)
        {
            foreach (var query in queries)
            {
                query.GroupByFields = groupBy;
            }
            return new DetectionRule
            {
                Name = name,
                Queries = [.. queries],
                Cases =
                [
                    new RuleCase { Status = "high", Condition = "a > 25" },
                    new RuleCase { Status = "medium", Condition = "a > 8 || b > 3" },
                    new RuleCase { Status = "low", Condition = "a >= 2" },
                ],
                Options = new RuleOptions { EvaluationWindow = window, KeepAlive = keepAlive, MaxSignalDuration = maxDuration, DecreaseCriticalityBasedOnEnv = lowerInTest },
            };
        }
        var rules = new[]
        {
            Definition("short-lived", 60, 60, 300, false, ["@grp"], Query("a", "@kind:a"), Query("b", "@kind:b", RuleAggregations.Cardinality, distinct: "@user")),
            Definition("long", 300, 3600, 86400, false, ["@grp", "@zone"], Query("a", "@kind:a"), Query("b", "@kind:b", RuleAggregations.Max, metric: "@bytes")),
            Definition("lowered", 60, 600, 1800, true, ["@zone"], Query("a", "@kind:b"), Query("b", "@kind:a", RuleAggregations.Sum, metric: "@bytes")),
        }.Select((rule, i) => CompiledRule.Compile($"rule-{i}", rule)).ToList();

        var inPlace = new StreamingDetector(rules);
        var candidates = new List<(CompiledRule Rule, SignalCandidate Candidate)>();
        var everyCandidate = new StreamingDetector(rules, sink: (rule, candidate) => candidates.Add((rule, candidate)));
        foreach (var e in events)
        {
            inPlace.Process(e);
            everyCandidate.Process(e);
        }
        var open = new Dictionary<(CompiledRule, string), SecuritySignal>();
        var made = new List<SecuritySignal>();
        var next = 0;
        foreach (var (rule, candidate) in candidates)
        {
            var current = open.GetValueOrDefault((rule, candidate.GroupKey));
            var signal = SignalLifecycle.Apply(rule, candidate, current, candidate.LastSeen, () => $"signal-{++next:D6}");
            if (!ReferenceEquals(signal, current))
            {
                made.Add(signal);
                open[(rule, candidate.GroupKey)] = signal;
            }
        }

        Assert.True(made.Count > 50, $"only {made.Count} signals");
        Assert.True(made.Count < candidates.Count / 10, "open signals absorbed few matches");
        Assert.Contains(made, s => s.Severity == "high");
        Assert.Equal(made.Select(Json), inPlace.Finish().Select(Json));
    }

    private static string Json(SecuritySignal signal) => System.Text.Json.JsonSerializer.Serialize(signal);

    private static Dictionary<string, List<SignalCandidate>> Run(IReadOnlyList<CompiledRule> rules, List<LogEvent> stream)
    {
        var candidates = rules.ToDictionary(r => r.Id, _ => new List<SignalCandidate>());
        var detector = new StreamingDetector(rules, sink: (rule, candidate) => candidates[rule.Id].Add(candidate));
        foreach (var e in stream)
        {
            detector.Process(e);
        }
        return candidates;
    }

    private static List<string> Describe(List<SignalCandidate> candidates) => candidates
        .Select(c => string.Join(" | ",
            c.GroupKey, c.Case.Condition, string.Join(",", c.Values.Select(v => $"{v.Key}={v.Value}")),
            string.Join(",", c.NewCounts.Select(v => $"{v.Key}={v.Value}")), string.Join(",", c.WindowCounts.Select(v => $"{v.Key}={v.Value}")),
            c.FirstSeen.UtcTicks, c.LastSeen.UtcTicks, string.Join(",", c.Samples.Select(e => e.Id))))
        .ToList();

    /// <summary>The events; with <paramref name="withoutGroup"/>, one in that many has no <c>grp</c>.</summary>
    private static List<LogEvent> Events(int withoutGroup = 0)
    {
        var random = new Random(3);
        var events = new List<LogEvent>();
        var at = Start;
        for (var i = 0; i < 6_000; i++)
        {
            // Bursts of events milliseconds apart, then quiet spells longer than the windows, so rings grow, wrap and shrink.
            at = at.AddMilliseconds(random.Next(20) == 0 ? random.Next(70_000, 400_000) : random.Next(1, 400));
            var attributes = new JsonObject
            {
                ["ddsource"] = "app",
                ["message"] = "event",
                ["grp"] = $"g{random.Next(3)}",
                ["zone"] = $"z{random.Next(2)}",
                ["kind"] = random.Next(2) == 0 ? "a" : "b",
            };
            if (random.Next(5) > 0)
            {
                attributes["user"] = $"u{random.Next(40)}";
            }
            switch (random.Next(6))
            {
                case 0:
                    break;
                case 1:
                    attributes["bytes"] = "not a number";
                    break;
                case 2:
                    attributes["bytes"] = random.Next(1_000_000).ToString(CultureInfo.InvariantCulture);
                    break;
                default:
                    attributes["bytes"] = random.Next(1_000_000);
                    break;
            }
            if (withoutGroup > 0 && i % withoutGroup == 0)
            {
                attributes.Remove("grp");
            }
            events.Add(IntakeNormalizer.Normalize(attributes, at));
        }
        return events;
    }

    private static double Expected(RuleQuery query, List<LogEvent> events)
    {
        var numbers = events.Select(e => query.Metrics.Count > 0 ? FieldNames.FirstNumber(FieldNames.TryParse(query.Metrics[0])!, e) : null).OfType<double>().ToList();
        return query.Aggregation switch
        {
            RuleAggregations.Cardinality => events.Select(e => FieldNames.FirstValue(FieldNames.TryParse(query.DistinctFields[0])!, e)).OfType<string>().Distinct().Count(),
            RuleAggregations.Sum => numbers.Sum(),
            RuleAggregations.Max => numbers.Count > 0 ? numbers.Max() : 0,
            _ => events.Count,
        };
    }

    private static string GroupKey(CompiledRule rule, LogEvent e) =>
        GroupAggregator.GroupKey(rule.Definition.Queries[0].GroupByFields.Select(f => FieldNames.FirstValue(FieldNames.TryParse(f)!, e) ?? "\0missing").ToList());

    private static RuleQuery Query(string name, string query, string aggregation = RuleAggregations.Count, string? distinct = null, string? metric = null) => new()
    {
        Name = name,
        Query = query,
        Aggregation = aggregation,
        DistinctFields = distinct is null ? [] : [distinct],
        Metrics = metric is null ? [] : [metric],
    };

    private static CompiledRule Rule(string id, int window, List<string> groupBy, params RuleQuery[] queries) =>
        // Always true: every event that joins a group asks for a candidate, so every state of the windows is checked.
        Rule(id, window, groupBy, "a >= 0 || b >= 0", queries);

    private static CompiledRule Rule(string id, int window, List<string> groupBy, string condition, params RuleQuery[] queries)
    {
        foreach (var query in queries)
        {
            query.GroupByFields = groupBy;
        }
        return CompiledRule.Compile(id, new DetectionRule
        {
            Name = id,
            Queries = [.. queries],
            Cases = [new RuleCase { Status = "info", Condition = condition }],
            Options = new RuleOptions { EvaluationWindow = window, KeepAlive = 3600, MaxSignalDuration = 86400 },
        });
    }
}
