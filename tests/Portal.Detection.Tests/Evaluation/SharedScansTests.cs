using Portal.Detection.Evaluation;
using Portal.Detection.Events;
using Portal.Detection.Query;
using Portal.Detection.Rules;
using static Portal.Detection.Tests.Evaluation.Detections;

namespace Portal.Detection.Tests.Evaluation;

public class SharedScansTests
{
    [Fact]
    public async Task AggregateAsync_RulesSharingAQueryAndWindow_ReadItOnceAndAggregateEachTheirOwnWay()
    {
        var events = Failures(12, "203.0.113.77", T0).Concat(Failures(3, "198.51.100.23", T0, user: "admin")).ToList();
        var store = new CountingStore(new InMemoryEventAggregator(events));
        var scans = new SharedScans(store);
        var byIp = Rule([Count(FailureQuery)], [("medium", "a > 10")]);
        var byUser = Rule([new RuleQuery { Query = FailureQuery, Aggregation = RuleAggregations.Cardinality, GroupByFields = ["host"], DistinctFields = ["@usr.name"] }], [("low", "a > 1")]);

        var first = await ThresholdEvaluator.EvaluateAsync(byIp, scans, T0, T0.AddMinutes(5), T0, CancellationToken.None);
        var second = await ThresholdEvaluator.EvaluateAsync(byUser, scans, T0, T0.AddMinutes(5), T0, CancellationToken.None);
        var direct = await ThresholdEvaluator.EvaluateAsync(byIp, new InMemoryEventAggregator(events), T0, T0.AddMinutes(5), T0, CancellationToken.None);

        Assert.Equal(1, store.Reads);
        Assert.Equal((1, 1), scans.Statistics);
        Assert.Equal("203.0.113.77", Assert.Single(first).GroupBy["@network.client.ip"]);
        Assert.Equal(2, Assert.Single(second).Values["a"]);
        Assert.Equal(direct.Select(c => (c.GroupKey, c.Values["a"], c.NewCounts["a"])), first.Select(c => (c.GroupKey, c.Values["a"], c.NewCounts["a"])));
    }

    /// <summary>
    /// A store may give a group's events in any order (the index's): the samples are still its earliest, oldest first, and
    /// among events of one time the first given, whatever was replaced before.
    /// </summary>
    [Fact]
    public void Aggregate_EventsOutOfOrder_SamplesAreTheEarliestFirstGivenOnTies()
    {
        LogEvent At(string id, int minute) => new() { Id = id, Timestamp = T0.AddMinutes(minute), Message = "m" };
        var request = new AggregationRequest(new MatchAllNode(0), T0, T0.AddHours(1), [], RuleAggregations.Count, null, T0, SampleSize: 3);

        var group = Assert.Single(GroupAggregator.Aggregate([At("p", 9), At("q", 9), At("r", 1), At("s", 3), At("t", 3), At("u", 2)], request));

        Assert.Equal(["r", "u", "s"], group.Samples.Select(e => e.Id));
        Assert.Equal(6, group.Count);
    }

    [Fact]
    public async Task AggregateAsync_RuleWithFilters_IsNeverShared()
    {
        var store = new CountingStore(new InMemoryEventAggregator(Failures(12, "203.0.113.77", T0)));
        var scans = new SharedScans(store);
        var plain = Rule([Count(FailureQuery)], [("medium", "a > 10")]);
        var filtered = Rule([Count(FailureQuery)], [("medium", "a > 10")]);
        filtered.Definition.Filters = [new RuleFilter { Action = "suppress", Query = "@network.client.ip:203.0.113.77" }];

        await ThresholdEvaluator.EvaluateAsync(plain, scans, T0, T0.AddMinutes(5), T0, CancellationToken.None);
        var suppressed = await ThresholdEvaluator.EvaluateAsync(CompiledRule.Compile(filtered.Id, filtered.Definition), scans, T0, T0.AddMinutes(5), T0, CancellationToken.None);

        Assert.Empty(suppressed);
    }

    private sealed class CountingStore(IEventAggregator inner) : IEventAggregator
    {
        public int Reads { get; private set; }

        public Task<IReadOnlyList<GroupAggregate>> AggregateAsync(AggregationRequest request, CancellationToken cancellationToken)
        {
            Reads++;
            return inner.AggregateAsync(request, cancellationToken);
        }

        public Task<IReadOnlyList<LogEvent>> EventsAsync(QueryNode query, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken)
        {
            Reads++;
            return inner.EventsAsync(query, from, to, limit, cancellationToken);
        }
    }
}
