using Portal.Detection.Evaluation;
using Portal.Detection.Events;
using Portal.Detection.Suppressions;
using static Portal.Detection.Tests.Evaluation.Detections;

namespace Portal.Detection.Tests.Evaluation;

/// <summary>Backtests with suppressions applied as the evaluation applies them, over a group only some of whose logs they match.</summary>
public class BacktestTests
{
    private static readonly CompiledRule BruteForce = Rule([Count(FailureQuery)], [("medium", "a > 2")]);

    /// <summary>
    /// Three failures from one address raise a signal; a fourth, by the pen tester a suppression names, is stopped, and
    /// updates nothing (not even the open signal, as the evaluation drops its candidate); a fifth, by someone else, updates
    /// the signal again.
    /// </summary>
    [Fact]
    public async Task RunAsync_ASuppressionQueryMatchingOneLogOfAGroup_StopsWhatItWouldHaveAddedToTheOpenSignal()
    {
        var outcome = await RunAsync(new Suppression { Id = "pen", Name = "Pen test", RuleQuery = "*", SuppressionQuery = "@usr.name:pentest" });

        var signal = Assert.Single(outcome.Signals);
        Assert.Equal(4, signal.EventsMatched);
        Assert.Equal(5, outcome.EventsScanned);
        var applied = Assert.Single(outcome.Suppressions);
        Assert.Equal(("pen", false, true, 1), (applied.Suppression.Id, applied.ExcludesLogs, applied.StopsSignals, applied.GroupsStopped));
    }

    /// <summary>A data exclusion leaves the pen tester's log out of what the rule reads: the other four count.</summary>
    [Fact]
    public async Task RunAsync_ADataExclusion_LeavesItsLogsUnread()
    {
        var outcome = await RunAsync(new Suppression { Id = "quiet", Name = "Pen test", RuleQuery = "*", DataExclusionQuery = "@usr.name:pentest" });

        Assert.Equal(4, Assert.Single(outcome.Signals).EventsMatched);
        Assert.Equal(4, outcome.EventsScanned);
        var applied = Assert.Single(outcome.Suppressions);
        Assert.Equal(("quiet", true, false, 0), (applied.Suppression.Id, applied.ExcludesLogs, applied.StopsSignals, applied.GroupsStopped));
    }

    /// <summary>A suppression of other rules applies to nothing: the five failures count.</summary>
    [Fact]
    public async Task RunAsync_ASuppressionOfOtherRules_DoesNotApply()
    {
        var outcome = await RunAsync(new Suppression { Id = "aws", Name = "AWS", RuleQuery = "source:cloudtrail", SuppressionQuery = "@usr.name:pentest" });

        Assert.Equal(5, Assert.Single(outcome.Signals).EventsMatched);
        Assert.Empty(outcome.Suppressions);
    }

    private static Task<BacktestOutcome> RunAsync(Suppression suppression)
    {
        LogEvent[] events =
        [
            .. Failures(3, "203.0.113.77", T0),
            Failure("203.0.113.77", "pentest", T0.AddSeconds(3)),
            Failure("203.0.113.77", "root", T0.AddSeconds(4)),
        ];
        var applied = new SuppressionSet([suppression], T0).For(BruteForce.Definition);
        return Backtest.RunAsync(
            applied.Compile(BruteForce.Id, BruteForce.Definition), new InMemoryEventAggregator(events), T0, T0.AddMinutes(10), CancellationToken.None, applied);
    }
}
