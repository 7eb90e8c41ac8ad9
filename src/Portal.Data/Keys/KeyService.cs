using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Portal.Data.Audit;
using Portal.Data.Identity;

namespace Portal.Data.Keys;

/// <summary>
/// Creates, lists, renames, rotates, resolves and revokes API and application keys. Secrets are returned once and
/// stored hashed. The methods taking a <see cref="KeyActor"/> enforce who may do what (<see cref="KeyActor.CanManage"/>);
/// the others are for the system (sign-up, the CLI, tests). A revoked key is refused from the next request on (on other
/// instances of the portal, within <see cref="CredentialCache.Lifetime"/>): <see cref="ResolveAsync"/> keeps what it
/// found only until a key, an organisation or a user changes.
/// </summary>
public sealed class KeyService(TenantDbFactory dbs, TimeProvider clock, CredentialCache cache, AuditLog audit)
{
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    /// <summary>Creates a key; the returned secret is never retrievable again.</summary>
    public async Task<(ApiKey Key, string Secret)> CreateAsync(Guid tenantId, KeyKind kind, string name, Guid? userId, CancellationToken cancellationToken = default)
    {
        var (key, secret) = NewKey(tenantId, kind, string.IsNullOrWhiteSpace(name) ? DefaultName(kind) : name.Trim(), userId, scopes: null);
        await using var db = dbs.Create(tenantId);
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync(cancellationToken);
        return (key, secret);
    }

    /// <summary>
    /// Creates a key as <paramref name="actor"/>: an API key of the organisation (admins and owners), or an application
    /// key of the actor's own, optionally restricted to <paramref name="scopes"/> (<see cref="Permissions.Scopes"/>).
    /// </summary>
    public async Task<KeyChange> CreateAsync(KeyActor actor, Guid tenantId, KeyKind kind, string? name, IEnumerable<string?>? scopes = null, CancellationToken cancellationToken = default)
    {
        await using var db = dbs.Create(tenantId);
        if (await CurrentAsync(db, actor, cancellationToken) is not { } current)
        {
            return await DeniedAsync(tenantId, kind, "create", null, NoLongerMember);
        }
        actor = current;
        if (kind == KeyKind.Api && !Permissions.Allows(actor.Role, Permission.KeysManage))
        {
            return await DeniedAsync(tenantId, kind, "create", null,
                KeyChange.Forbidden($"The {Permissions.RoleLabel(actor.Role)} role does not allow managing the organisation's API keys."));
        }
        if (CheckName(name, required: false) is { } nameError)
        {
            return nameError;
        }
        var (stored, scopeError) = Scopes(kind, scopes);
        if (scopeError is not null)
        {
            return scopeError;
        }
        var (key, secret) = NewKey(tenantId, kind, string.IsNullOrWhiteSpace(name) ? DefaultName(kind) : name.Trim(), actor.UserId, stored);
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync(cancellationToken);
        return new KeyChange(key, secret);
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

    /// <summary>The tenant's key with this id, or null (another tenant's id is not found).</summary>
    public async Task<ApiKey?> GetAsync(Guid tenantId, Guid keyId, CancellationToken cancellationToken = default)
    {
        await using var db = dbs.Create(tenantId);
        return await db.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Id == keyId, cancellationToken);
    }

    /// <summary>Renames a key the actor manages.</summary>
    public Task<KeyChange> RenameAsync(KeyActor actor, Guid tenantId, Guid keyId, string? name, CancellationToken cancellationToken = default) =>
        UpdateAsync(actor, tenantId, keyId, name, setScopes: false, scopes: null, cancellationToken);

    /// <summary>
    /// Changes a key the actor manages: its name when <paramref name="name"/> is given, and its scopes when
    /// <paramref name="setScopes"/> (null or empty: unrestricted). Nothing is stored when either is invalid.
    /// </summary>
    public async Task<KeyChange> UpdateAsync(
        KeyActor actor, Guid tenantId, Guid keyId, string? name, bool setScopes, IEnumerable<string?>? scopes, CancellationToken cancellationToken = default)
    {
        await using var db = dbs.Create(tenantId);
        var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == keyId, cancellationToken);
        if (await RefusalAsync(db, actor, key, manage: true, cancellationToken) is { } refused)
        {
            return await DeniedAsync(tenantId, key?.Kind, "update", key, refused);
        }
        if (name is not null && CheckName(name, required: true) is { } nameError)
        {
            return nameError;
        }
        var (stored, scopeError) = setScopes ? Scopes(key!.Kind, scopes) : (key!.Scopes, null);
        if (scopeError is not null)
        {
            return scopeError;
        }
        key.Name = name?.Trim() ?? key.Name;
        key.Scopes = stored;
        await db.SaveChangesAsync(cancellationToken);
        return new KeyChange(key);
    }

    /// <summary>
    /// Replaces a live key the actor manages by a new one of the same name, kind, user and scopes, and revokes the old
    /// one in the same transaction. The new secret is returned once.
    /// </summary>
    public async Task<KeyChange> RotateAsync(KeyActor actor, Guid tenantId, Guid keyId, CancellationToken cancellationToken = default)
    {
        await using var db = dbs.Create(tenantId);
        var old = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == keyId, cancellationToken);
        if (await RefusalAsync(db, actor, old, manage: true, cancellationToken) is { } refused)
        {
            return await DeniedAsync(tenantId, old?.Kind, "rotate", old, refused);
        }
        if (old!.RevokedAt is not null)
        {
            return Revoked;
        }
        var (key, secret) = NewKey(tenantId, old.Kind, old.Name, old.UserId, old.Scopes);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // The old key is claimed where it is still live, in the transaction that adds its successor: of two rotations (or
        // a rotation and a revoke) at once, one finds it taken, where both read it live and each left a successor.
        var claimed = await db.ApiKeys.Where(k => k.Id == keyId && k.RevokedAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(k => k.RevokedAt, key.CreatedAt), cancellationToken);
        if (claimed == 0)
        {
            return Revoked;
        }
        // Also through the context, which records the change in the audit trail.
        old.RevokedAt = key.CreatedAt;
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new KeyChange(key, secret);
    }

    private static KeyChange Revoked => new(null, Failure: KeyFailure.Invalid, Message: "This key is revoked; create a new key instead.");

    /// <summary>Revokes a key as <paramref name="actor"/> (<see cref="KeyActor.CanRevoke"/>); revoking twice keeps the first time.</summary>
    public async Task<KeyChange> RevokeAsync(KeyActor actor, Guid tenantId, Guid keyId, CancellationToken cancellationToken = default)
    {
        await using var db = dbs.Create(tenantId);
        var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == keyId, cancellationToken);
        if (await RefusalAsync(db, actor, key, manage: false, cancellationToken) is { } refused)
        {
            return await DeniedAsync(tenantId, key?.Kind, "revoke", key, refused);
        }
        key!.RevokedAt ??= clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return new KeyChange(key);
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
    public async Task<ApiKey?> ResolveAsync(KeyKind kind, string? secret, CancellationToken cancellationToken = default) =>
        (await ResolveWithOrganisationAsync(kind, secret, cancellationToken))?.Key;

    /// <summary>
    /// The live key with this secret and whether its organisation is disabled (read in the same query), or null. Records
    /// the use at most once a minute.
    /// </summary>
    /// <remarks>
    /// The database is kept off the requests' path: under steady use a kept key is read again in the background before it
    /// expires (<see cref="CredentialCache.TryGet{T}(string, string, out T, out bool)"/>); requests that find nothing kept
    /// for the same key wait for one lookup (<see cref="SharedLookUp"/>); and the use is recorded in the background. Before,
    /// when the kept entry expired under a burst of intake requests, each read the database and each waited to record the
    /// use, and SQLite's writers wait for each other by sleeping: session 31's intake benchmark saw the thread pool complete
    /// nothing for 133 ms, and a p99 of 163 ms.
    /// </remarks>
    public async Task<ResolvedKey?> ResolveWithOrganisationAsync(KeyKind kind, string? secret, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(secret) || secret.Length > 128)
        {
            return null;
        }
        var hash = Hash(secret.Trim());
        if (cache.TryGet<ResolvedKey>(CacheKind(kind), hash, out var resolved, out var aging))
        {
            if (aging)
            {
                // Read again before it expires, while this request goes on with what is kept. A failure is the next
                // lookup's to meet, once the entry expires.
                _ = SharedLookUp(kind, hash, cache.Generation);
            }
            return resolved;
        }
        return await SharedLookUp(kind, hash, cache.Generation).WaitAsync(cancellationToken);
    }

    private static string CacheKind(KeyKind kind) => kind == KeyKind.Api ? "api-key" : "application-key";

    /// <summary>
    /// The lookup of <paramref name="hash"/> running since <paramref name="generation"/> of the cache, or a new one, on the
    /// thread pool: a lookup started before a change (a revocation) is never joined after it, so a revoked key is still
    /// refused from the next request on, and a waiter that gives up does not cancel it for the others.
    /// </summary>
    private Task<ResolvedKey?> SharedLookUp(KeyKind kind, string hash, long generation)
    {
        var key = (kind, hash, generation);
        while (true)
        {
            if (_lookups.TryGetValue(key, out var running))
            {
                return running;
            }
            var done = new TaskCompletionSource<ResolvedKey?>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_lookups.TryAdd(key, done.Task))
            {
                // A failure is seen by whoever waits; observed here too, for a refresh nobody waits for.
                _ = done.Task.ContinueWith(
                    static failed => _ = failed.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                // SQLite's calls block their thread: not the caller's.
                _ = Task.Run(() => RunLookUpAsync(key, done));
                return done.Task;
            }
        }
    }

    private readonly ConcurrentDictionary<(KeyKind Kind, string Hash, long Generation), Task<ResolvedKey?>> _lookups = new();

    private async Task RunLookUpAsync((KeyKind Kind, string Hash, long Generation) key, TaskCompletionSource<ResolvedKey?> done)
    {
        ResolvedKey? found = null;
        Exception? failure = null;
        try
        {
            found = await LookUpAsync(key.Kind, key.Hash, key.Generation);
        }
        catch (Exception e)
        {
            failure = e;
        }
        // Out of the running lookups before it completes: a lookup found there is always still running, so a refresh
        // asked for once this one answered starts afresh instead of joining it.
        _lookups.TryRemove(new KeyValuePair<(KeyKind, string, long), Task<ResolvedKey?>>(key, done.Task));
        if (failure is null)
        {
            done.SetResult(found);
        }
        else
        {
            done.SetException(failure);
        }
    }

    /// <summary>The key's row and its organisation's state, read and kept in the cache; its use recorded at most once a minute, in the background.</summary>
    private async Task<ResolvedKey?> LookUpAsync(KeyKind kind, string hash, long generation)
    {
        await using var db = dbs.Create(null);
        var found = await db.ApiKeys.IgnoreQueryFilters([VigilDbContext.TenantFilter]).AsNoTracking()
            .Where(k => k.Hash == hash && k.Kind == kind && k.RevokedAt == null)
            .Select(k => new { Key = k, Disabled = db.Tenants.Any(t => t.Id == k.TenantId && t.DisabledAt != null) })
            .FirstOrDefaultAsync();
        if (found is null)
        {
            // Revoked or disabled since it was kept (on another instance of the portal): refused from now on, not when the
            // entry expires.
            cache.Remove(CacheKind(kind), hash);
            return null;
        }
        var key = found.Key;
        var now = clock.GetUtcNow();
        if ((key.LastUsedAt is null || now - key.LastUsedAt > LastUsedResolution) && RecordingDue(key.Id, now))
        {
            _ = Task.Run(() => RecordUseAsync(key));
        }
        var resolved = new ResolvedKey(key, found.Disabled);
        cache.Set(CacheKind(kind), hash, resolved, generation);
        return resolved;
    }

    /// <summary>
    /// Whether this instance should record a use of <paramref name="key"/> now: not when it started one less than
    /// <see cref="LastUsedResolution"/> ago, whether or not that write has landed (a busy database must not get one more
    /// waiting writer with every refresh).
    /// </summary>
    private bool RecordingDue(Guid key, DateTimeOffset now)
    {
        if (_recordings.TryGetValue(key, out var started) && now - started < LastUsedResolution)
        {
            return false;
        }
        if (_recordings.Count >= 10_000)
        {
            _recordings.Clear();
        }
        _recordings[key] = now;
        return true;
    }

    private readonly ConcurrentDictionary<Guid, DateTimeOffset> _recordings = new();

    /// <summary>
    /// Records that <paramref name="key"/> was used, now. A time of last use is worth no request's wait, and its failure
    /// none's either (the database busy past its timeout, the portal stopping): the next use a minute on records it.
    /// </summary>
    private async Task RecordUseAsync(ApiKey key)
    {
        try
        {
            await using var tenantDb = dbs.Create(key.TenantId);
            var now = clock.GetUtcNow();
            await tenantDb.ApiKeys.Where(k => k.Id == key.Id).ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedAt, now));
        }
        catch (Exception)
        {
            // Nothing to do: see above.
        }
    }

    private (ApiKey Key, string Secret) NewKey(Guid tenantId, KeyKind kind, string name, Guid? userId, string? scopes)
    {
        // Datadog's shapes: 32 hex characters for API keys, 40 for application keys.
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(kind == KeyKind.Api ? 16 : 20));
        var key = new ApiKey
        {
            TenantId = tenantId,
            Kind = kind,
            Name = name,
            Prefix = secret[..8],
            Hash = Hash(secret),
            UserId = userId,
            Scopes = scopes,
            CreatedAt = clock.GetUtcNow(),
        };
        return (key, secret);
    }

    private static string DefaultName(KeyKind kind) => kind == KeyKind.Api ? "API key" : "Application key";

    /// <summary>Why <paramref name="actor"/>, as the database has them now, may not change the key; null when they may.</summary>
    private static async Task<KeyChange?> RefusalAsync(VigilDbContext db, KeyActor actor, ApiKey? key, bool manage, CancellationToken cancellationToken) =>
        key is null ? KeyChange.NotFound()
        : await CurrentAsync(db, actor, cancellationToken) is { } current ? Refusal(current, key, manage)
        : NoLongerMember;

    /// <summary>
    /// The actor with the weaker of their session's role and their stored one (<see cref="StoredRoles"/>): a page open
    /// since a demotion makes no key its member may no longer make; null once they are no longer a member.
    /// </summary>
    private static async Task<KeyActor?> CurrentAsync(VigilDbContext db, KeyActor actor, CancellationToken cancellationToken) =>
        await StoredRoles.OfAsync(db, actor.UserId, cancellationToken) is { } stored ? actor with { Role = StoredRoles.Weaker(actor.Role, stored) } : null;

    /// <summary>
    /// <paramref name="refusal"/>, recorded in the organisation's trail when it is one of the actor's role or membership
    /// (a page open since a demotion), as the API's refusals are; a key not found is not recorded.
    /// </summary>
    private async Task<KeyChange> DeniedAsync(Guid tenantId, KeyKind? kind, string verb, ApiKey? key, KeyChange refusal)
    {
        if (refusal.Failure == KeyFailure.Forbidden)
        {
            var type = kind == KeyKind.Api ? "api_key" : "application_key";
            await audit.RecordAsync(tenantId, new AuditRecord($"{type}.{verb}", type, key?.Id.ToString(), key?.Name)
            {
                Outcome = AuditOutcomes.Denied,
                Message = refusal.Message,
            });
        }
        return refusal;
    }

    private static KeyChange NoLongerMember => KeyChange.Forbidden("You are no longer a member of this organisation.");

    private static KeyChange? Refusal(KeyActor actor, ApiKey? key, bool manage)
    {
        if (key is null || !actor.CanSee(key))
        {
            return KeyChange.NotFound();
        }
        if (manage ? actor.CanManage(key) : actor.CanRevoke(key))
        {
            return null;
        }
        return KeyChange.Forbidden(key.Kind == KeyKind.Api
            ? $"The {Permissions.RoleLabel(actor.Role)} role does not allow managing the organisation's API keys."
            : "Only its owner may change an application key; admins and owners may revoke it.");
    }

    private static KeyChange? CheckName(string? name, bool required)
    {
        var trimmed = name?.Trim() ?? "";
        if (required && trimmed.Length == 0)
        {
            return KeyChange.Invalid("name", "Enter a name for the key.");
        }
        return trimmed.Length > KeyScopes.MaxNameLength
            ? KeyChange.Invalid("name", $"A key's name has at most {KeyScopes.MaxNameLength} characters.")
            : null;
    }

    private static (string? Stored, KeyChange? Error) Scopes(KeyKind kind, IEnumerable<string?>? scopes)
    {
        var (stored, error) = KeyScopes.Normalize(scopes);
        if (error is not null)
        {
            return (null, KeyChange.Invalid("scopes", error));
        }
        return kind == KeyKind.Api && stored is not null
            ? (null, KeyChange.Invalid("scopes", "API keys have no scopes; scopes restrict application keys."))
            : (stored, null);
    }

    /// <summary>Lower-case hex SHA-256 of a secret, as keys and invitation tokens are stored.</summary>
    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}
