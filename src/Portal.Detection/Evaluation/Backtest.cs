using Portal.Detection.Signals;
using Portal.Detection.Suppressions;

namespace Portal.Detection.Evaluation;

/// <summary>
/// What a backtest found: the signals the rule would have raised, how many events it read, and the suppressions that
/// applied to it.
/// </summary>
public sealed record BacktestOutcome(IReadOnlyList<SecuritySignal> Signals, long EventsScanned, bool TooManyEvents)
{
    /// <summary>The suppressions that applied to the rule, as its evaluation would have applied them.</summary>
    public IReadOnlyList<BacktestSuppression> Suppressions { get; init; } = [];
}

/// <summary>
/// A suppression that applied to a backtest's rule: whether it left logs out (its data exclusion query), whether it stops
/// signals (its suppression query), and the groups whose signals it stopped in the range (each once, as the evaluation
/// counts what a suppression hid).
/// </summary>
public sealed record BacktestSuppression(Suppression Suppression, bool ExcludesLogs, bool StopsSignals, int GroupsStopped);

/// <summary>
/// A "historical job": runs a rule over a past range of stored events without storing anything, through the same
/// <see cref="StreamingDetector"/> as <c>vigil detect</c> and rule tests, and returns the signals it would have raised.
/// The history the method needs before the range (a window, what a new value rule learned) is read too, so the first
/// minutes of the range are judged as they were live; only signals whose events reach into the range are returned.
/// </summary>
public static class Backtest
{
    /// <summary>The longest range a backtest covers.</summary>
    public static readonly TimeSpan MaxRange = TimeSpan.FromDays(30);

    /// <summary>The most events a backtest reads; a bigger one is refused rather than allowed to exhaust memory.</summary>
    public const int MaxEvents = 500_000;

    /// <summary>
    /// Runs <paramref name="rule"/> over <c>[from, to)</c> of <paramref name="store"/>, with <paramref name="suppressions"/>
    /// applied as the evaluation applies them: the rule compiled by them (<see cref="RuleSuppressions.Compile"/>), so that
    /// the logs their data exclusions match are left out, and the signals whose events their suppression queries match
    /// not raised.
    /// </summary>
    public static async Task<BacktestOutcome> RunAsync(
        CompiledRule rule, IEventAggregator store, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken, RuleSuppressions? suppressions = null)
    {
        var events = await ReplayEvaluator.ReadAsync(rule, store, from - ReplayEvaluator.History(rule.Definition.Options), to, MaxEvents, cancellationToken);
        if (events is null)
        {
            return new BacktestOutcome([], MaxEvents + 1, TooManyEvents: true);
        }
        suppressions ??= RuleSuppressions.None;
        // The groups each suppression stopped in the range: a group's later matches would have updated one signal.
        var stopped = new Dictionary<Suppression, HashSet<string>>();
        bool Admit(CompiledRule _, SignalCandidate candidate)
        {
            if (suppressions.Suppressing(candidate.Samples) is not { } by)
            {
                return true;
            }
            if (candidate.LastSeen >= from)
            {
                (stopped.TryGetValue(by, out var groups) ? groups : stopped[by] = new HashSet<string>(StringComparer.Ordinal)).Add(candidate.GroupKey);
            }
            return false;
        }
        var detector = new StreamingDetector([rule], admit: suppressions.Signals.Count > 0 ? Admit : null);
        for (var i = 0; i < events.Count; i++)
        {
            // A backtest given up (a preview whose settings changed) stops within a few thousand events.
            if ((i & 4095) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
            detector.Process(events[i]);
        }
        detector.Advance(to);
        var (excluding, stopping) = (suppressions.Exclusions.Select(e => e.Suppression).ToHashSet(), suppressions.Signals.Select(s => s.Suppression).ToHashSet());
        return new BacktestOutcome(detector.Signals.Where(s => s.LastSeen >= from).ToList(), events.Count, TooManyEvents: false)
        {
            Suppressions = [.. suppressions.All.Select(s => new BacktestSuppression(s, excluding.Contains(s), stopping.Contains(s), stopped.GetValueOrDefault(s)?.Count ?? 0))],
        };
    }
}
