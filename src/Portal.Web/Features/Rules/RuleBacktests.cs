using System.Collections.Concurrent;
using Portal.Data.Suppressions;
using Portal.Detection.Evaluation;
using Portal.Detection.Rules;
using Portal.Search;

namespace Portal.Web.Features.Rules;

/// <summary>
/// Backtests (<see cref="Backtest"/>) as the API and the Logs Explorer's rule preview run them: over everything the
/// organisation's store has acknowledged, with the organisation's suppressions active now that apply to the rule, off the
/// caller's thread (a page's circuit stays free to answer, and to cancel), at most <see cref="MaxConcurrent"/> at once in
/// the process, as each may hold up to <see cref="Backtest.MaxEvents"/> events, and one at a time per organisation, so
/// that one organisation's backtests never hold every turn.
/// </summary>
public sealed class RuleBacktests(ILogStore logs, SuppressionService suppressions) : IDisposable
{
    /// <summary>Backtests run at once; more wait their turn.</summary>
    public const int MaxConcurrent = 2;

    private readonly SemaphoreSlim _running = new(MaxConcurrent);

    /// <summary>Each organisation's turn: one backtest at a time.</summary>
    private readonly ConcurrentDictionary<Guid, SemaphoreSlim> _organisations = new();

    /// <summary>
    /// Runs <paramref name="rule"/> over <c>[from, to)</c> of the organisation's logs, storing nothing, its suppressions
    /// applied as the evaluation would (a new rule too: a suppression's rule query may match its tags or name).
    /// </summary>
    public async Task<BacktestOutcome> RunAsync(Guid tenantId, DetectionRule rule, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var organisation = _organisations.GetOrAdd(tenantId, _ => new SemaphoreSlim(1));
        await organisation.WaitAsync(cancellationToken);
        try
        {
            await _running.WaitAsync(cancellationToken);
            try
            {
                return await Task.Run(async () =>
                {
                    // Everything acknowledged so far is part of the history the backtest reads.
                    await logs.RefreshAsync(tenantId, cancellationToken);
                    var applied = (await suppressions.ActiveAsync(tenantId, cancellationToken)).For(rule);
                    return await Backtest.RunAsync(applied.Compile(rule.Id ?? "backtest", rule), logs.Aggregator(tenantId), from, to, cancellationToken, applied);
                }, cancellationToken);
            }
            finally
            {
                _running.Release();
            }
        }
        finally
        {
            organisation.Release();
        }
    }

    public void Dispose()
    {
        _running.Dispose();
        foreach (var organisation in _organisations.Values)
        {
            organisation.Dispose();
        }
    }
}
