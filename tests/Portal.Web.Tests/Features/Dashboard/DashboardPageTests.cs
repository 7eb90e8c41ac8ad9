using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data.Identity;
using Portal.Search;
using Portal.Web.Features.Dashboard;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.Dashboard;

/// <summary>bUnit specifications of the dashboard on the portal's real signal store.</summary>
[Collection("portal")]
public sealed class DashboardPageTests(PortalFixture portal) : IAsyncLifetime
{
    private readonly BunitContext _ctx = new();

    public Task InitializeAsync()
    {
        BunitSession.AddPageServices(_ctx, portal);
        _ctx.Services.AddSingleton(portal.Services.GetRequiredService<ISignalStore>());
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _ctx.DisposeAsync();

    /// <summary>
    /// The dashboard counts the organisation's open signals by severity and lists its latest, never another organisation's;
    /// its first-log command, copied, is this portal's intake with the key left in a variable.
    /// </summary>
    [Fact]
    public async Task Dashboard_ShowsTheOrganisationsSignals_AndCopiesTheFirstLogCommand()
    {
        var tenant = await LogShipper.TenantWithSignalsAsync(portal, "203.0.113.95");
        await LogShipper.TenantWithSignalsAsync(portal, "198.51.100.95", "198.51.100.96");
        BunitSession.SignIn(_ctx, tenant.Id, tenant.Slug, Guid.NewGuid(), tenant.Email, VigilRoles.Standard);
        _ctx.Renderer.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
        var copies = _ctx.JSInterop.Setup<bool>("vigil.copyText", _ => true);
        copies.SetResult(true);

        var cut = _ctx.Render<DashboardPage>();

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("#severity-counts .stat-card"), c => c.QuerySelector(".stat-value")!.TextContent != "0"));
        var counted = cut.FindAll("#severity-counts .stat-card").Single(c => c.QuerySelector(".stat-value")!.TextContent != "0");
        Assert.Equal("1", counted.QuerySelector(".stat-value")!.TextContent);
        Assert.Contains("203.0.113.95", cut.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("198.51.100.9", cut.Markup, StringComparison.Ordinal);
        // Each link opens what it counts: the open signals of its severity over the same 30 days; a signal, itself.
        var severity = counted.GetAttribute("data-severity");
        Assert.Equal($"signals?range=30d&q={Uri.EscapeDataString($"status:{severity} @workflow.triage.state:open")}", counted.GetAttribute("href"));
        var latest = cut.Find("#signal-table button.row-open").GetAttribute("data-signal-id");
        await cut.InvokeAsync(() => cut.Find("#signal-table button.row-open").Click());
        var navigation = _ctx.Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>();
        cut.WaitForAssertion(() => Assert.EndsWith($"signals?range=30d&signal={latest}", navigation.Uri, StringComparison.Ordinal));

        cut.Find("#quickstart-copy").Click();
        cut.WaitForAssertion(() => Assert.Single(copies.Invocations));
        var command = copies.Invocations.Select(i => (string)i.Arguments[0]!).Single();
        Assert.StartsWith($"curl -X POST {_ctx.Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>().BaseUri}api/v2/logs \\", command, StringComparison.Ordinal);
        Assert.Contains("-H \"DD-API-KEY: $VIGIL_API_KEY\"", command, StringComparison.Ordinal);
        Assert.Equal(command, cut.Find("#quickstart-command").TextContent);
    }

    /// <summary>A signal store that does not answer is said on the dashboard, which stays usable; its counts are not shown as zeros.</summary>
    [Fact]
    public async Task StoreFails_SaidOnThePage_CountsNotShownAsZeros()
    {
        var tenant = await portal.CreateTenantAsync();
        _ctx.Services.AddSingleton<ISignalStore>(new FailingSignalStore());
        BunitSession.SignIn(_ctx, tenant.Id, tenant.Slug, Guid.NewGuid(), tenant.Email, VigilRoles.Standard);
        _ctx.Renderer.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));

        var cut = _ctx.Render<DashboardPage>();

        cut.WaitForAssertion(() => Assert.Contains("could not run", cut.Find("#dashboard-error").TextContent, StringComparison.Ordinal));
        Assert.All(cut.FindAll("#severity-counts .stat-value"), v => Assert.Equal("–", v.TextContent));
        Assert.NotEmpty(cut.FindAll("#quickstart-command"));
    }

    /// <summary>A store whose every read fails as a disk fault would.</summary>
    private sealed class FailingSignalStore : ISignalStore
    {
        public Task UpsertAsync(Guid tenantId, IReadOnlyList<Portal.Detection.Signals.SecuritySignal> signals, CancellationToken cancellationToken) => throw Fault;

        public Task<Portal.Detection.Signals.SecuritySignal?> GetAsync(Guid tenantId, string id, CancellationToken cancellationToken) => throw Fault;

        public Task<EventPage<Portal.Detection.Signals.SecuritySignal>> SearchAsync(Guid tenantId, SearchRequest request, CancellationToken cancellationToken) => throw Fault;

        public Task<LogAnalytics> AnalyzeAsync(
            Guid tenantId, Portal.Detection.Query.QueryNode query, DateTimeOffset from, DateTimeOffset to, TimeSpan interval, TimeSpan offset, CancellationToken cancellationToken) => throw Fault;

        public Task<IReadOnlyList<FacetValue>> FacetValuesAsync(
            Guid tenantId, Portal.Detection.Query.QueryNode query, DateTimeOffset from, DateTimeOffset to, string facet, int limit, CancellationToken cancellationToken) => throw Fault;

        public Task<IReadOnlyDictionary<string, Portal.Detection.Signals.SecuritySignal>> LatestByGroupAsync(
            Guid tenantId, string ruleId, DateTimeOffset since, IReadOnlyCollection<string>? groupKeys, CancellationToken cancellationToken) => throw Fault;

        private static IOException Fault => new("Input/output error");
    }
}
