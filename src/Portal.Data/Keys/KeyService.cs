using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;

namespace Portal.Data.Keys;

/// <summary>Creates, lists, resolves and revokes API and application keys. Secrets are returned once and stored hashed.</summary>
public sealed class KeyService(TenantDbFactory dbs, TimeProvider clock)
{
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    /// <summary>Creates a key; the returned secret is never retrievable again.</summary>
    public async Task<(ApiKey Key, string Secret)> CreateAsync(Guid tenantId, KeyKind kind, string name, Guid? userId, CancellationToken cancellationToken = default)
    {
        // Datadog's shapes: 32 hex characters for API keys, 40 for application keys.
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(kind == KeyKind.Api ? 16 : 20));
        var key = new ApiKey
        {
            TenantId = tenantId,
            Kind = kind,
            Name = string.IsNullOrWhiteSpace(name) ? (kind == KeyKind.Api ? "API key" : "Application key") : name.Trim(),
            Prefix = secret[..8],
            Hash = Hash(secret),
            UserId = userId,
            CreatedAt = clock.GetUtcNow(),
        };
        await using var db = dbs.Create(tenantId);
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync(cancellationToken);
        return (key, secret);
    }

    /// <summary>The tenant's keys of one kind, newest first (application keys of <paramref name="userId"/> only, when given).</summary>
    public async Task<List<ApiKey>> ListAsync(Guid tenantId, KeyKind kind, Guid? userId = null, CancellationToken cancellationToken = default)
    {
        await using var db = dbs.Create(tenantId);
        var keys = await db.ApiKeys.AsNoTracking()
            .Where(k => k.Kind == kind && (userId == null || k.UserId == userId))
            .ToListAsync(cancellationToken);
        return keys.OrderByDescending(k => k.CreatedAt).ToList();
    }

    /// <summary>Revokes a key of the tenant; false when the tenant has no such key.</summary>
    public async Task<bool> RevokeAsync(Guid tenantId, Guid keyId, CancellationToken cancellationToken = default)
    {
        await using var db = dbs.Create(tenantId);
        var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == keyId, cancellationToken);
        if (key is null)
        {
            return false;
        }
        key.RevokedAt ??= clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    /// <summary>The live key with this secret, across tenants (the secret is what identifies the tenant), or null.</summary>
    public async Task<ApiKey?> ResolveAsync(KeyKind kind, string? secret, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(secret) || secret.Length > 128)
        {
            return null;
        }
        var hash = Hash(secret.Trim());
        await using var db = dbs.Create(null);
        var key = await db.ApiKeys.IgnoreQueryFilters([VigilDbContext.TenantFilter]).AsNoTracking()
            .FirstOrDefaultAsync(k => k.Hash == hash && k.Kind == kind && k.RevokedAt == null, cancellationToken);
        if (key is not null && (key.LastUsedAt is null || clock.GetUtcNow() - key.LastUsedAt > LastUsedResolution))
        {
            await using var tenantDb = dbs.Create(key.TenantId);
            var now = clock.GetUtcNow();
            await tenantDb.ApiKeys.Where(k => k.Id == key.Id).ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedAt, now), cancellationToken);
        }
        return key;
    }

    private static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}
