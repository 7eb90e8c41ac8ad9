using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Data.Audit;
using Portal.Data.Identity;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.Identity;

/// <summary>
/// Members and invitations end to end: the emailed link, the acceptance form, the members API and its permission
/// checks, the owner rules, and isolation between organisations.
/// </summary>
[Collection("portal")]
public sealed partial class MembersTests(PortalFixture portal)
{
    private MemberService Members => portal.Services.GetRequiredService<MemberService>();

    [Fact]
    public async Task Invite_EmailedLinkAcceptedThroughTheForm_SignsInTheNewMemberWithTheRole()
    {
        var tenant = await portal.CreateTenantAsync("Invite Journey");
        var email = $"invitee.{Guid.NewGuid():N}@example.test";
        using var api = portal.CreateClient();

        using var invited = await api.SendAsync(tenant.Request(HttpMethod.Post, "api/v2/user_invitations", Invitation(email, "admin")));

        Assert.Equal(HttpStatusCode.Created, invited.StatusCode);
        var attributes = (await invited.Content.ReadFromJsonAsync<JsonObject>())!["data"]![0]!["attributes"]!;
        Assert.True(attributes["emailed"]!.GetValue<bool>());
        Assert.Null(attributes["url"]);
        var message = await portal.Mail.WaitForAsync(email);
        Assert.Contains("Invite Journey", message.Subject, StringComparison.Ordinal);
        var link = MailCapture.LinkIn(message, "/account/invitation/");
        var token = link[(link.LastIndexOf('/') + 1)..];
        await using (var db = portal.Services.GetRequiredService<TenantDbFactory>().Create(tenant.Id))
        {
            Assert.Equal(MemberService.Hash(token), (await db.Invitations.SingleAsync(i => i.Email == email)).TokenHash);
        }

        using var browser = portal.CreateClient();
        var page = WebUtility.HtmlDecode(await browser.GetStringAsync(link));
        Assert.Contains("Join Invite Journey", page, StringComparison.Ordinal);
        Assert.Contains("invited as <b>admin</b>", page, StringComparison.Ordinal);
        using var accepted = await Forms.SubmitAsync(browser, link, "accept-invitation", new Dictionary<string, string> { ["Input.Password"] = TestTenant.Password });

        Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
        var users = await browser.GetFromJsonAsync<JsonObject>("api/v2/users");
        var me = users!["data"]!.AsArray().Single(u => u!["attributes"]!["email"]!.GetValue<string>() == email)!;
        Assert.Equal("admin", me["attributes"]!["role"]!.GetValue<string>());
        Assert.True(me["attributes"]!["verified"]!.GetValue<bool>());
        // The session carries the admin role: it may invite.
        using var asAdmin = await browser.PostAsync("api/v2/user_invitations", Invitation($"next.{Guid.NewGuid():N}@example.test", "standard"));
        Assert.Equal(HttpStatusCode.Created, asAdmin.StatusCode);
    }

    [Fact]
    public async Task Invitation_UsedOnce_SecondUseRefusedWithAClearPageAndNothingChanges()
    {
        var tenant = await portal.CreateTenantAsync();
        var (token, email) = await InviteAsync(tenant, VigilRoles.Standard);
        var path = $"account/invitation/{token}";
        using var late = portal.CreateClient();
        var lateForm = await late.GetStringAsync(path);
        using (var first = await Forms.SubmitAsync(portal.CreateClient(), path, "accept-invitation", new Dictionary<string, string> { ["Input.Password"] = TestTenant.Password }))
        {
            Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        }
        var before = (await Members.ListAsync(tenant.Id)).Count;

        // A form opened while the link was still valid, posted after it was used.
        using var second = await late.PostAsync(path, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(AntiforgeryToken().Match(lateForm).Groups[1].Value),
            ["_handler"] = "accept-invitation",
            ["Input.Password"] = "Another-Password-7",
        }));
        var reopened = await portal.CreateClient().GetStringAsync(path);

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Contains("already been used", await second.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("already been used", reopened, StringComparison.Ordinal);
        Assert.Equal(before, (await Members.ListAsync(tenant.Id)).Count);
        Assert.Equal(HttpStatusCode.OK, (await Forms.SignInAsync(portal.CreateClient(), tenant.Slug, email, "Another-Password-7")).StatusCode);
        Assert.Contains(await AuditAsync(tenant.Id), e => e.Action == "invitation.accept" && e.Outcome == AuditOutcomes.Denied);
    }

    [Fact]
    public async Task Invitation_Expired_RefusedWithAClearPageAndNobodyJoins()
    {
        var tenant = await portal.CreateTenantAsync();
        var (token, email) = await InviteAsync(tenant, VigilRoles.Admin);
        await using (var db = portal.Services.GetRequiredService<TenantDbFactory>().Create(tenant.Id))
        {
            var invitation = await db.Invitations.SingleAsync(i => i.Email == email);
            invitation.ExpiresAt = DateTimeOffset.UtcNow.AddSeconds(-1);
            await db.SaveChangesAsync();
        }

        var page = await portal.CreateClient().GetStringAsync($"account/invitation/{token}");

        Assert.Contains("This invitation has expired", page, StringComparison.Ordinal);
        Assert.DoesNotContain("accept-submit", page, StringComparison.Ordinal);
        Assert.Equal(InvitationState.Expired, (await Members.AcceptAsync(token, TestTenant.Password, null)).State);
        Assert.DoesNotContain(await Members.ListAsync(tenant.Id), u => u.Email == email);
    }

    [Fact]
    public async Task Invite_AlreadyAMemberOrInvalid_400NamingTheField()
    {
        var tenant = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();

        using var member = await client.SendAsync(tenant.Request(HttpMethod.Post, "api/v2/user_invitations", Invitation(tenant.Email, "standard")));
        using var invalid = await client.SendAsync(tenant.Request(HttpMethod.Post, "api/v2/user_invitations", Invitation("nobody", "root")));

        Assert.Equal(HttpStatusCode.BadRequest, member.StatusCode);
        var errors = (await member.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!;
        Assert.Contains("already a member", errors["$.data.attributes.email"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        var both = (await invalid.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject();
        Assert.True(both.ContainsKey("$.data.attributes.email") && both.ContainsKey("$.data.attributes.role"), both.ToJsonString());
    }

    /// <summary>Bodies of another shape (several invitations, data not an object, a role that is not a name) are 400s naming what is wrong, not 500s nor the default role.</summary>
    [Theory]
    [InlineData("user_invitations", """{"data": [{"attributes": {"email": "a@example.test"}}, {"attributes": {"email": "b@example.test"}}]}""", "$.data")]
    [InlineData("user_invitations", """{"data": []}""", "$.data")]
    [InlineData("user_invitations", """{"data": "x"}""", "$.data")]
    [InlineData("user_invitations", """{"data": {"attributes": {"email": "c@example.test", "role": 3}}}""", "$.data.attributes.role")]
    [InlineData("users/{member}", """{"data": [{"attributes": {"role": "admin"}}]}""", "$.data.attributes.role")]
    [InlineData("users/{member}", """{"data": {"attributes": {"role": ["admin"]}}}""", "$.data.attributes.role")]
    public async Task MembersApi_BodyOfAnotherShape_400NamesIt(string path, string body, string named)
    {
        var tenant = await portal.CreateTenantAsync();
        var (_, memberId) = await portal.AddMemberAsync(tenant, VigilRoles.Standard);
        using var client = portal.CreateClient();
        var method = path.StartsWith("users", StringComparison.Ordinal) ? HttpMethod.Patch : HttpMethod.Post;

        using var response = await client.SendAsync(tenant.Request(method, "api/v2/" + path.Replace("{member}", memberId.ToString(), StringComparison.Ordinal),
            new StringContent(body, System.Text.Encoding.UTF8, "application/json")));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(named, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(await Members.ListPendingInvitationsAsync(tenant.Id));
        Assert.Equal(VigilRoles.Standard, (await Members.GetAsync(tenant.Id, memberId))!.Role);
    }

    [Fact]
    public async Task LastOwner_CannotBeDemotedRemovedOrLeave()
    {
        var tenant = await portal.CreateTenantAsync();
        var ownerId = (await Members.ListAsync(tenant.Id)).Single().Id;
        using var client = portal.CreateClient();

        using var demote = await client.SendAsync(tenant.Request(HttpMethod.Patch, $"api/v2/users/{ownerId}", Role("admin")));
        using var remove = await client.SendAsync(tenant.Request(HttpMethod.Delete, $"api/v2/users/{ownerId}"));

        Assert.Equal(HttpStatusCode.BadRequest, demote.StatusCode);
        Assert.Contains("last owner", await demote.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // No field of a removal is at fault: the organisation as it is refuses it.
        Assert.Equal(HttpStatusCode.Conflict, remove.StatusCode);
        Assert.Equal("application/problem+json", remove.Content.Headers.ContentType?.MediaType);
        Assert.Contains("last owner", await remove.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(VigilRoles.Owner, (await Members.GetAsync(tenant.Id, ownerId))!.Role);
        Assert.Contains(await AuditAsync(tenant.Id), e => e.Action == "member.leave" && e.Outcome == AuditOutcomes.Denied);
    }

    [Fact]
    public async Task Admin_CannotChangeRemoveOrCreateOwners_403AndNothingChanges()
    {
        var tenant = await portal.CreateTenantAsync();
        var ownerId = (await Members.ListAsync(tenant.Id)).Single().Id;
        var (admin, _) = await portal.AddMemberAsync(tenant, VigilRoles.Admin);
        using var client = portal.CreateClient();

        using var demote = await client.SendAsync(admin.Request(HttpMethod.Patch, $"api/v2/users/{ownerId}", Role("standard")));
        using var remove = await client.SendAsync(admin.Request(HttpMethod.Delete, $"api/v2/users/{ownerId}"));
        using var inviteOwner = await client.SendAsync(admin.Request(HttpMethod.Post, "api/v2/user_invitations", Invitation($"boss.{Guid.NewGuid():N}@example.test", "owner")));

        Assert.All(new[] { demote.StatusCode, remove.StatusCode, inviteOwner.StatusCode }, status => Assert.Equal(HttpStatusCode.Forbidden, status));
        Assert.Contains("Only an owner", await demote.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(VigilRoles.Owner, (await Members.GetAsync(tenant.Id, ownerId))!.Role);
        Assert.Empty(await Members.ListPendingInvitationsAsync(tenant.Id));
    }

    /// <summary>An admin cannot replace an owner's invitation by inviting its address again with a lesser role: 403, the owner's link still works.</summary>
    [Fact]
    public async Task Admin_InvitingAnOwnersInviteeAgain_403AndTheOwnersInvitationStays()
    {
        var tenant = await portal.CreateTenantAsync();
        var (admin, _) = await portal.AddMemberAsync(tenant, VigilRoles.Admin);
        var email = $"cfo.{Guid.NewGuid():N}@example.test";
        using var client = portal.CreateClient();
        using (var byOwner = await client.SendAsync(tenant.Request(HttpMethod.Post, "api/v2/user_invitations", Invitation(email, "owner"))))
        {
            Assert.Equal(HttpStatusCode.Created, byOwner.StatusCode);
        }

        using var byAdmin = await client.SendAsync(admin.Request(HttpMethod.Post, "api/v2/user_invitations", Invitation(email, "standard")));

        Assert.Equal(HttpStatusCode.Forbidden, byAdmin.StatusCode);
        Assert.Contains("Only an owner", await byAdmin.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(VigilRoles.Owner, Assert.Single(await Members.ListPendingInvitationsAsync(tenant.Id)).Role);
        Assert.Contains(await AuditAsync(tenant.Id), e => e.Action == "invitation.create" && e.Outcome == AuditOutcomes.Denied);
    }

    [Fact]
    public async Task StandardMember_PostInvitation_403ProblemAndNothingChanges()
    {
        var tenant = await portal.CreateTenantAsync();
        var (standard, _) = await portal.AddMemberAsync(tenant, VigilRoles.Standard);
        using var client = portal.CreateClient();

        using var response = await client.SendAsync(standard.Request(HttpMethod.Post, "api/v2/user_invitations", Invitation($"friend.{Guid.NewGuid():N}@example.test", "admin")));
        using var list = await client.SendAsync(standard.Request(HttpMethod.Get, "api/v2/users"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(await Members.ListPendingInvitationsAsync(tenant.Id));
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Equal(2, (await list.Content.ReadFromJsonAsync<JsonObject>())!["data"]!.AsArray().Count);
    }

    [Fact]
    public async Task OwnerRemovesAMember_TheirKeysStopWorkingAtOnce()
    {
        var tenant = await portal.CreateTenantAsync();
        var (member, memberId) = await portal.AddMemberAsync(tenant, VigilRoles.Standard);
        using var client = portal.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(member.Request(HttpMethod.Get, "api/v2/users"))).StatusCode);

        using var removed = await client.SendAsync(tenant.Request(HttpMethod.Delete, $"api/v2/users/{memberId}"));
        using var after = await client.SendAsync(member.Request(HttpMethod.Get, "api/v2/users"));

        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        Assert.Contains(after.StatusCode, new[] { HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden });
        Assert.Null(await Members.GetAsync(tenant.Id, memberId));
    }

    [Fact]
    public async Task OwnerChangesARole_ThroughTheApi_StoredAndReturned()
    {
        var tenant = await portal.CreateTenantAsync();
        var (_, memberId) = await portal.AddMemberAsync(tenant, VigilRoles.ReadOnly);
        using var client = portal.CreateClient();

        using var changed = await client.SendAsync(tenant.Request(HttpMethod.Patch, $"api/v2/users/{memberId}", Role("admin")));

        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal("admin", (await changed.Content.ReadFromJsonAsync<JsonObject>())!["data"]!["attributes"]!["role"]!.GetValue<string>());
        Assert.Equal(VigilRoles.Admin, (await Members.GetAsync(tenant.Id, memberId))!.Role);
    }

    [Fact]
    public async Task OrganisationB_CannotSeeOrChangeMembersOfA_AndAsInvitationJoinsOnlyA()
    {
        var a = await portal.CreateTenantAsync("Alpha Members");
        var b = await portal.CreateTenantAsync("Bravo Members");
        var (_, memberOfA) = await portal.AddMemberAsync(a, VigilRoles.Standard, $"alpha-secret.{Guid.NewGuid():N}@example.test");
        using var client = portal.CreateClient();

        var listedByB = await (await client.SendAsync(b.Request(HttpMethod.Get, "api/v2/users"))).Content.ReadAsStringAsync();
        using var patch = await client.SendAsync(b.Request(HttpMethod.Patch, $"api/v2/users/{memberOfA}", Role("read_only")));
        using var delete = await client.SendAsync(b.Request(HttpMethod.Delete, $"api/v2/users/{memberOfA}"));

        Assert.DoesNotContain("alpha-secret", listedByB, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, patch.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, delete.StatusCode);
        Assert.Equal(VigilRoles.Standard, (await Members.GetAsync(a.Id, memberOfA))!.Role);

        // A's invitation, accepted from a browser signed in to B, makes a member of A and of A only.
        var (token, email) = await InviteAsync(a, VigilRoles.Admin);
        using var browser = portal.CreateClient();
        await Forms.SignInAsync(browser, b.Slug, b.Email, TestTenant.Password);
        using var accepted = await Forms.SubmitAsync(browser, $"account/invitation/{token}", "accept-invitation", new Dictionary<string, string> { ["Input.Password"] = TestTenant.Password });
        Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
        Assert.Contains(await Members.ListAsync(a.Id), u => u.Email == email && u.Role == VigilRoles.Admin);
        Assert.DoesNotContain(await Members.ListAsync(b.Id), u => u.Email == email);
    }

    [Fact]
    public async Task MembersPage_ReadOnlyMember_SeesTheListWithoutManagement()
    {
        var tenant = await portal.CreateTenantAsync();
        var (reader, _) = await portal.AddMemberAsync(tenant, VigilRoles.ReadOnly);
        using var browser = portal.CreateClient();
        Assert.Equal(HttpStatusCode.Redirect, (await Forms.SignInAsync(browser, tenant.Slug, reader.Email, TestTenant.Password)).StatusCode);

        var page = await browser.GetStringAsync("settings/members");

        Assert.Contains(tenant.Email, page, StringComparison.Ordinal);
        Assert.Contains(reader.Email, page, StringComparison.Ordinal);
        Assert.Contains("Only owners and admins invite members", page, StringComparison.Ordinal);
        Assert.DoesNotContain("invite-submit", page, StringComparison.Ordinal);
    }

    private async Task<(string Token, string Email)> InviteAsync(TestTenant tenant, string role)
    {
        var email = $"{role.Replace('_', '-')}.{Guid.NewGuid():N}@example.test";
        var owner = (await Members.ListAsync(tenant.Id)).First(u => u.Role == VigilRoles.Owner);
        var result = await Members.InviteAsync(tenant.Id, new MemberActor(owner.Id, owner.Role), email, role);
        Assert.True(result.Succeeded);
        return (result.Token!, email);
    }

    private async Task<List<AuditEntry>> AuditAsync(Guid tenantId)
    {
        await using var db = portal.Services.GetRequiredService<TenantDbFactory>().Create(tenantId);
        return await db.AuditEntries.AsNoTracking().ToListAsync();
    }

    private static JsonContent Invitation(string email, string role) =>
        JsonContent.Create(new JsonObject { ["data"] = new JsonObject { ["type"] = "user_invitations", ["attributes"] = new JsonObject { ["email"] = email, ["role"] = role } } });

    private static JsonContent Role(string role) =>
        JsonContent.Create(new JsonObject { ["data"] = new JsonObject { ["type"] = "users", ["attributes"] = new JsonObject { ["role"] = role } } });

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}
