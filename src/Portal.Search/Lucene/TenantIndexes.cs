using System.Collections.Concurrent;
using Portal.Search.Journal;

namespace Portal.Search.Lucene;

/// <summary>
/// Opens each tenant's indexes once and keeps them open: <c>{data}/tenants/{tenant}/{kind}</c>.
/// One directory per tenant and kind, so no query can ever reach another tenant's documents. Journaled indexes refuse
/// appends beyond <paramref name="maxPendingEvents"/> events not yet indexed, and keep up to
/// <paramref name="maxBufferedBytes"/> of those in memory each, and <paramref name="maxBufferedBytesInAll"/> in all (the rest
/// are read back from their journal): memory stays bounded however many tenants send at once.
/// </summary>
public sealed class TenantIndexes(string dataDirectory, int maxPendingEvents = 500_000, long maxBufferedBytes = 64L << 20, long maxBufferedBytesInAll = 256L << 20) : IDisposable
{
    /// <summary>The memory every tenant's journaled index keeps its pending batches in, in all.</summary>
    internal MemoryBudget Buffers { get; } = new(maxBufferedBytesInAll);

    private readonly ConcurrentDictionary<(Guid, string), Lazy<LuceneEventIndex>> _indexes = new();
    private readonly ConcurrentDictionary<(Guid, string), Lazy<JournaledEventIndex>> _journaled = new();
    private readonly ConcurrentDictionary<Guid, bool> _dropped = new();

    /// <summary>The index of <paramref name="kind"/> (<c>logs</c>, <c>signals</c>) for a tenant.</summary>
    public LuceneEventIndex Get(Guid tenantId, string kind)
    {
        Require(tenantId);
        return Open(_indexes, (tenantId, kind), key => new LuceneEventIndex(PathOf(key.Item1, key.Item2)));
    }

    /// <summary>
    /// What sees each tenant's batches once indexed (the real-time stage of detection): set once at start, before any
    /// index opens. Given the tenant and the kind, it returns the observer of that index, or null for none.
    /// </summary>
    public Func<Guid, string, Func<IReadOnlyList<Detection.Events.LogEvent>, Task>?>? Observers { get; set; }

    /// <summary>The threat intelligence that intake batches are enriched with as they are normalised: set once at start, before any index opens.</summary>
    public Detection.ThreatIntel.ThreatIndicatorSet? ThreatIntel { get; set; }

    /// <summary>The journaled index of <paramref name="kind"/> (<c>logs</c>) for a tenant; opening it replays its journal.</summary>
    public JournaledEventIndex GetJournaled(Guid tenantId, string kind)
    {
        Require(tenantId);
        return Open(_journaled, (tenantId, kind), key => new JournaledEventIndex(
            PathOf(key.Item1, key.Item2), maxPendingEvents, Observers?.Invoke(key.Item1, key.Item2), ThreatIntel, maxBufferedBytes, sharedBuffers: Buffers));
    }

    /// <summary>Closes and deletes every index of a tenant; they are never reopened by this instance afterwards.</summary>
    public void Drop(Guid tenantId)
    {
        // First refuse new opens, so that a job or request still in flight cannot recreate what is being deleted.
        _dropped[tenantId] = true;
        try
        {
            CloseEach.Of(Removed(_journaled, tenantId).Concat<IDisposable>(Removed(_indexes, tenantId)), index => index.Dispose());
        }
        finally
        {
            // An index that failed to close still goes with the organisation.
            var dir = DirectoryOf(tenantId);
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        var opened = _journaled.Values.Where(i => i.IsValueCreated).Select(i => (IDisposable)i.Value)
            .Concat(_indexes.Values.Where(i => i.IsValueCreated).Select(i => i.Value)).ToList();
        _journaled.Clear();
        _indexes.Clear();
        // One organisation's fault (its files deleted under its index) leaves no other's open.
        CloseEach.Of(opened, index => index.Dispose());
    }

    /// <summary>The opened indexes of <paramref name="tenantId"/>, taken out of <paramref name="opened"/>.</summary>
    private static List<T> Removed<T>(ConcurrentDictionary<(Guid, string), Lazy<T>> opened, Guid tenantId)
    {
        var removed = new List<T>();
        foreach (var key in opened.Keys.Where(k => k.Item1 == tenantId).ToList())
        {
            if (opened.TryRemove(key, out var index) && index.IsValueCreated)
            {
                removed.Add(index.Value);
            }
        }
        return removed;
    }

    private void Require(Guid tenantId)
    {
        if (tenantId == Guid.Empty)
        {
            throw new ArgumentException("A tenant is required.", nameof(tenantId));
        }
        if (_dropped.ContainsKey(tenantId))
        {
            throw new InvalidOperationException($"The organisation {tenantId} was deleted; its indexes are gone.");
        }
    }

    /// <summary>Opens once per key; a failed open (disk full, too many files) is forgotten so the next call retries.</summary>
    private static T Open<T>(ConcurrentDictionary<(Guid, string), Lazy<T>> opened, (Guid, string) key, Func<(Guid, string), T> open)
    {
        var lazy = opened.GetOrAdd(key, k => new Lazy<T>(() => open(k), LazyThreadSafetyMode.ExecutionAndPublication));
        try
        {
            return lazy.Value;
        }
        catch
        {
            opened.TryRemove(new KeyValuePair<(Guid, string), Lazy<T>>(key, lazy));
            throw;
        }
    }

    /// <summary>The directory that holds every index of a tenant.</summary>
    public string DirectoryOf(Guid tenantId) => Path.Combine(dataDirectory, "tenants", tenantId.ToString("N"));

    private string PathOf(Guid tenantId, string kind) => Path.Combine(DirectoryOf(tenantId), kind);
}
