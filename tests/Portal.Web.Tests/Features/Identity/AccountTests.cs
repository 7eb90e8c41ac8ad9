using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.Identity;

/// <summary>Sign-up, sign-in per organisation and sign-out through the real forms.</summary>
[Collection("portal")]
public sealed class AccountTests(PortalFixture portal)
{
    [Fact]
    public async Task Session_OfADeletedOrganisation_IsRefusedAtItsNextRequest()
    {
        var tenant = await portal.CreateTenantAsync();
        using var browser = portal.CreateClient();
        using var signedIn = await Forms.SignInAsync(browser, tenant.Slug, tenant.Email, TestTenant.Password);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        var interval = portal.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Identity.SecurityStampValidatorOptions>>().Value.ValidationInterval;

        Assert.Null(await portal.Services.GetRequiredService<Portal.Data.Tenancy.OrganisationService>().DeleteAsync(tenant.Id, await portal.OwnerAsync(tenant), tenant.Slug));

        Assert.Equal(TimeSpan.FromMinutes(1), interval);
        using var keys = await browser.GetAsync("api/v2/security_monitoring/rules");
        Assert.NotEqual(HttpStatusCode.OK, keys.StatusCode);
    }

    /// <summary>The settings' own address opens their first page, and the menu's Settings item is marked on every settings page.</summary>
    [Fact]
    public async Task Settings_TheirAddressOpensTheFirstPage_AndTheMenuMarksEveryOne()
    {
        var tenant = await portal.CreateTenantAsync();
        using var browser = portal.CreateClient();
        using var signedIn = await Forms.SignInAsync(browser, tenant.Slug, tenant.Email, TestTenant.Password);

        using var settings = await browser.GetAsync("settings");

        Assert.Equal(HttpStatusCode.Redirect, settings.StatusCode);
        Assert.Equal("/settings/organisation", new Uri(portal.BaseAddress, settings.Headers.Location!).AbsolutePath);
        foreach (var page in new[] { "settings/organisation", "settings/members", "settings/keys", "settings/audit" })
        {
            var html = await browser.GetStringAsync(page);
            Assert.Matches("<a[^>]*href=\"settings\"[^>]*class=\"[^\"]*\\bactive\\b|<a[^>]*class=\"[^\"]*\\bactive\\b[^\"]*\"[^>]*href=\"settings\"", html);
        }
    }

    [Fact]
    public async Task SignUp_TakenSlugAndWeakPassword_InlineErrorsAndNothingCreated()
    {
        var existing = await portal.CreateTenantAsync();
        using var browser = portal.CreateClient();
        using var response = await Forms.SubmitAsync(browser, "account/signup", "signup", new Dictionary<string, string>
        {
            ["Input.OrganizationName"] = "Copycat",
            ["Input.Slug"] = existing.Slug,
            ["Input.Email"] = "someone@copycat.test",
            ["Input.Password"] = "short",
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.Contains($"'{existing.Slug}' is already taken", html, StringComparison.Ordinal);
        Assert.Contains("at least 10 characters", html, StringComparison.Ordinal);
        using var signIn = await Forms.SignInAsync(portal.CreateClient(), existing.Slug, "someone@copycat.test", "short");
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
    }

    [Fact]
    public async Task SameEmail_TwoOrganisations_TwoSeparateUsers()
    {
        var email = $"shared-{Guid.NewGuid():N}@example.test";
        var first = await portal.CreateTenantAsync("First Shared", email);
        var second = await portal.CreateTenantAsync("Second Shared", email);

        using var one = portal.CreateClient();
        Assert.Equal(HttpStatusCode.Redirect, (await Forms.SignInAsync(one, first.Slug, email, TestTenant.Password)).StatusCode);
        Assert.Contains("First Shared", await one.GetStringAsync(""), StringComparison.Ordinal);

        using var two = portal.CreateClient();
        Assert.Equal(HttpStatusCode.Redirect, (await Forms.SignInAsync(two, second.Slug, email, TestTenant.Password)).StatusCode);
        Assert.Contains("Second Shared", await two.GetStringAsync(""), StringComparison.Ordinal);

        // Signing in to the other organisation from a browser that holds the first one's cookie switches organisations.
        Assert.Equal(HttpStatusCode.Redirect, (await Forms.SignInAsync(one, second.Slug, email, TestTenant.Password)).StatusCode);
        Assert.Contains("Second Shared", await one.GetStringAsync(""), StringComparison.Ordinal);

        using var wrongOrg = await Forms.SignInAsync(portal.CreateClient(), first.Slug, email, "Not-The-Password-1");
        Assert.Contains("not right for this organisation", await wrongOrg.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pages_CarrySecurityHeaders()
    {
        using var browser = portal.CreateClient();
        using var response = await browser.GetAsync("account/signin");

        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self';", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.DoesNotContain("<script>", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>
    /// Behind a proxy that ends TLS (loopback here, trusted as Vigil:TrustedProxies would name another): the session cookie
    /// is Secure, and the client's forwarded address is the one the audit trail records; the same headers from anyone else
    /// would be ignored.
    /// </summary>
    [Fact]
    public async Task SignIn_BehindATlsProxy_SecureCookieAndTheClientsAddress()
    {
        var tenant = await portal.CreateTenantAsync();
        // Cookies by hand: a cookie container never sends a Secure cookie over this loopback's plain HTTP.
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = portal.BaseAddress };
        browser.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
        browser.DefaultRequestHeaders.Add("X-Forwarded-For", "203.0.113.44");
        using var form = await browser.GetAsync("account/signin");
        var antiforgery = form.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(".AspNetCore.Antiforgery", StringComparison.Ordinal));
        var token = System.Text.RegularExpressions.Regex.Match(await form.Content.ReadAsStringAsync(), "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"");
        using var post = new HttpRequestMessage(HttpMethod.Post, "account/signin")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["Input.Slug"] = tenant.Slug, ["Input.Email"] = tenant.Email, ["Input.Password"] = TestTenant.Password,
                ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value), ["_handler"] = "signin",
            }),
        };
        post.Headers.Add("Cookie", antiforgery.Split(';')[0]);

        using var signedIn = await browser.SendAsync(post);

        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        var session = signedIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("vigil.auth=", StringComparison.Ordinal));
        Assert.Contains("; secure", session, StringComparison.OrdinalIgnoreCase);
        var audit = portal.Services.GetRequiredService<Portal.Data.Audit.AuditLog>();
        var entries = await audit.ReadAsync(tenant.Id, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow, e => e.Action == "signin.succeeded", 10, null);
        Assert.Equal("203.0.113.44", Assert.Single(entries.Entries).Ip);
    }

    [Fact]
    public async Task SignOut_EndsTheSession()
    {
        var tenant = await portal.CreateTenantAsync();
        using var browser = portal.CreateClient();
        await Forms.SignInAsync(browser, tenant.Slug, tenant.Email, TestTenant.Password);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("signals")).StatusCode);

        // Any form page rendered for the signed-in user carries an antiforgery token bound to that user.
        var token = System.Text.RegularExpressions.Regex.Match(await browser.GetStringAsync("account/signin"), "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"");
        Assert.True(token.Success);
        using var posted = await browser.PostAsync("account/signout", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value) }));
        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);

        using var after = await browser.GetAsync("signals");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.Contains("/account/signin", after.Headers.Location!.ToString(), StringComparison.Ordinal);
    }
}
