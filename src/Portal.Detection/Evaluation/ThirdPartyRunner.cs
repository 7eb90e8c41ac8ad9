using Portal.Detection.Events;
using Portal.Detection.Rules;

namespace Portal.Detection.Evaluation;

/// <summary>
/// Third-party detection: every event of a root query stands for an alert another product raised. The first
/// third-party case whose query matches it gives the severity, else the rule's default status; without either, the
/// event raises nothing. Signals group by the root query's fields, so repeats of one finding update one signal.
/// </summary>
internal sealed class ThirdPartyRunner(CompiledRule rule) : RuleRunner(rule)
{
    private readonly RuleCase? _default = rule.Definition.Options.ThirdPartyRuleOptions?.DefaultStatus is { } status
        ? new RuleCase { Name = "default", Status = status }
        : null;

    public override SignalCandidate? Observe(int query, LogEvent e)
    {
        var q = Rule.Queries[query];
        if (GroupAggregator.GroupValues(q.GroupBy, e, optional: true) is not { } values)
        {
            return null;
        }
        var matched = Rule.ThirdPartyCases.FirstOrDefault(c => c.Matches(e)).Case ?? _default;
        if (matched is null)
        {
            return null;
        }
        var counts = Counted(query, 1);
        var value = new Dictionary<string, double>(StringComparer.Ordinal) { [q.Name] = 1 };
        return new SignalCandidate(GroupAggregator.GroupKey(values), GroupBy(values), matched, value, counts, counts, e.Timestamp, e.Timestamp, [e]);
    }
}
