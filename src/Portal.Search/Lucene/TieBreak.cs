using global::Lucene.Net.Index;
using global::Lucene.Net.Search;
using global::Lucene.Net.Util;

namespace Portal.Search.Lucene;

/// <summary>
/// The order of events that share a millisecond: a 64-bit hash of the id (FNV-1a), kept as a number in doc values. A
/// sorted doc value of the id itself cost 26 bytes an event, since Lucene stores fixed-length terms uncompressed, and
/// the order among events of one millisecond only needs to be the same on every page. Segments written before the
/// number existed hash their id doc values instead, so old and new events page together. Two events of one millisecond
/// whose ids hash alike (one chance in 2^64) would be ordered arbitrarily, and paging could skip one.
/// </summary>
internal static class TieBreak
{
    /// <summary>The tie-breaking key of an id.</summary>
    public static long Of(string id)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in id)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }
        return (long)hash;
    }

    /// <summary>Newest first, then by key, descending: the order event and signal searches return unless asked for the oldest first.</summary>
    public static readonly Sort NewestFirst = new(
        new SortField(LuceneFields.Timestamp, SortFieldType.INT64, reverse: true),
        new SortField(LuceneFields.TieBreak, new ComparerSource(), reverse: true));

    /// <summary>Oldest first, then by key, ascending: the order of a search that asks for it.</summary>
    public static readonly Sort OldestFirst = new(
        new SortField(LuceneFields.Timestamp, SortFieldType.INT64, reverse: false),
        new SortField(LuceneFields.TieBreak, new ComparerSource(), reverse: false));

    /// <summary>The documents, among those of one millisecond, that a cursor at <paramref name="id"/> has passed already (newest first).</summary>
    public static Filter AtLeast(string id)
    {
        var key = Of(id);
        return new KeyFilter(k => k >= key);
    }

    /// <summary>The documents, among those of one millisecond, that a cursor at <paramref name="id"/> has passed already (oldest first).</summary>
    public static Filter AtMost(string id)
    {
        var key = Of(id);
        return new KeyFilter(k => k <= key);
    }

    /// <summary>The documents whose key is that of <paramref name="id"/>: the document with the id, and any whose id hashes alike.</summary>
    public static Filter Matching(string id)
    {
        var key = Of(id);
        return new KeyFilter(k => k == key);
    }

    /// <summary>Each document's key in a segment: the stored number, or the hash of the id for documents written before it.</summary>
    private static Func<int, long> Keys(AtomicReader reader)
    {
        var numbers = reader.GetNumericDocValues(LuceneFields.TieBreak);
        var numbered = numbers is null ? null : reader.GetDocsWithField(LuceneFields.TieBreak);
        var ids = reader.GetSortedDocValues(LuceneFields.Id);
        if (numbers is not null && ids is null)
        {
            return numbers.Get;
        }
        var term = new BytesRef();
        return doc =>
        {
            if (numbers is not null && numbered!.Get(doc))
            {
                return numbers.Get(doc);
            }
            if (ids is null || ids.GetOrd(doc) < 0)
            {
                return 0;
            }
            ids.Get(doc, term);
            return Of(term.Utf8ToString());
        };
    }

    private sealed class ComparerSource : FieldComparerSource
    {
        public override FieldComparer NewComparer(string fieldname, int numHits, int sortPos, bool reversed) => new KeyComparer(numHits);
    }

    private sealed class KeyComparer(int slots) : FieldComparer<J2N.Numerics.Int64>
    {
        private readonly long[] _values = new long[slots];
        private Func<int, long> _keys = _ => 0;
        private long _bottom;
        private long _top;

        public override J2N.Numerics.Int64 this[int slot] => J2N.Numerics.Int64.GetInstance(_values[slot]);

        public override int Compare(int slot1, int slot2) => _values[slot1].CompareTo(_values[slot2]);

        public override void SetBottom(int slot) => _bottom = _values[slot];

        public override void SetTopValue(J2N.Numerics.Int64 value) => _top = value.ToInt64();

        public override int CompareBottom(int doc) => _bottom.CompareTo(_keys(doc));

        public override int CompareTop(int doc) => _top.CompareTo(_keys(doc));

        public override void Copy(int slot, int doc) => _values[slot] = _keys(doc);

        public override FieldComparer SetNextReader(AtomicReaderContext context)
        {
            _keys = Keys(context.AtomicReader);
            return this;
        }
    }

    private sealed class KeyFilter(Func<long, bool> admits) : Filter
    {
        public override DocIdSet GetDocIdSet(AtomicReaderContext context, IBits? acceptDocs)
        {
            var keys = Keys(context.AtomicReader);
            return new MatchingDocs(context.AtomicReader.MaxDoc, acceptDocs, doc => admits(keys(doc)));
        }
    }
}
