using System.Runtime.CompilerServices;
using global::Lucene.Net.Index;
using global::Lucene.Net.Search;
using global::Lucene.Net.Util;

namespace Portal.Search.Lucene;

/// <summary>
/// Documents whose timestamp lies in <c>[from, to)</c>, decided per segment from the segment's own time span: a segment
/// wholly inside the range lets every document through without looking at one, a segment wholly outside lets none
/// through, and only a segment the range cuts tests timestamps, one document at a time from doc values. Paired with a
/// query that leads (<see cref="QueryFirst"/>), a search costs what its query matches rather than what the time range
/// holds: a range query over a day would first gather the day's million documents. With nothing selective to lead
/// (match-all, a negation, a cursor's millisecond), the range leads instead, reading only the blocks of documents whose
/// time span meets it. Timestamps are not indexed as terms: these doc values are all a range reads.
/// </summary>
internal sealed class TimeRangeFilter(long fromMs, long toMs) : Filter
{
    /// <summary>Each segment's time span and blocks, computed once: segments never change once written.</summary>
    private static readonly ConditionalWeakTable<object, SegmentTimes> Times = new();

    public override DocIdSet? GetDocIdSet(AtomicReaderContext context, IBits? acceptDocs)
    {
        var reader = context.AtomicReader;
        if (reader.MaxDoc == 0 || reader.GetNumericDocValues(LuceneFields.Timestamp) is not { } timestamps)
        {
            return null;
        }
        var times = TimesOf(reader, timestamps);
        var (min, max) = (times.Min, times.Max);
        if (max < fromMs || min >= toMs)
        {
            return null;
        }
        return min >= fromMs && max < toMs
            ? new MatchingDocs(reader.MaxDoc, acceptDocs, _ => true)
            : new InRangeDocs(reader.MaxDoc, acceptDocs, timestamps, times, fromMs, toMs);
    }

    /// <summary>A segment's time span and blocks, or null when it holds no document with a timestamp.</summary>
    public static SegmentTimes? TimesOf(AtomicReader reader) =>
        reader.MaxDoc == 0 || reader.GetNumericDocValues(LuceneFields.Timestamp) is not { } timestamps ? null : TimesOf(reader, timestamps);

    private static SegmentTimes TimesOf(AtomicReader reader, NumericDocValues timestamps) =>
        Times.GetValue(reader.CoreCacheKey, _ => SegmentTimes.Read(reader.MaxDoc, timestamps));

    public override string ToString() => $"_ts:[{fromMs} TO {toMs})";

    /// <summary>
    /// The accepted documents of a segment the range cuts: as random-access bits for a query that leads, and as an
    /// iterator for a range that leads (match-all, a negation, a cursor's millisecond), which passes over every block
    /// whose time span lies outside the range and reads no timestamp in a block wholly inside it.
    /// </summary>
    private sealed class InRangeDocs(int maxDoc, IBits? acceptDocs, NumericDocValues timestamps, SegmentTimes times, long fromMs, long toMs) : DocIdSet
    {
        public override IBits Bits { get; } = new InRange(acceptDocs, timestamps, maxDoc, fromMs, toMs);

        public override DocIdSetIterator GetIterator() => new Iterator(maxDoc, acceptDocs, timestamps, times, fromMs, toMs);

        private sealed class Iterator(int maxDoc, IBits? acceptDocs, NumericDocValues timestamps, SegmentTimes times, long fromMs, long toMs) : DocIdSetIterator
        {
            private int _doc = -1;

            public override int DocID => _doc;

            public override int NextDoc() => _doc == NO_MORE_DOCS ? NO_MORE_DOCS : Advance(_doc + 1);

            public override int Advance(int target)
            {
                var doc = target;
                while (doc < maxDoc)
                {
                    var block = doc >> SegmentTimes.BlockShift;
                    var end = Math.Min(maxDoc, (block + 1) << SegmentTimes.BlockShift);
                    var (min, max) = times.Block(block);
                    if (max >= fromMs && min < toMs)
                    {
                        var whole = min >= fromMs && max < toMs;
                        for (; doc < end; doc++)
                        {
                            if ((acceptDocs is null || acceptDocs.Get(doc)) && (whole || timestamps.Get(doc) is var ts && ts >= fromMs && ts < toMs))
                            {
                                return _doc = doc;
                            }
                        }
                    }
                    doc = end;
                }
                return _doc = NO_MORE_DOCS;
            }

            public override long GetCost() => maxDoc;
        }
    }

    /// <summary>
    /// The query leads, and only the documents the filter accepts (in range, not deleted) ever reach it: the filter's
    /// bits are handed down as the query's accepted documents, so a query that reads documents to decide (a message
    /// pattern) reads none outside the range. Lucene's query-first strategy checks the bits only after the query.
    /// </summary>
    public static readonly FilteredQuery.FilterStrategy QueryFirst = new AcceptedDocsFirst();

    private sealed class AcceptedDocsFirst : FilteredQuery.FilterStrategy
    {
        public override Scorer? FilteredScorer(AtomicReaderContext context, Weight weight, DocIdSet docIdSet) =>
            docIdSet.Bits is { } bits
                ? weight.GetScorer(context, bits)
                : FilteredQuery.LEAP_FROG_QUERY_FIRST_STRATEGY.FilteredScorer(context, weight, docIdSet);

        public override BulkScorer? FilteredBulkScorer(AtomicReaderContext context, Weight weight, bool scoreDocsInOrder, DocIdSet docIdSet) =>
            docIdSet.Bits is { } bits
                ? weight.GetBulkScorer(context, scoreDocsInOrder, bits)
                : base.FilteredBulkScorer(context, weight, scoreDocsInOrder, docIdSet);
    }

}

/// <summary>
/// A segment's smallest and largest timestamp, and the same for each block of <see cref="BlockSize"/> consecutive
/// documents: events arrive mostly in time order, so a block's span is narrow, and a search for the newest events or a
/// short range can tell which blocks to read without reading them.
/// </summary>
internal sealed class SegmentTimes
{
    /// <summary>Documents per block (a power of two).</summary>
    public const int BlockShift = 10;

    /// <inheritdoc cref="BlockShift"/>
    public const int BlockSize = 1 << BlockShift;

    private SegmentTimes(long min, long max, long[] blockMin, long[] blockMax)
    {
        (Min, Max, _blockMin, _blockMax) = (min, max, blockMin, blockMax);
        _maxBefore = new long[blockMax.Length];
        var running = long.MinValue;
        for (var block = 0; block < blockMax.Length; block++)
        {
            _maxBefore[block] = running = Math.Max(running, blockMax[block]);
        }
        _minFrom = new long[blockMin.Length];
        running = long.MaxValue;
        for (var block = blockMin.Length - 1; block >= 0; block--)
        {
            _minFrom[block] = running = Math.Min(running, blockMin[block]);
        }
    }

    private readonly long[] _blockMin;
    private readonly long[] _blockMax;

    /// <summary>The largest timestamp of the blocks up to and including each block.</summary>
    private readonly long[] _maxBefore;

    /// <summary>The smallest timestamp of each block and the blocks after it.</summary>
    private readonly long[] _minFrom;

    public long Min { get; }

    public long Max { get; }

    public static SegmentTimes Read(int maxDoc, NumericDocValues timestamps)
    {
        var blocks = (maxDoc + BlockSize - 1) >> BlockShift;
        var blockMin = new long[blocks];
        var blockMax = new long[blocks];
        for (var block = 0; block < blocks; block++)
        {
            long min = long.MaxValue, max = long.MinValue;
            for (int doc = block << BlockShift, end = Math.Min(maxDoc, doc + BlockSize); doc < end; doc++)
            {
                var ts = timestamps.Get(doc);
                min = Math.Min(min, ts);
                max = Math.Max(max, ts);
            }
            (blockMin[block], blockMax[block]) = (min, max);
        }
        return new SegmentTimes(blocks == 0 ? long.MaxValue : blockMin.Min(), blocks == 0 ? long.MinValue : blockMax.Max(), blockMin, blockMax);
    }

    /// <summary>The largest timestamp among documents <c>[0, end)</c>, from the blocks they lie in (a bound from above).</summary>
    public long MaxBefore(int end) => end <= 0 ? long.MinValue : _maxBefore[(end - 1) >> BlockShift];

    /// <summary>The smallest timestamp among documents from <paramref name="start"/> on, from the blocks they lie in (a bound from below).</summary>
    public long MinFrom(int start) => start >> BlockShift is var block && block < _minFrom.Length ? _minFrom[block] : long.MaxValue;

    /// <summary>The smallest and largest timestamp of one block.</summary>
    public (long Min, long Max) Block(int block) => (_blockMin[block], _blockMax[block]);

    /// <summary>The smallest and largest timestamp among documents <c>[start, end)</c>, from the blocks they lie in (a superset).</summary>
    public (long Min, long Max) Span(int start, int end)
    {
        long min = long.MaxValue, max = long.MinValue;
        for (int block = start >> BlockShift, last = (end - 1) >> BlockShift; block <= last; block++)
        {
            min = Math.Min(min, _blockMin[block]);
            max = Math.Max(max, _blockMax[block]);
        }
        return (min, max);
    }
}

/// <summary>The accepted documents of a segment whose timestamp lies in <c>[from, to)</c>, as random access bits.</summary>
internal sealed class InRange(IBits? live, NumericDocValues timestamps, int maxDoc, long fromMs, long toMs) : IBits
{
    public int Length => maxDoc;

    public bool Get(int index) => (live is null || live.Get(index)) && timestamps.Get(index) is var ts && ts >= fromMs && ts < toMs;
}

/// <summary>The accepted documents of a segment that pass a test on their doc values, as random access bits.</summary>
internal sealed class MatchingDocs(int maxDoc, IBits? acceptDocs, Func<int, bool> match) : FieldCacheDocIdSet(maxDoc, acceptDocs)
{
    protected override bool MatchDoc(int doc) => match(doc);
}
