using Microsoft.Extensions.DependencyInjection;
using Portal.Data.Suppressions;
using Portal.Detection.Rules;
using Portal.Web.Features.Rules;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.Rules;

/// <summary>Backtests as the API and the rule preview run them: one at a time per organisation, beside another organisation's.</summary>
[Collection("portal")]
public sealed class RuleBacktestsTests(PortalFixture portal) : IDisposable
{
    private readonly LogStoreDirectory _logs = new("rule-backtests");

    public void Dispose() => _logs.Dispose();

    /// <summary>
    /// An organisation's second backtest waits for its first, while another organisation's runs: a slow backtest holds one
    /// organisation's turn, never every one.
    /// </summary>
    [Fact]
    public async Task RunAsync_AnOrganisationsBacktestsTakeTurns_AnothersRunsMeanwhile()
    {
        var store = new FaultyLogStore(_logs.Store);
        using var backtests = new RuleBacktests(store, portal.Services.GetRequiredService<SuppressionService>());
        var (first, second) = ((await portal.CreateTenantAsync()).Id, (await portal.CreateTenantAsync()).Id);
        var (rule, errors) = RuleJson.Parse("""
            {"name": "Any sshd", "queries": [{"query": "source:sshd", "aggregation": "count"}],
             "cases": [{"status": "low", "condition": "a > 0"}],
             "options": {"evaluationWindow": 300, "keepAlive": 3600, "maxSignalDuration": 86400}, "message": "m"}
            """);
        Assert.True(rule is not null, string.Join("; ", errors));
        var (to, release) = (DateTimeOffset.UtcNow, new TaskCompletionSource());
        Task<Portal.Detection.Evaluation.BacktestOutcome> Run(Guid organisation) => backtests.RunAsync(organisation, rule!, to.AddHours(-1), to, CancellationToken.None);

        store.RefreshGate = release.Task;
        var held = Run(first);
        for (var waited = 0; store.RefreshGate is not null; waited += 10)
        {
            Assert.True(waited < 15_000, "The first backtest never refreshed.");
            await Task.Delay(10);
        }
        var queued = Run(first);
        var other = Run(second);

        var outcome = await other.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal((0, 0L), (outcome.Signals.Count, outcome.EventsScanned));
        Assert.False(held.IsCompleted);
        Assert.False(queued.IsCompleted);
        release.SetResult();
        await Task.WhenAll(held, queued).WaitAsync(TimeSpan.FromSeconds(30));
    }
}
