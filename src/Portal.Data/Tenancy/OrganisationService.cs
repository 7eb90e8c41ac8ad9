using Microsoft.EntityFrameworkCore;
using Portal.Data.Identity;
using Portal.Search.Lucene;

namespace Portal.Data.Tenancy;

/// <summary>
/// An organisation's settings as its owners and admins edit them. <see cref="RetentionDays"/> null: as many days as the plan
/// allows, now and after the plan changes.
/// </summary>
public sealed record OrganisationSettings(string? Name, string? Slug, string? TimeZone, string? NotificationEmail, int? RetentionDays);

/// <summary>Reads, changes and deletes organisations. Every change is checked whole; nothing is stored when a field is invalid.</summary>
public sealed class OrganisationService(TenantDbFactory dbs, TenantIndexes indexes, VigilOptions options, Audit.AuditLog audit)
{
    /// <summary>The most days of logs an organisation may keep: the instance's retention (the plan's limit).</summary>
    public int MaxRetentionDays => Math.Max(1, options.Logs.RetentionDays);

    /// <summary>Days of logs the organisation keeps: its own setting within the plan's limit, or the limit.</summary>
    public int RetentionOf(Tenant tenant) => Math.Min(tenant.RetentionDays ?? MaxRetentionDays, MaxRetentionDays);

    /// <summary>The organisation, or null.</summary>
    public async Task<Tenant?> GetAsync(Guid tenantId, CancellationToken cancellationToken = default)
    {
        await using var db = dbs.Create(tenantId);
        return await db.Tenants.AsNoTracking().SingleOrDefaultAsync(t => t.Id == tenantId, cancellationToken);
    }

    /// <summary>What a member whose role (as stored now, see <see cref="StoredRoles"/>) does not allow a change is told.</summary>
    public const string RoleRefusal = "Your role no longer allows this change: reload the page.";

    /// <summary>The settings as stored, as an editor reads them.</summary>
    public static OrganisationSettings SettingsOf(Tenant tenant) =>
        new(tenant.Name, tenant.Slug, tenant.TimeZone, tenant.NotificationEmail, tenant.RetentionDays);

    /// <summary>
    /// Applies <paramref name="settings"/> as <paramref name="actor"/> (owners and admins); returns the errors by field
    /// (<c>Name</c>, <c>Slug</c>, ...; <c>Organisation</c> when the actor's role does not allow it), empty on success.
    /// Given the settings as the editor <paramref name="read"/> them (<see cref="SettingsOf"/>), only the fields the editor
    /// changed are written, so that another's change made since to a field left alone stays; a field both changed is
    /// refused, naming what it holds now.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, string[]>> UpdateAsync(
        Guid tenantId, MemberActor actor, OrganisationSettings settings, OrganisationSettings? read = null, CancellationToken cancellationToken = default)
    {
        await using var db = dbs.Create(tenantId);
        if (!await AllowsAsync(db, tenantId, actor, Permission.SettingsManage, "update", cancellationToken))
        {
            return new Dictionary<string, string[]> { ["Organisation"] = [RoleRefusal] };
        }
        var errors = new Dictionary<string, string[]>();
        var tenant = await db.Tenants.SingleAsync(t => t.Id == tenantId, cancellationToken);
        if (read is not null)
        {
            settings = Merged(read, settings, SettingsOf(tenant), errors);
            if (errors.Count > 0)
            {
                return errors;
            }
        }
        var name = settings.Name?.Trim() ?? "";
        if (name.Length is < 2 or > 100)
        {
            errors[nameof(OrganisationSettings.Name)] = ["Enter an organisation name of 2 to 100 characters."];
        }
        var slug = settings.Slug?.Trim().ToLowerInvariant() ?? "";
        if (Slugs.Validate(slug) is { } slugError)
        {
            errors[nameof(OrganisationSettings.Slug)] = [$"The organisation URL {slugError}."];
        }
        else if (await db.Tenants.AnyAsync(t => t.Slug == slug && t.Id != tenantId, cancellationToken))
        {
            errors[nameof(OrganisationSettings.Slug)] = [$"'{slug}' is already taken; choose another organisation URL."];
        }
        var zone = settings.TimeZone?.Trim() ?? "";
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _))
        {
            errors[nameof(OrganisationSettings.TimeZone)] = [$"'{zone}' is not a known time zone; use an IANA name such as Europe/Paris or UTC."];
        }
        var email = string.IsNullOrWhiteSpace(settings.NotificationEmail) ? null : settings.NotificationEmail.Trim();
        if (email is not null && (!System.Net.Mail.MailAddress.TryCreate(email, out var address) || address.Address != email || email.Length > 256))
        {
            errors[nameof(OrganisationSettings.NotificationEmail)] = ["Enter a valid email address, or leave it empty."];
        }
        // An organisation's own retention, kept as it was, stays valid when the plan was lowered below it (RetentionOf caps it).
        if (settings.RetentionDays != tenant.RetentionDays && (settings.RetentionDays is < 1 || settings.RetentionDays > MaxRetentionDays))
        {
            errors[nameof(OrganisationSettings.RetentionDays)] = [$"Keep logs between 1 and {MaxRetentionDays} days (your plan's limit)."];
        }
        if (errors.Count > 0)
        {
            return errors;
        }
        tenant.Name = name;
        tenant.Slug = slug;
        tenant.TimeZone = zone;
        tenant.NotificationEmail = email;
        tenant.RetentionDays = settings.RetentionDays;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            if (!await db.Tenants.AsNoTracking().AnyAsync(t => t.Slug == slug && t.Id != tenantId, cancellationToken))
            {
                throw;
            }
            // Another organisation took the slug between the check and the save (the unique index decides).
            return new Dictionary<string, string[]> { [nameof(OrganisationSettings.Slug)] = [$"'{slug}' is already taken; choose another organisation URL."] };
        }
        return errors;
    }

    /// <summary>
    /// The settings to write: each field as <paramref name="edited"/> where the editor changed it from what they
    /// <paramref name="read"/>, else as <paramref name="stored"/> now; a field changed by both is an error in
    /// <paramref name="errors"/>.
    /// </summary>
    private static OrganisationSettings Merged(OrganisationSettings read, OrganisationSettings edited, OrganisationSettings stored, Dictionary<string, string[]> errors)
    {
        T Field<T>(string name, T wasRead, T now, T storedNow, string none = "empty")
        {
            if (EqualityComparer<T>.Default.Equals(now, wasRead))
            {
                return storedNow;
            }
            if (!EqualityComparer<T>.Default.Equals(storedNow, wasRead))
            {
                var shown = storedNow?.ToString() is { Length: > 0 } text ? $"'{text}'" : none;
                errors[name] = [$"Changed by someone else since you opened this page (it is {shown} now): reload the page to see it, then make your change again."];
            }
            return now;
        }
        return new OrganisationSettings(
            Field(nameof(OrganisationSettings.Name), read.Name, edited.Name, stored.Name),
            Field(nameof(OrganisationSettings.Slug), read.Slug, edited.Slug, stored.Slug),
            Field(nameof(OrganisationSettings.TimeZone), read.TimeZone, edited.TimeZone, stored.TimeZone),
            Field(nameof(OrganisationSettings.NotificationEmail), read.NotificationEmail, edited.NotificationEmail, stored.NotificationEmail),
            Field(nameof(OrganisationSettings.RetentionDays), read.RetentionDays, edited.RetentionDays, stored.RetentionDays, none: "the plan's limit"));
    }

    /// <summary>
    /// Sets whether every member must sign in with a second factor (an authenticator app or a passkey). Members without
    /// one are asked to set it up at their next page load. Returns false when the organisation no longer exists or
    /// <paramref name="actor"/>'s role does not allow it.
    /// </summary>
    public async Task<bool> SetRequireMfaAsync(Guid tenantId, MemberActor actor, bool required, CancellationToken cancellationToken = default)
    {
        await using var db = dbs.Create(tenantId);
        var tenant = await db.Tenants.SingleOrDefaultAsync(t => t.Id == tenantId, cancellationToken);
        if (tenant is null || !await AllowsAsync(db, tenantId, actor, Permission.SettingsManage, "require_mfa", cancellationToken))
        {
            return false;
        }
        tenant.RequireMfa = required;
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    /// <summary>
    /// Deletes the organisation and everything it owns: its rows (users, keys, rules, run states cascade with it)
    /// and its log and signal indexes, as <paramref name="actor"/> (an owner). <paramref name="confirmation"/> must repeat the
    /// organisation's URL name. Returns the error, or null once deleted.
    /// </summary>
    public async Task<string?> DeleteAsync(Guid tenantId, MemberActor actor, string? confirmation, CancellationToken cancellationToken = default)
    {
        await using var db = dbs.Create(tenantId);
        var tenant = await db.Tenants.SingleOrDefaultAsync(t => t.Id == tenantId, cancellationToken);
        if (tenant is null)
        {
            return "This organisation no longer exists.";
        }
        if (!await AllowsAsync(db, tenantId, actor, Permission.OrganisationDelete, "delete", cancellationToken))
        {
            return RoleRefusal;
        }
        if (!string.Equals(confirmation?.Trim(), tenant.Slug, StringComparison.Ordinal))
        {
            return $"Type the organisation URL name, {tenant.Slug}, to confirm.";
        }
        db.Tenants.Remove(tenant);
        await db.SaveChangesAsync(cancellationToken);
        indexes.Drop(tenantId);
        return null;
    }

    /// <summary>
    /// Whether <paramref name="actor"/>'s role, as stored now, allows <paramref name="permission"/>; a refusal (a page open
    /// since a demotion) is recorded in the trail as <c>organisation.</c><paramref name="verb"/>, as the API's refusals are.
    /// </summary>
    private async Task<bool> AllowsAsync(VigilDbContext db, Guid tenantId, MemberActor actor, Permission permission, string verb, CancellationToken cancellationToken)
    {
        if (StoredRoles.Allows(actor.Role, await StoredRoles.OfAsync(db, actor.UserId, cancellationToken), permission))
        {
            return true;
        }
        await audit.RecordAsync(tenantId, new Audit.AuditRecord($"organisation.{verb}", "organisation", tenantId.ToString())
        {
            Outcome = Audit.AuditOutcomes.Denied,
            Message = RoleRefusal,
        }, CancellationToken.None);
        return false;
    }
}
