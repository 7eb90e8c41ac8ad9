using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Portal.Web.Features.Identity;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.Identity;

/// <summary>The member's own password change and the renewal of their session after it.</summary>
[Collection("portal")]
public sealed class AccountSecurityTests(PortalFixture portal)
{
    private const string NewPassword = "Brand-New-Pass-7";

    [Fact]
    public async Task ChangePassword_WrongCurrentPassword_SaysSoAndChangesNothing()
    {
        var tenant = await portal.CreateTenantAsync();
        var security = portal.Services.GetRequiredService<AccountSecurity>();

        var (errors, ticket) = await security.ChangePasswordAsync(await SignInClient.SessionOfAsync(portal, tenant), "Not-My-Password-1", NewPassword, mfa: false);

        Assert.Equal("That is not your current password.", errors["Current"]);
        Assert.Null(ticket);
        using var browser = SignInClient.Create(portal, out _);
        Assert.Equal(HttpStatusCode.Redirect, (await SignInClient.PasswordAsync(browser, tenant.Slug, tenant.Email, TestTenant.Password)).StatusCode);
    }

    [Fact]
    public async Task ChangePassword_WeakPassword_NamesTheRule()
    {
        var tenant = await portal.CreateTenantAsync();

        var (errors, _) = await portal.Services.GetRequiredService<AccountSecurity>().ChangePasswordAsync(await SignInClient.SessionOfAsync(portal, tenant), TestTenant.Password, "short", mfa: false);

        Assert.Contains("at least 10 characters", errors["New"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChangePassword_ThenRenewalTicket_KeepsThisBrowserSignedIn()
    {
        var tenant = await portal.CreateTenantAsync();
        using var browser = SignInClient.Create(portal, out _);
        Assert.Equal(HttpStatusCode.Redirect, (await SignInClient.PasswordAsync(browser, tenant.Slug, tenant.Email, TestTenant.Password)).StatusCode);

        var (errors, ticket) = await portal.Services.GetRequiredService<AccountSecurity>().ChangePasswordAsync(await SignInClient.SessionOfAsync(portal, tenant), TestTenant.Password, NewPassword, mfa: false);
        Assert.Empty(errors);
        using var renewed = await browser.PostAsync("account/session/renew", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["ticket"] = ticket!,
            ["next"] = "/account/security?done=password",
        }));

        Assert.Equal(HttpStatusCode.Redirect, renewed.StatusCode);
        Assert.Equal("/account/security?done=password", renewed.Headers.Location!.ToString());
        Assert.Contains(renewed.Headers.GetValues("Set-Cookie"), c => c.StartsWith("vigil.auth=", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("")).StatusCode);
        using var old = SignInClient.Create(portal, out _);
        Assert.Equal(HttpStatusCode.OK, (await SignInClient.PasswordAsync(old, tenant.Slug, tenant.Email, TestTenant.Password)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await SignInClient.PasswordAsync(old, tenant.Slug, tenant.Email, NewPassword)).StatusCode);
        Assert.Contains(await SignInClient.AuditAsync(portal, tenant.Id, "member."), e => e.Action == "member.password_changed");
    }

    [Fact]
    public async Task RenewSession_ForgedTicket_SignsNobodyIn()
    {
        using var browser = SignInClient.Create(portal, out _);

        using var response = await browser.PostAsync("account/session/renew", new FormUrlEncodedContent(new Dictionary<string, string> { ["ticket"] = "forged", ["next"] = "/" }));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/account/signin", response.Headers.Location!.ToString());
        Assert.False(response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("vigil.auth=", StringComparison.Ordinal)));
    }
}
