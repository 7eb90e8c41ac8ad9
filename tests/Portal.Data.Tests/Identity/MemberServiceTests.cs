using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data.Audit;
using Portal.Data.Identity;
using Portal.Data.Keys;
using Portal.Data.Tenancy;

namespace Portal.Data.Tests.Identity;

/// <summary>
/// Members and invitations: single-use, expiring links of which only a hash is stored; roles that only owners and
/// admins give, owners only by owners; an organisation never left without an owner; refusals in the audit trail.
/// </summary>
public abstract class MemberServiceTests(DataFixture fixture)
{
    private const string Password = "Correct-Horse-42";

    private MemberService Members => fixture.Services.GetRequiredService<MemberService>();

    [Fact]
    public async Task InviteAsync_ByAdmin_StoresOnlyTheSha256OfA256BitTokenValidFor7Days()
    {
        var (tenant, admin) = await TenantWithAsync(VigilRoles.Admin);

        var result = await Members.InviteAsync(tenant.Id, admin, DataFixture.UniqueEmail("new"), VigilRoles.Standard);

        Assert.True(result.Succeeded);
        Assert.Equal(32, System.Buffers.Text.Base64Url.DecodeFromChars(result.Token!).Length);
        await using var db = fixture.Dbs.Create(tenant.Id);
        var stored = await db.Invitations.AsNoTracking().SingleAsync(i => i.Id == result.Invitation!.Id);
        Assert.Equal(MemberService.Hash(result.Token!), stored.TokenHash);
        Assert.Matches("^[0-9a-f]{64}$", stored.TokenHash);
        Assert.Equal(TimeSpan.FromDays(7), stored.ExpiresAt - stored.CreatedAt);
        Assert.Equal(admin.UserId, stored.InvitedByUserId);
    }

    [Theory]
    [InlineData(VigilRoles.Admin, VigilRoles.Owner)]
    [InlineData(VigilRoles.Standard, VigilRoles.Standard)]
    [InlineData(VigilRoles.ReadOnly, VigilRoles.ReadOnly)]
    public async Task InviteAsync_RoleNotAllowedToGiveIt_ForbiddenNothingStoredAndAuditedAsDenied(string actorRole, string invitedRole)
    {
        var (tenant, actor) = await TenantWithAsync(actorRole);

        var result = await Members.InviteAsync(tenant.Id, actor, DataFixture.UniqueEmail(), invitedRole);

        Assert.Equal(MemberOutcome.Forbidden, result.Outcome);
        await using var db = fixture.Dbs.Create(tenant.Id);
        Assert.False(await db.Invitations.AnyAsync());
        Assert.Contains(await db.AuditEntries.ToListAsync(), e => e.Action == "invitation.create" && e.Outcome == AuditOutcomes.Denied);
    }

    [Fact]
    public async Task InviteAsync_SessionClaimsOwnerButStoredRoleIsAdmin_CannotInviteAnOwner()
    {
        var (tenant, admin) = await TenantWithAsync(VigilRoles.Admin);

        var result = await Members.InviteAsync(tenant.Id, admin with { Role = VigilRoles.Owner }, DataFixture.UniqueEmail(), VigilRoles.Owner);

        Assert.Equal(MemberOutcome.Forbidden, result.Outcome);
    }

    [Fact]
    public async Task InviteAsync_ExistingMemberOrBadInput_ErrorsByField()
    {
        var (tenant, owner) = await TenantWithAsync(VigilRoles.Owner);
        var member = await AddUserAsync(tenant.Id, VigilRoles.Standard);

        var existing = await Members.InviteAsync(tenant.Id, owner, member.Email!.ToUpperInvariant(), VigilRoles.Admin);
        var invalid = await Members.InviteAsync(tenant.Id, owner, "not an email", "superuser");

        Assert.Contains("already a member", Assert.Single(existing.Errors["Email"]), StringComparison.Ordinal);
        Assert.Equal(MemberOutcome.Invalid, invalid.Outcome);
        Assert.Equal(["Email", "Role"], invalid.Errors.Keys.Order());
    }

    [Fact]
    public async Task AcceptAsync_ValidLink_CreatesConfirmedMemberWithRoleAndUsesTheLinkUp()
    {
        var (tenant, owner) = await TenantWithAsync(VigilRoles.Owner);
        var email = DataFixture.UniqueEmail("joiner");
        var invited = await Members.InviteAsync(tenant.Id, owner, email, VigilRoles.ReadOnly);

        var accepted = await Members.AcceptAsync(invited.Token, Password, "192.0.2.7");
        var again = await Members.AcceptAsync(invited.Token, Password, "192.0.2.7");

        Assert.True(accepted.Succeeded);
        Assert.Equal(tenant.Id, accepted.User!.TenantId);
        var member = Assert.Single(await Members.ListAsync(tenant.Id), u => u.Email == email);
        Assert.Equal(VigilRoles.ReadOnly, member.Role);
        Assert.True(member.EmailConfirmed);
        Assert.Equal(InvitationState.Used, again.State);
        Assert.Null(again.User);
        await using var db = fixture.Dbs.Create(tenant.Id);
        var trail = await db.AuditEntries.ToListAsync();
        Assert.Contains(trail, e => e.Action == "member.created" && e.ActorId == member.Id && e.Ip == "192.0.2.7");
        Assert.Contains(trail, e => e.Action == "invitation.accepted");
        Assert.Contains(trail, e => e.Action == "invitation.accept" && e.Outcome == AuditOutcomes.Denied);
    }

    [Fact]
    public async Task AcceptAsync_ExpiredLink_RefusedAndNobodyJoins()
    {
        var (tenant, owner) = await TenantWithAsync(VigilRoles.Owner);
        var email = DataFixture.UniqueEmail("late");
        var invited = await Members.InviteAsync(tenant.Id, owner, email, VigilRoles.Standard);
        await using (var db = fixture.Dbs.Create(tenant.Id))
        {
            var invitation = await db.Invitations.SingleAsync(i => i.Id == invited.Invitation!.Id);
            invitation.ExpiresAt = DateTimeOffset.UtcNow.AddMinutes(-1);
            await db.SaveChangesAsync();
        }

        var accepted = await Members.AcceptAsync(invited.Token, Password, null);

        Assert.Equal(InvitationState.Expired, accepted.State);
        Assert.DoesNotContain(await Members.ListAsync(tenant.Id), u => u.Email == email);
    }

    [Fact]
    public async Task ResendAsync_PendingInvitation_NewLinkWorksAndTheOldOneIsRevoked()
    {
        var (tenant, owner) = await TenantWithAsync(VigilRoles.Owner);
        var first = await Members.InviteAsync(tenant.Id, owner, DataFixture.UniqueEmail(), VigilRoles.Admin);

        var second = await Members.ResendAsync(tenant.Id, owner, first.Invitation!.Id);

        Assert.Equal(InvitationState.Revoked, (await Members.FindInvitationAsync(first.Token)).State);
        Assert.Equal(InvitationState.Valid, (await Members.FindInvitationAsync(second.Token)).State);
        Assert.Equal(second.Invitation!.Id, Assert.Single(await Members.ListPendingInvitationsAsync(tenant.Id)).Id);
        Assert.Equal(InvitationState.Revoked, (await Members.AcceptAsync(first.Token, Password, null)).State);
    }

    [Fact]
    public async Task RevokeInvitationAsync_AnotherOrganisationsInvitation_NotFoundAndStillValid()
    {
        var (a, ownerA) = await TenantWithAsync(VigilRoles.Owner);
        var (b, ownerB) = await TenantWithAsync(VigilRoles.Owner);
        var invited = await Members.InviteAsync(a.Id, ownerA, DataFixture.UniqueEmail(), VigilRoles.Standard);

        var result = await Members.RevokeInvitationAsync(b.Id, ownerB, invited.Invitation!.Id);

        Assert.Equal(MemberOutcome.NotFound, result.Outcome);
        Assert.Equal(InvitationState.Valid, (await Members.FindInvitationAsync(invited.Token)).State);
    }

    [Fact]
    public async Task LastOwner_CannotBeDemotedRemovedOrLeave_UntilAnotherOwnerExists()
    {
        var (tenant, owner) = await TenantWithAsync(VigilRoles.Owner);

        var demoted = await Members.ChangeRoleAsync(tenant.Id, owner, owner.UserId, VigilRoles.Admin);
        var left = await Members.RemoveAsync(tenant.Id, owner, owner.UserId);

        Assert.Contains("last owner", Assert.Single(demoted.Errors["Role"]), StringComparison.Ordinal);
        Assert.Contains("last owner", Assert.Single(left.Errors["Member"]), StringComparison.Ordinal);
        Assert.Equal(VigilRoles.Owner, (await Members.GetAsync(tenant.Id, owner.UserId))!.Role);

        var second = await AddUserAsync(tenant.Id, VigilRoles.Admin);
        Assert.True((await Members.ChangeRoleAsync(tenant.Id, owner, second.Id, VigilRoles.Owner)).Succeeded);
        Assert.True((await Members.RemoveAsync(tenant.Id, owner, owner.UserId)).Succeeded);
        Assert.Null(await Members.GetAsync(tenant.Id, owner.UserId));
    }

    [Fact]
    public async Task Admin_CannotChangeOrRemoveAnOwner()
    {
        var (tenant, admin) = await TenantWithAsync(VigilRoles.Admin);
        var owner = await AddUserAsync(tenant.Id, VigilRoles.Owner);

        var demote = await Members.ChangeRoleAsync(tenant.Id, admin, owner.Id, VigilRoles.Standard);
        var remove = await Members.RemoveAsync(tenant.Id, admin, owner.Id);
        var promote = await Members.ChangeRoleAsync(tenant.Id, admin, admin.UserId, VigilRoles.Owner);

        Assert.All([demote, remove, promote], r => Assert.Equal(MemberOutcome.Forbidden, r.Outcome));
        Assert.Equal(VigilRoles.Owner, (await Members.GetAsync(tenant.Id, owner.Id))!.Role);
        Assert.Equal(VigilRoles.Admin, (await Members.GetAsync(tenant.Id, admin.UserId))!.Role);
    }

    [Fact]
    public async Task StandardMember_CannotChangeRolesOrRemoveOthers_ButMayLeave()
    {
        var (tenant, standard) = await TenantWithAsync(VigilRoles.Standard);
        var other = await AddUserAsync(tenant.Id, VigilRoles.ReadOnly);

        Assert.Equal(MemberOutcome.Forbidden, (await Members.ChangeRoleAsync(tenant.Id, standard, other.Id, VigilRoles.Admin)).Outcome);
        Assert.Equal(MemberOutcome.Forbidden, (await Members.ChangeRoleAsync(tenant.Id, standard, standard.UserId, VigilRoles.Admin)).Outcome);
        Assert.Equal(MemberOutcome.Forbidden, (await Members.RemoveAsync(tenant.Id, standard, other.Id)).Outcome);
        Assert.True((await Members.RemoveAsync(tenant.Id, standard, standard.UserId)).Succeeded);
    }

    [Fact]
    public async Task RemoveAsync_Member_DeletesThemRevokesTheirKeysAndAudits()
    {
        var (tenant, owner) = await TenantWithAsync(VigilRoles.Owner);
        var member = await AddUserAsync(tenant.Id, VigilRoles.Standard);
        var keys = fixture.Services.GetRequiredService<KeyService>();
        var (_, secret) = await keys.CreateAsync(tenant.Id, KeyKind.Application, "laptop", member.Id);

        var result = await Members.RemoveAsync(tenant.Id, owner, member.Id);

        Assert.True(result.Succeeded);
        Assert.Null(await Members.GetAsync(tenant.Id, member.Id));
        Assert.Null(await keys.ResolveAsync(KeyKind.Application, secret));
        await using var db = fixture.Dbs.Create(tenant.Id);
        Assert.Contains(await db.AuditEntries.ToListAsync(), e => e.Action == "member.deleted" && e.TargetId == member.Id.ToString());
    }

    /// <summary>A removed admin's pending invitations go with them (their own second address would bring them back); others' stay.</summary>
    [Fact]
    public async Task RemoveAsync_Admin_TheInvitationsTheySentAreRevoked_OthersKept()
    {
        var (tenant, owner) = await TenantWithAsync(VigilRoles.Owner);
        var admin = await AddUserAsync(tenant.Id, VigilRoles.Admin);
        var theirs = await Members.InviteAsync(tenant.Id, new MemberActor(admin.Id, VigilRoles.Admin), DataFixture.UniqueEmail("second"), VigilRoles.Admin);
        var owners = await Members.InviteAsync(tenant.Id, owner, DataFixture.UniqueEmail("new"), VigilRoles.Standard);

        Assert.True((await Members.RemoveAsync(tenant.Id, owner, admin.Id)).Succeeded);

        Assert.Equal(InvitationState.Revoked, (await Members.FindInvitationAsync(theirs.Token)).State);
        Assert.Equal(InvitationState.Valid, (await Members.FindInvitationAsync(owners.Token)).State);
        Assert.Null((await Members.AcceptAsync(theirs.Token, DataFixture.MemberPassword, ip: null)).User);
    }

    /// <summary>
    /// A demoted member's pending invitations that their new role could not send are revoked (accepted, an admin's own
    /// second address would undo the demotion); those it could still send stay.
    /// </summary>
    [Fact]
    public async Task ChangeRoleAsync_Demoted_TheInvitationsTheirNewRoleCouldNotSendAreRevoked()
    {
        var (tenant, owner) = await TenantWithAsync(VigilRoles.Owner);
        var coOwner = await AddUserAsync(tenant.Id, VigilRoles.Owner);
        var asCoOwner = new MemberActor(coOwner.Id, VigilRoles.Owner);
        var anOwner = await Members.InviteAsync(tenant.Id, asCoOwner, DataFixture.UniqueEmail("owner"), VigilRoles.Owner);
        var anAdmin = await Members.InviteAsync(tenant.Id, asCoOwner, DataFixture.UniqueEmail("admin"), VigilRoles.Admin);

        Assert.True((await Members.ChangeRoleAsync(tenant.Id, owner, coOwner.Id, VigilRoles.Admin)).Succeeded);

        Assert.Equal(InvitationState.Revoked, (await Members.FindInvitationAsync(anOwner.Token)).State);
        Assert.Equal(InvitationState.Valid, (await Members.FindInvitationAsync(anAdmin.Token)).State);
        Assert.True((await Members.ChangeRoleAsync(tenant.Id, owner, coOwner.Id, VigilRoles.ReadOnly)).Succeeded);
        Assert.Equal(InvitationState.Revoked, (await Members.FindInvitationAsync(anAdmin.Token)).State);
    }

    [Fact]
    public async Task ChangeRoleAndRemove_AnotherOrganisationsMember_NotFoundAndUnchanged()
    {
        var (a, _) = await TenantWithAsync(VigilRoles.Owner);
        var (b, ownerB) = await TenantWithAsync(VigilRoles.Owner);
        var memberOfA = await AddUserAsync(a.Id, VigilRoles.Standard);

        Assert.Equal(MemberOutcome.NotFound, (await Members.ChangeRoleAsync(b.Id, ownerB, memberOfA.Id, VigilRoles.Admin)).Outcome);
        Assert.Equal(MemberOutcome.NotFound, (await Members.RemoveAsync(b.Id, ownerB, memberOfA.Id)).Outcome);
        Assert.Equal(VigilRoles.Standard, (await Members.GetAsync(a.Id, memberOfA.Id))!.Role);
        Assert.Null(await Members.GetAsync(b.Id, memberOfA.Id));
    }

    [Fact]
    public async Task ChangeRoleAsync_NewStampEndsTheMembersSessions()
    {
        var (tenant, owner) = await TenantWithAsync(VigilRoles.Owner);
        var member = await AddUserAsync(tenant.Id, VigilRoles.Admin);

        Assert.True((await Members.ChangeRoleAsync(tenant.Id, owner, member.Id, VigilRoles.ReadOnly)).Succeeded);

        var stored = await Members.GetAsync(tenant.Id, member.Id);
        Assert.Equal(VigilRoles.ReadOnly, stored!.Role);
        Assert.NotEqual(member.SecurityStamp, stored.SecurityStamp);
    }

    [Fact]
    public async Task RemoveAsync_RevokesTheMembersApplicationKeysButNotTheOrganisationsApiKeysTheyCreated()
    {
        var (tenant, owner) = await TenantWithAsync(VigilRoles.Owner);
        var member = await AddUserAsync(tenant.Id, VigilRoles.Admin);
        var keys = fixture.Services.GetRequiredService<KeyService>();
        var (intake, _) = await keys.CreateAsync(tenant.Id, KeyKind.Api, "intake", member.Id);
        var (personal, _) = await keys.CreateAsync(tenant.Id, KeyKind.Application, "mine", member.Id);

        Assert.True((await Members.RemoveAsync(tenant.Id, owner, member.Id)).Succeeded);

        Assert.Null((await keys.GetAsync(tenant.Id, intake.Id))!.RevokedAt);
        Assert.NotNull((await keys.GetAsync(tenant.Id, personal.Id))!.RevokedAt);
    }

    [Fact]
    public async Task AcceptAsync_DisabledOrganisation_RefusedAndNobodyJoins()
    {
        var (tenant, owner) = await TenantWithAsync(VigilRoles.Owner);
        var invited = await Members.InviteAsync(tenant.Id, owner, DataFixture.UniqueEmail("late"), VigilRoles.Standard);
        await using (var db = fixture.Dbs.Create(tenant.Id))
        {
            (await db.Tenants.SingleAsync(t => t.Id == tenant.Id)).DisabledAt = DateTimeOffset.UtcNow;
            await db.SaveChangesAsync();
        }

        var accepted = await Members.AcceptAsync(invited.Token, Password, ip: null);

        Assert.Null(accepted.User);
        Assert.Single(await Members.ListAsync(tenant.Id));
    }

    /// <summary>A new organisation with one member of <paramref name="role"/>, returned as the actor.</summary>
    private async Task<(Tenant Tenant, MemberActor Actor)> TenantWithAsync(string role)
    {
        var tenant = await fixture.AddTenantAsync();
        var user = await AddUserAsync(tenant.Id, role);
        return (tenant, new MemberActor(user.Id, role));
    }

    private Task<VigilUser> AddUserAsync(Guid tenantId, string role) => fixture.AddMemberAsync(tenantId, role);
}

/// <summary>The tests above on SQLite, the embedded default.</summary>
public sealed class MemberServiceTestsOnSqlite(SqliteDataFixture fixture) : MemberServiceTests(fixture), IClassFixture<SqliteDataFixture>;

/// <summary>The tests above on PostgreSQL, the production database.</summary>
public sealed class MemberServiceTestsOnPostgres(PostgresDataFixture fixture) : MemberServiceTests(fixture), IClassFixture<PostgresDataFixture>;
