using Portal.Detection.Evaluation;
using Portal.Detection.Events;
using Portal.Detection.Query;

namespace Portal.Search;

/// <summary>Where a tenant's log events live. Every call names its tenant; stores never mix tenants.</summary>
public interface ILogStore
{
    /// <summary>
    /// Stores <paramref name="events"/>; when the task completes they are durable, and searchable within a second.
    /// Throws <see cref="Journal.StoreBusyException"/> when the store is behind and the caller should retry later.
    /// </summary>
    Task AppendAsync(Guid tenantId, IReadOnlyList<LogEvent> events, CancellationToken cancellationToken);

    /// <summary>
    /// Stores an intake request as accepted (<see cref="Portal.Detection.Intake.IntakePayload.Check"/>): when the task
    /// completes it is durable; its events are normalised as they are indexed, searchable within a second when the store
    /// keeps up. Throws <see cref="Journal.StoreBusyException"/> when the store is behind and the caller should retry later.
    /// The store takes the batch over: it calls <see cref="Portal.Detection.Intake.IntakeBatch.ReleaseBody"/> once it no
    /// longer reads the body, whatever the outcome.
    /// </summary>
    Task AcceptAsync(Guid tenantId, Portal.Detection.Intake.IntakeBatch batch, CancellationToken cancellationToken);

    /// <summary>Returns once every event appended before the call is searchable (read-your-writes).</summary>
    Task RefreshAsync(Guid tenantId, CancellationToken cancellationToken);

    /// <summary>Events matching the query, newest first (or oldest, <see cref="SearchRequest.OldestFirst"/>), paged with a cursor.</summary>
    Task<EventPage<LogEvent>> SearchAsync(Guid tenantId, SearchRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// The tenant's events with these <paramref name="ids"/> (a shared link's, a signal's samples), in the order asked; an id
    /// of no event the tenant keeps (another organisation's, past retention, mistyped) is left out.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">More than <see cref="MaxFind"/> ids.</exception>
    Task<IReadOnlyList<LogEvent>> FindAsync(Guid tenantId, IReadOnlyList<string> ids, CancellationToken cancellationToken);

    /// <summary>The most ids one <see cref="FindAsync"/> looks for (a signal keeps ten samples).</summary>
    public const int MaxFind = 50;

    /// <summary>
    /// The message and status of each of the newest <paramref name="limit"/> events matching the query in
    /// <c>[from, to)</c>, newest first, without the rest of each event (what the Logs Explorer's patterns read).
    /// </summary>
    Task<IReadOnlyList<LogLine>> LinesAsync(Guid tenantId, QueryNode query, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Histogram of matches over time (buckets of <paramref name="interval"/>) and top values of the reserved facets (all
    /// four, or only <paramref name="facets"/>), then of the <paramref name="attributeFacets"/> attributes most common in
    /// the range (keyed <c>@path</c>); with <paramref name="stackBy"/>, the histogram stacked by the
    /// <paramref name="stackLimit"/> most frequent values of that reserved facet (<see cref="LogAnalytics.Stacks"/>).
    /// Buckets start on multiples of the interval in a clock <paramref name="offset"/> ahead of UTC (the viewer's zone's
    /// offset at <paramref name="from"/>: day bars from its midnight).
    /// </summary>
    Task<LogAnalytics> AnalyzeAsync(
        Guid tenantId, QueryNode query, DateTimeOffset from, DateTimeOffset to, TimeSpan interval, CancellationToken cancellationToken, int attributeFacets = 0,
        IReadOnlyList<string>? facets = null, string? stackBy = null, int stackLimit = 10, TimeSpan offset = default);

    /// <summary>
    /// A grouped timeseries: the matches' total and histogram, and the <paramref name="limit"/> most frequent values of
    /// the reserved <paramref name="facet"/> (most frequent first, ties by value), each with its count and histogram; or,
    /// with <paramref name="values"/>, those values in their order (a value no match carries counts zero).
    /// </summary>
    Task<GroupedSeries> SeriesAsync(Guid tenantId, QueryNode query, DateTimeOffset from, DateTimeOffset to, TimeSpan interval, string facet, int limit, CancellationToken cancellationToken, IReadOnlyList<string>? values = null);

    /// <summary>How many distinct values <paramref name="field"/> takes among the matches (a reserved attribute, tag key or attribute).</summary>
    Task<long> CardinalityAsync(Guid tenantId, QueryNode query, DateTimeOffset from, DateTimeOffset to, FieldRef field, CancellationToken cancellationToken);

    /// <summary>
    /// Datadog's log aggregation (<see cref="AggregateRequest"/>): any function of any field, as totals or timeseries, over
    /// all matches or grouped by up to four facets or numeric bins, each level in its order and limit.
    /// </summary>
    /// <exception cref="AggregateTooLargeException">The matches fall in more groups than the store keeps.</exception>
    Task<IReadOnlyList<AggregateBucket>> AggregateAsync(Guid tenantId, AggregateRequest request, CancellationToken cancellationToken);

    /// <summary>The attributes and tag keys of the tenant's events around <c>[from, to)</c>, most common first (query autocomplete).</summary>
    Task<IReadOnlyList<FieldSummary>> FieldsAsync(Guid tenantId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);

    /// <summary>The aggregation interface of the tenant's events, for the detection engine.</summary>
    IEventAggregator Aggregator(Guid tenantId);

    /// <summary>Deletes the tenant's events of UTC days before <paramref name="firstKept"/> (retention); returns the days deleted.</summary>
    Task<IReadOnlyList<DateOnly>> DeleteBeforeAsync(Guid tenantId, DateOnly firstKept, CancellationToken cancellationToken);
}

/// <summary>
/// A search over a time range: <c>From ≤ timestamp &lt; To</c>, newest first, or <paramref name="OldestFirst"/> (a cursor
/// pages on in the order it was made in).
/// </summary>
public sealed record SearchRequest(QueryNode Query, DateTimeOffset From, DateTimeOffset To, int Limit = 50, SearchCursor? After = null, bool OldestFirst = false);

/// <summary>
/// One page of results; <see cref="Next"/> is null on the last page, a page exactly full included. <see cref="TotalHits"/> is exact for signals; a log
/// search stops looking once its page is full, so for logs it is exact only when the page is not (count with analytics).
/// </summary>
public sealed record EventPage<T>(IReadOnlyList<T> Items, int TotalHits, SearchCursor? Next);

/// <summary>An event's message and status, as its stored form holds them.</summary>
public readonly record struct LogLine(string? Message, string? Status)
{
    /// <summary>The message and status of an event's stored JSON (its top-level <c>message</c> and <c>status</c>).</summary>
    public static LogLine Read(ReadOnlySpan<byte> source)
    {
        var reader = new System.Text.Json.Utf8JsonReader(source, new System.Text.Json.JsonReaderOptions { MaxDepth = LogEventJson.MaxDepth });
        var (message, status) = ((string?)null, (string?)null);
        if (!reader.Read() || reader.TokenType != System.Text.Json.JsonTokenType.StartObject)
        {
            return default;
        }
        while (reader.Read() && reader.TokenType == System.Text.Json.JsonTokenType.PropertyName)
        {
            var (isMessage, isStatus) = (reader.ValueTextEquals("message"u8), reader.ValueTextEquals("status"u8));
            reader.Read();
            if (reader.TokenType == System.Text.Json.JsonTokenType.String && (isMessage || isStatus))
            {
                (message, status) = isMessage ? (reader.GetString(), status) : (message, reader.GetString());
            }
            else
            {
                reader.Skip();
            }
        }
        return new LogLine(message, status);
    }
}
