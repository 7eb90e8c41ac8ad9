using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data.Identity;
using Portal.Detection.Signals;
using Portal.Search;
using Portal.Web.Features.Signals;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.Signals;

/// <summary>bUnit specifications of the Signals page on the portal's real signal store.</summary>
[Collection("portal")]
public sealed class SignalsPageTests(PortalFixture portal) : IAsyncLifetime
{
    private readonly BunitContext _ctx = new();
    private FaultySignalStore _store = default!;

    public Task InitializeAsync()
    {
        _store = new FaultySignalStore(portal.Services.GetRequiredService<ISignalStore>());
        BunitSession.AddPageServices(_ctx, portal);
        _ctx.Services.AddSingleton<ISignalStore>(_store);
        _ctx.Services.AddSingleton(portal.Services.GetRequiredService<SignalTriage>());
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _ctx.DisposeAsync();

    /// <summary>A store that fails is said on the page, which stays usable and shows the signals once the store answers again.</summary>
    [Fact]
    public async Task StoreFails_TheFaultIsShownAndThePageLives()
    {
        var tenant = await portal.CreateTenantAsync();
        using (var client = portal.CreateClient())
        {
            using var _ = await LogShipper.PostAsync(client, tenant, LogShipper.SshFailures("203.0.113.61", 11));
        }
        await LogShipper.EvaluateAsync(portal, tenant);
        BunitSession.SignIn(_ctx, tenant.Id, tenant.Slug, Guid.NewGuid(), tenant.Email, VigilRoles.Standard);
        _ctx.Renderer.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
        _store.Failing = true;

        var cut = _ctx.Render<SignalsPage>();
        Assert.Contains("could not run", cut.Find("#signal-search-error").TextContent, StringComparison.Ordinal);
        Assert.Contains("0 signals", cut.Markup, StringComparison.Ordinal);

        _store.Failing = false;
        cut.Find("#signal-search").Click();
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("#signal-search-error")));
        Assert.Contains("SSH", cut.Markup, StringComparison.Ordinal);
    }

    /// <summary>The real store, made to fail its searches on demand as a disk fault would.</summary>
    private sealed class FaultySignalStore(ISignalStore inner) : ISignalStore
    {
        public bool Failing { get; set; }

        public Task UpsertAsync(Guid tenantId, IReadOnlyList<SecuritySignal> signals, CancellationToken cancellationToken) => inner.UpsertAsync(tenantId, signals, cancellationToken);

        public Task<SecuritySignal?> GetAsync(Guid tenantId, string id, CancellationToken cancellationToken) => inner.GetAsync(tenantId, id, cancellationToken);

        public Task<EventPage<SecuritySignal>> SearchAsync(Guid tenantId, SearchRequest request, CancellationToken cancellationToken) =>
            Failing ? throw new IOException("Input/output error") : inner.SearchAsync(tenantId, request, cancellationToken);

        public Task<IReadOnlyDictionary<string, SecuritySignal>> LatestByGroupAsync(Guid tenantId, string ruleId, DateTimeOffset since, CancellationToken cancellationToken) =>
            inner.LatestByGroupAsync(tenantId, ruleId, since, cancellationToken);
    }
}
