using Portal.Detection.Events;
using Portal.Detection.Rules;

namespace Portal.Detection.Evaluation;

/// <summary>
/// Scheduled evaluation of the methods that follow events one by one (new value, impossible travel, anomaly): instead of
/// keeping their state between runs, each run replays the history the method needs through a
/// <see cref="StreamingDetector"/>, so the server judges exactly as <c>vigil detect</c> and rule tests do.
/// </summary>
public static class ReplayEvaluator
{
    /// <summary>True for the rules scheduled evaluation replays: new value, anomaly and impossible travel (not correlations).</summary>
    public static bool Replays(DetectionRule rule) =>
        !RuleTypes.IsCorrelation(rule)
        && rule.Options.DetectionMethod is DetectionMethods.NewValue or DetectionMethods.AnomalyDetection or DetectionMethods.ImpossibleTravel;

    /// <summary>The most events one run replays for a rule; beyond it the run fails with an error the rule's health shows.</summary>
    public const int MaxEvents = 200_000;

    /// <summary>
    /// Candidates of a new value, impossible travel or anomaly rule for events in <c>[from, until)</c>. The detector replays
    /// the history the method needs before <paramref name="from"/> (what was learned, the last places, the baseline), so
    /// each run judges exactly as a detector that had run without stopping; only candidates of new events are kept.
    /// </summary>
    public static async Task<IReadOnlyList<SignalCandidate>> EvaluateAsync(
        CompiledRule rule, IEventAggregator store, DateTimeOffset from, DateTimeOffset until, CancellationToken cancellationToken, Action<long>? scanned = null)
    {
        var history = History(rule.Definition.Options);
        var events = await ReadAsync(rule, store, from - history, until, MaxEvents, cancellationToken)
            ?? throw new InvalidOperationException(
                $"The rule's history holds more than {MaxEvents:N0} events; narrow its queries (each run replays {history.TotalDays:0.#} days).");
        scanned?.Invoke(events.Count);
        var candidates = new List<SignalCandidate>();
        var detector = new StreamingDetector([rule], sink: (_, c) => candidates.Add(c));
        foreach (var e in events)
        {
            detector.Process(e);
        }
        detector.Advance(until);
        return candidates.Where(c => c.DecidedAt >= from).ToList();
    }

    /// <summary>
    /// The events of <c>[from, to)</c> matching any of the rule's queries, each once, oldest first; null when there are
    /// more than <paramref name="max"/> (each query reads at most what is left of the allowance, plus one to tell).
    /// </summary>
    public static async Task<IReadOnlyList<LogEvent>?> ReadAsync(
        CompiledRule rule, IEventAggregator store, DateTimeOffset from, DateTimeOffset to, int max, CancellationToken cancellationToken)
    {
        var events = new Dictionary<string, LogEvent>(StringComparer.Ordinal);
        foreach (var query in rule.Queries)
        {
            foreach (var e in await store.EventsAsync(query.Query, from, to, max + 1 - events.Count, cancellationToken))
            {
                events.TryAdd(e.Id, e);
            }
            if (events.Count > max)
            {
                return null;
            }
        }
        return events.Values.OrderBy(e => e.Timestamp).ToList();
    }

    /// <summary>How far back a method's judgement reaches: learning and forgetting for new values, a day of places, the anomaly baseline.</summary>
    public static TimeSpan History(RuleOptions options) => options.DetectionMethod switch
    {
        DetectionMethods.NewValue => TimeSpan.FromDays((options.NewValueOptions?.LearningDuration ?? 1) + (options.NewValueOptions?.ForgetAfter ?? 7)),
        DetectionMethods.ImpossibleTravel => TimeSpan.FromDays(options.ImpossibleTravelOptions?.BaselineUserLocations == true ? 30 : 1),
        DetectionMethods.AnomalyDetection => TimeSpan.FromHours(options.AnomalyDetectionOptions?.LearningDuration ?? 24)
            + TimeSpan.FromSeconds(options.AnomalyDetectionOptions?.BucketDuration ?? 300),
        _ => TimeSpan.FromSeconds(options.EvaluationWindow),
    };
}
