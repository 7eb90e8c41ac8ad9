using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using System.Runtime.CompilerServices;
using Portal.Data.Identity;
using Portal.Data.Tenancy;

namespace Portal.Data.Keys;

/// <summary>
/// What recent requests learnt about their keys (the key, its organisation, its user), kept for
/// <see cref="Lifetime"/> so that an API call or an intake request does not read the database each time. Every saved
/// change to a key, an organisation or a user empties it (<see cref="CredentialChanges"/>): on this instance a revoked
/// key is refused from the next request on, and other instances of the portal refuse it within <see cref="Lifetime"/>.
/// Only what was found is kept; an unknown key is looked up every time.
/// </summary>
public sealed class CredentialCache(TimeProvider clock)
{
    /// <summary>How long a lookup is trusted without a change seen on this instance.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(5);

    private const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<(string Kind, string Key), (object Value, DateTimeOffset Expires, long Generation)> _entries = new();
    private long _generation;

    /// <summary>Changes on every <see cref="Invalidate"/>: read it before a lookup and hand it to <see cref="Set"/>.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    /// <summary>The value kept under <paramref name="kind"/> and <paramref name="key"/>, if still fresh.</summary>
    public bool TryGet<T>(string kind, string key, out T value) where T : class => TryGet(kind, key, out value, out _);

    /// <summary>
    /// <see cref="TryGet{T}(string, string, out T)"/>, and whether the value is in the second half of its life: a caller
    /// that reads it again now keeps it fresh for requests that follow, without any of them waiting.
    /// </summary>
    public bool TryGet<T>(string kind, string key, out T value, out bool aging) where T : class
    {
        var now = clock.GetUtcNow();
        // An entry read before the last change is never used, even in the moment before Set removes it.
        if (_entries.TryGetValue((kind, key), out var entry) && entry.Expires > now && entry.Generation == Generation && entry.Value is T found)
        {
            value = found;
            aging = entry.Expires - now < Lifetime / 2;
            return true;
        }
        (value, aging) = (null!, false);
        return false;
    }

    /// <summary>
    /// Keeps <paramref name="value"/>, read from the database after <paramref name="generation"/> was taken; a change
    /// saved since then means the value may be stale, and it is dropped.
    /// </summary>
    public void Set(string kind, string key, object value, long generation)
    {
        if (_entries.Count >= MaxEntries)
        {
            _entries.Clear();
        }
        _entries[(kind, key)] = (value, clock.GetUtcNow() + Lifetime, generation);
        if (Generation != generation)
        {
            _entries.TryRemove((kind, key), out _);
        }
    }

    /// <summary>Forgets what is kept under <paramref name="kind"/> and <paramref name="key"/> (found no longer).</summary>
    public void Remove(string kind, string key) => _entries.TryRemove((kind, key), out _);

    /// <summary>Forgets everything kept.</summary>
    public void Invalidate()
    {
        Interlocked.Increment(ref _generation);
        _entries.Clear();
    }
}

/// <summary>
/// Empties the <see cref="CredentialCache"/> after any save that changes or deletes a key, an organisation or a user
/// (and before it too, so that no lookup running meanwhile keeps what the save replaces); inside a transaction, once
/// more when it commits, since until then lookups still read the old rows.
/// </summary>
public sealed class CredentialChanges(CredentialCache cache) : SaveChangesInterceptor, IDbTransactionInterceptor
{
    private static readonly ConditionalWeakTable<DbContext, object> Pending = new();
    private static readonly ConditionalWeakTable<DbContext, object> Committing = new();

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Note(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Note(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Flush(eventData.Context);
        return result;
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Flush(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData) => Flush(eventData.Context);

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Flush(eventData.Context);
        return Task.CompletedTask;
    }

    private void Note(DbContext? context)
    {
        if (context is null || !context.ChangeTracker.Entries().Any(e => e.State is EntityState.Modified or EntityState.Deleted && e.Entity is ApiKey or Tenant or VigilUser))
        {
            return;
        }
        Pending.AddOrUpdate(context, Pending);
        cache.Invalidate();
    }

    private void Flush(DbContext? context)
    {
        if (context is not null && Pending.Remove(context))
        {
            cache.Invalidate();
            if (context.Database.CurrentTransaction is not null)
            {
                Committing.AddOrUpdate(context, Committing);
            }
        }
    }

    void IDbTransactionInterceptor.TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Ended(eventData.Context);

    Task IDbTransactionInterceptor.TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken)
    {
        Ended(eventData.Context);
        return Task.CompletedTask;
    }

    void IDbTransactionInterceptor.TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Ended(eventData.Context);

    Task IDbTransactionInterceptor.TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken)
    {
        Ended(eventData.Context);
        return Task.CompletedTask;
    }

    private void Ended(DbContext? context)
    {
        if (context is not null && Committing.Remove(context))
        {
            cache.Invalidate();
        }
    }
}
