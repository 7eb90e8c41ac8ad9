using global::Lucene.Net.Index;
using global::Lucene.Net.Search;
using global::Lucene.Net.Util;

namespace Portal.Search.Lucene;

/// <summary>
/// A timeseries grouped by one reserved facet, from doc values only: each match costs a timestamp and an ordinal read,
/// counted into the overall histogram, the ordinal's total and the ordinal's histogram. Per segment the histograms are
/// one dense table of ordinals by buckets; a segment whose facet has too many values for that table
/// (<see cref="MaxCells"/> by default) counts totals only and leaves <see cref="Complete"/> false, and the caller counts the
/// histograms of the values it keeps in a second pass restricted to them (<paramref name="only"/>). The histograms kept
/// across segments are bounded the same way.
/// </summary>
internal sealed class SeriesCollector(long fromMs, long intervalMs, int buckets, string facet, IReadOnlyList<string>? only = null, long maxCells = SeriesCollector.MaxCells) : IBlockCollector
{
    /// <summary>The largest ordinal-by-bucket table a segment counts into (16 MB).</summary>
    internal const long MaxCells = 1 << 22;

    private readonly Dictionary<string, long> _counts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long[]> _series = new(StringComparer.Ordinal);
    private NumericDocValues? _timestamps;
    private SortedDocValues? _facet;
    private int[] _ordCounts = [];
    private int[]? _cells;
    private int[]? _slotOfOrd;

    /// <summary>The reserved facet counted.</summary>
    public string Facet => facet;

    public long Total { get; private set; }

    public long[] Histogram { get; } = new long[buckets];

    /// <summary>Whether every counted value's histogram is known (see the class summary).</summary>
    public bool Complete { get; private set; } = true;

    public bool AcceptsDocsOutOfOrder => true;

    public void Collect(int doc)
    {
        Total++;
        var bucket = _timestamps is null ? -1 : (_timestamps.Get(doc) - fromMs) / intervalMs;
        var inRange = bucket >= 0 && bucket < buckets;
        if (inRange)
        {
            Histogram[bucket]++;
        }
        if (_facet is null || _facet.GetOrd(doc) is not (>= 0 and var ord))
        {
            return;
        }
        if (_slotOfOrd is not null)
        {
            ord = _slotOfOrd[ord];
            if (ord < 0)
            {
                return;
            }
        }
        _ordCounts[ord]++;
        if (_cells is not null && inRange)
        {
            _cells[ord * buckets + bucket]++;
        }
    }

    /// <summary>A block whose times fall in one bucket is counted without reading its timestamps.</summary>
    public bool CollectBlock(int start, int end, IBits? live, long min, long max)
    {
        if (IBlockCollector.OneBucket(min, max, fromMs, intervalMs, buckets) is not (>= 0 and var bucket))
        {
            return false;
        }
        var counted = 0;
        for (var doc = start; doc < end; doc++)
        {
            if (live is not null && !live.Get(doc))
            {
                continue;
            }
            counted++;
            if (_facet is null || _facet.GetOrd(doc) is not (>= 0 and var ord) || _slotOfOrd is not null && (ord = _slotOfOrd[ord]) < 0)
            {
                continue;
            }
            _ordCounts[ord]++;
            if (_cells is not null)
            {
                _cells[ord * buckets + bucket]++;
            }
        }
        Total += counted;
        Histogram[bucket] += counted;
        return true;
    }

    public void SetNextReader(AtomicReaderContext context)
    {
        Flush();
        _timestamps = context.AtomicReader.GetNumericDocValues(LuceneFields.Timestamp);
        _facet = context.AtomicReader.GetSortedDocValues(LuceneFields.Facet(facet));
        if (_facet is null)
        {
            return;
        }
        var rows = _facet.ValueCount;
        if (only is not null)
        {
            _slotOfOrd = new int[_facet.ValueCount];
            Array.Fill(_slotOfOrd, -1);
            rows = only.Count;
            for (var slot = 0; slot < only.Count; slot++)
            {
                if (_facet.LookupTerm(new BytesRef(IndexedValues.Fit(only[slot]))) is >= 0 and var ord)
                {
                    _slotOfOrd[ord] = slot;
                }
            }
        }
        _ordCounts = new int[rows];
        _cells = (long)rows * buckets <= maxCells ? new int[rows * buckets] : null;
        Complete &= _cells is not null;
    }

    public void SetScorer(Scorer scorer)
    {
    }

    /// <summary>The <paramref name="limit"/> most frequent values with their counts, most frequent first (ties by value).</summary>
    public List<(string Value, long Count)> Top(int limit)
    {
        Flush();
        return _counts
            .OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal)
            .Take(limit)
            .Select(c => (c.Key, c.Value))
            .ToList();
    }

    /// <summary>One value's count and histogram (zeros when no match carries it); the histogram is known when <see cref="Complete"/>.</summary>
    public (long Count, long[] Histogram) Of(string value)
    {
        Flush();
        return (_counts.GetValueOrDefault(value), _series.TryGetValue(value, out var histogram) ? histogram : new long[buckets]);
    }

    /// <summary>Adds the segment's counts to the totals by value (ordinals differ between segments; values do not).</summary>
    private void Flush()
    {
        if (_facet is null)
        {
            return;
        }
        var term = new BytesRef();
        for (var row = 0; row < _ordCounts.Length; row++)
        {
            if (_ordCounts[row] == 0)
            {
                continue;
            }
            string value;
            if (only is not null)
            {
                value = only[row];
            }
            else
            {
                _facet.LookupOrd(row, term);
                value = term.Utf8ToString();
            }
            _counts[value] = _counts.GetValueOrDefault(value) + _ordCounts[row];
            if (_cells is not null && Complete)
            {
                if (!_series.TryGetValue(value, out var histogram))
                {
                    if ((_series.Count + 1L) * buckets > maxCells)
                    {
                        // Too many values across segments to keep every histogram: the kept values get a second pass.
                        Complete = false;
                        _series.Clear();
                        continue;
                    }
                    _series[value] = histogram = new long[buckets];
                }
                for (var b = 0; b < buckets; b++)
                {
                    histogram[b] += _cells[row * buckets + b];
                }
            }
        }
        _facet = null;
    }
}
