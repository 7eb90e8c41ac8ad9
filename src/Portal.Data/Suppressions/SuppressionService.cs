using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Detection.Rules;
using Portal.Detection.Suppressions;

namespace Portal.Data.Suppressions;

/// <summary>A suppression with the counts the product shows beside it.</summary>
public sealed record StoredSuppression(Suppression Definition, long SuppressedSignals, long ExcludedEvents, DateTimeOffset UpdatedAt);

/// <summary>A tenant's suppressions: validated on every write, versioned, counted as they hide signals and events.</summary>
public sealed class SuppressionService(TenantDbFactory dbs, TimeProvider clock)
{
    private static readonly JsonSerializerOptions Json = RuleJson.Options;

    /// <summary>Every suppression of the tenant, by name.</summary>
    public async Task<List<StoredSuppression>> ListAsync(Guid tenantId, CancellationToken cancellationToken = default)
    {
        await using var db = dbs.Create(tenantId);
        var records = await db.Suppressions.AsNoTracking().OrderBy(s => s.Name).ToListAsync(cancellationToken);
        return records.Select(ToStored).ToList();
    }

    /// <summary>The tenant's suppressions active now, compiled as the evaluation applies them.</summary>
    public async Task<SuppressionSet> ActiveAsync(Guid tenantId, CancellationToken cancellationToken = default) =>
        new((await ListAsync(tenantId, cancellationToken)).Select(s => s.Definition), clock.GetUtcNow());

    /// <summary>The suppression, or null when the tenant has none with this id.</summary>
    public async Task<StoredSuppression?> GetAsync(Guid tenantId, string id, CancellationToken cancellationToken = default)
    {
        await using var db = dbs.Create(tenantId);
        var record = await db.Suppressions.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, cancellationToken);
        return record is null ? null : ToStored(record);
    }

    /// <summary>Parses JSON (Datadog's attributes object) into a suppression, or the errors.</summary>
    public static (Suppression? Suppression, IReadOnlyList<RuleError> Errors) Parse(string json)
    {
        Suppression? suppression;
        try
        {
            suppression = JsonSerializer.Deserialize<Suppression>(json, Json);
        }
        catch (JsonException e)
        {
            return (null, [new RuleError(string.IsNullOrEmpty(e.Path) ? "$" : e.Path, "invalid JSON or wrong type")]);
        }
        if (suppression is null)
        {
            return (null, [new RuleError("$", "expected a suppression object")]);
        }
        var errors = Suppression.Validate(suppression);
        return errors.Count == 0 ? (suppression, errors) : (null, errors);
    }

    /// <summary>Validates and stores a new suppression.</summary>
    public async Task<(StoredSuppression? Suppression, IReadOnlyList<RuleError> Errors)> CreateAsync(Guid tenantId, string json, CancellationToken cancellationToken = default)
    {
        var (suppression, errors) = Parse(json);
        if (suppression is null)
        {
            return (null, errors);
        }
        var now = clock.GetUtcNow();
        suppression.Id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        suppression.Version = 1;
        suppression.CreationDate = now.ToUnixTimeMilliseconds();
        await using var db = dbs.Create(tenantId);
        var record = new SuppressionRecord
        {
            Id = suppression.Id,
            Name = suppression.Name,
            Enabled = suppression.Enabled,
            Json = JsonSerializer.Serialize(suppression, Json),
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Suppressions.Add(record);
        await db.SaveChangesAsync(cancellationToken);
        return (ToStored(record), []);
    }

    /// <summary>Replaces the fields given in <paramref name="changes"/> (Datadog's PATCH); null and no errors when there is no such suppression.</summary>
    public async Task<(StoredSuppression? Suppression, IReadOnlyList<RuleError> Errors)> UpdateAsync(Guid tenantId, string id, System.Text.Json.Nodes.JsonObject changes, CancellationToken cancellationToken = default)
    {
        await using var db = dbs.Create(tenantId);
        var record = await db.Suppressions.FirstOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (record is null)
        {
            return (null, []);
        }
        var merged = System.Text.Json.Nodes.JsonNode.Parse(record.Json)!.AsObject();
        foreach (var (name, value) in changes)
        {
            if (name is not ("id" or "version" or "creation_date"))
            {
                merged[name] = value?.DeepClone();
            }
        }
        var (suppression, errors) = Parse(merged.ToJsonString());
        if (suppression is null)
        {
            return (null, errors);
        }
        suppression.Version++;
        record.Name = suppression.Name;
        record.Enabled = suppression.Enabled;
        record.Version = suppression.Version;
        record.Json = JsonSerializer.Serialize(suppression, Json);
        record.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return (ToStored(record), []);
    }

    /// <summary>Deletes a suppression; false when the tenant has none with this id.</summary>
    public async Task<bool> DeleteAsync(Guid tenantId, string id, CancellationToken cancellationToken = default)
    {
        await using var db = dbs.Create(tenantId);
        // Loaded and removed, not deleted in bulk: the deletion goes through the audit trail.
        var record = await db.Suppressions.FirstOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (record is null)
        {
            return false;
        }
        db.Suppressions.Remove(record);
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    /// <summary>Adds to the counts of what suppressions hid during an evaluation run.</summary>
    public async Task CountAsync(Guid tenantId, IReadOnlyDictionary<string, (long Signals, long Events)> hidden, CancellationToken cancellationToken = default)
    {
        if (hidden.Count == 0)
        {
            return;
        }
        await using var db = dbs.Create(tenantId);
        foreach (var (id, (signals, events)) in hidden)
        {
            await db.Suppressions.Where(s => s.Id == id).ExecuteUpdateAsync(
                u => u.SetProperty(s => s.SuppressedSignals, s => s.SuppressedSignals + signals).SetProperty(s => s.ExcludedEvents, s => s.ExcludedEvents + events),
                cancellationToken);
        }
    }

    private static StoredSuppression ToStored(SuppressionRecord record)
    {
        var suppression = JsonSerializer.Deserialize<Suppression>(record.Json, Json)!;
        suppression.Id = record.Id;
        suppression.Version = record.Version;
        return new StoredSuppression(suppression, record.SuppressedSignals, record.ExcludedEvents, record.UpdatedAt);
    }
}
