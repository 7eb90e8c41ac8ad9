using global::Lucene.Net.Index;
using global::Lucene.Net.Search;
using global::Lucene.Net.Util;
using Portal.Detection.Query;

namespace Portal.Search.Lucene;

/// <summary>
/// The searches every event index answers, run on one <see cref="IndexSearcher"/>: a single index's
/// near-real-time searcher, or one over several time partitions at once.
/// </summary>
internal static class EventSearcher
{
    private static readonly ISet<string> SourceOnly = new HashSet<string> { LuceneFields.Source };

    /// <summary>Newest first (then by <see cref="TieBreak"/>, descending), after an optional cursor.</summary>
    private static readonly Sort NewestFirst = TieBreak.NewestFirst;

    /// <summary>
    /// Documents matching <paramref name="query"/> in <c>[from, to)</c>, newest first, after an optional cursor. With
    /// <paramref name="exactTotal"/> false, the newest documents are searched first and the search stops once the page is
    /// full and what is left is older than its oldest document (<see cref="ByBlocks"/>): the page is the same,
    /// but <see cref="SearchPage.TotalHits"/> counts only the documents looked at (exact when the page is not full).
    /// </summary>
    /// <remarks><paramref name="oldestFirst"/> reverses the order (and the cursor's meaning).</remarks>
    public static SearchPage Search(
        IndexSearcher searcher, QueryNode query, DateTimeOffset from, DateTimeOffset to, int limit, SearchCursor? after, bool exactTotal = true, bool oldestFirst = false,
        CancellationToken cancellation = default)
    {
        var top = Top(searcher, query, from, to, limit, after, exactTotal, oldestFirst, cancellation);
        var hits = top.ScoreDocs.Select(d => EventDocument.SourceOf(searcher.Doc(d.Doc, SourceOnly))!).ToList();
        return new SearchPage(hits, top.TotalHits);
    }

    /// <summary>The message and status of each of the newest <paramref name="limit"/> matches, newest first, read from their stored sources alone.</summary>
    public static List<LogLine> Lines(IndexSearcher searcher, QueryNode query, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellation = default) =>
        [.. Top(searcher, query, from, to, limit, after: null, exactTotal: false, oldestFirst: false, cancellation).ScoreDocs
            .Select(d => LogLine.Read(EventDocument.SourceBytesOf(searcher.Doc(d.Doc, SourceOnly))))];

    private static TopDocs Top(
        IndexSearcher searcher, QueryNode query, DateTimeOffset from, DateTimeOffset to, int limit, SearchCursor? after, bool exactTotal, bool oldestFirst, CancellationToken cancellation)
    {
        if (!exactTotal)
        {
            return ByBlocks(searcher, Bounded(query, from, to, after, oldestFirst), Math.Max(1, limit), oldestFirst, cancellation);
        }
        var top = TopFieldCollector.Create(oldestFirst ? TieBreak.OldestFirst : NewestFirst, Math.Max(1, limit), fillFields: true, trackDocScores: false, trackMaxScore: false, docsScoredInOrder: false);
        searcher.Search(Filtered(query, from, to, after, oldestFirst), CancellableCollector.Of(top, cancellation));
        return top.GetTopDocs();
    }

    /// <summary>
    /// The newest <paramref name="limit"/> matches (or, <paramref name="oldestFirst"/>, the oldest). Each segment is read
    /// from its end backwards (or from its start forwards) in runs of documents that double in size (1,024, then
    /// 2,048...), and segments take turns in the order of the newest (oldest) timestamp their unread documents may hold
    /// (from <see cref="SegmentTimes"/>); once the page is full and nothing unread may hold a document as new (as old) as
    /// the page's last, the search stops. Events mostly arrive in time order, so on a day of ten million events the
    /// newest fifty matches of a term are found in the last few runs, whatever the query matches earlier in the day.
    /// </summary>
    private static TopDocs ByBlocks(
        IndexSearcher searcher, (global::Lucene.Net.Search.Query Query, long FromMs, long ToMs) bounded, int limit, bool oldestFirst, CancellationToken cancellation)
    {
        var (query, fromMs, toMs) = bounded;
        var weight = searcher.CreateNormalizedWeight(query);
        // A query that reads stored documents to decide (a message pattern) must only ever see documents in the range.
        var readsDocuments = MessagePatternQuery.ReadsDocuments(query);
        var top = TopFieldCollector.Create(oldestFirst ? TieBreak.OldestFirst : NewestFirst, limit, fillFields: false, trackDocScores: false, trackMaxScore: false, docsScoredInOrder: false);
        // Timestamps as keys that grow in the page's order of preference: the newest first, or the oldest (negated).
        long Key(long ts) => oldestFirst ? -ts : ts;
        var page = new PageTimestamps(top, limit);
        var runs = new PriorityQueue<Run, long>();
        foreach (var leaf in searcher.IndexReader.Leaves)
        {
            if (TimeRangeFilter.TimesOf(leaf.AtomicReader) is { } times && times.Max >= fromMs && times.Min < toMs)
            {
                var maxDoc = leaf.AtomicReader.MaxDoc;
                Enqueue(oldestFirst ? new Run(leaf, times, 0, Math.Min(maxDoc, SegmentTimes.BlockSize)) : new Run(leaf, times, Math.Max(0, maxDoc - SegmentTimes.BlockSize), maxDoc));
            }
        }
        while (runs.TryDequeue(out var run, out var priority))
        {
            if (page.Full && -priority < page.Last)
            {
                break;
            }
            cancellation.ThrowIfCancellationRequested();
            var reader = run.Leaf.AtomicReader;
            var timestamps = reader.GetNumericDocValues(LuceneFields.Timestamp)!;
            IBits? accept = readsDocuments ? new InRange(reader.LiveDocs, timestamps, reader.MaxDoc, fromMs, toMs) : reader.LiveDocs;
            if (weight.GetScorer(run.Leaf, accept) is { } scorer)
            {
                top.SetNextReader(run.Leaf);
                var read = 0;
                for (var doc = scorer.Advance(run.Start); doc < run.End; doc = scorer.NextDoc())
                {
                    if ((++read & 0xFFF) == 0)
                    {
                        // Runs double in size: a late one may cover half a segment.
                        cancellation.ThrowIfCancellationRequested();
                    }
                    if (timestamps.Get(doc) is var ts && ts >= fromMs && ts < toMs)
                    {
                        page.Collect(doc, Key(ts));
                    }
                }
            }
            if (Next(run) is { } next)
            {
                Enqueue(next);
            }
        }
        return top.GetTopDocs();

        // The run after this one in reading order, twice its size; none at the segment's edge.
        Run? Next(Run run)
        {
            var size = (run.End - run.Start) * 2;
            var maxDoc = run.Leaf.AtomicReader.MaxDoc;
            return oldestFirst
                ? run.End < maxDoc ? new Run(run.Leaf, run.Times, run.End, (int)Math.Min(maxDoc, (long)run.End + size)) : null
                : run.Start > 0 ? new Run(run.Leaf, run.Times, Math.Max(0, run.Start - size), run.Start) : null;
        }

        // A segment's next run is ranked by the best key anything unread in the segment may hold (the run and every
        // document past it in reading order), so that stopping never leaves a better event unread: merges and late
        // events put old blocks after new ones. A run wholly outside the range is passed over, and the next queued instead.
        void Enqueue(Run? candidate)
        {
            while (candidate is { } run)
            {
                var unread = oldestFirst ? run.Times.MinFrom(run.Start) : run.Times.MaxBefore(run.End);
                if (oldestFirst ? unread >= toMs : unread < fromMs)
                {
                    return;
                }
                var (min, max) = run.Times.Span(run.Start, run.End);
                if (max >= fromMs && min < toMs)
                {
                    runs.Enqueue(run, -Key(oldestFirst ? Math.Max(unread, fromMs) : Math.Min(unread, toMs - 1)));
                    return;
                }
                candidate = Next(run);
            }
        }
    }

    /// <summary>Documents <c>[Start, End)</c> of a segment.</summary>
    private readonly record struct Run(AtomicReaderContext Leaf, SegmentTimes Times, int Start, int End);

    /// <summary>Every stored source matching the query in <c>[from, to)</c>, unordered.</summary>
    public static List<string> ScanSources(IndexSearcher searcher, QueryNode query, DateTimeOffset from, DateTimeOffset to, int limit = int.MaxValue, CancellationToken cancellation = default) =>
        [.. Sources(searcher, query, from, to, cancellation).Take(limit)];

    /// <summary>
    /// Every stored source matching the query in <c>[from, to)</c>, unordered, each read as it is enumerated: only the
    /// matches' document numbers are held, so that a scheduled rule's window of millions of events is aggregated in the
    /// memory of one (the searcher must stay open while they are read).
    /// </summary>
    public static IEnumerable<string> Sources(IndexSearcher searcher, QueryNode query, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellation = default)
    {
        var collector = new DocIdCollector();
        Collect(searcher, query, from, to, collector, cancellation);
        var read = 0;
        foreach (var id in collector.DocIds)
        {
            if ((++read & 0x3FF) == 0)
            {
                cancellation.ThrowIfCancellationRequested();
            }
            yield return EventDocument.SourceOf(searcher.Doc(id, SourceOnly))!;
        }
    }

    /// <summary>
    /// Histogram and facet counts of the documents matching the query in <c>[from, to)</c>: the reserved
    /// <paramref name="facets"/>, then the <paramref name="attributeFacets"/> attributes most documents carry; with
    /// <paramref name="stackBy"/>, the histogram stacked by that reserved facet's <paramref name="stackLimit"/> most frequent
    /// values (<see cref="LogAnalytics.Stacks"/>), counted in the same pass (and in a second when <see cref="TopSeries"/> needs one).
    /// <paramref name="chosen"/> names attributes (paths without <c>@</c>, counted before the commonest) and tag keys to
    /// count as well: a tag key's facet is keyed by the key (<c>source</c>), its values what its tags hold after it.
    /// </summary>
    public static LogAnalytics Analyze(
        IndexSearcher searcher, QueryNode query, DateTimeOffset from, DateTimeOffset to, TimeSpan interval, IReadOnlyList<string> facets, int facetSize,
        int attributeFacets = 0, string? stackBy = null, int stackLimit = 10, long maxCells = SeriesCollector.MaxCells, TimeSpan offset = default,
        (IReadOnlyList<string> Attributes, IReadOnlyList<string> TagKeys)? chosen = null, CancellationToken cancellation = default)
    {
        var buckets = Buckets(from, to, interval, offset);
        var attributes = attributeFacets > 0
            ? Fields(searcher, cancellation).Where(f => f.Kind == FieldKind.Attribute && !f.Name.StartsWith("vigil.", StringComparison.Ordinal)).Take(attributeFacets).Select(f => f.Name).ToList()
            : [];
        attributes = [.. (chosen?.Attributes ?? []).Concat(attributes).Distinct(StringComparer.Ordinal)];
        var stack = stackBy is null ? null : new SeriesCollector(buckets.FromMs, buckets.IntervalMs, buckets.Count, stackBy, maxCells: maxCells);
        var collector = new AnalyticsCollector(buckets.FromMs, buckets.IntervalMs, buckets.Count, facets, attributes, stack, chosen?.TagKeys);
        Collect(searcher, query, from, to, collector, cancellation);
        return new LogAnalytics(
            collector.Total, TimeSpan.FromMilliseconds(buckets.IntervalMs), Histogram(collector.Histogram, buckets), collector.TopValues(facetSize),
            stack is null ? null : TopSeries(searcher, query, from, to, buckets, stack, stackLimit, cancellation).Groups);
    }

    /// <summary>
    /// The matches' total and histogram, and the <paramref name="limit"/> most frequent values of the reserved
    /// <paramref name="facet"/> with their counts and histograms: one pass over the matches (a second, over the kept
    /// values only, when a segment's facet has too many values to count every value's histogram at once). With
    /// <paramref name="values"/>, those values instead, in their order, each counted even when no match carries it.
    /// </summary>
    public static GroupedSeries Series(
        IndexSearcher searcher, QueryNode query, DateTimeOffset from, DateTimeOffset to, TimeSpan interval, string facet, int limit, long maxCells = SeriesCollector.MaxCells,
        IReadOnlyList<string>? values = null, CancellationToken cancellation = default)
    {
        var buckets = Buckets(from, to, interval);
        if (values is not null)
        {
            return ChosenSeries(searcher, query, from, to, buckets, facet, values, cancellation);
        }
        var collector = new SeriesCollector(buckets.FromMs, buckets.IntervalMs, buckets.Count, facet, maxCells: maxCells);
        Collect(searcher, query, from, to, collector, cancellation);
        return TopSeries(searcher, query, from, to, buckets, collector, limit, cancellation);
    }

    /// <summary>
    /// The <paramref name="limit"/> most frequent values <paramref name="counted"/> found, with their histograms: those it
    /// kept, or, when it could not keep every value's, a second pass over the kept values alone (at most limit × 10,000 cells).
    /// </summary>
    private static GroupedSeries TopSeries(
        IndexSearcher searcher, QueryNode query, DateTimeOffset from, DateTimeOffset to, BucketSpan buckets, SeriesCollector counted, int limit, CancellationToken cancellation)
    {
        var top = counted.Top(limit);
        return counted.Complete
            ? Grouped(counted, top, buckets)
            : ChosenSeries(searcher, query, from, to, buckets, counted.Facet, top.Select(t => t.Value).ToList(), cancellation);
    }

    /// <summary>The series of <paramref name="values"/> of <paramref name="facet"/>, in their order, each counted even when no match carries it.</summary>
    private static GroupedSeries ChosenSeries(
        IndexSearcher searcher, QueryNode query, DateTimeOffset from, DateTimeOffset to, BucketSpan buckets, string facet, IReadOnlyList<string> values, CancellationToken cancellation)
    {
        var distinct = values.Distinct(StringComparer.Ordinal).ToList();
        var chosen = new SeriesCollector(buckets.FromMs, buckets.IntervalMs, buckets.Count, facet, distinct, maxCells: long.MaxValue);
        Collect(searcher, query, from, to, chosen, cancellation);
        return Grouped(chosen, distinct.Select(v => (v, chosen.Of(v).Count)).ToList(), buckets);
    }

    private static GroupedSeries Grouped(SeriesCollector counted, List<(string Value, long Count)> groups, BucketSpan buckets) => new(
        counted.Total,
        Histogram(counted.Histogram, buckets),
        groups.Select(g => new SeriesGroup(g.Value, g.Count, Histogram(counted.Of(g.Value).Histogram, buckets))).ToList());

    /// <summary>A histogram's start, bucket width and bucket count.</summary>
    internal readonly record struct BucketSpan(long FromMs, long IntervalMs, int Count)
    {
        /// <summary>The bucket holding the time <paramref name="atMs"/>, or -1 outside them.</summary>
        public int Of(long atMs) => atMs < FromMs ? -1 : (atMs - FromMs) / IntervalMs is var bucket && bucket < Count ? (int)bucket : -1;
    }

    /// <summary>
    /// The histogram's start, bucket width and bucket count (at most 10,000) for <c>[from, to)</c>. Buckets start on
    /// multiples of the interval since the epoch, as Elasticsearch's date histogram and Datadog's bars have them, so that a
    /// minute's bar is that minute's whatever the second the window starts, and a moving window's bars stay in place; the
    /// first and last may reach outside the window, and count only what is in it. With <paramref name="offset"/>, the
    /// multiples are those of a clock that far ahead of UTC (a zone's offset at the window's start: bars after a change of
    /// the zone's offset within the window, for daylight saving, stay on the first offset's multiples).
    /// </summary>
    internal static BucketSpan Buckets(DateTimeOffset from, DateTimeOffset to, TimeSpan interval, TimeSpan offset = default)
    {
        var intervalMs = Math.Max(1, (long)interval.TotalMilliseconds);
        return new(
            HistogramBucket.StartMs(from.ToUnixTimeMilliseconds(), intervalMs, (long)offset.TotalMilliseconds), intervalMs,
            (int)Math.Min(HistogramBucket.MaxCount, HistogramBucket.CountFor(from, to, interval, offset)));
    }

    private static List<HistogramBucket> Histogram(long[] counts, BucketSpan buckets) =>
        counts.Select((count, i) => new HistogramBucket(DateTimeOffset.FromUnixTimeMilliseconds(buckets.FromMs + i * buckets.IntervalMs), count)).ToList();

    /// <summary>
    /// The attributes and tag keys present in the searcher's documents, with how many documents carry each, most
    /// common first (from the terms' statistics: no document is read). A tag key's count adds up its values'.
    /// </summary>
    public static List<FieldSummary> Fields(IndexSearcher searcher, CancellationToken cancellation = default)
    {
        var counts = new Dictionary<(FieldKind, string), long>();
        foreach (var leaf in searcher.IndexReader.Leaves)
        {
            cancellation.ThrowIfCancellationRequested();
            var reader = leaf.AtomicReader;
            foreach (var info in reader.FieldInfos)
            {
                if (info.Name.StartsWith('@') && reader.GetTerms(info.Name) is { DocCount: > 0 } terms)
                {
                    var key = (FieldKind.Attribute, info.Name[1..]);
                    counts[key] = counts.GetValueOrDefault(key) + terms.DocCount;
                }
            }
            if (reader.GetTerms(LuceneFields.Tags) is { } tags)
            {
                var values = tags.GetEnumerator();
                while (values.MoveNext())
                {
                    var tag = values.Term.Utf8ToString();
                    var colon = tag.IndexOf(':', StringComparison.Ordinal);
                    if (colon > 0)
                    {
                        var key = (FieldKind.Tag, tag[..colon]);
                        counts[key] = counts.GetValueOrDefault(key) + values.DocFreq;
                    }
                }
            }
        }
        return counts
            .OrderByDescending(c => c.Value).ThenBy(c => c.Key.Item2, StringComparer.Ordinal)
            .Select(c => new FieldSummary(c.Key.Item1, c.Key.Item2, c.Value))
            .ToList();
    }

    /// <summary>
    /// The number of distinct values of <paramref name="field"/> (a reserved attribute, a tag key or an attribute)
    /// among the documents matching the query in <c>[from, to)</c>: each value's postings are intersected with the
    /// matches, stopping at the first one, and no document is read.
    /// </summary>
    public static long Cardinality(IndexSearcher searcher, QueryNode query, DateTimeOffset from, DateTimeOffset to, FieldRef field, CancellationToken cancellation = default)
    {
        var weight = searcher.CreateNormalizedWeight(Filtered(query, from, to));
        var distinct = new HashSet<string>(StringComparer.Ordinal);
        DocsEnum? docs = null;
        foreach (var leaf in searcher.IndexReader.Leaves)
        {
            cancellation.ThrowIfCancellationRequested();
            var reader = leaf.AtomicReader;
            if (!FieldTerms.Any(reader, field) || weight.GetScorer(leaf, reader.LiveDocs) is not { } scorer)
            {
                continue;
            }
            var matches = new FixedBitSet(reader.MaxDoc);
            int doc;
            while ((doc = scorer.NextDoc()) != DocIdSetIterator.NO_MORE_DOCS)
            {
                matches.Set(doc);
            }
            if (AnalyticsCollector.Bounds(matches) is not { } bounds)
            {
                continue;
            }
            var read = 0;
            foreach (var (value, terms) in FieldTerms.Values(reader, field))
            {
                // A merged segment may hold millions of a field's values however few documents match: a request given up is
                // seen within a few thousand of them, not at the next segment.
                if ((++read & 4095) == 0)
                {
                    cancellation.ThrowIfCancellationRequested();
                }
                if (distinct.Contains(value))
                {
                    continue;
                }
                docs = terms.Docs(reader.LiveDocs, docs, DocsFlags.NONE);
                if (AnalyticsCollector.MatchCount(docs, matches, bounds, firstOnly: true) > 0)
                {
                    distinct.Add(value);
                }
            }
        }
        return distinct.Count;
    }

    /// <summary>Datadog's log aggregation of the documents matching the request (<see cref="AggregationCollector"/>).</summary>
    public static List<AggregateBucket> Aggregate(IndexSearcher searcher, AggregateRequest request, int maxGroups = AggregationCollector.MaxGroups, CancellationToken cancellation = default)
    {
        var collector = new AggregationCollector(request, maxGroups, cancellation);
        Collect(searcher, request.Query, request.From, request.To, collector, cancellation);
        return collector.Result();
    }

    /// <summary>Number of documents matching the query in <c>[from, to)</c>.</summary>
    public static int Count(IndexSearcher searcher, QueryNode query, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellation = default)
    {
        var collector = new TotalHitCountCollector();
        Collect(searcher, query, from, to, collector, cancellation);
        return collector.TotalHits;
    }

    /// <summary>
    /// The stored source of the document with <paramref name="id"/>, or null. Documents of a <paramref name="keyed"/>
    /// index, and those written before log partitions stopped keeping ids as terms, are found by their id term; the others
    /// by their tie-break key, each candidate confirmed by its stored id: the key of every document, or, given the id's
    /// millisecond (<paramref name="atMs"/>), only of the documents of that millisecond, found as a time range finds them
    /// (the blocks whose time span holds it).
    /// </summary>
    public static string? Get(IndexSearcher searcher, string id, bool keyed, long? atMs = null)
    {
        var top = searcher.Search(new TermQuery(new Term(LuceneFields.Id, id)), 1);
        if (top.TotalHits > 0)
        {
            return EventDocument.SourceOf(searcher.Doc(top.ScoreDocs[0].Doc, SourceOnly));
        }
        if (keyed)
        {
            return null;
        }
        var candidates = new DocIdCollector();
        searcher.Search(
            atMs is { } ms
                ? new FilteredQuery(new ConstantScoreQuery(new TimeRangeFilter(ms, ms + 1)), TieBreak.Matching(id), FilteredQuery.QUERY_FIRST_FILTER_STRATEGY)
                : new ConstantScoreQuery(TieBreak.Matching(id)),
            candidates);
        return candidates.DocIds
            .Select(doc => searcher.Doc(doc, SourceOnly))
            .Where(doc => StoredId(EventDocument.SourceBytesOf(doc)) == id)
            .Select(EventDocument.SourceOf)
            .FirstOrDefault();
    }

    /// <summary>The top-level <c>id</c> of a stored source (an event or a signal, both JSON objects), or null.</summary>
    internal static string? StoredId(ReadOnlySpan<byte> source)
    {
        if (source.IsEmpty)
        {
            return null;
        }
        // As deep as stored forms are written (LogEventJson.MaxDepth), though only the top level is read.
        var reader = new System.Text.Json.Utf8JsonReader(source, new System.Text.Json.JsonReaderOptions { MaxDepth = Portal.Detection.Events.LogEventJson.MaxDepth });
        reader.Read();
        while (reader.Read() && reader.TokenType == System.Text.Json.JsonTokenType.PropertyName)
        {
            var isId = reader.ValueTextEquals("id"u8);
            reader.Read();
            if (isId)
            {
                return reader.TokenType == System.Text.Json.JsonTokenType.String ? reader.GetString() : null;
            }
            reader.Skip();
        }
        return null;
    }

    /// <summary>
    /// Passes every match in <c>[from, to)</c> to <paramref name="collector"/>. Everything in a range (<c>*</c>, the
    /// Logs Explorer's default) needs no query at all: each segment's documents are read from the blocks whose time span
    /// meets the range, testing the timestamp of the documents of blocks the range cuts. A cancelled
    /// <paramref name="cancellation"/> stops it (<see cref="OperationCanceledException"/>) at the next segment, block or
    /// few thousand matches.
    /// </summary>
    private static void Collect(IndexSearcher searcher, QueryNode query, DateTimeOffset from, DateTimeOffset to, ICollector collector, CancellationToken cancellation)
    {
        if (query is not MatchAllNode)
        {
            searcher.Search(Filtered(query, from, to), CancellableCollector.Of(collector, cancellation));
            return;
        }
        var (fromMs, toMs) = (from.ToUnixTimeMilliseconds(), to.ToUnixTimeMilliseconds());
        foreach (var leaf in searcher.IndexReader.Leaves)
        {
            var reader = leaf.AtomicReader;
            if (TimeRangeFilter.TimesOf(reader) is not { } times || times.Max < fromMs || times.Min >= toMs)
            {
                continue;
            }
            collector.SetNextReader(leaf);
            var live = reader.LiveDocs;
            var timestamps = reader.GetNumericDocValues(LuceneFields.Timestamp)!;
            for (var start = 0; start < reader.MaxDoc; start += SegmentTimes.BlockSize)
            {
                cancellation.ThrowIfCancellationRequested();
                var end = Math.Min(reader.MaxDoc, start + SegmentTimes.BlockSize);
                var (min, max) = times.Span(start, end);
                if (max < fromMs || min >= toMs)
                {
                    continue;
                }
                var whole = min >= fromMs && max < toMs;
                if (whole && collector is IBlockCollector blocks && blocks.CollectBlock(start, end, live, min, max))
                {
                    continue;
                }
                for (var doc = start; doc < end; doc++)
                {
                    if ((live is null || live.Get(doc)) && (whole || timestamps.Get(doc) is var ts && ts >= fromMs && ts < toMs))
                    {
                        collector.Collect(doc);
                    }
                }
            }
        }
    }

    /// <summary>
    /// The query within <c>[from, to)</c>, and past the <paramref name="after"/> cursor when there is one (newest first:
    /// older, or as old with a smaller key; <paramref name="oldestFirst"/>: newer, or as old with a larger key). Everything but the match-all query leads and the time range only checks its
    /// matches (<see cref="TimeRangeFilter"/>); match-all and a negation have nothing to lead with, so the range does,
    /// reading only the blocks of documents whose time span meets it.
    /// </summary>
    private static global::Lucene.Net.Search.Query Filtered(QueryNode query, DateTimeOffset from, DateTimeOffset to, SearchCursor? after = null, bool oldestFirst = false)
    {
        var (translated, fromMs, toMs) = Bounded(query, from, to, after, oldestFirst);
        return new FilteredQuery(
            translated,
            new TimeRangeFilter(fromMs, toMs),
            query is MatchAllNode or NotNode ? FilteredQuery.LEAP_FROG_FILTER_FIRST_STRATEGY : TimeRangeFilter.QueryFirst);
    }

    /// <summary>
    /// The query, past the <paramref name="after"/> cursor when there is one (older, or, <paramref name="oldestFirst"/>,
    /// newer), and the time range left to search.
    /// </summary>
    private static (global::Lucene.Net.Search.Query Query, long FromMs, long ToMs) Bounded(QueryNode query, DateTimeOffset from, DateTimeOffset to, SearchCursor? after, bool oldestFirst = false)
    {
        var fromMs = from.ToUnixTimeMilliseconds();
        var toMs = to.ToUnixTimeMilliseconds();
        var translated = LuceneQueryTranslator.Translate(query);
        if (after is { } cursor)
        {
            // Past the cursor in time, or exactly as old and past it in tie-break order: the time bound moves into the
            // range, and only the documents sharing the cursor's millisecond need their keys compared.
            if (oldestFirst)
            {
                fromMs = Math.Max(fromMs, cursor.TimestampMs);
            }
            else
            {
                toMs = Math.Min(toMs, cursor.TimestampMs + 1);
            }
            var sameMillisecond = new ConstantScoreQuery(new TimeRangeFilter(cursor.TimestampMs, cursor.TimestampMs + 1));
            translated = new BooleanQuery
            {
                { translated, Occur.MUST },
                { new FilteredQuery(sameMillisecond, oldestFirst ? TieBreak.AtMost(cursor.Id) : TieBreak.AtLeast(cursor.Id), FilteredQuery.QUERY_FIRST_FILTER_STRATEGY), Occur.MUST_NOT },
            };
        }
        return (translated, fromMs, toMs);
    }

    /// <summary>
    /// Passes matches on to the page's collector, keeping the keys of the best <c>limit</c> of them (timestamps, negated
    /// for the oldest first: the larger, the earlier on the page).
    /// </summary>
    private sealed class PageTimestamps(ICollector inner, int limit)
    {
        private readonly PriorityQueue<long, long> _best = new(limit + 1);

        public bool Full => _best.Count == limit;

        /// <summary>The key of the page's last document so far.</summary>
        public long Last => _best.Peek();

        /// <summary>Collects <paramref name="doc"/> of the current segment, whose key the caller has read.</summary>
        public void Collect(int doc, long key)
        {
            inner.Collect(doc);
            if (_best.Count < limit)
            {
                _best.Enqueue(key, key);
            }
            else if (key > _best.Peek())
            {
                _best.EnqueueDequeue(key, key);
            }
        }
    }

    private sealed class DocIdCollector : ICollector
    {
        private int _docBase;

        public List<int> DocIds { get; } = [];

        public bool AcceptsDocsOutOfOrder => true;

        public void Collect(int doc) => DocIds.Add(_docBase + doc);

        public void SetNextReader(AtomicReaderContext context) => _docBase = context.DocBase;

        public void SetScorer(Scorer scorer)
        {
        }
    }
}
