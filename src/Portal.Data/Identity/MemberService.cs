using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data.Audit;
using Portal.Data.Tenancy;

namespace Portal.Data.Identity;

/// <summary>
/// An organisation's members and invitations. Every change takes the acting member and checks, against both the role
/// the session carries and the role stored now, what that role allows, so that a page or endpoint that forgets a check
/// cannot escalate. Refused attempts are written to the audit trail; stored changes are audited by the context.
/// </summary>
public sealed class MemberService(TenantDbFactory dbs, IServiceScopeFactory scopes, AuditLog audit, TimeProvider clock)
{
    /// <summary>How long an invitation link stays valid.</summary>
    public static readonly TimeSpan InvitationLifetime = TimeSpan.FromDays(7);

    /// <summary>The organisation's members, by email.</summary>
    public async Task<List<VigilUser>> ListAsync(Guid tenantId, CancellationToken cancellationToken = default)
    {
        await using var db = dbs.Create(tenantId);
        return await db.Users.AsNoTracking().OrderBy(u => u.NormalizedEmail).ToListAsync(cancellationToken);
    }

    /// <summary>One member, or null (also for another organisation's member).</summary>
    public async Task<VigilUser?> GetAsync(Guid tenantId, Guid userId, CancellationToken cancellationToken = default)
    {
        await using var db = dbs.Create(tenantId);
        return await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId, cancellationToken);
    }

    /// <summary>Invitations neither accepted nor revoked (expired ones included, to re-send), newest first.</summary>
    public async Task<List<Invitation>> ListPendingInvitationsAsync(Guid tenantId, CancellationToken cancellationToken = default)
    {
        await using var db = dbs.Create(tenantId);
        var pending = await db.Invitations.AsNoTracking().Where(i => i.AcceptedAt == null && i.RevokedAt == null).ToListAsync(cancellationToken);
        return [.. pending.OrderByDescending(i => i.CreatedAt)];
    }

    /// <summary>Invites <paramref name="email"/> with <paramref name="role"/>; the result carries the link's token.</summary>
    public async Task<MemberResult> InviteAsync(Guid tenantId, MemberActor actor, string? email, string? role, CancellationToken cancellationToken = default)
    {
        await using var db = dbs.Create(tenantId);
        var address = email?.Trim() ?? "";
        var errors = new Dictionary<string, string[]>();
        if (!System.Net.Mail.MailAddress.TryCreate(address, out var parsed) || parsed.Address != address || address.Length > 256)
        {
            errors["Email"] = ["Enter a valid email address."];
        }
        if (!Permissions.Roles.Contains(role ?? ""))
        {
            errors["Role"] = ["Choose a role: owner, admin, standard or read_only."];
        }
        var stored = await StoredRoleAsync(db, actor, cancellationToken);
        if (!Allows(actor, stored, Permission.MembersManage))
        {
            return await DenyAsync(tenantId, "invitation.create", "invitation", null, address, "Only owners and admins invite members.", "Email");
        }
        if (errors.Count > 0)
        {
            return new MemberResult(MemberOutcome.Invalid, errors);
        }
        if (!CanAssign(actor, stored, role!))
        {
            return await DenyAsync(tenantId, "invitation.create", "invitation", null, address, "Only an owner can invite an owner.", "Role");
        }
        var normalized = address.ToUpperInvariant();
        if (await db.Users.AnyAsync(u => u.NormalizedEmail == normalized, cancellationToken))
        {
            return MemberResult.Fail(MemberOutcome.Invalid, "Email", $"{address} is already a member of this organisation.");
        }
        // Inviting the same address again replaces its pending invitation: one live link per person.
        // Only owners manage owners' invitations, replacing one included (an admin would otherwise turn an owner's
        // invitation into a lesser one by inviting the address again).
        var pending = await db.Invitations.Where(i => i.AcceptedAt == null && i.RevokedAt == null).ToListAsync(cancellationToken);
        foreach (var previous in pending.Where(i => string.Equals(i.Email, address, StringComparison.OrdinalIgnoreCase)))
        {
            if (!CanAssign(actor, stored, previous.Role))
            {
                return await DenyAsync(tenantId, "invitation.create", "invitation", previous.Id.ToString(), address,
                    "Only an owner can replace this invitation: it invites an owner.", "Email");
            }
            previous.RevokedAt = clock.GetUtcNow();
        }
        return await IssueAsync(db, tenantId, address, role!, actor.UserId, cancellationToken);
    }

    /// <summary>Issues a new link for a pending invitation and revokes the old one.</summary>
    public Task<MemberResult> ResendAsync(Guid tenantId, MemberActor actor, Guid invitationId, CancellationToken cancellationToken = default) =>
        WithdrawAsync(tenantId, actor, invitationId, "resend", "re-send", (db, invitation) =>
            IssueAsync(db, tenantId, invitation.Email, invitation.Role, actor.UserId, cancellationToken), cancellationToken);

    /// <summary>Revokes a pending invitation: its link stops working.</summary>
    public Task<MemberResult> RevokeInvitationAsync(Guid tenantId, MemberActor actor, Guid invitationId, CancellationToken cancellationToken = default) =>
        WithdrawAsync(tenantId, actor, invitationId, "revoke", "revoke", async (db, _) =>
        {
            await db.SaveChangesAsync(cancellationToken);
            return MemberResult.Done;
        }, cancellationToken);

    /// <summary>
    /// Revokes a pending invitation the actor may manage (only owners manage owners' invitations), then lets
    /// <paramref name="then"/> save, with a new link or without.
    /// </summary>
    private async Task<MemberResult> WithdrawAsync(Guid tenantId, MemberActor actor, Guid invitationId, string verb, string words,
        Func<VigilDbContext, Invitation, Task<MemberResult>> then, CancellationToken cancellationToken)
    {
        await using var db = dbs.Create(tenantId);
        var invitation = await db.Invitations.SingleOrDefaultAsync(i => i.Id == invitationId && i.AcceptedAt == null && i.RevokedAt == null, cancellationToken);
        if (invitation is null)
        {
            return MemberResult.NotFound;
        }
        var stored = await StoredRoleAsync(db, actor, cancellationToken);
        if (!CanAssign(actor, stored, invitation.Role))
        {
            return await DenyAsync(tenantId, $"invitation.{verb}", "invitation", invitation.Id.ToString(), invitation.Email, $"Your role cannot {words} this invitation.", "Invitation");
        }
        invitation.RevokedAt = clock.GetUtcNow();
        return await then(db, invitation);
    }

    /// <summary>Changes a member's role. The last owner keeps theirs; only owners touch owners.</summary>
    public async Task<MemberResult> ChangeRoleAsync(Guid tenantId, MemberActor actor, Guid userId, string? role, CancellationToken cancellationToken = default)
    {
        await using var db = dbs.Create(tenantId);
        var member = await db.Users.SingleOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (member is null)
        {
            return MemberResult.NotFound;
        }
        if (!Permissions.Roles.Contains(role ?? ""))
        {
            return MemberResult.Fail(MemberOutcome.Invalid, "Role", "Choose a role: owner, admin, standard or read_only.");
        }
        var stored = await StoredRoleAsync(db, actor, cancellationToken);
        if (!CanAssign(actor, stored, member.Role) || !CanAssign(actor, stored, role!))
        {
            var why = Allows(actor, stored, Permission.MembersManage) ? "Only an owner can change an owner or make someone an owner." : "Only owners and admins change roles.";
            return await DenyAsync(tenantId, "member.role_change", "member", member.Id.ToString(), member.Email, why, "Role");
        }
        if (member.Role == role)
        {
            return MemberResult.Done;
        }
        if (member.Role == VigilRoles.Owner && await IsLastOwnerAsync(db, member, cancellationToken))
        {
            return await DenyAsync(tenantId, "member.role_change", "member", member.Id.ToString(), member.Email, LastOwner(member, "keep the owner role"), "Role", MemberOutcome.Invalid);
        }
        // Invitations they sent that their new role could not send go (accepted, they would undo the demotion).
        await RevokeInvitationsOfAsync(db, userId, keepFor: role, clock.GetUtcNow(), cancellationToken);
        member.Role = role!;
        // Sessions carry the role: a new stamp ends the member's sessions within a minute (they sign in again with the
        // new role), so a demoted member's open tabs cannot keep acting with the old one. Keys read the role per request.
        member.SecurityStamp = Guid.NewGuid().ToString("N");
        return await SaveMembersAsync(db, ownerAffected: member.Role != VigilRoles.Owner && db.Entry(member).Property(u => u.Role).OriginalValue == VigilRoles.Owner, cancellationToken);
    }

    /// <summary>
    /// Removes a member, or lets a member leave (<paramref name="userId"/> is the actor's own). Their application keys
    /// are revoked with them, and the invitations they sent that are still pending (a removed admin's own second address
    /// would otherwise bring them back). The last owner can neither be removed nor leave.
    /// </summary>
    public async Task<MemberResult> RemoveAsync(Guid tenantId, MemberActor actor, Guid userId, CancellationToken cancellationToken = default)
    {
        await using var db = dbs.Create(tenantId);
        var member = await db.Users.SingleOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (member is null)
        {
            return MemberResult.NotFound;
        }
        var leaving = userId == actor.UserId;
        var stored = await StoredRoleAsync(db, actor, cancellationToken);
        if (!leaving && !CanAssign(actor, stored, member.Role))
        {
            var why = Allows(actor, stored, Permission.MembersManage) ? "Only an owner can remove an owner." : "Only owners and admins remove members.";
            return await DenyAsync(tenantId, "member.remove", "member", member.Id.ToString(), member.Email, why, "Member");
        }
        if (member.Role == VigilRoles.Owner && await IsLastOwnerAsync(db, member, cancellationToken))
        {
            var what = leaving ? "leave" : "be removed";
            return await DenyAsync(tenantId, leaving ? "member.leave" : "member.remove", "member", member.Id.ToString(), member.Email, LastOwner(member, what), "Member", MemberOutcome.Invalid);
        }
        var now = clock.GetUtcNow();
        // Their application keys act as them and go with them; the organisation's API keys they created stay.
        foreach (var key in await db.ApiKeys.Where(k => k.UserId == userId && k.Kind == Keys.KeyKind.Application && k.RevokedAt == null).ToListAsync(cancellationToken))
        {
            key.RevokedAt = now;
        }
        await RevokeInvitationsOfAsync(db, userId, keepFor: null, now, cancellationToken);
        db.Users.Remove(member);
        return await SaveMembersAsync(db, ownerAffected: member.Role == VigilRoles.Owner, cancellationToken);
    }

    /// <summary>
    /// Revokes the pending invitations <paramref name="userId"/> sent, but those a member of role <paramref name="keepFor"/>
    /// could still send (all of them when none: the member is leaving).
    /// </summary>
    private static async Task RevokeInvitationsOfAsync(VigilDbContext db, Guid userId, string? keepFor, DateTimeOffset now, CancellationToken cancellationToken)
    {
        foreach (var invitation in await db.Invitations.Where(i => i.InvitedByUserId == userId && i.AcceptedAt == null && i.RevokedAt == null).ToListAsync(cancellationToken))
        {
            if (keepFor is null || !Permissions.CanAssign(keepFor, invitation.Role))
            {
                invitation.RevokedAt = now;
            }
        }
    }

    /// <summary>The invitation behind a link's token, in whichever organisation issued it.</summary>
    public async Task<InvitationLookup> FindInvitationAsync(string? token, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 100)
        {
            return new InvitationLookup(InvitationState.Unknown, null, null);
        }
        var hash = Hash(token);
        await using var db = dbs.Create(null);
        // The token is the only key the visitor holds; it names its organisation, hence the one cross-tenant lookup.
        var invitation = await db.Invitations.IgnoreQueryFilters([VigilDbContext.TenantFilter]).AsNoTracking().SingleOrDefaultAsync(i => i.TokenHash == hash, cancellationToken);
        if (invitation is null)
        {
            return new InvitationLookup(InvitationState.Unknown, null, null);
        }
        var tenant = await db.Tenants.AsNoTracking().SingleOrDefaultAsync(t => t.Id == invitation.TenantId, cancellationToken);
        var state = tenant?.DisabledAt is not null ? InvitationState.Revoked
            : invitation.AcceptedAt is not null ? InvitationState.Used
            : invitation.RevokedAt is not null ? InvitationState.Revoked
            : invitation.ExpiresAt <= clock.GetUtcNow() ? InvitationState.Expired
            : InvitationState.Valid;
        return new InvitationLookup(tenant is null ? InvitationState.Unknown : state, invitation, tenant);
    }

    /// <summary>
    /// Accepts an invitation: creates the member with the invited role and a confirmed email (the link proved it) and
    /// uses the link up, in one transaction. Expired, revoked and used links change nothing and are audited as refused.
    /// </summary>
    public async Task<InvitationAcceptance> AcceptAsync(string? token, string? password, string? ip, CancellationToken cancellationToken = default)
    {
        var lookup = await FindInvitationAsync(token, cancellationToken);
        if (lookup.State != InvitationState.Valid)
        {
            if (lookup is { Invitation: { } refused, Tenant: not null })
            {
                await audit.RecordAsync(refused.TenantId, new AuditRecord("invitation.accept", "invitation", refused.Id.ToString(), refused.Email)
                {
                    Outcome = AuditOutcomes.Denied,
                    Message = $"The invitation link was {lookup.State.ToString().ToLowerInvariant()}.",
                    Actor = AuditActor.Anonymous(refused.Email, ip),
                }, cancellationToken);
            }
            return new InvitationAcceptance(lookup.State, null, lookup.Tenant, new Dictionary<string, string[]>());
        }
        var tenant = lookup.Tenant!;
        await using var scope = scopes.CreateTenantScope(tenant.Id);
        var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<VigilUser>>();
        var invitation = await db.Invitations.SingleAsync(i => i.Id == lookup.Invitation!.Id, cancellationToken);
        if (await users.FindByEmailAsync(invitation.Email) is not null)
        {
            return new InvitationAcceptance(InvitationState.Valid, null, tenant, new Dictionary<string, string[]> { ["Email"] = [$"{invitation.Email} is already a member of {tenant.Name}: sign in instead."] });
        }
        var user = new VigilUser { TenantId = tenant.Id, UserName = invitation.Email, Email = invitation.Email, Role = invitation.Role, EmailConfirmed = true };
        invitation.AcceptedAt = clock.GetUtcNow();
        invitation.AcceptedUserId = user.Id;
        AuditActor.Current = new AuditActor(AuditActorTypes.User, user.Id, invitation.Email, ip);
        // The user and the used-up invitation are saved together by the store's SaveChanges.
        IdentityResult created;
        try
        {
            created = await users.CreateAsync(user, password ?? "");
        }
        catch (DbUpdateException)
        {
            // The same link accepted twice at once: the unique email index lets one through.
            return new InvitationAcceptance(InvitationState.Used, null, tenant, new Dictionary<string, string[]>());
        }
        if (!created.Succeeded)
        {
            var field = created.Errors.All(e => e.Code.StartsWith("Password", StringComparison.Ordinal)) ? "Password" : "Email";
            return new InvitationAcceptance(InvitationState.Valid, null, tenant, new Dictionary<string, string[]> { [field] = [.. created.Errors.Select(e => e.Description)] });
        }
        return new InvitationAcceptance(InvitationState.Valid, user, tenant, new Dictionary<string, string[]>());
    }

    /// <summary>Lower-case hex SHA-256 of a token, as stored in <see cref="Invitation.TokenHash"/>.</summary>
    public static string Hash(string token) => Keys.KeyService.Hash(token);

    private async Task<MemberResult> IssueAsync(VigilDbContext db, Guid tenantId, string email, string role, Guid invitedBy, CancellationToken cancellationToken)
    {
        var token = System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var now = clock.GetUtcNow();
        var invitation = new Invitation
        {
            TenantId = tenantId,
            Email = email,
            Role = role,
            TokenHash = Hash(token),
            CreatedAt = now,
            ExpiresAt = now + InvitationLifetime,
            InvitedByUserId = invitedBy,
        };
        db.Invitations.Add(invitation);
        await db.SaveChangesAsync(cancellationToken);
        return MemberResult.Done with { Invitation = invitation, Token = token };
    }

    private static Task<string?> StoredRoleAsync(VigilDbContext db, MemberActor actor, CancellationToken cancellationToken) =>
        StoredRoles.OfAsync(db, actor.UserId, cancellationToken);

    // The weaker of the session's role and the stored one decides: a demoted member's older cookie grants nothing more.
    private static bool Allows(MemberActor actor, string? stored, Permission permission) => StoredRoles.Allows(actor.Role, stored, permission);

    private static bool CanAssign(MemberActor actor, string? stored, string targetRole) => StoredRoles.CanAssign(actor.Role, stored, targetRole);

    /// <summary>
    /// Saves a change to the members. When it takes an owner away, the organisation must still have one afterwards: the
    /// check and the save share a serializable transaction, so two owners demoting each other at once cannot leave it
    /// without one.
    /// </summary>
    private static async Task<MemberResult> SaveMembersAsync(VigilDbContext db, bool ownerAffected, CancellationToken cancellationToken)
    {
        if (!ownerAffected)
        {
            await db.SaveChangesAsync(cancellationToken);
            return MemberResult.Done;
        }
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(System.Data.IsolationLevel.Serializable, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            if (!await db.Users.AnyAsync(u => u.Role == VigilRoles.Owner, cancellationToken))
            {
                await transaction.RollbackAsync(CancellationToken.None);
                return MemberResult.Fail(MemberOutcome.Invalid, "Member", "The organisation must keep at least one owner.");
            }
            await transaction.CommitAsync(cancellationToken);
            return MemberResult.Done;
        }
        catch (Exception e) when (e is DbUpdateException or Microsoft.Data.Sqlite.SqliteException or Npgsql.PostgresException)
        {
            return MemberResult.Fail(MemberOutcome.Invalid, "Member", "Another change to this organisation's members happened at the same time; try again.");
        }
    }

    private static async Task<bool> IsLastOwnerAsync(VigilDbContext db, VigilUser member, CancellationToken cancellationToken) =>
        !await db.Users.AnyAsync(u => u.Role == VigilRoles.Owner && u.Id != member.Id, cancellationToken);

    private static string LastOwner(VigilUser member, string what) =>
        $"{member.Email} is the organisation's last owner and cannot {what}: make another member an owner first.";

    private async Task<MemberResult> DenyAsync(Guid tenantId, string action, string targetType, string? targetId, string? targetName, string message, string field,
        MemberOutcome outcome = MemberOutcome.Forbidden)
    {
        await audit.RecordAsync(tenantId, new AuditRecord(action, targetType, targetId, targetName) { Outcome = AuditOutcomes.Denied, Message = message });
        return MemberResult.Fail(outcome, field, message);
    }
}
