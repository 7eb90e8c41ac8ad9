using Portal.Detection.Events;
using Portal.Detection.Query;

namespace Portal.Detection.Evaluation;

/// <summary>
/// One scheduled run's view of a store: rules that share a query (the same text, nothing folded in) and judge the same
/// window read its events once, then group and aggregate them each their own way. Reading and deserialising events is
/// most of a threshold evaluation's cost. Only a run's worth is kept, up to <see cref="MaxEvents"/> events in all;
/// beyond, requests go to the store as they are.
/// </summary>
public sealed class SharedScans(IEventAggregator store) : IEventAggregator
{
    /// <summary>The most events kept for sharing during one run.</summary>
    public const int MaxEvents = 500_000;

    /// <summary>A shared scan larger than this is not kept: one rule's big window should not crowd out many small ones.</summary>
    public const int MaxEventsPerScan = 100_000;

    private readonly Dictionary<(string Key, DateTimeOffset From, DateTimeOffset To), IReadOnlyList<LogEvent>> _scans = [];
    private int _kept;

    /// <summary>Scans read from the store so far, and requests answered from a shared scan.</summary>
    public (int Read, int Shared) Statistics { get; private set; }

    /// <inheritdoc />
    public async Task<IReadOnlyList<GroupAggregate>> AggregateAsync(AggregationRequest request, CancellationToken cancellationToken)
    {
        if (request.SharingKey is not { } key)
        {
            return await store.AggregateAsync(request, cancellationToken);
        }
        var scan = (key, request.From, request.To);
        if (_scans.TryGetValue(scan, out var events))
        {
            Statistics = (Statistics.Read, Statistics.Shared + 1);
            return GroupAggregator.Aggregate(events, request);
        }
        events = await store.EventsAsync(request.Query, request.From, request.To, MaxEventsPerScan + 1, cancellationToken);
        Statistics = (Statistics.Read + 1, Statistics.Shared);
        if (events.Count > MaxEventsPerScan)
        {
            // Possibly cut short: let the store aggregate it whole, as without sharing.
            return await store.AggregateAsync(request, cancellationToken);
        }
        if (_kept + events.Count <= MaxEvents)
        {
            _scans[scan] = events;
            _kept += events.Count;
        }
        return GroupAggregator.Aggregate(events, request);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<LogEvent>> EventsAsync(QueryNode query, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken) =>
        store.EventsAsync(query, from, to, limit, cancellationToken);
}
