using Portal.Detection.Events;

namespace Portal.Detection.Evaluation;

/// <summary>
/// New value detection: per group, the tuple of the query's metric fields (up to 5) is remembered with the time it was
/// last seen. A tuple never seen for the group, or not seen for <c>forgetAfter</c> days, is new; during the first
/// <c>learningDuration</c> days of the rule (from its creation, or from its first event when it has no creation time)
/// nothing is new, values are only learned. Each new tuple is its own group of
/// the signal lifecycle (the rule's group values plus the new values), so two new countries make two signals.
/// </summary>
internal sealed class NewValueRunner(CompiledRule rule) : RuleRunner(rule)
{
    private readonly TimeSpan _learning = TimeSpan.FromDays(rule.Definition.Options.NewValueOptions?.LearningDuration ?? 1);
    private readonly TimeSpan _forget = TimeSpan.FromDays(rule.Definition.Options.NewValueOptions?.ForgetAfter ?? 7);
    private readonly Dictionary<string, Dictionary<string, DateTimeOffset>> _seen = new(StringComparer.Ordinal);
    /// <summary>Learning starts when the rule was created (stored rules) or with its first event (rules from files).</summary>
    private DateTimeOffset? _learningStart = rule.Definition.CreatedAt is { } created ? DateTimeOffset.FromUnixTimeMilliseconds(created) : null;

    public override SignalCandidate? Observe(int query, LogEvent e)
    {
        var q = Rule.Queries[query];
        if (GroupAggregator.GroupValues(q.GroupBy, e, q.HasOptionalGroupBy) is not { } groupValues
            || GroupAggregator.GroupValues(q.Metrics, e, optional: false) is not { } metricValues)
        {
            return null;
        }
        _learningStart ??= e.Timestamp;
        var groupKey = GroupAggregator.GroupKey(groupValues);
        if (!_seen.TryGetValue(groupKey, out var seen))
        {
            seen = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
            _seen[groupKey] = seen;
        }
        var valueKey = GroupAggregator.GroupKey(metricValues);
        var isNew = !seen.TryGetValue(valueKey, out var lastSeen) || e.Timestamp - lastSeen > _forget;
        seen[valueKey] = e.Timestamp > lastSeen ? e.Timestamp : lastSeen;
        if (!isNew || e.Timestamp < _learningStart + _learning)
        {
            return null;
        }
        var values = new Dictionary<string, double>(StringComparer.Ordinal) { [q.Name] = 1 };
        if (FirstCase(values) is not { } matched)
        {
            return null;
        }
        var groupBy = GroupBy(groupValues);
        for (var i = 0; i < q.Metrics.Count; i++)
        {
            groupBy[Rule.Definition.Queries[query].Metrics[i]] = metricValues[i];
        }
        var counts = Counted(query, 1);
        return new SignalCandidate(GroupAggregator.GroupKey([.. groupValues, .. metricValues]), groupBy, matched, values, counts, counts, e.Timestamp, e.Timestamp, [e]);
    }
}
