using System.Collections.Concurrent;

namespace Portal.Search.Lucene;

/// <summary>
/// The attribute paths one index gives fields of their own, up to a limit. A sender whose keys are data (an id, an
/// address or a time used as a key) would otherwise add fields without end, and Lucene keeps structures for every field
/// it meets: 10,000 events with a million distinct keys between them took 4.5 GB and 22 times as long to index as the
/// same events with a hundred keys, and the whole process paid for one tenant's shipper. Beyond the limit, the values of
/// a path the index has not met go to one shared field (<see cref="LuceneFields.OverflowAttributes"/>), where exact,
/// prefix, wildcard and existence queries (what most searches and rule conditions use) and unique counts still find
/// them; ranges, networks, facets and the field list do not, nor scheduled rules whose conditions use ranges or
/// networks. The event keeps them in its stored source either way.
/// </summary>
/// <remarks>
/// First come, first served, per index: a day partition starts afresh, while the signals index, never rolled over, keeps
/// its paths for good. A path admitted for a document that then fails to build keeps its place (the count may exceed the
/// index's own paths by those few until it is reopened).
/// </remarks>
internal sealed class AttributeFields
{
    /// <summary>Distinct attribute paths per index (one day of one tenant's events); Vigil's Elasticsearch template allows 20,000 fields.</summary>
    public const int DefaultLimit = 10_000;

    private readonly ConcurrentDictionary<string, byte> _paths = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly int _limit;
    private int _count;
    private long _refused;

    /// <summary>Set once the limit is reached: refusals then take no lock.</summary>
    private volatile bool _full;

    /// <summary>The paths of <paramref name="known"/> (the index's own, when it is reopened) count towards the limit first.</summary>
    public AttributeFields(IEnumerable<string> known, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        _limit = limit;
        foreach (var path in known)
        {
            if (_paths.TryAdd(path, 0))
            {
                _count++;
            }
        }
        _full = _count >= _limit;
    }

    /// <summary>Attribute values given no field of their own so far, their path beyond the limit.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Whether <paramref name="path"/> has a field: one met before, or a new one within the limit (which it then joins).</summary>
    public bool Admits(string path)
    {
        if (_paths.ContainsKey(path))
        {
            return true;
        }
        // Checked again: a writer may have admitted the path between the first look and the limit being reached.
        if (_full && !_paths.ContainsKey(path))
        {
            Interlocked.Increment(ref _refused);
            return false;
        }
        lock (_gate)
        {
            if (_paths.ContainsKey(path))
            {
                return true;
            }
            if (_count >= _limit)
            {
                _full = true;
                Interlocked.Increment(ref _refused);
                return false;
            }
            _paths[path] = 0;
            _count++;
            return true;
        }
    }
}
