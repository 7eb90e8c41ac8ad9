using Portal.Detection.Query;
using Portal.Detection.Signals;

namespace Portal.Search;

/// <summary>Where a tenant's security signals live.</summary>
public interface ISignalStore
{
    /// <summary>Creates or replaces signals (by id); durable when the task completes.</summary>
    Task UpsertAsync(Guid tenantId, IReadOnlyList<SecuritySignal> signals, CancellationToken cancellationToken);

    /// <summary>The signal with <paramref name="id"/>, or null when the tenant has none.</summary>
    Task<SecuritySignal?> GetAsync(Guid tenantId, string id, CancellationToken cancellationToken);

    /// <summary>
    /// Signals matching the query (signal attributes: <c>status</c> is the severity, <c>@workflow.triage.state</c>...;
    /// <c>source:</c>, <c>host:</c> and <c>service:</c> are the signal's tags, <see cref="Lucene.SignalDocument.Query"/>), newest
    /// first (or oldest, <see cref="SearchRequest.OldestFirst"/>).
    /// </summary>
    Task<EventPage<SecuritySignal>> SearchAsync(Guid tenantId, SearchRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// The signals matching the query in <c>[from, to)</c> counted, as the Signals Explorer charts them: how many, in
    /// buckets of <paramref name="interval"/> (on its multiples in a clock <paramref name="offset"/> from UTC, the
    /// organisation's) stacked by severity (<see cref="LogAnalytics.Stacks"/>), and by the top values of their facets: severity
    /// (<c>status</c>), triage state, rule, source and more (<see cref="Lucene.SignalDocument.Facets"/>).
    /// </summary>
    Task<LogAnalytics> AnalyzeAsync(Guid tenantId, QueryNode query, DateTimeOffset from, DateTimeOffset to, TimeSpan interval, TimeSpan offset, CancellationToken cancellationToken);

    /// <summary>
    /// The <paramref name="limit"/> commonest values of one of the facets <see cref="AnalyzeAsync"/> counts (<c>status</c>, an
    /// attribute as <c>@path</c>, or a tag key such as <c>source</c>) among the signals matching the query in <c>[from, to)</c>,
    /// with their counts, most common first: what the Signals Explorer shows past a facet's top values.
    /// </summary>
    Task<IReadOnlyList<FacetValue>> FacetValuesAsync(Guid tenantId, QueryNode query, DateTimeOffset from, DateTimeOffset to, string facet, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// The most recent signal of each group of a rule since <paramref name="since"/>, to be updated or superseded: of every
    /// group, or of those of <paramref name="groupKeys"/> only (at least those: a store may give more).
    /// </summary>
    Task<IReadOnlyDictionary<string, SecuritySignal>> LatestByGroupAsync(
        Guid tenantId, string ruleId, DateTimeOffset since, IReadOnlyCollection<string>? groupKeys, CancellationToken cancellationToken);
}
