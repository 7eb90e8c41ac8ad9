using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Portal.Detection.Content;
using Portal.Detection.Evaluation;
using Portal.Detection.Rules;

namespace Portal.Data.Rules;

/// <summary>A tenant's rules: validated on every write, versioned, stored as Datadog JSON.</summary>
public sealed class RuleService(TenantDbFactory dbs, TimeProvider clock)
{
    /// <summary>Every rule of the tenant, by name (rules of one name by id, so that pages of the list never overlap).</summary>
    public async Task<List<DetectionRule>> ListAsync(Guid tenantId, CancellationToken cancellationToken = default)
    {
        await using var db = dbs.Create(tenantId);
        var records = await db.Rules.AsNoTracking().OrderBy(r => r.Name).ThenBy(r => r.Id).ToListAsync(cancellationToken);
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
    /// Replaces a rule's definition. <paramref name="expectedVersion"/>, when given, is the version the writer read: a rule
    /// changed since is not overwritten (<see cref="RuleWrite.StoredVersion"/> says its version).
    /// </summary>
    public Task<RuleWrite> UpdateAsync(Guid tenantId, string id, string json, int? expectedVersion = null, CancellationToken cancellationToken = default) =>
        WriteAsync(tenantId, id, expectedVersion, _ => RuleJson.Parse(json), cancellationToken);

    /// <summary>
    /// Datadog's update: the <paramref name="fields"/> given replace the stored rule's, the others are kept. A
    /// <c>version</c> among them is the version the writer read (see <see cref="UpdateAsync"/>); the server sets the rule's.
    /// Fields are merged into the rule as stored, so a rule that no longer passes validation can be corrected.
    /// </summary>
    public Task<RuleWrite> MergeAsync(Guid tenantId, string id, JsonObject fields, CancellationToken cancellationToken = default)
    {
        var expectedVersion = fields["version"] is JsonValue version && version.TryGetValue<int>(out var read) ? read : (int?)null;
        if (expectedVersion is null && fields["version"] is not null)
        {
            // "3" or 3.5 is no version read: written over whatever is stored, it would lose a change made since.
            return Task.FromResult(new RuleWrite(null, [new RuleError("$.version", "expected the version read, a whole number")]));
        }
        return WriteAsync(tenantId, id, expectedVersion, record =>
        {
            var merged = StoredObject(record.Json);
            foreach (var (name, value) in fields)
            {
                merged[name] = value?.DeepClone();
            }
            merged["isEnabled"] = fields.ContainsKey("isEnabled") ? merged["isEnabled"] : record.IsEnabled;
            var parsed = RuleJson.Parse(merged.ToJsonString());
            if (parsed.Rule is null && fields.All(f => f.Key is "isEnabled" or "version") && fields["isEnabled"] is JsonValue off && off.TryGetValue<bool>(out var on) && !on)
            {
                // A rule that no longer passes validation is turned off as the rules page's switch does it.
                return TurnedOff(record);
            }
            return parsed;
        }, cancellationToken);
    }

    /// <summary>A stored rule's JSON as an object to merge into; an empty one should it no longer read as one.</summary>
    private static JsonObject StoredObject(string json)
    {
        try
        {
            return JsonNode.Parse(json) as JsonObject ?? [];
        }
        catch (System.Text.Json.JsonException)
        {
            return [];
        }
    }

    /// <summary>
    /// Turns a rule on or off. A rule that no longer passes validation can be turned off, not on (its errors are
    /// returned): it would not be evaluated.
    /// </summary>
    public Task<RuleWrite> SetEnabledAsync(Guid tenantId, string id, bool enabled, CancellationToken cancellationToken = default) =>
        WriteAsync(tenantId, id, expectedVersion: null, record =>
        {
            if (!enabled)
            {
                return TurnedOff(record);
            }
            var rule = ToRule(record);
            if (rule.StoredErrors.Count > 0)
            {
                return (null, rule.StoredErrors);
            }
            rule.IsEnabled = true;
            return (rule, []);
        }, cancellationToken);

    /// <summary>The stored rule, valid or not, turned off.</summary>
    private static (DetectionRule? Rule, IReadOnlyList<RuleError> Errors) TurnedOff(RuleRecord record)
    {
        var rule = ToRule(record);
        rule.IsEnabled = false;
        return (rule, []);
    }

    /// <summary>
    /// Writes the rule <paramref name="change"/> makes of the stored one. A rule enabled again starts evaluating from then,
    /// as a new one does: the time it was off (its signals muted) is not judged after the fact. Another write between the
    /// read and this one (the version is the row's concurrency token) is not overwritten: the change is made again of
    /// the rule that write stored.
    /// </summary>
    internal async Task<RuleWrite> WriteAsync(
        Guid tenantId, string id, int? expectedVersion, Func<RuleRecord, (DetectionRule? Rule, IReadOnlyList<RuleError> Errors)> change, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var db = dbs.Create(tenantId);
            var record = await db.Rules.FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
            if (record is null)
            {
                return RuleWrite.NotFound;
            }
            if (expectedVersion is { } expected && expected != record.Version)
            {
                return new RuleWrite(null, [new RuleError("$.version", $"the rule is at version {record.Version}: it changed since version {expected} was read")], StoredVersion: record.Version);
            }
            var before = ToRule(record);
            var wasValid = before.StoredErrors.Count == 0;
            var (rule, errors) = change(record);
            if (rule is null)
            {
                return new RuleWrite(null, errors);
            }
            var now = clock.GetUtcNow();
            var valid = rule.StoredErrors.Count == 0;
            // A rule enabled again, or judged by the scheduler from now on rather than as each batch is indexed (a window
            // given to a single-event rule), starts from then: the time before was muted, or judged already.
            var startsNow = (rule.IsEnabled && !record.IsEnabled) || (wasValid && valid && RealTimeRules.IsRealTime(before) && !RealTimeRules.IsRealTime(rule));
            if (startsNow || (valid && !wasValid))
            {
                var state = await db.RuleRunStates.FirstOrDefaultAsync(s => s.RuleId == id, cancellationToken);
                if (state is null)
                {
                    db.RuleRunStates.Add(new RuleRunState { RuleId = id, Watermark = now });
                }
                else if (startsNow)
                {
                    state.Watermark = state.Watermark > now ? state.Watermark : now;
                }
                if (state is not null && valid && !wasValid)
                {
                    // Corrected: what its runs said of the rule as it was no longer holds.
                    state.LastError = null;
                }
            }
            rule.Id = id;
            rule.Version = record.Version + 1;
            rule.IsDefault = record.IsDefault;
            rule.CreatedAt = record.CreatedAt.ToUnixTimeMilliseconds();
            // A rule that no longer passes validation, turned off, keeps its name and JSON as they were stored.
            record.Name = valid ? rule.Name : record.Name;
            record.IsEnabled = rule.IsEnabled;
            record.Version = rule.Version;
            record.Json = valid ? RuleJson.Serialize(rule) : record.Json;
            record.UpdatedAt = now;
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return new RuleWrite(rule, []);
            }
            catch (DbUpdateConcurrencyException) when (attempt < MaxWriteAttempts && expectedVersion is null)
            {
                // Written meanwhile: read it again and make the change of what is stored now.
            }
            catch (DbUpdateConcurrencyException)
            {
                var stored = await db.Rules.AsNoTracking().Where(r => r.Id == id).Select(r => (int?)r.Version).FirstOrDefaultAsync(CancellationToken.None);
                return stored is null
                    ? RuleWrite.NotFound
                    : new RuleWrite(null, [new RuleError("$.version", $"the rule is at version {stored}: it changed while it was written")], StoredVersion: stored);
            }
        }
    }

    /// <summary>How many times a write is made again when another write came between its read and its save.</summary>
    private const int MaxWriteAttempts = 5;

    /// <summary>Deletes a rule and its run state; false when the tenant has no such rule.</summary>
    public async Task<bool> DeleteAsync(Guid tenantId, string id, CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
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
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return true;
            }
            catch (DbUpdateConcurrencyException) when (attempt < MaxWriteAttempts)
            {
                // Changed (its version moved) or deleted meanwhile: read it again.
            }
        }
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

    /// <summary>
    /// The rule a record stores. One that no longer passes validation is read as it is (or, should it no longer read as a
    /// rule, as its name alone) with its <see cref="DetectionRule.StoredErrors"/>: one such rule must not hide the others
    /// or stop their evaluation.
    /// </summary>
    internal static DetectionRule ToRule(RuleRecord record)
    {
        var (valid, errors) = RuleJson.Parse(record.Json);
        var rule = valid ?? RuleJson.ReadUnchecked(record.Json) ?? new DetectionRule { Name = record.Name };
        rule.StoredErrors = errors;
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

/// <summary>
/// What a write of a rule did: the rule as stored; or its validation errors; or, with <see cref="StoredVersion"/>, the
/// version stored when it is not the one the writer read; or no such rule (<see cref="Found"/> false).
/// </summary>
public sealed record RuleWrite(DetectionRule? Rule, IReadOnlyList<RuleError> Errors, bool Found = true, int? StoredVersion = null)
{
    /// <summary>The organisation has no rule of that id.</summary>
    public static RuleWrite NotFound { get; } = new(null, [], Found: false);

    /// <summary>The rule as stored and the errors, as a create's result reads.</summary>
    public void Deconstruct(out DetectionRule? rule, out IReadOnlyList<RuleError> errors) => (rule, errors) = (Rule, Errors);
}
