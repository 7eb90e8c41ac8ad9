using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Data.Tenancy;
using Portal.Web.Features.Identity;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.Identity;

/// <summary>Two-step verification: authenticator codes, recovery codes and the organisation's "require MFA" rule, through the real forms.</summary>
[Collection("portal")]
public sealed class MfaTests(PortalFixture portal)
{
    [Fact]
    public async Task BeginAuthenticator_GivesAGroupedKeyAndAnInlineQrCode()
    {
        var tenant = await portal.CreateTenantAsync();
        var setup = await portal.Services.GetRequiredService<AccountSecurity>().BeginAuthenticatorAsync(await SignInClient.SessionOfAsync(portal, tenant));

        Assert.NotNull(setup);
        Assert.Matches("^([a-z2-7]{4} )+[a-z2-7]{1,4}$", setup.SharedKey);
        Assert.StartsWith("otpauth://totp/Vigil%3A", setup.Uri, StringComparison.Ordinal);
        Assert.Contains("issuer=Vigil", setup.Uri, StringComparison.Ordinal);
        Assert.StartsWith("data:image/svg+xml;base64,", setup.QrCodeDataUri, StringComparison.Ordinal);
    }

    /// <summary>
    /// A session alone cannot bind an authenticator app to the account (someone at an unlocked laptop would lock the member
    /// out behind their own codes): a missing or wrong password refuses it, the right code notwithstanding.
    /// </summary>
    [Theory]
    [InlineData(null)]
    [InlineData("Wrong-Password-1")]
    public async Task EnableAuthenticator_WithoutThePassword_RefusedAndMfaStaysOff(string? password)
    {
        var tenant = await portal.CreateTenantAsync();
        var session = await SignInClient.SessionOfAsync(portal, tenant);
        var security = portal.Services.GetRequiredService<AccountSecurity>();
        var setup = await security.BeginAuthenticatorAsync(session);
        var key = setup!.SharedKey.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();

        var change = await security.EnableAuthenticatorAsync(session, Totp.Code(key), password);

        Assert.Equal(AccountSecurity.PasswordNeeded, change.Error);
        Assert.False((await security.GetStatusAsync(session)).MfaEnabled);
    }

    /// <summary>
    /// A session guessing the member's password to confirm a change is refused as sign-ins are: wrong tries count towards the
    /// account's lockout (and the minute's window), after which none is checked, the right one included.
    /// </summary>
    [Fact]
    public async Task DisableMfa_PasswordGuessedTooOften_RefusedEvenWhenRight()
    {
        var tenant = await portal.CreateTenantAsync();
        var session = await SignInClient.SessionOfAsync(portal, tenant);
        await SignInClient.EnableAuthenticatorAsync(portal, session);
        var security = portal.Services.GetRequiredService<AccountSecurity>();
        var window = portal.Services.GetRequiredService<IOptions<SignInLimitOptions>>().Value.PerAccountPerMinute;

        var wrong = new List<string?>();
        for (var i = 0; i < window; i++)
        {
            wrong.Add((await security.DisableMfaAsync(session, mfa: true, $"Guess-Number-{i}")).Error);
        }
        var right = await security.DisableMfaAsync(session, mfa: true, TestTenant.Password);

        // Locked out after as many wrong tries as a sign-in is (before the minute's window would refuse them).
        var lockout = portal.Services.GetRequiredService<IOptions<Microsoft.AspNetCore.Identity.IdentityOptions>>().Value.Lockout.MaxFailedAccessAttempts;
        Assert.True(lockout < window - 1);
        Assert.Equal([.. Enumerable.Repeat(AccountSecurity.PasswordNeeded, lockout), .. Enumerable.Repeat(AccountSecurity.TooManyTries, window - lockout)], wrong);
        Assert.Equal(AccountSecurity.TooManyTries, right.Error);
        Assert.True((await security.GetStatusAsync(session)).MfaEnabled);
    }

    [Fact]
    public async Task SignIn_MemberWithAuthenticator_NeedsTheCodeAndRefusesAWrongOne()
    {
        var tenant = await portal.CreateTenantAsync();
        var key = await SignInClient.EnableAuthenticatorAsync(portal, await SignInClient.SessionOfAsync(portal, tenant));
        using var browser = SignInClient.Create(portal, out _);

        using var password = await SignInClient.PasswordAsync(browser, tenant.Slug, tenant.Email, TestTenant.Password);
        Assert.Equal(HttpStatusCode.Redirect, password.StatusCode);
        Assert.Contains($"/account/signin/mfa?org={tenant.Slug}", password.Headers.Location!.ToString(), StringComparison.Ordinal);
        using (var home = await browser.GetAsync(""))
        {
            Assert.Equal(HttpStatusCode.Redirect, home.StatusCode); // the password alone signs nobody in
        }

        using var wrong = await SignInClient.SecondStepAsync(browser, tenant.Slug, WrongCode(key));
        Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        Assert.Contains("That code is not right", WebUtility.HtmlDecode(await wrong.Content.ReadAsStringAsync()), StringComparison.Ordinal);

        using var right = await SignInClient.SecondStepAsync(browser, tenant.Slug, Totp.Code(key));
        Assert.Equal(HttpStatusCode.Redirect, right.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("")).StatusCode);

        var actions = (await SignInClient.AuditAsync(portal, tenant.Id)).Select(e => e.Action).ToList();
        Assert.Contains("signin.mfa_required", actions);
        Assert.Contains("signin.mfa_failed", actions);
        Assert.Contains("signin.succeeded", actions);
    }

    [Fact]
    public async Task RecoveryCode_SignsInOnceOnly()
    {
        var tenant = await portal.CreateTenantAsync();
        var session = await SignInClient.SessionOfAsync(portal, tenant);
        await SignInClient.EnableAuthenticatorAsync(portal, session);
        var security = portal.Services.GetRequiredService<AccountSecurity>();
        var (codes, _) = await security.GenerateRecoveryCodesAsync(session);
        Assert.Equal(AccountSecurity.RecoveryCodeCount, codes.Count);
        // Replacing codes that exist takes the password.
        Assert.Equal(AccountSecurity.PasswordNeeded, (await security.GenerateRecoveryCodesAsync(session, "not-the-password")).Error);

        using var first = SignInClient.Create(portal, out _);
        await SignInClient.PasswordAsync(first, tenant.Slug, tenant.Email, TestTenant.Password);
        using var used = await SignInClient.SecondStepAsync(first, tenant.Slug, codes[0], recoveryCode: true);
        Assert.Equal(HttpStatusCode.Redirect, used.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await first.GetAsync("")).StatusCode);

        using var second = SignInClient.Create(portal, out _);
        await SignInClient.PasswordAsync(second, tenant.Slug, tenant.Email, TestTenant.Password);
        using var again = await SignInClient.SecondStepAsync(second, tenant.Slug, codes[0], recoveryCode: true);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Contains("has been used already", WebUtility.HtmlDecode(await again.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.Equal(AccountSecurity.RecoveryCodeCount - 1, (await portal.Services.GetRequiredService<AccountSecurity>().GetStatusAsync(session)).RecoveryCodesLeft);
    }

    [Fact]
    public async Task SecondStep_ForAnotherOrganisation_FindsNoUser()
    {
        var tenant = await portal.CreateTenantAsync();
        var other = await portal.CreateTenantAsync();
        var key = await SignInClient.EnableAuthenticatorAsync(portal, await SignInClient.SessionOfAsync(portal, tenant));
        using var browser = SignInClient.Create(portal, out _);
        await SignInClient.PasswordAsync(browser, tenant.Slug, tenant.Email, TestTenant.Password);

        using var forged = await SignInClient.SecondStepAsync(browser, other.Slug, Totp.Code(key));

        Assert.Equal(HttpStatusCode.Redirect, forged.StatusCode);
        Assert.Contains("/account/signin?org=" + other.Slug, forged.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("")).StatusCode);
    }

    [Fact]
    public async Task OrganisationRequiringMfa_SendsMembersWithoutItToSetupUntilTheyHaveIt()
    {
        var tenant = await portal.CreateTenantAsync();
        var organisations = portal.Services.GetRequiredService<OrganisationService>();
        Assert.True(await organisations.SetRequireMfaAsync(tenant.Id, await portal.OwnerAsync(tenant), true));
        using var browser = SignInClient.Create(portal, out _);

        using var signedIn = await SignInClient.PasswordAsync(browser, tenant.Slug, tenant.Email, TestTenant.Password);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.EndsWith(SecurityPage.SetupRequiredPath, signedIn.Headers.Location!.ToString(), StringComparison.Ordinal);
        using (var rules = await browser.GetAsync("rules"))
        {
            Assert.Equal(HttpStatusCode.Redirect, rules.StatusCode);
            Assert.EndsWith(SecurityPage.SetupRequiredPath, rules.Headers.Location!.ToString(), StringComparison.Ordinal);
        }
        using (var security = await browser.GetAsync("account/security?setup=required"))
        {
            Assert.Equal(HttpStatusCode.OK, security.StatusCode);
            Assert.Contains("requires two-step verification", await security.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        using (var api = await browser.SendAsync(tenant.Request(HttpMethod.Get, "api/v2/security_monitoring/rules")))
        {
            Assert.Equal(HttpStatusCode.OK, api.StatusCode); // keys are not people: the rule does not apply
        }
        using (var bySession = await browser.GetAsync("api/v2/security_monitoring/rules"))
        {
            // The session itself cannot use the API until the member has a second factor.
            Assert.Equal(HttpStatusCode.Forbidden, bySession.StatusCode);
            Assert.Contains("requires two-step verification", await bySession.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        using (var ownKey = await browser.PostAsync("api/v2/current_user/application_keys",
            System.Net.Http.Json.JsonContent.Create(new { data = new { type = "application_keys", attributes = new { name = "escape hatch" } } })))
        {
            // Not even the endpoints every member may call: a key minted now would side-step the rule.
            Assert.Equal(HttpStatusCode.Forbidden, ownKey.StatusCode);
        }

        var session = await SignInClient.SessionOfAsync(portal, tenant);
        await SignInClient.EnableAuthenticatorAsync(portal, session);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("rules")).StatusCode);
        var refused = await portal.Services.GetRequiredService<AccountSecurity>().DisableMfaAsync(session, mfa: true, TestTenant.Password);
        Assert.Contains("cannot be turned off", refused.Error, StringComparison.Ordinal);
    }

    private static string WrongCode(string key)
    {
        // Any code that is not valid in the accepted window around now.
        var valid = Enumerable.Range(-3, 7).Select(i => Totp.Code(key, DateTimeOffset.UtcNow.AddSeconds(30 * i))).ToHashSet();
        return Enumerable.Range(0, 1000).Select(i => i.ToString("D6", System.Globalization.CultureInfo.InvariantCulture)).First(c => !valid.Contains(c));
    }
}
