using Portal.Detection.Signals;

namespace Portal.Detection.Evaluation;

/// <summary>What a backtest found: the signals the rule would have raised, and how many events it read.</summary>
public sealed record BacktestOutcome(IReadOnlyList<SecuritySignal> Signals, long EventsScanned, bool TooManyEvents);

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

    /// <summary>Runs <paramref name="rule"/> over <c>[from, to)</c> of <paramref name="store"/>.</summary>
    public static async Task<BacktestOutcome> RunAsync(CompiledRule rule, IEventAggregator store, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var events = await ReplayEvaluator.ReadAsync(rule, store, from - ReplayEvaluator.History(rule.Definition.Options), to, MaxEvents, cancellationToken);
        if (events is null)
        {
            return new BacktestOutcome([], MaxEvents + 1, TooManyEvents: true);
        }
        var detector = new StreamingDetector([rule]);
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
        return new BacktestOutcome(detector.Signals.Where(s => s.LastSeen >= from).ToList(), events.Count, TooManyEvents: false);
    }
}
