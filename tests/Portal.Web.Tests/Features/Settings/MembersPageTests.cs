using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data.Identity;
using Portal.Web.Features.Identity;
using Portal.Web.Features.Settings;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.Settings;

/// <summary>bUnit specifications of the members page, on the portal's real member service, database and mail server.</summary>
[Collection("portal")]
public sealed class MembersPageTests(PortalFixture portal) : IAsyncLifetime
{
    private readonly BunitContext _ctx = new();

    private MemberService Members => portal.Services.GetRequiredService<MemberService>();

    public Task InitializeAsync()
    {
        BunitSession.AddPageServices(_ctx, portal);
        _ctx.Services.AddSingleton(Members);
        _ctx.Services.AddSingleton(portal.Services.GetRequiredService<AccountEmails>());
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _ctx.DisposeAsync();

    [Fact]
    public async Task Owner_InvitesThroughTheForm_EmailSentAndListedOrInlineError()
    {
        var tenant = await portal.CreateTenantAsync();
        var cut = RenderAs(tenant, await OwnerAsync(tenant));
        var email = $"page-invitee.{Guid.NewGuid():N}@example.test";

        cut.Find("#invite-email").Change("not-an-email");
        cut.Find("#invite-submit").Click();
        cut.WaitForAssertion(() => Assert.Contains("Enter a valid email address.", cut.Markup, StringComparison.Ordinal));

        cut.Find("#invite-email").Change(email);
        cut.Find("#invite-submit").Click();

        await portal.Mail.WaitForAsync(email);
        cut.WaitForAssertion(() => Assert.Contains(email, cut.Find("#invitations-table").TextContent, StringComparison.Ordinal));
        Assert.Equal(VigilRoles.Standard, Assert.Single(await Members.ListPendingInvitationsAsync(tenant.Id)).Role);
    }

    [Fact]
    public async Task Owner_RemovesAMemberAfterConfirming()
    {
        var tenant = await portal.CreateTenantAsync();
        var (member, memberId) = await portal.AddMemberAsync(tenant, VigilRoles.Standard);
        var cut = RenderWithDialogs(tenant, await OwnerAsync(tenant));

        var row = cut.FindAll("#members-table tbody tr").Single(r => r.TextContent.Contains(member.Email, StringComparison.Ordinal));
        row.QuerySelectorAll("button").Single(b => b.TextContent.Trim() == "Remove").Click();
        cut.WaitForElement(".mud-dialog");
        cut.FindAll(".mud-dialog button").Single(b => b.TextContent.Trim() == "Remove").Click();

        cut.WaitForAssertion(() => Assert.DoesNotContain(member.Email, cut.Find("#members-table").TextContent, StringComparison.Ordinal));
        Assert.Null(await Members.GetAsync(tenant.Id, memberId));
    }

    [Fact]
    public async Task LastOwner_LeaveOrganisation_ClearMessageAndStillOwner()
    {
        var tenant = await portal.CreateTenantAsync();
        var owner = await OwnerAsync(tenant);
        var cut = RenderWithDialogs(tenant, owner);

        cut.Find("#leave-organisation").Click();
        cut.WaitForElement(".mud-dialog");
        cut.FindAll(".mud-dialog button").Single(b => b.TextContent.Trim() == "Leave").Click();

        cut.WaitForAssertion(() => Assert.Contains("last owner", cut.Find("#member-error").TextContent, StringComparison.Ordinal));
        Assert.Equal(VigilRoles.Owner, (await Members.GetAsync(tenant.Id, owner.Id))!.Role);
    }

    /// <summary>A row acted on after its member was removed elsewhere says so (it said nothing), and the list is read again.</summary>
    [Fact]
    public async Task Owner_ChangesTheRoleOfAMemberRemovedMeanwhile_ToldAndTheListReadAgain()
    {
        var tenant = await portal.CreateTenantAsync();
        var owner = await OwnerAsync(tenant);
        var (member, memberId) = await portal.AddMemberAsync(tenant, VigilRoles.Standard);
        var cut = RenderAs(tenant, owner);
        var row = cut.FindAll("#members-table tbody tr").ToList().FindIndex(r => r.TextContent.Contains(member.Email, StringComparison.Ordinal));
        var roles = cut.FindComponents<MudBlazor.MudSelect<string>>().Where(s => s.Instance.Class?.Contains("triage-select", StringComparison.Ordinal) == true).ToList();
        var select = roles[cut.FindAll("#members-table tbody tr").Take(row).Count(r => r.QuerySelector(".triage-select") is not null)];
        Assert.True((await Members.RemoveAsync(tenant.Id, new MemberActor(owner.Id, owner.Role), memberId)).Succeeded);

        await cut.InvokeAsync(() => select.Instance.ValueChanged.InvokeAsync(VigilRoles.Admin));

        cut.WaitForAssertion(() => Assert.Contains("no longer there", cut.Find("#member-error").TextContent, StringComparison.Ordinal));
        Assert.DoesNotContain(member.Email, cut.Find("#members-table").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Admin_SeesNoRoleOrRemoveControlsOnOwners()
    {
        var tenant = await portal.CreateTenantAsync();
        var (_, adminId) = await portal.AddMemberAsync(tenant, VigilRoles.Admin);
        await portal.AddMemberAsync(tenant, VigilRoles.ReadOnly);
        var cut = RenderAs(tenant, (await Members.GetAsync(tenant.Id, adminId))!);

        var rows = cut.FindAll("#members-table tbody tr");
        var ownerRow = rows.Single(r => r.TextContent.Contains(tenant.Email, StringComparison.Ordinal));
        var readerRow = rows.Single(r => r.TextContent.Contains("read-only.", StringComparison.Ordinal));

        Assert.Empty(ownerRow.QuerySelectorAll("button"));
        Assert.Contains(readerRow.QuerySelectorAll("button"), b => b.TextContent.Trim() == "Remove");
    }

    private async Task<VigilUser> OwnerAsync(TestTenant tenant) => (await Members.ListAsync(tenant.Id)).Single(u => u.Role == VigilRoles.Owner);

    /// <summary>
    /// A refused revoke of another member's key is said on the members' keys card, where it was clicked (it was said on
    /// the admin's own keys card): an admin demoted while the page was open.
    /// </summary>
    [Fact]
    public async Task KeysPage_RevokeOfAMembersKeyRefused_SaidOnThatCard()
    {
        var tenant = await portal.CreateTenantAsync();
        var (admin, adminId) = await portal.AddMemberAsync(tenant, VigilRoles.Admin);
        var (member, _) = await portal.AddMemberAsync(tenant, VigilRoles.Standard);
        _ctx.Services.AddSingleton(portal.Services.GetRequiredService<Portal.Data.Keys.KeyService>());
        BunitSession.SignIn(_ctx, tenant.Id, tenant.Slug, adminId, admin.Email, VigilRoles.Admin);
        var cut = _ctx.Render<WithDialogs<KeysPage>>();
        cut.WaitForAssertion(() => Assert.Contains(member.Email, cut.Find("#member-key-table").TextContent, StringComparison.Ordinal));
        Assert.True((await Members.ChangeRoleAsync(tenant.Id, new MemberActor((await OwnerAsync(tenant)).Id, VigilRoles.Owner), adminId, VigilRoles.Standard)).Succeeded);

        var row = cut.FindAll("#member-key-table tbody tr").First(r => r.TextContent.Contains(member.Email, StringComparison.Ordinal));
        row.QuerySelectorAll("button").Single(b => b.TextContent.Trim() == "Revoke").Click();
        cut.WaitForElement(".mud-dialog");
        cut.FindAll(".mud-dialog button").Single(b => b.TextContent.Trim() == "Revoke").Click();

        // A standard member sees no other member's key.
        cut.WaitForAssertion(() => Assert.Contains("no such key", cut.Find("#member-key-error").TextContent, StringComparison.Ordinal));
        Assert.Empty(cut.FindAll("#app-key-error"));
    }

    private IRenderedComponent<MembersPage> RenderAs(TestTenant tenant, VigilUser user)
    {
        SignIn(tenant, user);
        return _ctx.Render<MembersPage>();
    }

    private IRenderedComponent<WithDialogs<MembersPage>> RenderWithDialogs(TestTenant tenant, VigilUser user)
    {
        SignIn(tenant, user);
        return _ctx.Render<WithDialogs<MembersPage>>();
    }

    private void SignIn(TestTenant tenant, VigilUser user) => BunitSession.SignIn(_ctx, tenant.Id, tenant.Slug, user.Id, user.Email!, user.Role);
}
