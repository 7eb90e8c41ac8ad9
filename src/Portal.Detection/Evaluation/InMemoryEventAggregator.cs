using Portal.Detection.Events;
using Portal.Detection.Query;

namespace Portal.Detection.Evaluation;

/// <summary>Answers aggregation requests over events held in memory (rule tests, previews, the CLI).</summary>
public sealed class InMemoryEventAggregator(IEnumerable<LogEvent> events) : IEventAggregator
{
    /// <inheritdoc />
    public Task<IReadOnlyList<GroupAggregate>> AggregateAsync(AggregationRequest request, CancellationToken cancellationToken)
    {
        var matches = QueryMatcher.Compile(request.Query);
        var matching = events
            .Where(e => e.Timestamp >= request.From && e.Timestamp < request.To && matches(e))
            .OrderBy(e => e.Timestamp);
        return Task.FromResult(GroupAggregator.Aggregate(matching, request));
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<LogEvent>> EventsAsync(QueryNode query, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken)
    {
        var matches = QueryMatcher.Compile(query);
        IReadOnlyList<LogEvent> found = events.Where(e => e.Timestamp >= from && e.Timestamp < to && matches(e)).Take(limit).OrderBy(e => e.Timestamp).ToList();
        return Task.FromResult(found);
    }
}
