using global::Lucene.Net.Index;
using global::Lucene.Net.Search;
using global::Lucene.Net.Util;

namespace Portal.Search.Lucene;

/// <summary>
/// Histograms of the matches for chosen values of one reserved facet, from doc values only: per segment, each chosen
/// value is looked up once to its ordinal, and each match costs two doc-value reads.
/// </summary>
internal sealed class SeriesCollector(long fromMs, long intervalMs, int buckets, string facet, IReadOnlyList<string> values) : ICollector
{
    private NumericDocValues? _timestamps;
    private SortedDocValues? _facet;
    private int[] _slotOfOrd = [];

    /// <summary>Counts per bucket, for each value in the order given.</summary>
    public long[][] Counts { get; } = values.Select(_ => new long[buckets]).ToArray();

    public bool AcceptsDocsOutOfOrder => true;

    public void Collect(int doc)
    {
        if (_facet is null || _timestamps is null || _facet.GetOrd(doc) is not (>= 0 and var ord) || _slotOfOrd[ord] is not (>= 0 and var slot))
        {
            return;
        }
        var bucket = (_timestamps.Get(doc) - fromMs) / intervalMs;
        if (bucket >= 0 && bucket < buckets)
        {
            Counts[slot][bucket]++;
        }
    }

    public void SetNextReader(AtomicReaderContext context)
    {
        _timestamps = context.AtomicReader.GetNumericDocValues(LuceneFields.Timestamp);
        _facet = context.AtomicReader.GetSortedDocValues(LuceneFields.Facet(facet));
        if (_facet is null)
        {
            return;
        }
        _slotOfOrd = new int[_facet.ValueCount];
        Array.Fill(_slotOfOrd, -1);
        for (var slot = 0; slot < values.Count; slot++)
        {
            var ord = _facet.LookupTerm(new BytesRef(IndexedValues.Fit(values[slot])));
            if (ord >= 0)
            {
                _slotOfOrd[ord] = slot;
            }
        }
    }

    public void SetScorer(Scorer scorer)
    {
    }
}
