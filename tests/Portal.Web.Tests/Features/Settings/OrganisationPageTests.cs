using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data.Tenancy;
using Portal.Web.Features.Settings;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.Settings;

/// <summary>bUnit specifications of the organisation's settings page, on the portal's real organisation service and database.</summary>
[Collection("portal")]
public sealed class OrganisationPageTests(PortalFixture portal) : IAsyncLifetime
{
    private readonly BunitContext _ctx = new();

    private OrganisationService Organisations => portal.Services.GetRequiredService<OrganisationService>();

    public Task InitializeAsync()
    {
        BunitSession.AddPageServices(_ctx, portal);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _ctx.DisposeAsync();

    /// <summary>
    /// Retention left as the page shows it is kept as stored: following the plan (a rename does not pin today's maximum),
    /// or the organisation's own days; set to the plan's maximum, it follows the plan again.
    /// </summary>
    [Fact]
    public async Task Save_RetentionLeftAsShown_KeptAsStored_SetToThePlansMaximum_FollowsThePlan()
    {
        var tenant = await portal.CreateTenantAsync();
        var owner = await portal.OwnerAsync(tenant);
        BunitSession.SignIn(_ctx, tenant.Id, tenant.Slug, owner.UserId, tenant.Email, owner.Role);
        _ctx.Renderer.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
        var cut = _ctx.Render<OrganisationPage>();
        cut.WaitForAssertion(() => Assert.Equal(Organisations.MaxRetentionDays.ToString(System.Globalization.CultureInfo.InvariantCulture), cut.Find("#org-retention").GetAttribute("value")));
        async Task<int?> SaveAsync(Action? change = null)
        {
            await cut.InvokeAsync(() => change?.Invoke());
            await cut.InvokeAsync(() => cut.Find("#org-save").ClickAsync(new Microsoft.AspNetCore.Components.Web.MouseEventArgs()));
            cut.WaitForAssertion(() => Assert.Empty(cut.FindAll(".mud-input-error")));
            return (await Organisations.GetAsync(tenant.Id))!.RetentionDays;
        }

        Assert.Null(await SaveAsync(() => cut.Find("#org-name").Change("Renamed organisation")));
        Assert.Equal("Renamed organisation", (await Organisations.GetAsync(tenant.Id))!.Name);
        Assert.Equal(3, await SaveAsync(() => cut.Find("#org-retention").Change("3")));
        Assert.Equal(3, await SaveAsync(() => cut.Find("#org-name").Change("Renamed again")));
        Assert.Null(await SaveAsync(() => cut.Find("#org-retention").Change(Organisations.MaxRetentionDays.ToString(System.Globalization.CultureInfo.InvariantCulture))));
    }

    /// <summary>
    /// Another admin's change saved while the page was open survives this page's save of another field, and the page then
    /// shows it; a field both changed is refused beside it.
    /// </summary>
    [Fact]
    public async Task Save_AnotherAdminChangedAnotherField_KeepsTheirChangeAndShowsIt()
    {
        var tenant = await portal.CreateTenantAsync();
        var owner = await portal.OwnerAsync(tenant);
        BunitSession.SignIn(_ctx, tenant.Id, tenant.Slug, owner.UserId, tenant.Email, owner.Role);
        _ctx.Renderer.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
        var cut = _ctx.Render<OrganisationPage>();
        cut.WaitForAssertion(() => Assert.Equal(tenant.Slug, cut.Find("#org-slug").GetAttribute("value")));
        var read = OrganisationService.SettingsOf((await Organisations.GetAsync(tenant.Id))!);
        var actor = new Portal.Data.Identity.MemberActor(owner.UserId, owner.Role);
        Assert.Empty(await Organisations.UpdateAsync(tenant.Id, actor, read with { NotificationEmail = "soc@example.com" }, read));

        await cut.InvokeAsync(() => cut.Find("#org-name").Change("Renamed here"));
        await cut.InvokeAsync(() => cut.Find("#org-save").ClickAsync(new Microsoft.AspNetCore.Components.Web.MouseEventArgs()));

        cut.WaitForAssertion(() => Assert.Equal("soc@example.com", cut.Find("#org-email").GetAttribute("value")));
        var stored = (await Organisations.GetAsync(tenant.Id))!;
        Assert.Equal(("Renamed here", "soc@example.com"), (stored.Name, stored.NotificationEmail));

        Assert.Empty(await Organisations.UpdateAsync(tenant.Id, actor, OrganisationService.SettingsOf(stored) with { Name = "Renamed there" }, OrganisationService.SettingsOf(stored)));
        await cut.InvokeAsync(() => cut.Find("#org-name").Change("Renamed here again"));
        await cut.InvokeAsync(() => cut.Find("#org-save").ClickAsync(new Microsoft.AspNetCore.Components.Web.MouseEventArgs()));
        cut.WaitForAssertion(() => Assert.Contains("'Renamed there'", cut.Find(".mud-input-error, .mud-input-helper-text.mud-input-error").TextContent, StringComparison.Ordinal));
        Assert.Equal("Renamed there", (await Organisations.GetAsync(tenant.Id))!.Name);
    }
}
