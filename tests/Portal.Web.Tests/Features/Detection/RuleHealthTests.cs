using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Data.Rules;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.Detection;

/// <summary>Each scheduled run records the rule's health: when, how long, what it read, what it raised.</summary>
[Collection("portal")]
public sealed class RuleHealthTests(PortalFixture portal)
{
    [Fact]
    public async Task Evaluation_RecordsRunTimeEventsReadAndSignals()
    {
        var tenant = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        await LogShipper.PostAsync(client, tenant, LogShipper.SshFailures("203.0.113.77", 14));

        await LogShipper.EvaluateAsync(portal, tenant);

        var rule = (await portal.Services.GetRequiredService<RuleService>().ListAsync(tenant.Id)).Single(r => r.Name == "SSH brute force from a single source IP");
        await using var db = portal.Services.GetRequiredService<TenantDbFactory>().Create(tenant.Id);
        var state = await db.RuleRunStates.SingleAsync(s => s.RuleId == rule.Id);
        Assert.NotNull(state.LastRunAt);
        Assert.Equal(14, state.LastEventsScanned);
        Assert.Equal(1, state.LastSignals);
        Assert.NotNull(state.LastSignalAt);
        Assert.Null(state.LastError);
        Assert.True(state.LastDurationMs > 0);
    }

    /// <summary>
    /// A stored rule that no longer passes validation is not evaluated and says why on its run state, its windows waiting
    /// for its correction; the organisation's other rules run as before.
    /// </summary>
    [Fact]
    public async Task Evaluation_StoredRuleNoLongerValid_SaysWhy_TheOthersRun()
    {
        var tenant = await portal.CreateTenantAsync();
        const string BruteForce = "SSH brute force from a single source IP";
        var (outdated, _) = await StoredRules.OutdateAsync(portal, tenant.Id, except: BruteForce);
        await using var db = portal.Services.GetRequiredService<TenantDbFactory>().Create(tenant.Id);
        var watermark = (await db.RuleRunStates.AsNoTracking().SingleAsync(s => s.RuleId == outdated)).Watermark;
        using var client = portal.CreateClient();
        await LogShipper.PostAsync(client, tenant, LogShipper.SshFailures("203.0.113.78", 14));

        await LogShipper.EvaluateAsync(portal, tenant, failing: outdated);

        var bruteForceId = (await portal.Services.GetRequiredService<RuleService>().ListAsync(tenant.Id)).Single(r => r.Name == BruteForce).Id;
        var bruteForce = await db.RuleRunStates.AsNoTracking().SingleAsync(s => s.RuleId == bruteForceId);
        Assert.Equal(1, bruteForce.LastSignals);
        var state = await db.RuleRunStates.AsNoTracking().SingleAsync(s => s.RuleId == outdated);
        Assert.StartsWith("Not evaluated: the rule no longer passes validation ($.options.evaluationWindow: ", state.LastError, StringComparison.Ordinal);
        Assert.EndsWith("). Correct it or turn it off.", state.LastError, StringComparison.Ordinal);
        Assert.NotNull(state.LastRunAt);
        Assert.Equal(watermark, state.Watermark);
    }
}
