using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Data.Audit;
using Portal.Web.Features.Identity;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.Identity;

/// <summary>Lockout, per-account and per-address attempt limits, disabled organisations and the sign-in audit trail.</summary>
[Collection("portal")]
public sealed class SignInLimitsTests(PortalFixture portal)
{
    private const string RateLimited = "Too many sign-in attempts";

    [Fact]
    public async Task WrongPassword_UpToTheLockoutLimit_LocksTheAccountAndSaysForHowLong()
    {
        var tenant = await portal.CreateTenantAsync();
        var lockout = portal.Services.GetRequiredService<IOptions<IdentityOptions>>().Value.Lockout;
        using var browser = SignInClient.Create(portal, out var ip);

        for (var i = 1; i < lockout.MaxFailedAccessAttempts; i++)
        {
            Assert.Contains("not right for this organisation", await TextOfAsync(await SignInClient.PasswordAsync(browser, tenant.Slug, tenant.Email, "Wrong-Password-1")), StringComparison.Ordinal);
        }
        var minutes = (int)lockout.DefaultLockoutTimeSpan.TotalMinutes;
        Assert.Contains($"Too many failed attempts; try again in {minutes} minutes.", await TextOfAsync(await SignInClient.PasswordAsync(browser, tenant.Slug, tenant.Email, "Wrong-Password-1")), StringComparison.Ordinal);
        // The right password does not open a locked account either.
        Assert.Contains("Too many failed attempts; try again in", await TextOfAsync(await SignInClient.PasswordAsync(browser, tenant.Slug, tenant.Email, TestTenant.Password)), StringComparison.Ordinal);

        var audit = await SignInClient.AuditAsync(portal, tenant.Id);
        Assert.Equal(lockout.MaxFailedAccessAttempts - 1, audit.Count(e => e.Action == "signin.failed" && e.Outcome == AuditOutcomes.Failure));
        Assert.Equal(2, audit.Count(e => e.Action == "signin.locked_out" && e.Outcome == AuditOutcomes.Denied));
        Assert.All(audit, e => Assert.Equal((AuditActorTypes.Anonymous, tenant.Email, ip), (e.ActorType, e.ActorName, e.Ip)));
    }

    [Fact]
    public async Task Attempts_OverTheAccountLimit_AreRefusedWithoutAPasswordCheck()
    {
        var tenant = await portal.CreateTenantAsync();
        var limits = portal.Services.GetRequiredService<IOptions<SignInLimitOptions>>().Value;
        const string Nobody = "nobody@example.test";

        // Different addresses, one account: only the account's window fills up.
        for (var i = 0; i < limits.PerAccountPerMinute; i++)
        {
            using var browser = SignInClient.Create(portal, out _);
            Assert.Contains("not right for this organisation", await TextOfAsync(await SignInClient.PasswordAsync(browser, tenant.Slug, Nobody, "Wrong-Password-1")), StringComparison.Ordinal);
        }
        using var last = SignInClient.Create(portal, out _);
        Assert.Contains(RateLimited, await TextOfAsync(await SignInClient.PasswordAsync(last, tenant.Slug, Nobody, "Wrong-Password-1")), StringComparison.Ordinal);

        // Another account of the organisation is not affected.
        using var owner = SignInClient.Create(portal, out _);
        Assert.Equal(HttpStatusCode.Redirect, (await SignInClient.PasswordAsync(owner, tenant.Slug, tenant.Email, TestTenant.Password)).StatusCode);
        var audit = await SignInClient.AuditAsync(portal, tenant.Id);
        Assert.Contains(audit, e => e.Action == "signin.rate_limited" && e.TargetName == Nobody && e.Outcome == AuditOutcomes.Denied);
    }

    [Fact]
    public async Task Attempts_OverTheAddressLimit_AreRefusedEvenWithTheRightPassword()
    {
        var tenant = await portal.CreateTenantAsync();
        var limits = portal.Services.GetRequiredService<IOptions<SignInLimitOptions>>().Value;
        using var browser = SignInClient.Create(portal, out var ip);

        for (var i = 0; i < limits.PerIpPerMinute; i++)
        {
            await SignInClient.PasswordAsync(browser, tenant.Slug, $"guess-{i}@example.test", "Wrong-Password-1");
        }
        using var refused = await SignInClient.PasswordAsync(browser, tenant.Slug, tenant.Email, TestTenant.Password);

        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains(RateLimited, await TextOfAsync(refused), StringComparison.Ordinal);
        using var elsewhere = SignInClient.Create(portal, out _);
        Assert.Equal(HttpStatusCode.Redirect, (await SignInClient.PasswordAsync(elsewhere, tenant.Slug, tenant.Email, TestTenant.Password)).StatusCode);
        var audit = await SignInClient.AuditAsync(portal, tenant.Id);
        Assert.Contains(audit, e => e.Action == "signin.rate_limited" && e.Ip == ip && e.TargetName == tenant.Email);
    }

    [Fact]
    public async Task SignIn_Succeeded_IsAuditedAsTheMemberAndSetsLastSignIn()
    {
        var tenant = await portal.CreateTenantAsync();
        var session = await SignInClient.SessionOfAsync(portal, tenant);
        using var browser = SignInClient.Create(portal, out var ip);

        Assert.Equal(HttpStatusCode.Redirect, (await SignInClient.PasswordAsync(browser, tenant.Slug, tenant.Email, TestTenant.Password)).StatusCode);

        var entry = Assert.Single(await SignInClient.AuditAsync(portal, tenant.Id), e => e.Action == "signin.succeeded");
        Assert.Equal((AuditActorTypes.User, session.UserId, ip, AuditOutcomes.Success), (entry.ActorType, entry.ActorId, entry.Ip, entry.Outcome));
        await using var db = portal.Services.GetRequiredService<TenantDbFactory>().Create(tenant.Id);
        var lastSignIn = await db.Users.Where(u => u.Id == session.UserId).Select(u => u.LastSignInAt).SingleAsync();
        Assert.NotNull(lastSignIn);
        Assert.True(DateTimeOffset.UtcNow - lastSignIn.Value < TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task SignIn_ToADisabledOrganisation_IsRefused()
    {
        var tenant = await portal.CreateTenantAsync();
        await using (var db = portal.Services.GetRequiredService<TenantDbFactory>().Create(tenant.Id))
        {
            await db.Tenants.Where(t => t.Id == tenant.Id).ExecuteUpdateAsync(s => s.SetProperty(t => t.DisabledAt, DateTimeOffset.UtcNow));
        }
        using var browser = SignInClient.Create(portal, out _);

        using var response = await SignInClient.PasswordAsync(browser, tenant.Slug, tenant.Email, TestTenant.Password);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("This organisation has been disabled by the instance administrator.", await TextOfAsync(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignIn_ToAnUnknownOrganisation_WritesNoAuditEntry()
    {
        using var browser = SignInClient.Create(portal, out _);

        using var response = await SignInClient.PasswordAsync(browser, "no-such-org-" + Guid.NewGuid().ToString("N")[..6], "a@example.test", "Wrong-Password-1");

        Assert.Contains("No organisation is called", await TextOfAsync(response), StringComparison.Ordinal);
    }

    private static async Task<string> TextOfAsync(HttpResponseMessage response)
    {
        using (response)
        {
            return WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        }
    }
}
