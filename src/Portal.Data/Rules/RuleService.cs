using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Portal.Detection.Content;
using Portal.Detection.Rules;

namespace Portal.Data.Rules;

/// <summary>A tenant's rules: validated on every write, versioned, stored as Datadog JSON.</summary>
public sealed class RuleService(TenantDbFactory dbs, TimeProvider clock)
{
    /// <summary>Every rule of the tenant, by name.</summary>
    public async Task<List<DetectionRule>> ListAsync(Guid tenantId, CancellationToken cancellationToken = default)
    {
        await using var db = dbs.Create(tenantId);
        var records = await db.Rules.AsNoTracking().OrderBy(r => r.Name).ToListAsync(cancellationToken);
        return records.Select(ToRule).ToList();
    }

    /// <summary>The rule, or null when the tenant has no rule with this id.</summary>
    public async Task<DetectionRule?> GetAsync(Guid tenantId, string id, CancellationToken cancellationToken = default)
    {
        await using var db = dbs.Create(tenantId);
        var record = await db.Rules.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
        return record is null ? null : ToRule(record);
    }

    /// <summary>Validates and stores a new rule; returns the stored rule or the validation errors.</summary>
    public async Task<(DetectionRule? Rule, IReadOnlyList<RuleError> Errors)> CreateAsync(Guid tenantId, string json, Guid? userId, bool isDefault = false, CancellationToken cancellationToken = default)
    {
        var (rule, errors) = RuleJson.Parse(json);
        if (rule is null)
        {
            return (null, errors);
        }
        var now = clock.GetUtcNow();
        rule.Id = NewId();
        rule.Version = 1;
        rule.IsDefault = isDefault;
        rule.CreatedAt = now.ToUnixTimeMilliseconds();
        await using var db = dbs.Create(tenantId);
        db.Rules.Add(new RuleRecord
        {
            Id = rule.Id,
            Name = rule.Name,
            IsEnabled = rule.IsEnabled,
            IsDefault = isDefault,
            Json = RuleJson.Serialize(rule),
            CreatedAt = now,
            UpdatedAt = now,
            CreatedByUserId = userId,
        });
        // A new rule starts evaluating from its creation: it does not scan the tenant's whole history.
        db.RuleRunStates.Add(new RuleRunState { RuleId = rule.Id, Watermark = now });
        await db.SaveChangesAsync(cancellationToken);
        return (rule, []);
    }

    /// <summary>
    /// Replaces a rule's definition; null rule and no errors when the tenant has no such rule. A rule enabled again starts
    /// evaluating from then, as a new one does: the time it was off (its signals muted) is not judged after the fact.
    /// </summary>
    public async Task<(DetectionRule? Rule, IReadOnlyList<RuleError> Errors)> UpdateAsync(Guid tenantId, string id, string json, CancellationToken cancellationToken = default)
    {
        var (rule, errors) = RuleJson.Parse(json);
        if (rule is null)
        {
            return (null, errors);
        }
        await using var db = dbs.Create(tenantId);
        var record = await db.Rules.FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (record is null)
        {
            return (null, []);
        }
        var existing = ToRule(record);
        if (rule.IsEnabled && !record.IsEnabled)
        {
            var now = clock.GetUtcNow();
            if (await db.RuleRunStates.FirstOrDefaultAsync(s => s.RuleId == id, cancellationToken) is { } state)
            {
                state.Watermark = state.Watermark > now ? state.Watermark : now;
            }
            else
            {
                db.RuleRunStates.Add(new RuleRunState { RuleId = id, Watermark = now });
            }
        }
        rule.Id = id;
        rule.Version = existing.Version + 1;
        rule.IsDefault = existing.IsDefault;
        rule.CreatedAt = existing.CreatedAt;
        record.Name = rule.Name;
        record.IsEnabled = rule.IsEnabled;
        record.Version = rule.Version;
        record.Json = RuleJson.Serialize(rule);
        record.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return (rule, []);
    }

    /// <summary>Turns a rule on or off; false when the tenant has no such rule.</summary>
    public async Task<bool> SetEnabledAsync(Guid tenantId, string id, bool enabled, CancellationToken cancellationToken = default)
    {
        var rule = await GetAsync(tenantId, id, cancellationToken);
        if (rule is null)
        {
            return false;
        }
        rule.IsEnabled = enabled;
        var (updated, _) = await UpdateAsync(tenantId, id, RuleJson.Serialize(rule), cancellationToken);
        return updated is not null;
    }

    /// <summary>Deletes a rule and its run state; false when the tenant has no such rule.</summary>
    public async Task<bool> DeleteAsync(Guid tenantId, string id, CancellationToken cancellationToken = default)
    {
        await using var db = dbs.Create(tenantId);
        var record = await db.Rules.FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (record is null)
        {
            return false;
        }
        db.Rules.Remove(record);
        var state = await db.RuleRunStates.FirstOrDefaultAsync(s => s.RuleId == id, cancellationToken);
        if (state is not null)
        {
            db.RuleRunStates.Remove(state);
        }
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    /// <summary>Installs the out-of-the-box rules for a new tenant.</summary>
    public async Task InstallDefaultsAsync(Guid tenantId, CancellationToken cancellationToken = default)
    {
        foreach (var json in OutOfTheBoxRules.LoadJson())
        {
            var (_, errors) = await CreateAsync(tenantId, json, userId: null, isDefault: true, cancellationToken);
            if (errors.Count > 0)
            {
                throw new InvalidOperationException($"An out-of-the-box rule is invalid: {string.Join("; ", errors)}");
            }
        }
    }

    private static DetectionRule ToRule(RuleRecord record)
    {
        var rule = RuleJson.Parse(record.Json).Rule ?? throw new InvalidOperationException($"Stored rule {record.Id} is invalid.");
        rule.Id = record.Id;
        rule.IsEnabled = record.IsEnabled;
        rule.Version = record.Version;
        rule.IsDefault = record.IsDefault;
        return rule;
    }

    /// <summary>Datadog-style rule ids: three groups of three base-36 characters ("abc-def-ghi").</summary>
    private static string NewId()
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        var chars = new char[11];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = i is 3 or 7 ? '-' : alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
        }
        return new string(chars);
    }
}
