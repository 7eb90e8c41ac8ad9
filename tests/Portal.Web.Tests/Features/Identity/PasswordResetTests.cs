using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Data.Identity;
using Portal.Web.Features.Identity;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.Identity;

/// <summary>
/// Forgotten passwords and email confirmation through the real forms and the emails they send: the same answer
/// whether or not an account exists, single-use reset links, password rules inline.
/// </summary>
[Collection("portal")]
public sealed class PasswordResetTests(PortalFixture portal)
{
    private const string NewPassword = "Battery-Staple-99";

    [Fact]
    public async Task ForgotPassword_KnownMember_EmailedLinkSetsANewPasswordOnce()
    {
        var tenant = await portal.CreateTenantAsync(email: Unique("forgetful"));

        var sent = await AskForResetAsync(tenant.Slug, tenant.Email);
        var link = MailCapture.LinkIn(await portal.Mail.WaitForAsync(tenant.Email), "/account/reset-password");
        using var browser = portal.CreateClient();
        using var reset = await Forms.SubmitAsync(browser, link, "reset-password", new Dictionary<string, string> { ["Input.Password"] = NewPassword });
        using var again = await Forms.SubmitAsync(browser, link, "reset-password", new Dictionary<string, string> { ["Input.Password"] = "Yet-Another-Pass-1" });

        Assert.Contains("If an account exists", sent, StringComparison.Ordinal);
        Assert.Contains("Your password has been changed", await reset.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("not valid any more", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await Forms.SignInAsync(portal.CreateClient(), tenant.Slug, tenant.Email, NewPassword)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Forms.SignInAsync(portal.CreateClient(), tenant.Slug, tenant.Email, TestTenant.Password)).StatusCode);
        await using var db = portal.Services.GetRequiredService<TenantDbFactory>().Create(tenant.Id);
        Assert.True(await db.AuditEntries.AnyAsync(e => e.Action == "member.password_reset" && e.Outcome == Portal.Data.Audit.AuditOutcomes.Success));
    }

    [Fact]
    public async Task ForgotPassword_UnknownEmailOrOrganisation_SameAnswerAndNoEmail()
    {
        var tenant = await portal.CreateTenantAsync(email: Unique("known"));
        var stranger = Unique("stranger");

        var known = await AskForResetAsync(tenant.Slug, tenant.Email);
        var unknown = await AskForResetAsync(tenant.Slug, stranger);
        var noOrganisation = await AskForResetAsync("no-such-org-" + Guid.NewGuid().ToString("N")[..8], tenant.Email);

        Assert.Equal(Answer(known), Answer(unknown));
        Assert.Equal(Answer(known), Answer(noOrganisation));
        await portal.Mail.WaitForAsync(tenant.Email);
        Assert.Empty(portal.Mail.For(stranger));
        Assert.Single(portal.Mail.For(tenant.Email));
    }

    [Fact]
    public async Task ResetPassword_WeakPassword_InlineRuleErrorsAndOldPasswordStillWorks()
    {
        var tenant = await portal.CreateTenantAsync(email: Unique("weak"));
        await AskForResetAsync(tenant.Slug, tenant.Email);
        var link = MailCapture.LinkIn(await portal.Mail.WaitForAsync(tenant.Email), "/account/reset-password");

        using var weak = await Forms.SubmitAsync(portal.CreateClient(), link, "reset-password", new Dictionary<string, string> { ["Input.Password"] = "short" });

        Assert.Contains("at least 10 characters", WebUtility.HtmlDecode(await weak.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await Forms.SignInAsync(portal.CreateClient(), tenant.Slug, tenant.Email, TestTenant.Password)).StatusCode);
    }

    [Fact]
    public async Task ResetPassword_AlteredCode_RefusedAndPasswordUnchanged()
    {
        var tenant = await portal.CreateTenantAsync(email: Unique("tamper"));

        using var response = await Forms.SubmitAsync(portal.CreateClient(), $"account/reset-password?org={tenant.Slug}&email={Uri.EscapeDataString(tenant.Email)}&code=Zm9yZ2Vk",
            "reset-password", new Dictionary<string, string> { ["Input.Password"] = NewPassword });

        Assert.Contains("not valid any more", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await Forms.SignInAsync(portal.CreateClient(), tenant.Slug, tenant.Email, NewPassword)).StatusCode);
    }

    /// <summary>Spellings of one address (spaces around it, its case) share its window of reset requests: its inbox gets at most the window's emails.</summary>
    [Fact]
    public async Task ForgotPassword_SpellingsOfOneAddress_ShareItsWindow()
    {
        var tenant = await portal.CreateTenantAsync(email: Unique("flooded"));
        var window = portal.Services.GetRequiredService<IOptions<SignInLimitOptions>>().Value.PerAccountPerMinute;

        for (var i = 0; i < window + 3; i++)
        {
            var spelling = i % 2 == 0 ? new string(' ', i) + tenant.Email : tenant.Email.ToUpperInvariant() + new string(' ', i);
            await AskForResetAsync(" " + tenant.Slug + new string(' ', i), spelling);
        }

        await portal.Mail.WaitForAsync(tenant.Email, window);
        // Sent after the answers: any beyond the window would come within moments.
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(window, portal.Mail.For(tenant.Email).Count);
    }

    /// <summary>Wrong reset links tried on one account are refused once its window is used, before any is checked or audited.</summary>
    [Fact]
    public async Task ResetPassword_ManyWrongCodes_RefusedOnceTheAccountsWindowIsUsed()
    {
        var tenant = await portal.CreateTenantAsync(email: Unique("guessed"));
        var window = portal.Services.GetRequiredService<IOptions<SignInLimitOptions>>().Value.PerAccountPerMinute;
        string last = "";

        for (var i = 0; i <= window; i++)
        {
            using var response = await Forms.SubmitAsync(portal.CreateClient(), $"account/reset-password?org={tenant.Slug}&email={Uri.EscapeDataString(tenant.Email)}&code=Zm9yZ2Vk",
                "reset-password", new Dictionary<string, string> { ["Input.Password"] = NewPassword });
            last = await response.Content.ReadAsStringAsync();
        }

        Assert.Contains("Too many attempts for this account", last, StringComparison.Ordinal);
        await using var db = portal.Services.GetRequiredService<TenantDbFactory>().Create(tenant.Id);
        Assert.Equal(window, await db.AuditEntries.CountAsync(e => e.Action == "member.password_reset" && e.Outcome == Portal.Data.Audit.AuditOutcomes.Denied));
    }

    [Fact]
    public async Task SignIn_LinksToForgotPassword()
    {
        var page = await portal.CreateClient().GetStringAsync("account/signin");

        Assert.Contains("href=\"account/forgot-password\"", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignUp_WithMailServer_OwnerUnconfirmedUntilTheEmailedLinkIsOpened()
    {
        var email = Unique("founder");
        var slug = "confirm-" + Guid.NewGuid().ToString("N")[..8];
        using var browser = portal.CreateClient();
        using var signedUp = await Forms.SubmitAsync(browser, "account/signup", "signup", new Dictionary<string, string>
        {
            ["Input.OrganizationName"] = "Confirming Org",
            ["Input.Slug"] = slug,
            ["Input.Email"] = email,
            ["Input.Password"] = TestTenant.Password,
        });
        Assert.Equal(HttpStatusCode.Redirect, signedUp.StatusCode);
        Assert.False((await OwnerAsync(slug)).EmailConfirmed);
        var members = await browser.GetStringAsync("settings/members");
        Assert.Contains("not confirmed yet", members, StringComparison.Ordinal);

        var link = MailCapture.LinkIn(await portal.Mail.WaitForAsync(email), "/account/confirm-email");
        var confirmed = await portal.CreateClient().GetStringAsync(link);
        var forged = await portal.CreateClient().GetStringAsync(link[..link.IndexOf("&code=", StringComparison.Ordinal)] + "&code=Zm9yZ2Vk");

        Assert.Contains("your email address is confirmed", confirmed, StringComparison.Ordinal);
        Assert.True((await OwnerAsync(slug)).EmailConfirmed);
        Assert.DoesNotContain("not confirmed yet", await browser.GetStringAsync("settings/members"), StringComparison.Ordinal);
        Assert.Contains("not valid any more", forged, StringComparison.Ordinal);
    }

    private async Task<VigilUser> OwnerAsync(string slug)
    {
        var tenant = await portal.Services.GetRequiredService<Portal.Data.Tenancy.TenantProvisioner>().FindBySlugAsync(slug);
        return (await portal.Services.GetRequiredService<MemberService>().ListAsync(tenant!.Id)).Single();
    }

    private async Task<string> AskForResetAsync(string slug, string email)
    {
        using var response = await Forms.SubmitAsync(portal.CreateClient(), "account/forgot-password", "forgot-password", new Dictionary<string, string>
        {
            ["Input.Slug"] = slug,
            ["Input.Email"] = email,
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
    }

    private static string Answer(string html)
    {
        var start = html.IndexOf("id=\"forgot-sent\"", StringComparison.Ordinal);
        Assert.True(start >= 0, "No confirmation on the page");
        return html[start..html.IndexOf("</p>", start, StringComparison.Ordinal)];
    }

    private static string Unique(string local) => $"{local}.{Guid.NewGuid():N}@example.test";
}
