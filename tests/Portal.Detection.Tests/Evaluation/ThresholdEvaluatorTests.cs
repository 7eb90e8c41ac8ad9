using Portal.Detection.Evaluation;
using Portal.Detection.Events;
using Portal.Detection.Rules;
using static Portal.Detection.Tests.Evaluation.Detections;

namespace Portal.Detection.Tests.Evaluation;

public class ThresholdEvaluatorTests
{
    private const string Attacker = "203.0.113.77";
    private const string Neighbour = "198.51.100.23";
    private const string Office = "10.0.1.20";

    private static readonly DateTimeOffset To = T0.AddMinutes(15);

    [Fact]
    public async Task EvaluateAsync_CountAboveThreshold_ReportsOnlyThatGroup()
    {
        var rule = Rule([Count(FailureQuery)], [("medium", "a > 5")]);
        var events = Failures(6, Attacker, T0).Concat(Failures(5, Neighbour, T0));

        var candidate = Assert.Single(await EvaluateAsync(rule, events));

        Assert.Equal(new Dictionary<string, string> { ["@network.client.ip"] = Attacker }, candidate.GroupBy);
        Assert.Equal(6, candidate.Values["a"]);
        Assert.Equal(6, candidate.NewCounts["a"]);
        Assert.Equal("medium", candidate.Case.Status);
        Assert.Equal((T0, T0.AddSeconds(5)), (candidate.FirstSeen, candidate.LastSeen));
        Assert.Equal(GroupAggregator.GroupKey([Attacker]), candidate.GroupKey);
    }

    [Fact]
    public async Task EvaluateAsync_Cardinality_CountsDistinctValuesPerGroup()
    {
        var query = new RuleQuery { Query = FailureQuery, Aggregation = RuleAggregations.Cardinality, GroupByFields = ["@network.client.ip"], DistinctFields = ["@usr.name"] };
        var rule = Rule([query], [("high", "a >= 3")]);
        var sprayed = new[] { "root", "admin", "oracle", "postgres", "admin" }.Select((user, i) => Failure(Attacker, user, T0.AddSeconds(i)));
        var hammered = Failures(20, Neighbour, T0, user: "root");

        var candidate = Assert.Single(await EvaluateAsync(rule, sprayed.Concat(hammered)));

        Assert.Equal(Attacker, candidate.GroupBy["@network.client.ip"]);
        Assert.Equal(4, candidate.Values["a"]);
        Assert.Equal(5, candidate.NewCounts["a"]);
    }

    [Fact]
    public async Task EvaluateAsync_TwoQueries_JoinOnGroupValues()
    {
        var rule = Rule([Count(FailureQuery), Count(SuccessQuery)], [("high", "a > 5 && b > 0")]);
        var events = Failures(6, Attacker, T0)
            .Append(Success(Attacker, "deploy", T0.AddMinutes(1)))
            .Concat(Failures(6, Neighbour, T0))
            .Append(Success(Office, "alice", T0.AddMinutes(2)));

        var candidate = Assert.Single(await EvaluateAsync(rule, events));

        Assert.Equal(Attacker, candidate.GroupBy["@network.client.ip"]);
        Assert.Equal(new Dictionary<string, double> { ["a"] = 6, ["b"] = 1 }, candidate.Values);
        Assert.Equal(new Dictionary<string, long> { ["a"] = 6, ["b"] = 1 }, candidate.NewCounts);
        Assert.Equal(T0.AddMinutes(1), candidate.LastSeen);
    }

    [Fact]
    public async Task EvaluateAsync_GroupSeenByOneQueryOnly_CountsTheOtherAsZero()
    {
        var rule = Rule([Count(FailureQuery), Count(SuccessQuery)], [("low", "a == 0 && b > 0")]);

        var candidate = Assert.Single(await EvaluateAsync(rule, [Success(Office, "alice", T0)]));

        Assert.Equal(new Dictionary<string, double> { ["a"] = 0, ["b"] = 1 }, candidate.Values);
    }

    [Fact]
    public async Task EvaluateAsync_SeveralCasesMatch_FirstInRuleOrderWins()
    {
        var rule = Rule([Count(FailureQuery)], [("critical", "a > 10"), ("high", "a > 5"), ("low", "a > 0")]);
        var events = Failures(12, "192.0.2.1", T0).Concat(Failures(7, "192.0.2.2", T0)).Concat(Failures(1, "192.0.2.3", T0));

        var candidates = await EvaluateAsync(rule, events);

        Assert.Equal(
            [("192.0.2.1", "critical"), ("192.0.2.2", "high"), ("192.0.2.3", "low")],
            candidates.Select(c => (c.GroupBy["@network.client.ip"], c.Case.Status)).Order());
    }

    [Fact]
    public async Task EvaluateAsync_LessSevereCaseFirst_StillWinsBecauseOrderDecides()
    {
        var rule = Rule([Count(FailureQuery)], [("low", "a > 0"), ("critical", "a > 10")]);

        var candidate = Assert.Single(await EvaluateAsync(rule, Failures(12, Attacker, T0)));

        Assert.Equal("low", candidate.Case.Status);
    }

    [Fact]
    public async Task EvaluateAsync_EventsMissingGroupByValue_AreLeftOut()
    {
        var rule = Rule([Count(FailureQuery)], [("medium", "a > 5")]);
        var events = Failures(3, Attacker, T0).Concat(Enumerable.Range(0, 10).Select(i => Failure(ip: null, "root", T0.AddSeconds(i))));

        Assert.Empty(await EvaluateAsync(rule, events));
        Assert.Equal(10, events.Count(e => e.GetAttribute("network.client.ip").Count == 0));
    }

    [Fact]
    public async Task EvaluateAsync_SeveralGroupByFields_GroupByEveryValue()
    {
        var rule = Rule([Count(FailureQuery, "host", "@usr.name")], [("medium", "a > 2")]);
        var events = new[]
        {
            Failure(Attacker, "root", T0, host: "bastion-1"),
            Failure(Neighbour, "root", T0.AddSeconds(1), host: "bastion-1"),
            Failure(Office, "root", T0.AddSeconds(2), host: "bastion-1"),
            Failure(Attacker, "root", T0.AddSeconds(3), host: "bastion-2"),
            Failure(Attacker, "admin", T0.AddSeconds(4), host: "bastion-1"),
        };

        var candidate = Assert.Single(await EvaluateAsync(rule, events));

        Assert.Equal(new Dictionary<string, string> { ["host"] = "bastion-1", ["@usr.name"] = "root" }, candidate.GroupBy);
        Assert.Equal(3, candidate.Values["a"]);
    }

    [Fact]
    public async Task EvaluateAsync_NoGroupBy_TreatsAllEventsAsOneGroup()
    {
        var rule = Rule([new RuleQuery { Query = FailureQuery }], [("info", "a >= 9")]);

        var candidate = Assert.Single(await EvaluateAsync(rule, Failures(4, Attacker, T0).Concat(Failures(5, Neighbour, T0))));

        Assert.Empty(candidate.GroupBy);
        Assert.Equal(9, candidate.Values["a"]);
    }

    [Fact]
    public async Task EvaluateAsync_GroupWithoutEventsSinceNewSince_IsNotReportedAgain()
    {
        var rule = Rule([Count(FailureQuery)], [("medium", "a > 5")]);
        var newSince = T0.AddMinutes(10);
        var events = Failures(8, Attacker, T0)
            .Concat(Failures(7, Neighbour, T0))
            .Append(Failure(Neighbour, "root", newSince));

        var candidate = Assert.Single(await ThresholdEvaluator.EvaluateAsync(rule, new InMemoryEventAggregator(events), T0, To, newSince, CancellationToken.None));

        Assert.Equal(Neighbour, candidate.GroupBy["@network.client.ip"]);
        Assert.Equal(8, candidate.Values["a"]);
        Assert.Equal(1, candidate.NewCounts["a"]);
        Assert.Equal(8, candidate.WindowCounts["a"]);
    }

    [Fact]
    public async Task EvaluateAsync_Window_IncludesFromAndExcludesTo()
    {
        var rule = Rule([Count(FailureQuery)], [("medium", "a >= 2")]);
        var events = new[]
        {
            Failure(Attacker, "root", T0.AddTicks(-1)),
            Failure(Attacker, "root", T0),
            Failure(Attacker, "root", To.AddTicks(-1)),
            Failure(Attacker, "root", To),
        };

        var candidate = Assert.Single(await EvaluateAsync(rule, events));

        Assert.Equal(2, candidate.Values["a"]);
        Assert.Equal((T0, To.AddTicks(-1)), (candidate.FirstSeen, candidate.LastSeen));
    }

    [Fact]
    public async Task EvaluateAsync_Samples_AreTheEarliestMatchingEvents()
    {
        var rule = Rule([Count(FailureQuery), Count(SuccessQuery)], [("high", "a > 5 && b > 0")]);
        var failures = Failures(12, Attacker, T0.AddSeconds(1)).ToList();
        var success = Success(Attacker, "deploy", T0);

        var candidate = Assert.Single(await EvaluateAsync(rule, failures.Append(success).Reverse()));

        Assert.Equal([success.Id, .. failures.Take(5).Select(e => e.Id)], candidate.Samples.Select(e => e.Id));
    }

    [Fact]
    public void Compile_InvalidRule_ThrowsWithEveryError()
    {
        var rule = new DetectionRule { Name = "", Queries = [new RuleQuery { Query = "a AND" }], Cases = [new RuleCase { Status = "high", Condition = "a > 0" }] };

        var error = Assert.Throws<ArgumentException>(() => CompiledRule.Compile("r", rule));

        Assert.Contains("$.name: is required", error.Message);
        Assert.Contains("$.queries[0].query: expected a term after AND (at position 5)", error.Message);
    }

    private static Task<IReadOnlyList<SignalCandidate>> EvaluateAsync(CompiledRule rule, IEnumerable<LogEvent> events) =>
        ThresholdEvaluator.EvaluateAsync(rule, new InMemoryEventAggregator(events.ToList()), T0, To, T0, CancellationToken.None);
}
