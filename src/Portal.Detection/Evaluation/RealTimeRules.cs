using Portal.Detection.Rules;

namespace Portal.Detection.Evaluation;

/// <summary>Which rules the real-time stage evaluates instead of the scheduler.</summary>
public static class RealTimeRules
{
    /// <summary>
    /// Single-event rules: thresholds over a zero window that only count, and third-party rules, so each event is judged
    /// alone and nothing is gained by waiting for a window to close. They are evaluated as batches are indexed, seconds after the 202.
    /// </summary>
    public static bool IsRealTime(DetectionRule rule) =>
        !RuleTypes.IsCorrelation(rule)
        && (rule.Options.DetectionMethod == DetectionMethods.ThirdParty
            || (rule.Options.DetectionMethod == DetectionMethods.Threshold
                && rule.Options.EvaluationWindow == 0
                && rule.Queries.All(q => q.Aggregation == RuleAggregations.Count)));
}
