using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data.Tenancy;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.Admin;

/// <summary>
/// Instance administration over real HTTP: only instance administrators reach <c>/admin</c>, and a disabled
/// organisation's intake, keys, sessions and rule evaluation stop until it is enabled again.
/// </summary>
[Collection("portal")]
public sealed class InstanceAdminTests(PortalFixture portal)
{
    private InstanceAdminService Admin => portal.Services.GetRequiredService<InstanceAdminService>();

    [Fact]
    public async Task AdminPage_MemberWhoIsNotAnInstanceAdministrator_IsSentAwayAndSeesNoMenuEntry()
    {
        var tenant = await portal.CreateTenantAsync();
        using var browser = portal.CreateClient();
        Assert.Equal(HttpStatusCode.Redirect, (await Forms.SignInAsync(browser, tenant.Slug, tenant.Email, TestTenant.Password)).StatusCode);

        using var admin = await browser.GetAsync("admin");
        var home = await browser.GetStringAsync("");

        Assert.Equal(HttpStatusCode.Redirect, admin.StatusCode);
        Assert.Contains("/account/signin", admin.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("nav-admin", home, StringComparison.Ordinal);
        using var anonymous = await portal.CreateClient().GetAsync("admin");
        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
    }

    [Fact]
    public async Task AdminPage_InstanceAdministrator_ListsOrganisationsWithCountsButNotTheirContent()
    {
        var adminOrg = await portal.CreateTenantAsync();
        var other = await portal.CreateTenantAsync("Other Usage Org");
        using var client = portal.CreateClient();
        using (var _ = await LogShipper.PostAsync(client, other, LogShipper.SshFailures("198.51.100.9", 3, user: "secret-admin-page-user")))
        {
        }
        Assert.Null(await Admin.SetInstanceAdminAsync(adminOrg.Slug, adminOrg.Email, isAdmin: true));
        using var browser = portal.CreateClient();
        Assert.Equal(HttpStatusCode.Redirect, (await Forms.SignInAsync(browser, adminOrg.Slug, adminOrg.Email, TestTenant.Password)).StatusCode);

        using var page = await browser.GetAsync("admin");
        var html = WebUtility.HtmlDecode(await page.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Other Usage Org", html, StringComparison.Ordinal);
        Assert.Contains(other.Slug, html, StringComparison.Ordinal);
        Assert.Contains("nav-admin", html, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-admin-page-user", html, StringComparison.Ordinal);
        Assert.DoesNotContain("198.51.100.9", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DisabledOrganisation_IntakeKeysSessionAndEvaluationStop_EnablingRestoresThem()
    {
        var tenant = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        using var browser = portal.CreateClient();
        Assert.Equal(HttpStatusCode.Redirect, (await Forms.SignInAsync(browser, tenant.Slug, tenant.Email, TestTenant.Password)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("signals")).StatusCode);
        using (var accepted = await LogShipper.PostAsync(client, tenant, LogShipper.SshFailures("203.0.113.201", 12)))
        {
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }

        Assert.Null(await Admin.DisableAsync(tenant.Id, "tests"));

        using var intake = await LogShipper.PostAsync(client, tenant, LogShipper.SshFailures("203.0.113.201", 1));
        Assert.Equal(HttpStatusCode.Forbidden, intake.StatusCode);
        Assert.Contains("organisation is disabled", (await intake.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        using var api = await client.SendAsync(tenant.Request(HttpMethod.Get, "api/v2/security_monitoring/rules"));
        Assert.Equal(HttpStatusCode.Forbidden, api.StatusCode);
        Assert.Contains("organisation is disabled", await api.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var session = await browser.GetAsync("signals");
        Assert.Equal(HttpStatusCode.Redirect, session.StatusCode);
        Assert.Contains("/account/signin", session.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, await LogShipper.EvaluateAsync(portal, tenant));

        Assert.Null(await Admin.EnableAsync(tenant.Id));

        using var intakeAgain = await LogShipper.PostAsync(client, tenant, LogShipper.SshFailures("203.0.113.201", 1));
        Assert.Equal(HttpStatusCode.Accepted, intakeAgain.StatusCode);
        using var apiAgain = await client.SendAsync(tenant.Request(HttpMethod.Get, "api/v2/security_monitoring/rules"));
        Assert.Equal(HttpStatusCode.OK, apiAgain.StatusCode);
        Assert.True(await LogShipper.EvaluateAsync(portal, tenant) > 0);
        var signals = await LogShipper.SearchSignalsAsync(client, tenant, "@network.client.ip:203.0.113.201");
        Assert.NotEmpty(signals["data"]!.AsArray());
    }
}
