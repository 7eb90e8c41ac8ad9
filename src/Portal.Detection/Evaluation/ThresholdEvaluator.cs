using Portal.Detection.Events;
using Portal.Detection.Rules;

namespace Portal.Detection.Evaluation;

/// <summary>
/// A group for which a case matched in one evaluation window. <see cref="WindowCounts"/> are the events of the
/// whole window (what a new signal reports); <see cref="NewCounts"/> only those since the previous evaluation
/// (what an open signal adds), so overlapping windows never count an event twice.
/// </summary>
public sealed record SignalCandidate(
    string GroupKey,
    IReadOnlyDictionary<string, string> GroupBy,
    RuleCase Case,
    IReadOnlyDictionary<string, double> Values,
    IReadOnlyDictionary<string, long> NewCounts,
    IReadOnlyDictionary<string, long> WindowCounts,
    DateTimeOffset FirstSeen,
    DateTimeOffset LastSeen,
    IReadOnlyList<LogEvent> Samples)
{
    /// <summary>What the method found beyond counts (the two places of an impossible travel...), copied into the signal's attributes.</summary>
    public System.Text.Json.Nodes.JsonObject? Details { get; init; }

    /// <summary>When the method could decide: the last event, or the end of an anomaly's bucket.</summary>
    public DateTimeOffset DecidedAt => DecidedAtOverride ?? LastSeen;

    /// <summary>Set by methods that decide after the last event (anomaly buckets close at their end).</summary>
    public DateTimeOffset? DecidedAtOverride { get; init; }
}

/// <summary>
/// Threshold detection: per group, aggregate each query over the window, join the queries on the
/// group values, and take the first case whose condition holds.
/// </summary>
public static class ThresholdEvaluator
{
    /// <summary>
    /// Evaluates <paramref name="rule"/> over <c>[from, to)</c>. Only groups with events at or after
    /// <paramref name="newSince"/> are reported, so a sliding window never re-raises on events it already judged.
    /// <paramref name="scanned"/> is told how many events each query's aggregation read.
    /// </summary>
    public static async Task<IReadOnlyList<SignalCandidate>> EvaluateAsync(
        CompiledRule rule, IEventAggregator store, DateTimeOffset from, DateTimeOffset to, DateTimeOffset newSince, CancellationToken cancellationToken, Action<long>? scanned = null)
    {
        var byGroup = new Dictionary<string, (IReadOnlyList<string> Values, Dictionary<string, GroupAggregate> PerQuery)>(StringComparer.Ordinal);
        for (var i = 0; i < rule.Queries.Count; i++)
        {
            var query = rule.Queries[i];
            var request = new AggregationRequest(query.Query, from, to, query.GroupBy, query.Aggregation, query.DistinctField, newSince)
            {
                Metric = query.Metrics.Count > 0 ? query.Metrics[0] : null,
                OptionalGroupBy = query.HasOptionalGroupBy,
                SharingKey = rule.SharingKey(i),
            };
            var groups = await store.AggregateAsync(request, cancellationToken);
            scanned?.Invoke(groups.Sum(g => g.Count));
            foreach (var group in groups)
            {
                var key = GroupAggregator.GroupKey(group.GroupValues);
                if (!byGroup.TryGetValue(key, out var entry))
                {
                    entry = (group.GroupValues, new Dictionary<string, GroupAggregate>(StringComparer.Ordinal));
                    byGroup[key] = entry;
                }
                entry.PerQuery[query.Name] = group;
            }
        }

        var candidates = new List<SignalCandidate>();
        foreach (var (key, (groupValues, perQuery)) in byGroup)
        {
            if (perQuery.Values.All(g => g.NewCount == 0))
            {
                continue;
            }
            var values = rule.Queries.ToDictionary(q => q.Name, q => perQuery.TryGetValue(q.Name, out var g) ? g.Value : 0d, StringComparer.Ordinal);
            var matched = rule.Cases.FirstOrDefault(c => c.Condition.Evaluate(values));
            if (matched.Case is null)
            {
                continue;
            }
            var groupBy = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < rule.GroupByNames.Count; i++)
            {
                groupBy[rule.GroupByNames[i]] = groupValues[i];
            }
            candidates.Add(new SignalCandidate(
                key,
                groupBy,
                matched.Case,
                values,
                perQuery.ToDictionary(p => p.Key, p => p.Value.NewCount, StringComparer.Ordinal),
                perQuery.ToDictionary(p => p.Key, p => p.Value.Count, StringComparer.Ordinal),
                perQuery.Values.Min(g => g.FirstSeen),
                perQuery.Values.Max(g => g.LastSeen),
                perQuery.Values.SelectMany(g => g.Samples).OrderBy(e => e.Timestamp).Take(10).ToList()));
        }
        return candidates;
    }
}
