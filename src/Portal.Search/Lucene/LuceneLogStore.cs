using Portal.Detection.Evaluation;
using Portal.Detection.Events;
using Portal.Detection.Intake;
using Portal.Detection.Query;

namespace Portal.Search.Lucene;

/// <summary>The embedded log store: per tenant, day-partitioned Lucene indexes behind a write-ahead journal.</summary>
/// <remarks>
/// Its searches run on the thread pool (<see cref="Read"/>), as a remote store's run on its server: a caller such as a
/// page's circuit is free while an index of millions is read, and a cancelled token stops the read where it is. The rule
/// evaluator's scans (<see cref="Aggregator"/>) run on the caller's thread, a background job's, and stop at its token too.
/// </remarks>
public sealed class LuceneLogStore(TenantIndexes indexes) : ILogStore
{
    /// <summary>The kind of index logs live in (<c>{data}/tenants/{tenant}/logs</c>).</summary>
    public const string Kind = "logs";

    /// <summary>The facets the Logs Explorer shows, in its order.</summary>
    public static readonly IReadOnlyList<string> FacetFields = [ReservedAttributes.Status, ReservedAttributes.Service, ReservedAttributes.Host, ReservedAttributes.Source];

    /// <inheritdoc />
    public Task AppendAsync(Guid tenantId, IReadOnlyList<LogEvent> events, CancellationToken cancellationToken) =>
        events.Count == 0 ? Task.CompletedTask : indexes.GetJournaled(tenantId, Kind).AppendAsync(events, cancellationToken);

    /// <inheritdoc />
    public Task AcceptAsync(Guid tenantId, Detection.Intake.IntakeBatch batch, CancellationToken cancellationToken)
    {
        JournaledEventIndex index;
        try
        {
            index = indexes.GetJournaled(tenantId, Kind);
        }
        catch
        {
            batch.ReleaseBody();
            throw;
        }
        return index.AcceptAsync(batch, cancellationToken);
    }

    /// <inheritdoc />
    public Task RefreshAsync(Guid tenantId, CancellationToken cancellationToken) => indexes.GetJournaled(tenantId, Kind).RefreshAsync(cancellationToken);

    /// <inheritdoc />
    public Task<EventPage<LogEvent>> SearchAsync(Guid tenantId, SearchRequest request, CancellationToken cancellationToken) => Read(() =>
    {
        // One more than the page holds, unread, says whether there is a next page: a page exactly full has none.
        var page = indexes.GetJournaled(tenantId, Kind).Index.Search(request.Query, request.From, request.To, request.Limit + 1, request.After, request.OldestFirst, cancellationToken);
        var items = page.Sources.Take(request.Limit).Select(LogEventJson.Deserialize).ToList();
        var next = page.Sources.Count > request.Limit && items.Count > 0 ? SearchCursor.After(items[^1].Timestamp, items[^1].Id, request.OldestFirst) : (SearchCursor?)null;
        return new EventPage<LogEvent>(items, page.TotalHits, next);
    }, cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// An id drawn by the intake (<see cref="EventIds"/>) names its event's millisecond, so only that day's partition is read;
    /// any other id (given by hand to an appended event) is looked for in every partition. Within the day, the documents of the
    /// id's millisecond are read first (<see cref="PartitionedEventIndex.Get"/>).
    /// </remarks>
    public Task<IReadOnlyList<LogEvent>> FindAsync(Guid tenantId, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ids.Count, ILogStore.MaxFind, nameof(ids));
        return Read<IReadOnlyList<LogEvent>>(() =>
        {
            var index = indexes.GetJournaled(tenantId, Kind).Index;
            var found = new List<LogEvent>(ids.Count);
            foreach (var id in ids.Distinct(StringComparer.Ordinal))
            {
                cancellationToken.ThrowIfCancellationRequested();
                // A time clamped to the epoch (an event dated before it) names no day: every partition is read.
                var at = EventIds.TimeOf(id) is { } time && time.ToUnixTimeMilliseconds() > 0 ? time : (DateTimeOffset?)null;
                if (index.Get(id, at) is { } source)
                {
                    found.Add(LogEventJson.Deserialize(source));
                }
            }
            return found;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<LogLine>> LinesAsync(Guid tenantId, QueryNode query, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken) =>
        Read<IReadOnlyList<LogLine>>(() => indexes.GetJournaled(tenantId, Kind).Index.Lines(query, from, to, limit, cancellationToken), cancellationToken);

    /// <inheritdoc />
    public Task<LogAnalytics> AnalyzeAsync(
        Guid tenantId, QueryNode query, DateTimeOffset from, DateTimeOffset to, TimeSpan interval, CancellationToken cancellationToken, int attributeFacets = 0,
        IReadOnlyList<string>? facets = null, string? stackBy = null, int stackLimit = 10, TimeSpan offset = default) =>
        Read(() => indexes.GetJournaled(tenantId, Kind).Index.Analyze(
            query, from, to, interval, facets ?? FacetFields, facetSize: 10, attributeFacets, stackBy, stackLimit, offset: offset, cancellation: cancellationToken), cancellationToken);

    /// <inheritdoc />
    public Task<GroupedSeries> SeriesAsync(Guid tenantId, QueryNode query, DateTimeOffset from, DateTimeOffset to, TimeSpan interval, string facet, int limit, CancellationToken cancellationToken, IReadOnlyList<string>? values = null) =>
        Read(() => indexes.GetJournaled(tenantId, Kind).Index.Series(query, from, to, interval, facet, limit, values: values, cancellation: cancellationToken), cancellationToken);

    /// <inheritdoc />
    public Task<long> CardinalityAsync(Guid tenantId, QueryNode query, DateTimeOffset from, DateTimeOffset to, FieldRef field, CancellationToken cancellationToken) =>
        Read(() => indexes.GetJournaled(tenantId, Kind).Index.Cardinality(query, from, to, field, cancellationToken), cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<AggregateBucket>> AggregateAsync(Guid tenantId, AggregateRequest request, CancellationToken cancellationToken) =>
        Read<IReadOnlyList<AggregateBucket>>(() => indexes.GetJournaled(tenantId, Kind).Index.Aggregate(request, cancellation: cancellationToken), cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<FieldSummary>> FieldsAsync(Guid tenantId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        Read<IReadOnlyList<FieldSummary>>(() => indexes.GetJournaled(tenantId, Kind).Index.Fields(from, to, cancellationToken), cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<DateOnly>> DeleteBeforeAsync(Guid tenantId, DateOnly firstKept, CancellationToken cancellationToken) =>
        Task.FromResult(indexes.GetJournaled(tenantId, Kind).Index.DropBefore(firstKept));

    /// <summary>Runs <paramref name="read"/> on the thread pool, unless <paramref name="cancellationToken"/> is cancelled first.</summary>
    private static Task<T> Read<T>(Func<T> read, CancellationToken cancellationToken) => Task.Run(read, cancellationToken);

    /// <inheritdoc />
    public IEventAggregator Aggregator(Guid tenantId) => new Aggregation(indexes.GetJournaled(tenantId, Kind).Index);

    private sealed class Aggregation(PartitionedEventIndex index) : IEventAggregator
    {
        public Task<IReadOnlyList<GroupAggregate>> AggregateAsync(AggregationRequest request, CancellationToken cancellationToken) =>
            // Streamed as read, in the index's order (the aggregation keeps each group's earliest samples): a window of
            // millions of events holds one at a time, not every stored source and event at once.
            Task.FromResult(index.ReadSources(
                request.Query, request.From, request.To, sources => GroupAggregator.Aggregate(sources.Select(LogEventJson.Deserialize), request), cancellationToken));

        public Task<IReadOnlyList<LogEvent>> EventsAsync(QueryNode query, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken)
        {
            IReadOnlyList<LogEvent> events = index.ScanSources(query, from, to, limit, cancellationToken)
                .Select(LogEventJson.Deserialize)
                .OrderBy(e => e.Timestamp)
                .ToList();
            return Task.FromResult(events);
        }
    }
}
