using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Portal.Data.Identity;
using Portal.Data.Keys;
using Portal.Data.Rules;
using Portal.Data.Suppressions;
using Portal.Data.Tenancy;

namespace Portal.Data.Audit;

/// <summary>
/// Turns the changes a context is about to save into audit entries, saved in the same transaction: rules,
/// suppressions, keys, members, invitations and organisation settings cannot change without a trace, whichever
/// page, endpoint or tool changed them. Only the fields people care about are compared and recorded (never hashes,
/// stamps, counters or watermarks), so bookkeeping writes such as a failed-sign-in count leave no entry.
/// </summary>
internal static class AuditedChanges
{
    private sealed record Audited(string Type, Func<object, string> Id, Func<object, string?> Name, string[] Fields, Func<EntityEntry, string?>? Verb = null);

    private static readonly Dictionary<Type, Audited> Entities = new()
    {
        [typeof(RuleRecord)] = new("rule", e => ((RuleRecord)e).Id, e => ((RuleRecord)e).Name,
            [nameof(RuleRecord.Name), nameof(RuleRecord.IsEnabled), nameof(RuleRecord.Json)],
            // The stored JSON carries isEnabled too, so a switch changes both; the verb names the switch.
            entry => Changed(entry, nameof(RuleRecord.IsEnabled)) && !Changed(entry, nameof(RuleRecord.Name))
                ? ((RuleRecord)entry.Entity).IsEnabled ? "enabled" : "disabled"
                : null),
        [typeof(SuppressionRecord)] = new("suppression", e => ((SuppressionRecord)e).Id, e => ((SuppressionRecord)e).Name,
            [nameof(SuppressionRecord.Name), nameof(SuppressionRecord.Enabled), nameof(SuppressionRecord.Json)]),
        [typeof(Views.SavedViewRecord)] = new("saved_view", e => ((Views.SavedViewRecord)e).Id, e => ((Views.SavedViewRecord)e).Name,
            [nameof(Views.SavedViewRecord.Page), nameof(Views.SavedViewRecord.Name), nameof(Views.SavedViewRecord.State)]),
        [typeof(ApiKey)] = new("key", e => ((ApiKey)e).Id.ToString(), e => ((ApiKey)e).Name,
            [nameof(ApiKey.Kind), nameof(ApiKey.Name), nameof(ApiKey.Prefix), nameof(ApiKey.Scopes), nameof(ApiKey.UserId), nameof(ApiKey.RevokedAt)],
            entry => Changed(entry, nameof(ApiKey.RevokedAt)) ? "revoked" : null),
        [typeof(VigilUser)] = new("member", e => ((VigilUser)e).Id.ToString(), e => ((VigilUser)e).Email,
            [nameof(VigilUser.Email), nameof(VigilUser.Role), nameof(VigilUser.EmailConfirmed), nameof(VigilUser.TwoFactorEnabled), nameof(VigilUser.IsInstanceAdmin)],
            entry => Changed(entry, nameof(VigilUser.Role)) ? "role_changed"
                : Changed(entry, nameof(VigilUser.TwoFactorEnabled)) ? ((VigilUser)entry.Entity).TwoFactorEnabled ? "mfa_enabled" : "mfa_disabled"
                : Changed(entry, nameof(VigilUser.EmailConfirmed)) ? "email_confirmed"
                : null),
        [typeof(Invitation)] = new("invitation", e => ((Invitation)e).Id.ToString(), e => ((Invitation)e).Email,
            [nameof(Invitation.Email), nameof(Invitation.Role), nameof(Invitation.ExpiresAt), nameof(Invitation.AcceptedAt), nameof(Invitation.RevokedAt)],
            entry => Changed(entry, nameof(Invitation.AcceptedAt)) ? "accepted" : Changed(entry, nameof(Invitation.RevokedAt)) ? "revoked" : null),
        [typeof(Tenant)] = new("organisation", e => ((Tenant)e).Id.ToString(), e => ((Tenant)e).Name,
            [nameof(Tenant.Name), nameof(Tenant.Slug), nameof(Tenant.TimeZone), nameof(Tenant.NotificationEmail), nameof(Tenant.RetentionDays), nameof(Tenant.RequireMfa), nameof(Tenant.DisabledAt)],
            entry => Changed(entry, nameof(Tenant.DisabledAt)) ? ((Tenant)entry.Entity).DisabledAt is null ? "enabled" : "disabled" : null),
    };

    /// <summary>The audit entries describing the pending changes of <paramref name="db"/>.</summary>
    public static List<AuditEntry> Describe(VigilDbContext db, AuditActor actor, DateTimeOffset now, string? message)
    {
        var entries = new List<AuditEntry>();
        foreach (var entry in db.ChangeTracker.Entries())
        {
            if (entry.State is not (EntityState.Added or EntityState.Modified or EntityState.Deleted)
                || !Entities.TryGetValue(entry.Metadata.ClrType, out var audited))
            {
                continue;
            }
            // An organisation's deletion removes its whole trail with it; nothing is left to record it in.
            if (entry.Entity is Tenant && entry.State == EntityState.Deleted)
            {
                continue;
            }
            var before = entry.State == EntityState.Added ? null : Snapshot(entry, audited.Fields, original: true);
            var after = entry.State == EntityState.Deleted ? null : Snapshot(entry, audited.Fields, original: false);
            if (entry.State == EntityState.Modified && JsonNode.DeepEquals(before, after))
            {
                continue;
            }
            var verb = entry.State switch
            {
                EntityState.Added => "created",
                EntityState.Deleted => "deleted",
                _ => audited.Verb?.Invoke(entry) ?? "updated",
            };
            var type = entry.Entity is ApiKey key ? (key.Kind == KeyKind.Api ? "api_key" : "application_key") : audited.Type;
            entries.Add(new AuditEntry
            {
                TenantId = entry.Entity is Tenant tenant ? tenant.Id : ((ITenantOwned)entry.Entity).TenantId,
                At = now,
                ActorType = actor.Type,
                ActorId = actor.Id,
                ActorName = actor.Name,
                Ip = actor.Ip,
                Action = $"{type}.{verb}",
                TargetType = type,
                TargetId = audited.Id(entry.Entity),
                TargetName = audited.Name(entry.Entity),
                Before = before?.ToJsonString(),
                After = after?.ToJsonString(),
                Message = message,
            });
        }
        return entries;
    }

    private static bool Changed(EntityEntry entry, string property) =>
        entry.State == EntityState.Modified && !Equals(entry.Property(property).OriginalValue, entry.Property(property).CurrentValue);

    private static JsonObject Snapshot(EntityEntry entry, string[] fields, bool original)
    {
        var snapshot = new JsonObject();
        foreach (var field in fields)
        {
            var property = entry.Property(field);
            var value = original ? property.OriginalValue : property.CurrentValue;
            snapshot[Json.Name(field)] = value switch
            {
                null => null,
                // Stored JSON (rules, suppressions) is recorded as JSON, so that the trail can show a readable diff.
                string text when field == "Json" => TryParse(text),
                DateTimeOffset at => at.ToString("O", CultureInfo.InvariantCulture),
                Enum e => JsonNamingPolicy.SnakeCaseLower.ConvertName(e.ToString()),
                bool b => b,
                int i => i,
                long l => l,
                string s => s,
                _ => Convert.ToString(value, CultureInfo.InvariantCulture),
            };
        }
        return snapshot;
    }

    private static JsonNode? TryParse(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return text;
        }
    }

    private static class Json
    {
        public static string Name(string field) => field == "Json" ? "definition" : JsonNamingPolicy.SnakeCaseLower.ConvertName(field);
    }
}
