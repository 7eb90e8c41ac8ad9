using System.Net;
using Portal.Data.Identity;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.Settings;

/// <summary>The keys page as each role sees it (the server-rendered first paint).</summary>
[Collection("portal")]
public sealed class KeysPageTests(PortalFixture portal)
{
    [Fact]
    public async Task KeysPage_ReadOnlyMember_SeesApiKeysReadOnlyAndManagesOwnApplicationKeys()
    {
        var owner = await portal.CreateTenantAsync();
        var (reader, _) = await portal.AddMemberAsync(owner, VigilRoles.ReadOnly);
        using var browser = portal.CreateClient();
        Assert.Equal(HttpStatusCode.Redirect, (await Forms.SignInAsync(browser, owner.Slug, reader.Email, TestTenant.Password)).StatusCode);

        var html = WebUtility.HtmlDecode(await browser.GetStringAsync("settings/keys"));

        Assert.Contains("id=\"api-key-table\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"create-api-key\"", html, StringComparison.Ordinal);
        Assert.Contains("Admins and owners manage the organisation's API keys.", html, StringComparison.Ordinal);
        Assert.Contains("id=\"create-app-key\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Members' application keys", html, StringComparison.Ordinal);
        Assert.DoesNotContain(">Revoke<", html[..html.IndexOf("id=\"app-key-table\"", StringComparison.Ordinal)], StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeysPage_Owner_ManagesApiKeysAndSeesMembersApplicationKeys()
    {
        var owner = await portal.CreateTenantAsync();
        var (member, _) = await portal.AddMemberAsync(owner, VigilRoles.Standard);
        using var browser = portal.CreateClient();
        Assert.Equal(HttpStatusCode.Redirect, (await Forms.SignInAsync(browser, owner.Slug, owner.Email, TestTenant.Password)).StatusCode);

        var html = WebUtility.HtmlDecode(await browser.GetStringAsync("settings/keys"));

        Assert.Contains("id=\"create-api-key\"", html, StringComparison.Ordinal);
        Assert.Contains("id=\"member-key-table\"", html, StringComparison.Ordinal);
        Assert.Contains(member.Email, html, StringComparison.Ordinal);
        Assert.DoesNotContain(member.ApplicationKey, html, StringComparison.Ordinal);
        Assert.DoesNotContain(owner.ApiKey, html, StringComparison.Ordinal);
    }
}
