using global::Lucene.Net.Index;
using global::Lucene.Net.Search;
using global::Lucene.Net.Util;

namespace Portal.Search.Lucene;

/// <summary>
/// One pass over the matches for a date histogram (from the timestamp doc values) and facet counts (from the
/// sorted doc values of reserved fields), without loading any stored document.
/// </summary>
internal sealed class AnalyticsCollector(long fromMs, long intervalMs, int buckets, IReadOnlyList<string> facets) : ICollector
{
    private readonly Dictionary<string, long>[] _counts = facets.Select(_ => new Dictionary<string, long>(StringComparer.Ordinal)).ToArray();
    private readonly SortedDocValues?[] _values = new SortedDocValues?[facets.Count];
    private readonly int[][] _ords = new int[facets.Count][];
    private NumericDocValues? _timestamps;

    public long[] Histogram { get; } = new long[buckets];

    public long Total { get; private set; }

    public bool AcceptsDocsOutOfOrder => true;

    public void Collect(int doc)
    {
        Total++;
        if (_timestamps is not null)
        {
            var bucket = (_timestamps.Get(doc) - fromMs) / intervalMs;
            if (bucket >= 0 && bucket < Histogram.Length)
            {
                Histogram[bucket]++;
            }
        }
        for (var i = 0; i < _values.Length; i++)
        {
            if (_values[i] is { } values && values.GetOrd(doc) is var ord and >= 0)
            {
                _ords[i][ord]++;
            }
        }
    }

    public void SetNextReader(AtomicReaderContext context)
    {
        FlushSegment();
        _timestamps = context.AtomicReader.GetNumericDocValues(LuceneFields.Timestamp);
        for (var i = 0; i < facets.Count; i++)
        {
            _values[i] = context.AtomicReader.GetSortedDocValues(LuceneFields.Facet(facets[i]));
            _ords[i] = new int[_values[i]?.ValueCount ?? 0];
        }
    }

    public void SetScorer(Scorer scorer)
    {
    }

    /// <summary>The top <paramref name="size"/> values of each facet, most frequent first.</summary>
    public Dictionary<string, IReadOnlyList<FacetValue>> TopValues(int size)
    {
        FlushSegment();
        var result = new Dictionary<string, IReadOnlyList<FacetValue>>(StringComparer.Ordinal);
        for (var i = 0; i < facets.Count; i++)
        {
            result[facets[i]] = _counts[i]
                .OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal)
                .Take(size)
                .Select(c => new FacetValue(c.Key, c.Value))
                .ToList();
        }
        return result;
    }

    private void FlushSegment()
    {
        var term = new BytesRef();
        for (var i = 0; i < _values.Length; i++)
        {
            if (_values[i] is not { } values)
            {
                continue;
            }
            for (var ord = 0; ord < _ords[i].Length; ord++)
            {
                if (_ords[i][ord] > 0)
                {
                    values.LookupOrd(ord, term);
                    var key = term.Utf8ToString();
                    _counts[i][key] = _counts[i].GetValueOrDefault(key) + _ords[i][ord];
                }
            }
            _values[i] = null;
        }
    }
}
