using global::Lucene.Net.Index;
using global::Lucene.Net.Search;
using global::Lucene.Net.Util;

namespace Portal.Search.Lucene;

/// <summary>
/// One pass over the matches for a date histogram (from the timestamp doc values) and facet counts (from the
/// sorted doc values of reserved fields), without loading any stored document. Attribute facets, which have no
/// doc values, are counted per segment by intersecting each value's postings with the segment's matches, and so are the
/// values of tags by their key (<paramref name="tagKeys"/>: <c>source</c> counts <c>source:sshd</c> as <c>sshd</c>). A
/// <paramref name="stack"/> counts the same matches by a facet's values and buckets in the same pass (the histogram's
/// bars stacked by status).
/// </summary>
internal sealed class AnalyticsCollector(
    long fromMs, long intervalMs, int buckets, IReadOnlyList<string> facets, IReadOnlyList<string> attributePaths, SeriesCollector? stack = null,
    IReadOnlyList<string>? tagKeys = null) : IBlockCollector
{
    private readonly Dictionary<string, long>[] _counts = CountsOf(facets, tagKeys);

    /// <summary>A dictionary of counts per reserved facet; a tag key named as one would take its place among the results, which is refused.</summary>
    private static Dictionary<string, long>[] CountsOf(IReadOnlyList<string> facets, IReadOnlyList<string>? tagKeys) =>
        tagKeys?.Intersect(facets, StringComparer.Ordinal).FirstOrDefault() is { } both
            ? throw new ArgumentException($"'{both}' is both a reserved facet and a tag key.", nameof(tagKeys))
            : [.. facets.Select(_ => new Dictionary<string, long>(StringComparer.Ordinal))];

    /// <summary>
    /// What is counted from postings: each attribute's terms, in its own field and in the field shared by paths beyond the
    /// index's limit (<see cref="FieldTerms.SourcesOf"/>: a path that came past the limit on a later day was counted for the
    /// earlier days only, while a search and the aggregate API found it on all), then each tag key's (the tags' terms after
    /// <c>key:</c>, a key without a value skipped).
    /// </summary>
    private readonly (string Key, (string Field, string Prefix)[] Sources, bool Tag)[] _termFacets =
    [
        .. attributePaths.Select(path => ("@" + path, FieldTerms.SourcesOf(new Portal.Detection.Query.FieldRef(Portal.Detection.Query.FieldKind.Attribute, path)), false)),
        .. (tagKeys ?? []).Select(key => (key, FieldTerms.SourcesOf(new Portal.Detection.Query.FieldRef(Portal.Detection.Query.FieldKind.Tag, key)), true)),
    ];

    private readonly Dictionary<string, long>[] _attributeCounts = [.. attributePaths.Concat(tagKeys ?? []).Select(_ => new Dictionary<string, long>(StringComparer.Ordinal))];
    private AtomicReader? _reader;
    private FixedBitSet? _matches;
    private readonly SortedDocValues?[] _values = new SortedDocValues?[facets.Count];
    private readonly int[][] _ords = new int[facets.Count][];
    private NumericDocValues? _timestamps;

    public long[] Histogram { get; } = new long[buckets];

    public long Total { get; private set; }

    public bool AcceptsDocsOutOfOrder => true;

    public void Collect(int doc)
    {
        stack?.Collect(doc);
        Total++;
        _matches?.Set(doc);
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

    /// <summary>A block whose times fall in one bucket is counted without reading its timestamps.</summary>
    public bool CollectBlock(int start, int end, IBits? live, long min, long max)
    {
        if (_timestamps is null || IBlockCollector.OneBucket(min, max, fromMs, intervalMs, Histogram.Length) is not (>= 0 and var bucket))
        {
            return false;
        }
        // The stack reads the same bounds against the same buckets; were it ever to decline, both count document by document.
        if (stack is not null && !stack.CollectBlock(start, end, live, min, max))
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
            _matches?.Set(doc);
            for (var i = 0; i < _values.Length; i++)
            {
                if (_values[i] is { } values && values.GetOrd(doc) is var ord and >= 0)
                {
                    _ords[i][ord]++;
                }
            }
        }
        Total += counted;
        Histogram[bucket] += counted;
        return true;
    }

    public void SetNextReader(AtomicReaderContext context)
    {
        stack?.SetNextReader(context);
        FlushSegment();
        _timestamps = context.AtomicReader.GetNumericDocValues(LuceneFields.Timestamp);
        if (_termFacets.Length > 0)
        {
            _reader = context.AtomicReader;
            _matches = new FixedBitSet(_reader.MaxDoc);
        }
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
            result[facets[i]] = Top(_counts[i], size);
        }
        for (var i = 0; i < _termFacets.Length; i++)
        {
            result[_termFacets[i].Key] = Top(_attributeCounts[i], size);
        }
        return result;
    }

    private static List<FacetValue> Top(Dictionary<string, long> counts, int size) => counts
        .OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal)
        .Take(size)
        .Select(c => new FacetValue(c.Key, c.Value))
        .ToList();

    private void FlushSegment()
    {
        FlushAttributes();
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

    private void FlushAttributes()
    {
        if (_reader is null || _matches is null || Bounds(_matches) is not { } bounds)
        {
            return;
        }
        DocsEnum? docs = null;
        for (var i = 0; i < _termFacets.Length; i++)
        {
            var (_, sources, tag) = _termFacets[i];
            foreach (var (field, prefix) in sources)
            {
                var terms = _reader.GetTerms(field);
                if (terms is null)
                {
                    continue;
                }
                var values = terms.GetEnumerator();
                var start = new BytesRef(prefix);
                if (prefix.Length > 0 && values.SeekCeil(start) == TermsEnum.SeekStatus.END)
                {
                    continue;
                }
                // Past the prefix's terms (sorted by their bytes), the key's values end.
                for (var more = prefix.Length > 0 || values.MoveNext(); more && StringHelper.StartsWith(values.Term, start); more = values.MoveNext())
                {
                    if (tag && values.Term.Length == start.Length)
                    {
                        // A tag without a value (source: of a log without a source) is no value of its key's.
                        continue;
                    }
                    docs = values.Docs(_reader.LiveDocs, docs, DocsFlags.NONE);
                    var count = MatchCount(docs, _matches, bounds, firstOnly: false);
                    if (count > 0)
                    {
                        var key = values.Term.Utf8ToString()[prefix.Length..];
                        _attributeCounts[i][key] = _attributeCounts[i].GetValueOrDefault(key) + count;
                    }
                }
            }
        }
        _reader = null;
        _matches = null;
    }

    /// <summary>
    /// How many of a value's documents are among the matches (or, with <paramref name="firstOnly"/>, whether any is: 0 or
    /// 1), reading its postings only between the first and the last match (<see cref="Bounds"/>): postings skip ahead,
    /// and an hour's matches in a day-long segment lie together.
    /// </summary>
    public static int MatchCount(DocsEnum docs, FixedBitSet matches, (int First, int Last) bounds, bool firstOnly)
    {
        var count = 0;
        for (var doc = docs.Advance(bounds.First); doc <= bounds.Last; doc = docs.NextDoc())
        {
            if (matches.Get(doc))
            {
                count++;
                if (firstOnly)
                {
                    break;
                }
            }
        }
        return count;
    }

    /// <summary>The first and last match, or null when there is none.</summary>
    public static (int First, int Last)? Bounds(FixedBitSet matches) =>
        matches.NextSetBit(0) is var first and >= 0 ? (first, matches.PrevSetBit(matches.Length - 1)) : null;
}
