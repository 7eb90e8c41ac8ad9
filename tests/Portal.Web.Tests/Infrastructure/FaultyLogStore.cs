using Portal.Detection.Events;
using Portal.Search;

namespace Portal.Web.Tests.Infrastructure;

/// <summary>The real store, made to fail its reads on demand as a disk fault would.</summary>
internal sealed class FaultyLogStore(ILogStore inner) : ILogStore
{
    public bool Failing { get; set; }

    /// <summary>How many times the latest messages were read (<see cref="LinesAsync"/>: patterns found).</summary>
    public int LinesRead { get; private set; }

    /// <summary>How many searches' analyses ran (<see cref="AnalyzeAsync"/>: one a search).</summary>
    public int Analyses { get; private set; }

    /// <summary>An attribute whose grouping has too many values, as the store says of one with hundreds of thousands.</summary>
    public string? TooLarge { get; set; }

    /// <summary>Whether analyses wait until their token is cancelled (<see cref="FirstHeldAsync"/> the token of the first).</summary>
    public bool Hold { get; set; }

    /// <summary>The token of the first analysis held, once one is.</summary>
    public Task<CancellationToken> FirstHeldAsync() => _held.Task.WaitAsync(TimeSpan.FromSeconds(30));

    private readonly TaskCompletionSource<CancellationToken> _held = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private T Read<T>(Func<T> read) => Failing ? throw new IOException("Input/output error") : read();

    private async Task<LogAnalytics> HeldAsync(CancellationToken cancellationToken)
    {
        _held.TrySetResult(cancellationToken);
        await Task.Delay(Timeout.Infinite, cancellationToken);
        throw new InvalidOperationException("A held read is only ever cancelled.");
    }

    public Task AppendAsync(Guid tenantId, IReadOnlyList<LogEvent> events, CancellationToken cancellationToken) => inner.AppendAsync(tenantId, events, cancellationToken);

    public Task AcceptAsync(Guid tenantId, Portal.Detection.Intake.IntakeBatch batch, CancellationToken cancellationToken) => inner.AcceptAsync(tenantId, batch, cancellationToken);

    /// <summary>When set, the next refresh (what a backtest does first) answers only once it completes; the gate is then taken.</summary>
    public Task? RefreshGate
    {
        get => Volatile.Read(ref _refreshGate);
        set => Volatile.Write(ref _refreshGate, value);
    }

    private Task? _refreshGate;

    public Task RefreshAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _refreshGate, null) is { } gate)
        {
            return GatedRefreshAsync(gate, tenantId, cancellationToken);
        }
        return inner.RefreshAsync(tenantId, cancellationToken);
    }

    /// <summary>Refreshes held by <see cref="RefreshGate"/> that have answered since (or failed).</summary>
    public int GatedRefreshesAnswered => _gatedAnswered;

    private int _gatedAnswered;

    private async Task GatedRefreshAsync(Task gate, Guid tenantId, CancellationToken cancellationToken)
    {
        try
        {
            await gate;
            await inner.RefreshAsync(tenantId, cancellationToken);
        }
        finally
        {
            Interlocked.Increment(ref _gatedAnswered);
        }
    }

    /// <summary>Whether logs read by id fail (the other reads answering).</summary>
    public bool FailingFinds { get; set; }

    public Task<IReadOnlyList<LogEvent>> FindAsync(Guid tenantId, IReadOnlyList<string> ids, CancellationToken cancellationToken) =>
        FailingFinds ? throw new IOException("Input/output error") : Read(() => inner.FindAsync(tenantId, ids, cancellationToken));

    /// <summary>How many list searches were asked for (<see cref="SearchAsync"/>: the first read of a search, asked before anything is awaited).</summary>
    public int Searches { get; private set; }

    /// <summary>When set, list searches answer only once it completes (a next page being read).</summary>
    public Task? SearchGate { get; set; }

    private async Task<EventPage<LogEvent>> GatedAsync(Task gate, Guid tenantId, SearchRequest request, CancellationToken cancellationToken)
    {
        await gate;
        return await inner.SearchAsync(tenantId, request, cancellationToken);
    }

    public Task<EventPage<LogEvent>> SearchAsync(Guid tenantId, SearchRequest request, CancellationToken cancellationToken) =>
        Read(() =>
        {
            Searches++;
            return SearchGate is { } gate ? GatedAsync(gate, tenantId, request, cancellationToken) : inner.SearchAsync(tenantId, request, cancellationToken);
        });

    public Task<IReadOnlyList<LogLine>> LinesAsync(
        Guid tenantId, Portal.Detection.Query.QueryNode query, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken) =>
        Read(() =>
        {
            LinesRead++;
            return inner.LinesAsync(tenantId, query, from, to, limit, cancellationToken);
        });

    public Task<LogAnalytics> AnalyzeAsync(
        Guid tenantId, Portal.Detection.Query.QueryNode query, DateTimeOffset from, DateTimeOffset to, TimeSpan interval, CancellationToken cancellationToken, int attributeFacets = 0,
        IReadOnlyList<string>? facets = null, string? stackBy = null, int stackLimit = 10, TimeSpan offset = default) =>
        Hold ? HeldAsync(cancellationToken) : Read(() =>
        {
            Analyses++;
            return inner.AnalyzeAsync(tenantId, query, from, to, interval, cancellationToken, attributeFacets, facets, stackBy, stackLimit, offset);
        });

    public Task<GroupedSeries> SeriesAsync(
        Guid tenantId, Portal.Detection.Query.QueryNode query, DateTimeOffset from, DateTimeOffset to, TimeSpan interval, string facet, int limit, CancellationToken cancellationToken, IReadOnlyList<string>? values = null) =>
        Read(() => inner.SeriesAsync(tenantId, query, from, to, interval, facet, limit, cancellationToken, values));

    public Task<long> CardinalityAsync(Guid tenantId, Portal.Detection.Query.QueryNode query, DateTimeOffset from, DateTimeOffset to, Portal.Detection.Query.FieldRef field, CancellationToken cancellationToken) =>
        Read(() => inner.CardinalityAsync(tenantId, query, from, to, field, cancellationToken));

    /// <summary>How many aggregations were asked for (<see cref="AggregateAsync"/>: a facet's values, groups).</summary>
    public int Aggregations { get; private set; }

    public Task<IReadOnlyList<AggregateBucket>> AggregateAsync(Guid tenantId, AggregateRequest request, CancellationToken cancellationToken) =>
        Read(() =>
        {
            Aggregations++;
            return request.GroupBy.Any(g => g.Facet.Name == TooLarge)
                ? throw new AggregateTooLargeException("The matches fall in more than 200,000 groups across the levels.")
                : inner.AggregateAsync(tenantId, request, cancellationToken);
        });

    public Task<IReadOnlyList<FieldSummary>> FieldsAsync(Guid tenantId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        Read(() => inner.FieldsAsync(tenantId, from, to, cancellationToken));

    public Portal.Detection.Evaluation.IEventAggregator Aggregator(Guid tenantId) => inner.Aggregator(tenantId);

    public Task<IReadOnlyList<DateOnly>> DeleteBeforeAsync(Guid tenantId, DateOnly firstKept, CancellationToken cancellationToken) => inner.DeleteBeforeAsync(tenantId, firstKept, cancellationToken);
}
