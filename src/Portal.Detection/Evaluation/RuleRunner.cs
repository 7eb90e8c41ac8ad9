using Portal.Detection.Events;
using Portal.Detection.Rules;
using Portal.Detection.Signals;

namespace Portal.Detection.Evaluation;

/// <summary>
/// The state one rule keeps while events stream by, and its detection method's judgement of each event the rule's
/// queries match. A runner raises <see cref="SignalCandidate"/>s; the lifecycle decides whether they open a signal or
/// update one.
/// </summary>
internal abstract class RuleRunner(CompiledRule rule)
{
    /// <summary>How many events a candidate carries as samples.</summary>
    internal const int SampleSize = 10;

    /// <summary>The rule judged.</summary>
    public CompiledRule Rule { get; } = rule;

    /// <summary>
    /// The signal open for the rule and a group, when the caller keeps them (a detector without a sink): a method may then
    /// update it in place instead of building a candidate for every later match of a busy group. Null: every match that
    /// holds becomes a candidate.
    /// </summary>
    public Func<CompiledRule, string, SecuritySignal?>? OpenSignals { get; set; }

    /// <summary>Judges <paramref name="e"/>, which matched the rule query at <paramref name="query"/>: the candidate it raises, if any.</summary>
    public abstract SignalCandidate? Observe(int query, LogEvent e);

    /// <summary>Judges what is pending and complete once time has reached <paramref name="now"/> (the end of the stream at <see cref="DateTimeOffset.MaxValue"/>).</summary>
    public virtual IEnumerable<SignalCandidate> Advance(DateTimeOffset now) => [];

    /// <summary>
    /// The runners of <paramref name="rules"/>, in their order; threshold rules that differ only in their cases share
    /// their windows (<see cref="ThresholdRunner.Sharing"/>).
    /// </summary>
    public static RuleRunner[] ForAll(IReadOnlyList<CompiledRule> rules)
    {
        var runners = new RuleRunner[rules.Count];
        var thresholds = new List<int>();
        for (var i = 0; i < rules.Count; i++)
        {
            if (NotThreshold(rules[i]) is { } runner)
            {
                runners[i] = runner;
            }
            else
            {
                thresholds.Add(i);
            }
        }
        var shared = ThresholdRunner.Sharing([.. thresholds.Select(i => rules[i])]);
        for (var i = 0; i < thresholds.Count; i++)
        {
            runners[thresholds[i]] = shared[i];
        }
        return runners;
    }

    /// <summary>The runner of the rule's detection method.</summary>
    public static RuleRunner For(CompiledRule rule) => NotThreshold(rule) ?? new ThresholdRunner(rule);

    /// <summary>The runner of a rule whose method is not threshold, or null.</summary>
    private static RuleRunner? NotThreshold(CompiledRule rule) => rule.Definition.Options.DetectionMethod switch
    {
        DetectionMethods.NewValue => new NewValueRunner(rule),
        DetectionMethods.ImpossibleTravel => new ImpossibleTravelRunner(rule),
        DetectionMethods.AnomalyDetection => new AnomalyRunner(rule),
        DetectionMethods.ThirdParty => new ThirdPartyRunner(rule),
        _ => null,
    };

    /// <summary>The first case whose condition holds for <paramref name="values"/>, or null.</summary>
    protected RuleCase? FirstCase(IReadOnlyDictionary<string, double> values)
    {
        // By position: a threshold rule asks after every event of its queries, and an enumerator is an object each time.
        var cases = Rule.Cases;
        for (var i = 0; i < cases.Count; i++)
        {
            if (cases[i].Condition.Evaluate(values))
            {
                return cases[i].Case;
            }
        }
        return null;
    }

    /// <summary>Group-by field names, as written, mapped to the group's values.</summary>
    protected Dictionary<string, string> GroupBy(IReadOnlyList<string> values)
    {
        var names = Rule.GroupByNames;
        var groupBy = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < names.Count && i < values.Count; i++)
        {
            groupBy[names[i]] = values[i];
        }
        return groupBy;
    }

    /// <summary>One query's count under its name, as the single-event methods report it.</summary>
    protected Dictionary<string, long> Counted(int query, long count) =>
        new(StringComparer.Ordinal) { [Rule.Queries[query].Name] = count };
}
