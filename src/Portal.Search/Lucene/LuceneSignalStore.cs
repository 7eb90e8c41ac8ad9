using Portal.Detection.Events;
using Portal.Detection.Query;
using Portal.Detection.Rules;
using Portal.Detection.Signals;

namespace Portal.Search.Lucene;

/// <summary>The embedded signal store: one Lucene index per tenant, searched with the log query language.</summary>
/// <remarks>
/// Its searches and reads run on the thread pool, as the log store's (a page's circuit is free meanwhile), and a search
/// stops at its token. The detection engine's scan of a rule's latest signals runs on the caller's thread, a background job's.
/// </remarks>
public sealed class LuceneSignalStore(TenantIndexes indexes) : ISignalStore
{
    private const string Kind = "signals";

    /// <inheritdoc />
    public Task UpsertAsync(Guid tenantId, IReadOnlyList<SecuritySignal> signals, CancellationToken cancellationToken) =>
        signals.Count == 0
            ? Task.CompletedTask
            : indexes.Get(tenantId, Kind).WriteDurablyAsync(signals.Select(s => (SignalDocument.Searchable(s), LogEventJson.Serialize(s), true)), cancellationToken);

    /// <inheritdoc />
    public Task<SecuritySignal?> GetAsync(Guid tenantId, string id, CancellationToken cancellationToken) => Task.Run(() =>
    {
        var source = indexes.Get(tenantId, Kind).Get(id);
        return source is null ? null : LogEventJson.DeserializeSignal(source);
    }, cancellationToken);

    /// <inheritdoc />
    public Task<EventPage<SecuritySignal>> SearchAsync(Guid tenantId, SearchRequest request, CancellationToken cancellationToken) => Task.Run(() =>
    {
        // One more than the page holds, unread, says whether there is a next page: a page exactly full has none. A page after a
        // cursor counts the matches before it too, in the same searcher: the total is of the search, not of what is left.
        var query = SignalDocument.Query(request.Query);
        var (page, total) = indexes.Get(tenantId, Kind).WithSearcher(s =>
        {
            var page = EventSearcher.Search(s, query, request.From, request.To, request.Limit + 1, request.After, oldestFirst: request.OldestFirst, cancellation: cancellationToken);
            return (page, request.After is null ? page.TotalHits : EventSearcher.Count(s, query, request.From, request.To));
        });
        var items = page.Sources.Take(request.Limit).Select(LogEventJson.DeserializeSignal).ToList();
        var next = page.Sources.Count > request.Limit && items.Count > 0 ? SearchCursor.After(items[^1].Timestamp, items[^1].Id, request.OldestFirst) : (SearchCursor?)null;
        return new EventPage<SecuritySignal>(items, total, next);
    }, cancellationToken);

    /// <inheritdoc />
    public Task<LogAnalytics> AnalyzeAsync(Guid tenantId, QueryNode query, DateTimeOffset from, DateTimeOffset to, TimeSpan interval, TimeSpan offset, CancellationToken cancellationToken) =>
        Task.Run(() => indexes.Get(tenantId, Kind).WithSearcher(s => EventSearcher.Analyze(
            s, SignalDocument.Query(query), from, to, interval, BySeverity, FacetSize, stackBy: ReservedAttributes.Status, stackLimit: Severities.All.Count,
            offset: offset, cancellation: cancellationToken, chosen: SignalDocument.Facets)), cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<FacetValue>> FacetValuesAsync(
        Guid tenantId, QueryNode query, DateTimeOffset from, DateTimeOffset to, string facet, int limit, CancellationToken cancellationToken) =>
        Task.Run(() =>
        {
            // Counted as the explorer's analysis counts it (one bar over the window), that facet alone.
            IReadOnlyList<string> reserved = facet == ReservedAttributes.Status ? BySeverity : [];
            (IReadOnlyList<string> Attributes, IReadOnlyList<string> TagKeys) chosen = facet switch
            {
                ['@', .. var path] => ([path], []),
                ReservedAttributes.Status => ([], []),
                _ => ([], [facet]),
            };
            var analytics = indexes.Get(tenantId, Kind).WithSearcher(s => EventSearcher.Analyze(
                s, SignalDocument.Query(query), from, to, to > from ? to - from : TimeSpan.FromMilliseconds(1), reserved, limit, chosen: chosen, cancellation: cancellationToken));
            return analytics.Facets.GetValueOrDefault(facet) ?? [];
        }, cancellationToken);

    /// <summary>Values counted a facet: the commonest.</summary>
    private const int FacetSize = 10;

    /// <summary>A signal's severity is its <c>status</c>.</summary>
    private static readonly IReadOnlyList<string> BySeverity = [ReservedAttributes.Status];

    /// <inheritdoc />
    /// <remarks>
    /// With <paramref name="groupKeys"/>, only their signals are read (the real-time stage asks for its batch's groups, where
    /// reading every signal the rule raised in a day cost each batch thousands); a key the index cuts (longer than
    /// <see cref="IndexedValues.MaxChars"/>) or an empty one reads every group, as without keys.
    /// </remarks>
    public Task<IReadOnlyDictionary<string, SecuritySignal>> LatestByGroupAsync(
        Guid tenantId, string ruleId, DateTimeOffset since, IReadOnlyCollection<string>? groupKeys, CancellationToken cancellationToken)
    {
        QueryNode query = new TermNode(new FieldRef(FieldKind.Attribute, SignalDocument.RuleIdPath), ruleId, TermKind.Exact, 0);
        if (groupKeys is { Count: > 0 } && groupKeys.All(k => k.Length is > 0 and <= IndexedValues.MaxChars))
        {
            var ofGroups = new OrNode([.. groupKeys.Distinct(StringComparer.Ordinal).Select(k => new TermNode(new FieldRef(FieldKind.Attribute, SignalDocument.GroupKeyPath), k, TermKind.Exact, 0))], 0);
            query = new AndNode([query, ofGroups], 0);
        }
        var latest = indexes.Get(tenantId, Kind).ScanSources(query, since, DateTimeOffset.MaxValue)
            .Select(LogEventJson.DeserializeSignal)
            .GroupBy(s => s.GroupKey, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderByDescending(s => s.Timestamp).First(), StringComparer.Ordinal);
        return Task.FromResult<IReadOnlyDictionary<string, SecuritySignal>>(latest);
    }
}
