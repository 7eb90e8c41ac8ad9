using Portal.Detection.Events;
using Portal.Detection.Query;

namespace Portal.Detection.Evaluation;

/// <summary>
/// The question the engine asks a store: "per group, how many events (or distinct values) matched
/// this query in this window?" Stores answer it; the engine decides what the answer means.
/// </summary>
public interface IEventAggregator
{
    /// <summary>Aggregates the events matching <paramref name="request"/>, one result per group.</summary>
    Task<IReadOnlyList<GroupAggregate>> AggregateAsync(AggregationRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// The events matching <paramref name="query"/> with <c>from ≤ timestamp &lt; to</c>, oldest first: what the methods that
    /// follow events one by one (new value, impossible travel, anomaly) replay. At most <paramref name="limit"/> are read
    /// (which ones, when there are more, is unspecified: callers ask for one more than they accept, to tell).
    /// </summary>
    Task<IReadOnlyList<LogEvent>> EventsAsync(QueryNode query, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken);
}

/// <summary>What to aggregate: events matching <see cref="Query"/> with <c>From ≤ timestamp &lt; To</c>.</summary>
/// <param name="NewSince">Events at or after this instant are counted in <see cref="GroupAggregate.NewCount"/>.</param>
public sealed record AggregationRequest(
    QueryNode Query,
    DateTimeOffset From,
    DateTimeOffset To,
    IReadOnlyList<FieldRef> GroupBy,
    string Aggregation,
    FieldRef? DistinctField,
    DateTimeOffset NewSince,
    int SampleSize = 5)
{
    /// <summary>The numeric field of <c>sum</c> and <c>max</c>.</summary>
    public FieldRef? Metric { get; init; }

    /// <summary>Events missing a group-by value group under the empty value instead of being left out.</summary>
    public bool OptionalGroupBy { get; init; }

    /// <summary>
    /// Equal for requests whose query matches exactly the same events (<see cref="CompiledRule.SharingKey"/>), null when
    /// unknown: a <see cref="SharedScans"/> reads such events once for all the rules that ask.
    /// </summary>
    public string? SharingKey { get; init; }
}

/// <summary>The aggregate of one group. <see cref="Value"/> is the count, the distinct count, the sum or the maximum.</summary>
public sealed record GroupAggregate(
    IReadOnlyList<string> GroupValues,
    double Value,
    long Count,
    long NewCount,
    DateTimeOffset FirstSeen,
    DateTimeOffset LastSeen,
    IReadOnlyList<LogEvent> Samples);
