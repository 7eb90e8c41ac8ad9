using System.Collections.Concurrent;

namespace Portal.Web.Features.Detection;

/// <summary>One lock per tenant: its scheduled evaluation's turn (one run at a time; the watermarks make a skipped run safe).</summary>
public sealed class TenantLocks
{
    private readonly ConcurrentDictionary<Guid, SemaphoreSlim> _locks = new();

    /// <summary>Waits for the tenant's lock; dispose the result to release it.</summary>
    public async Task<IDisposable> AcquireAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        var semaphore = _locks.GetOrAdd(tenantId, _ => new SemaphoreSlim(1, 1));
        await semaphore.WaitAsync(cancellationToken);
        return new Releaser(semaphore);
    }

    /// <summary>The tenant's lock if it is free now, else null (nothing to release).</summary>
    public async Task<IDisposable?> TryAcquireAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        var semaphore = _locks.GetOrAdd(tenantId, _ => new SemaphoreSlim(1, 1));
        return await semaphore.WaitAsync(TimeSpan.Zero, cancellationToken) ? new Releaser(semaphore) : null;
    }

    private sealed class Releaser(SemaphoreSlim semaphore) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                semaphore.Release();
            }
        }
    }
}

/// <summary>
/// The per-tenant lock of signal writes: the real-time stage (its reads of open signals and its writes), each window an
/// evaluation stores (copying the stored triage first) and triage. Held only for a write, never for a run: the stage runs on
/// the indexing loop, which an evaluation holding <see cref="TenantLocks"/> may wait for (it refreshes the index first).
/// </summary>
public sealed class RealTimeSignalLocks
{
    /// <summary>The locks, one per tenant.</summary>
    public TenantLocks Locks { get; } = new();
}
