using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Search;
using Portal.Web.Features.Detection;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.Tenancy;

/// <summary>
/// Background work is scoped by tenant: the evaluation job carries one organisation's id and touches only that
/// organisation's rules, watermarks, signals and index directory.
/// </summary>
[Collection("portal")]
public sealed class JobIsolationTests(PortalFixture portal)
{
    [Fact]
    public async Task EvaluationJobForA_RaisesAsSignals_AndLeavesBsStoresUntouched()
    {
        var a = await portal.CreateTenantAsync();
        var b = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        using (var _ = await LogShipper.PostAsync(client, a, LogShipper.SshFailures("192.0.2.31", 12)))
        {
        }
        using (var _ = await LogShipper.PostAsync(client, b, LogShipper.SshFailures("192.0.2.32", 12)))
        {
        }

        await portal.Services.GetRequiredService<TenantEvaluationJob>().RunNowAsync(a.Id, CancellationToken.None);

        var signals = portal.Services.GetRequiredService<ISignalStore>();
        var search = new SearchRequest(Portal.Detection.Query.QueryParser.Parse("*"), DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddMinutes(1), 100, null);
        var aSignals = (await signals.SearchAsync(a.Id, search, CancellationToken.None)).Items;
        Assert.Contains(aSignals, s => s.GroupBy.ContainsValue("192.0.2.31"));
        Assert.DoesNotContain(aSignals, s => s.GroupBy.ContainsValue("192.0.2.32"));
        Assert.Empty((await signals.SearchAsync(b.Id, search, CancellationToken.None)).Items);
        await using var bDb = portal.Services.GetRequiredService<TenantDbFactory>().Create(b.Id);
        Assert.False(await bDb.RuleRunStates.AnyAsync(s => s.LastRunAt != null), "A's job ran B's rules");

        // Each organisation's events live under its own directory.
        var tenants = Path.Combine(portal.Services.GetRequiredService<VigilOptions>().DataDirectory!, "tenants");
        Assert.True(Directory.Exists(Path.Combine(tenants, a.Id.ToString("N"))));
        Assert.True(Directory.Exists(Path.Combine(tenants, b.Id.ToString("N"))));
    }
}
