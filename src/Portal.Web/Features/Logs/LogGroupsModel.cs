using Portal.Detection.Query;
using Portal.Search;

namespace Portal.Web.Features.Logs;

/// <summary>
/// The Logs page's grouping card (<see cref="LogGroups"/>): what it is asked to show (a grouping by fields, or the
/// patterns of the messages), what it shows, and its computations, of which only the latest started is shown: a newer
/// grouping or search overtakes the others. In live tail the patterns are found again once
/// <see cref="LivePatternsInterval"/> old, not at every tick.
/// </summary>
public sealed class LogGroupsModel(ILogStore logs, TimeProvider clock)
{
    /// <summary>
    /// How often live tail finds the patterns again: reading the latest matches' messages and grouping them costs tens of
    /// milliseconds over millions of logs, more than a list and counts every two seconds need.
    /// </summary>
    public static readonly TimeSpan LivePatternsInterval = TimeSpan.FromSeconds(10);

    /// <summary>The grouping by fields asked for; kept while the patterns are shown, for when fields are asked for again.</summary>
    public LogGrouping? Grouping { get; private set; }

    /// <summary>Whether the logs are grouped into the patterns of their messages (<c>viz=patterns</c>) instead of by a field.</summary>
    public bool Patterns { get; private set; }

    /// <summary>Whether anything is asked for: otherwise there is nothing to compute.</summary>
    public bool Asked => Patterns || Grouping is not null;

    /// <summary>The groups shown (by a field).</summary>
    public IReadOnlyList<AggregateBucket> Groups { get; private set; } = [];

    /// <summary>How wide the buckets of the groups shown are: their computation's, not a newer search's while it runs.</summary>
    public TimeSpan Interval { get; private set; } = TimeSpan.FromMinutes(1);

    /// <summary>Why the groups could not be computed (too many of them).</summary>
    public string? Error { get; private set; }

    /// <summary>The patterns shown, commonest first.</summary>
    public IReadOnlyList<LogPattern> PatternList { get; private set; } = [];

    /// <summary>How many of the latest matches the patterns were found in.</summary>
    public int PatternSample { get; private set; }

    /// <summary>Whether a computation the card names is running (a search's own are under the search's loading).</summary>
    public bool Loading { get; private set; }

    /// <summary>Computations started: one overtaken by a newer one is not shown.</summary>
    private int _runs;

    /// <summary>The patterns last found, of which query and when: what a live tail's tick shows again while they are recent.</summary>
    private (QueryNode Query, DateTimeOffset At, View Shown)? _patternsFound;

    /// <summary>What the card shows: the groups by a field or why there are none, or the patterns and their sample's size.</summary>
    public sealed record View(IReadOnlyList<AggregateBucket> Groups, string? Error = null, IReadOnlyList<LogPattern>? Patterns = null, int Sample = 0, TimeSpan? Interval = null)
    {
        public static readonly View None = new([]);
    }

    /// <summary>A new grouping by fields (or none), or <paramref name="patterns"/>: nothing shown until computed, any computation running overtaken.</summary>
    public void Ask(LogGrouping? grouping, bool patterns)
    {
        (Grouping, Patterns) = (grouping, patterns);
        Clear();
    }

    /// <summary>Nothing shown (a new view of the page, a search that failed): any computation running is overtaken.</summary>
    public void Clear()
    {
        _runs++;
        Loading = false;
        Put(View.None);
    }

    /// <summary>
    /// Starts a computation (with <paramref name="loading"/>, one the card says is running: a changed grouping's),
    /// overtaking any other; its number, for <see cref="Show"/> and <see cref="End"/>.
    /// </summary>
    public int Start(bool loading = false)
    {
        Loading = loading;
        return ++_runs;
    }

    /// <summary>Shows what computation <paramref name="run"/> found, unless a newer one started since.</summary>
    public void Show(int run, View view)
    {
        if (run == _runs)
        {
            Put(view);
            Loading = false;
        }
    }

    /// <summary>Computation <paramref name="run"/> ended, shown or not (a read that failed): unless overtaken, nothing runs any more.</summary>
    public void End(int run)
    {
        if (run == _runs)
        {
            Loading = false;
        }
    }

    private void Put(View view) =>
        (Groups, Error, PatternList, PatternSample, Interval) = (view.Groups, view.Error, view.Patterns ?? [], view.Sample, view.Interval ?? Interval);

    /// <summary>
    /// What the card asks for over a window: the grouping's groups (none without a grouping, or while its measure's field
    /// is to be chosen), or why there are none; or the patterns of the window's latest <see cref="LogPatterns.SampleSize"/>
    /// matches, those found less than <see cref="LivePatternsInterval"/> ago for the same query at a live tail's
    /// <paramref name="tick"/>. Buckets of a timeseries are <paramref name="interval"/> wide on multiples of it in a clock
    /// <paramref name="offset"/> ahead of UTC.
    /// </summary>
    public async Task<View> ComputeAsync(Guid tenant, QueryNode query, DateTimeOffset from, DateTimeOffset to, TimeSpan interval, TimeSpan offset, bool tick = false, CancellationToken cancellationToken = default)
    {
        if (Patterns)
        {
            var now = clock.GetUtcNow();
            if (tick && _patternsFound is { } found && ReferenceEquals(found.Query, query) && now - found.At < LivePatternsInterval)
            {
                return found.Shown;
            }
            var latest = await logs.LinesAsync(tenant, query, from, to, LogPatterns.SampleSize, cancellationToken);
            var view = new View([], Patterns: LogPatterns.Find(latest), Sample: latest.Count);
            _patternsFound = (query, now, view);
            return view;
        }
        if (Grouping is not { } grouping || grouping.NeedsMetric && LogGrouping.MetricOf(grouping.Function, grouping.Metric) is null)
        {
            return View.None;
        }
        try
        {
            return new View(await logs.AggregateAsync(tenant, grouping.Request(query, from, to, interval, offset), cancellationToken), Interval: interval);
        }
        catch (AggregateTooLargeException e)
        {
            return new View([], $"{e.Message} Narrow the search or the time range.");
        }
    }
}
