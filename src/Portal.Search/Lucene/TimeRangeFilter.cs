using System.Runtime.CompilerServices;
using global::Lucene.Net.Index;
using global::Lucene.Net.Search;
using global::Lucene.Net.Util;

namespace Portal.Search.Lucene;

/// <summary>
/// Documents whose timestamp lies in <c>[from, to)</c>, decided per segment from the segment's own time span: a segment
/// wholly inside the range lets every document through without looking at one, a segment wholly outside lets none
/// through, and only a segment the range cuts tests timestamps, one document at a time from doc values. Paired with a
/// query that leads (<see cref="FilteredQuery.QUERY_FIRST_FILTER_STRATEGY"/>), a search costs what its query matches
/// rather than what the time range holds: a range query over a day would first gather the day's million documents.
/// </summary>
internal sealed class TimeRangeFilter(long fromMs, long toMs) : Filter
{
    /// <summary>Each segment's smallest and largest timestamp, computed once: segments never change once written.</summary>
    private static readonly ConditionalWeakTable<object, StrongBox<(long Min, long Max)>> Spans = new();

    public override DocIdSet? GetDocIdSet(AtomicReaderContext context, IBits? acceptDocs)
    {
        var reader = context.AtomicReader;
        if (reader.MaxDoc == 0 || reader.GetNumericDocValues(LuceneFields.Timestamp) is not { } timestamps)
        {
            return null;
        }
        var (min, max) = Span(reader, timestamps);
        if (max < fromMs || min >= toMs)
        {
            return null;
        }
        return min >= fromMs && max < toMs
            ? new Matching(reader.MaxDoc, acceptDocs, _ => true)
            : new Matching(reader.MaxDoc, acceptDocs, doc => timestamps.Get(doc) is var ts && ts >= fromMs && ts < toMs);
    }

    /// <summary>A segment's smallest and largest timestamp, or null when it holds none.</summary>
    public static (long Min, long Max)? SpanOf(AtomicReader reader) =>
        reader.MaxDoc == 0 || reader.GetNumericDocValues(LuceneFields.Timestamp) is not { } timestamps ? null : Span(reader, timestamps);

    private static (long Min, long Max) Span(AtomicReader reader, NumericDocValues timestamps) =>
        Spans.GetValue(reader.CoreCacheKey, _ =>
        {
            long min = long.MaxValue, max = long.MinValue;
            for (var doc = 0; doc < reader.MaxDoc; doc++)
            {
                var ts = timestamps.Get(doc);
                min = Math.Min(min, ts);
                max = Math.Max(max, ts);
            }
            return new StrongBox<(long, long)>((min, max));
        }).Value;

    public override string ToString() => $"_ts:[{fromMs} TO {toMs})";

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

    private sealed class Matching(int maxDoc, IBits? acceptDocs, Func<int, bool> match) : FieldCacheDocIdSet(maxDoc, acceptDocs)
    {
        protected override bool MatchDoc(int doc) => match(doc);
    }
}
