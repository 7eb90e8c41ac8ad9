using Portal.Detection.Evaluation;
using Portal.Detection.Events;
using Portal.Detection.Query;

namespace Portal.Search.Lucene;

/// <summary>The embedded log store: per tenant, day-partitioned Lucene indexes behind a write-ahead journal.</summary>
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
    public Task<EventPage<LogEvent>> SearchAsync(Guid tenantId, SearchRequest request, CancellationToken cancellationToken)
    {
        // One more than the page holds, unread, says whether there is a next page: a page exactly full has none.
        var page = indexes.GetJournaled(tenantId, Kind).Index.Search(request.Query, request.From, request.To, request.Limit + 1, request.After, request.OldestFirst);
        var items = page.Sources.Take(request.Limit).Select(LogEventJson.Deserialize).ToList();
        var next = page.Sources.Count > request.Limit && items.Count > 0 ? SearchCursor.After(items[^1].Timestamp, items[^1].Id, request.OldestFirst) : (SearchCursor?)null;
        return Task.FromResult(new EventPage<LogEvent>(items, page.TotalHits, next));
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<LogLine>> LinesAsync(Guid tenantId, QueryNode query, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<LogLine>>(indexes.GetJournaled(tenantId, Kind).Index.Lines(query, from, to, limit));

    /// <inheritdoc />
    public Task<LogAnalytics> AnalyzeAsync(
        Guid tenantId, QueryNode query, DateTimeOffset from, DateTimeOffset to, TimeSpan interval, CancellationToken cancellationToken, int attributeFacets = 0,
        IReadOnlyList<string>? facets = null, string? stackBy = null, int stackLimit = 10, TimeSpan offset = default) =>
        Task.FromResult(indexes.GetJournaled(tenantId, Kind).Index.Analyze(query, from, to, interval, facets ?? FacetFields, facetSize: 10, attributeFacets, stackBy, stackLimit, offset: offset));

    /// <inheritdoc />
    public Task<GroupedSeries> SeriesAsync(Guid tenantId, QueryNode query, DateTimeOffset from, DateTimeOffset to, TimeSpan interval, string facet, int limit, CancellationToken cancellationToken, IReadOnlyList<string>? values = null) =>
        Task.FromResult(indexes.GetJournaled(tenantId, Kind).Index.Series(query, from, to, interval, facet, limit, values: values));

    /// <inheritdoc />
    public Task<long> CardinalityAsync(Guid tenantId, QueryNode query, DateTimeOffset from, DateTimeOffset to, FieldRef field, CancellationToken cancellationToken) =>
        Task.FromResult(indexes.GetJournaled(tenantId, Kind).Index.Cardinality(query, from, to, field));

    /// <inheritdoc />
    public Task<IReadOnlyList<AggregateBucket>> AggregateAsync(Guid tenantId, AggregateRequest request, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<AggregateBucket>>(indexes.GetJournaled(tenantId, Kind).Index.Aggregate(request, cancellation: cancellationToken));

    /// <inheritdoc />
    public Task<IReadOnlyList<FieldSummary>> FieldsAsync(Guid tenantId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<FieldSummary>>(indexes.GetJournaled(tenantId, Kind).Index.Fields(from, to));

    /// <inheritdoc />
    public Task<IReadOnlyList<DateOnly>> DeleteBeforeAsync(Guid tenantId, DateOnly firstKept, CancellationToken cancellationToken) =>
        Task.FromResult(indexes.GetJournaled(tenantId, Kind).Index.DropBefore(firstKept));

    /// <inheritdoc />
    public IEventAggregator Aggregator(Guid tenantId) => new Aggregation(indexes.GetJournaled(tenantId, Kind).Index);

    private sealed class Aggregation(PartitionedEventIndex index) : IEventAggregator
    {
        public Task<IReadOnlyList<GroupAggregate>> AggregateAsync(AggregationRequest request, CancellationToken cancellationToken)
        {
            var events = index.ScanSources(request.Query, request.From, request.To)
                .Select(LogEventJson.Deserialize)
                .OrderBy(e => e.Timestamp);
            return Task.FromResult(GroupAggregator.Aggregate(events, request));
        }

        public Task<IReadOnlyList<LogEvent>> EventsAsync(QueryNode query, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken)
        {
            IReadOnlyList<LogEvent> events = index.ScanSources(query, from, to, limit)
                .Select(LogEventJson.Deserialize)
                .OrderBy(e => e.Timestamp)
                .ToList();
            return Task.FromResult(events);
        }
    }
}
