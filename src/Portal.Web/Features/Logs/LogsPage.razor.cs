using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.JSInterop;
using MudBlazor;
using Portal.Detection.Events;
using Portal.Detection.Intake;
using Portal.Detection.Query;
using Portal.Search;
using Portal.Web.Components.Shared;
using Portal.Web.Features.Identity;
using Portal.Web.Features.Settings;

namespace Portal.Web.Features.Logs;

/// <summary>
/// The Logs Explorer: query bar with completion, time range (presets, custom, live tail), histogram, facets (reserved
/// and the tenant's most common attributes), newest-first list with cursor paging, event detail, and a rule from the
/// current query; attributes shown as columns of the list. Query, range, live mode and columns live in the URL so a view
/// can be shared.
/// </summary>
public partial class LogsPage
{
    /// <summary>How often live tail searches again.</summary>
    public static readonly TimeSpan LiveInterval = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How often live tail finds the patterns again: reading the latest matches' messages and grouping them costs tens of
    /// milliseconds over millions of logs, more than a list and counts every two seconds need.
    /// </summary>
    public static readonly TimeSpan LivePatternsInterval = TimeSpan.FromSeconds(10);

    private const int PageSize = 100;
    private const int AttributeFacets = 6;
    private const string QueryPlaceholder = "Search logs: service:web @http.status_code:>=500 -status:info \"failed password\"";
    private readonly PagedResults<LogEvent> _results = new();
    private string _query = "";
    private string _range = "1h";
    private string? _customFrom;
    private string? _customTo;
    /// <summary>The custom bounds as last run (the form's text may have changed since, not run yet): what the URL keeps.</summary>
    private (string? From, string? To) _customRun;
    private string? _queryError;
    private string? _rangeError;
    private bool _live;
    private long _total;
    private IReadOnlyList<HistogramBucket> _histogram = [];
    private IReadOnlyList<SeriesGroup> _byStatus = [];
    private IReadOnlyDictionary<string, IReadOnlyList<FacetValue>> _facets = new Dictionary<string, IReadOnlyList<FacetValue>>();
    private IReadOnlyList<FieldSummary> _fields = [];
    private TimeSpan _interval = TimeSpan.FromMinutes(1);
    private (DateTimeOffset From, DateTimeOffset To) _window;
    private LogEvent? _selected;
    private bool _detailOpen;
    private bool _loading;
    private SessionInfo? _session;
    private CancellationTokenSource? _tail;
    /// <summary>The query last run; none until one parsed (an address whose query is at fault runs nothing).</summary>
    private (string Text, QueryNode Node)? _submitted;
    private List<string> _columns = [];
    private (string Query, DateTimeOffset From, DateTimeOffset To)? _exported;

    [Inject] private ILogStore Logs { get; set; } = default!;
    [Inject] private TenantSession Session { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private IDialogService Dialogs { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;
    [Inject] private TimeProvider Clock { get; set; } = default!;
    [Inject] private ILogger<LogsPage> Logger { get; set; } = default!;
    [Inject] private IJSRuntime JS { get; set; } = default!;
    [Inject] private OrganisationZone Zones { get; set; } = default!;

    /// <summary>The organisation's time zone, which the page shows times in and reads typed ones in.</summary>
    private TimeZoneInfo _zone = TimeZoneInfo.Utc;

    [SupplyParameterFromQuery(Name = "q")]
    private string? UrlQuery { get; set; }

    [SupplyParameterFromQuery(Name = "range")]
    private string? UrlRange { get; set; }

    [SupplyParameterFromQuery(Name = "from")]
    private string? UrlFrom { get; set; }

    [SupplyParameterFromQuery(Name = "to")]
    private string? UrlTo { get; set; }

    [SupplyParameterFromQuery(Name = "live")]
    private bool? UrlLive { get; set; }

    [SupplyParameterFromQuery(Name = "cols")]
    private string? UrlColumns { get; set; }

    [SupplyParameterFromQuery(Name = "by")]
    private string? UrlBy { get; set; }

    [SupplyParameterFromQuery(Name = "measure")]
    private string? UrlMeasure { get; set; }

    [SupplyParameterFromQuery(Name = "top")]
    private string? UrlTop { get; set; }

    [SupplyParameterFromQuery(Name = "viz")]
    private string? UrlViz { get; set; }

    [SupplyParameterFromQuery(Name = "then")]
    private string? UrlThen { get; set; }

    /// <summary>The grouping asked for (<see cref="LogGrouping"/>: a top list, a timeseries or a table), its groups, and why they could not be computed.</summary>
    private LogGrouping? _grouping;

    private IReadOnlyList<AggregateBucket> _groups = [];

    private string? _groupError;

    /// <summary>Whether the logs are grouped into patterns of their messages (<c>viz=patterns</c>) instead of by a field.</summary>
    private bool _patterns;

    /// <summary>The patterns of the latest matches, and how many matches they were found in.</summary>
    private IReadOnlyList<LogPattern> _patternList = [];

    private int _patternSample;

    private string WindowLabel => _range == TimeRanges.Custom
        ? $"{TimeRanges.Format(_window.From, exact: true, _zone)} → {TimeRanges.Format(_window.To, exact: true, _zone)} {DisplayTime.NameOf(_zone)}"
        : TimeRanges.All.First(r => r.Key == _range).Label;

    /// <summary>What the list says without rows: why, when no search ran.</summary>
    private string EmptyText =>
        SearchError is not null ? "No results: the search did not run."
        : _submitted is null ? "No results: correct the query above to search."
        : "No logs match this search and time range.";

    protected override async Task OnInitializedAsync()
    {
        ReadUrl();
        _session = await Session.GetAsync();
        _zone = await Zones.GetAsync(_session.TenantId);
        await SearchAsync();
    }

    /// <summary>
    /// The address changed under the page (the menu's link to the logs, a shared view opened in the same tab): the page
    /// shows what it says. Changes the page made itself (<see cref="KeepUrl"/>) are not read back.
    /// </summary>
    protected override async Task OnParametersSetAsync()
    {
        var url = UrlView.Of(UrlQuery, UrlRange, UrlFrom, UrlTo, UrlLive == true, UrlColumns, UrlGrouping, UrlViz == LogPatterns.ViewName);
        if (_seen is not { } seen)
        {
            _seen = url;
            return;
        }
        if (url == seen)
        {
            return;
        }
        _seen = url;
        if (_written.IndexOf(url) is var own and >= 0)
        {
            // One of the page's own changes coming back (there may be several on their way).
            _written.RemoveRange(0, own + 1);
            return;
        }
        _written.Clear();
        StopTail();
        ReadUrl();
        (_detailOpen, _queryError, _rangeError, _submitted, _window) = (false, null, null, null, default);
        ClearResults();
        await SearchAsync();
    }

    /// <summary>The view the address holds: query, range, custom bounds, live tail, columns.</summary>
    private void ReadUrl()
    {
        _query = UrlQuery ?? "";
        _range = UrlRange == TimeRanges.Custom || TimeRanges.All.Any(r => r.Key == UrlRange) ? UrlRange! : "1h";
        _customFrom = UrlFrom;
        _customTo = UrlTo;
        _live = UrlLive == true;
        _columns = AttributeColumns.Parse(UrlColumns);
        _patterns = UrlViz == LogPatterns.ViewName;
        _grouping = UrlGrouping;
    }

    /// <summary>The grouping by a field the address holds: none when it asks for patterns.</summary>
    private LogGrouping? UrlGrouping => UrlViz == LogPatterns.ViewName ? null : LogGrouping.Parse(UrlBy, UrlMeasure, UrlTop, UrlViz, UrlThen);

    /// <summary>A view as the address has it, empty values as none, to compare one with another.</summary>
    private readonly record struct UrlView(string? Query, string? Range, string? From, string? To, bool Live, string? Columns, LogGrouping? Grouping, bool Patterns)
    {
        public static UrlView Of(string? query, string? range, string? from, string? to, bool live, string? columns, LogGrouping? grouping, bool patterns) =>
            new(NoneIfEmpty(query), NoneIfEmpty(range), NoneIfEmpty(from), NoneIfEmpty(to), live, NoneIfEmpty(columns), grouping, patterns);

        private static string? NoneIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
    }

    /// <summary>The view the address held when the page last looked (<see cref="OnParametersSetAsync"/>).</summary>
    private UrlView? _seen;

    /// <summary>The views the page wrote into the address (<see cref="KeepUrl"/>) that have not come back yet, oldest first.</summary>
    private readonly List<UrlView> _written = [];

    protected override void OnAfterRender(bool firstRender)
    {
        // Live tail needs the interactive circuit: start it once the page is interactive.
        if (_live && _tail is null && RendererInfo.IsInteractive)
        {
            StartTail();
        }
    }

    public ValueTask DisposeAsync()
    {
        StopTail();
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    private async Task RangeChangedAsync(string range)
    {
        if (range == TimeRanges.Custom && _range != TimeRanges.Custom)
        {
            // Start from the window being shown (not a custom range shown before it), so that a custom range refines it;
            // when nothing ran, from the window the page names.
            var (from, to) = _window;
            if (_window != default || TryResolveWindow(out from, out to))
            {
                _customFrom = TimeRanges.Format(from, zone: _zone);
                _customTo = TimeRanges.Format(to, zone: _zone);
            }
        }
        _range = range;
        await SearchOrRunAsync();
    }

    private async Task OnRangeKeyUpAsync(KeyboardEventArgs e)
    {
        if (e.Key == "Enter")
        {
            await SearchOrRunAsync();
        }
    }

    /// <summary>
    /// After the window changed: what the query bar holds, or, when it is at fault, the last query that ran over the new
    /// window (the fault stays shown), so that the results are always the window's the page names.
    /// </summary>
    private Task SearchOrRunAsync() => QueryParser.TryParse(_query, out _, out _) ? SearchAsync() : RunAsync();

    /// <summary>
    /// Starts live tail, or pauses it: the list stays as it was last read, its window kept as a custom range (so that the
    /// page names it and a shared link shows the same logs).
    /// </summary>
    private async Task LiveChangedAsync(bool live)
    {
        if (!live && _window == default)
        {
            // Nothing ran (the address's query is at fault): nothing to keep.
            _live = false;
            StopTail();
            KeepUrl();
            return;
        }
        if (!live)
        {
            ShowCustomWindow(TimeRanges.Format(_window.From, exact: true, _zone), TimeRanges.Format(_window.To, exact: true, _zone));
            KeepUrl();
            return;
        }
        _live = true;
        StartTail();
        await RunAsync();
    }

    private Task PickFacetAsync((string Field, string Value) pick, bool exclude)
    {
        if (QueryCompletion.Term(pick.Field, pick.Value, exclude) is { } term)
        {
            return AddTermAsync(term);
        }
        Snackbar.Add(pick.Value.Length > QueryCompletion.MaxTermValue
            ? $"This value is too long to search by (over {QueryCompletion.MaxTermValue:N0} characters)."
            : $"{pick.Field} is not a name the query language can search by.", Severity.Info);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Narrows the search to a group's logs (a group within another: its logs of that other group too), or with
    /// <paramref name="exclude"/> drops them (<see cref="GroupCell.Terms"/>).
    /// </summary>
    private Task PickGroupAsync(GroupCell cell, bool exclude)
    {
        if (cell.Terms(exclude) is not { } terms)
        {
            Snackbar.Add($"{cell.Label} cannot be searched by (a value over {QueryCompletion.MaxTermValue:N0} characters, or a name the query language cannot use).", Severity.Info);
            return Task.CompletedTask;
        }
        return AddTermsAsync(terms);
    }

    /// <summary>
    /// The detail opened or closed by its drawer (its close button, a click beside it): closed, the focus goes back to
    /// the list's row of the log it showed, so that the keyboard carries on from there.
    /// </summary>
    private async Task DetailOpenChangedAsync(bool open)
    {
        _detailOpen = open;
        if (!open && _selected is { } shown && RendererInfo.IsInteractive)
        {
            try
            {
                await JS.InvokeVoidAsync("vigil.focusLogRow", shown.Id);
            }
            catch (JSDisconnectedException)
            {
                // The page was left.
            }
        }
    }

    /// <summary>Narrows the search by <paramref name="term"/> (a facet value or an attribute of the event shown), the detail closed to show the results.</summary>
    private Task AddTermAsync(string term) => AddTermsAsync([term]);

    /// <summary>Narrows the search by each of <paramref name="terms"/> in turn (<see cref="QueryCompletion.Narrowed"/>), the detail closed to show the results.</summary>
    private async Task AddTermsAsync(IEnumerable<string> terms)
    {
        foreach (var term in terms)
        {
            _query = QueryCompletion.Narrowed(_query, term);
        }
        _detailOpen = false;
        await SearchAsync();
    }

    /// <summary>
    /// Where the log shown in the detail stands in the list, found by id (live tail reads the list afresh every few
    /// seconds); -1 when it is no longer there.
    /// </summary>
    private int SelectedIndex => _selected is { } shown ? _results.Items.FindIndex(e => e.Id == shown.Id) : -1;

    private bool _movingOn;

    /// <summary>Shows the next newer (-1) or older (+1) log of the list in the detail, loading the next page past the last.</summary>
    private async Task MoveAsync(int step)
    {
        var at = SelectedIndex;
        if (!_detailOpen || at < 0 || at + step < 0 || _movingOn)
        {
            return;
        }
        _movingOn = true;
        try
        {
            if (at + step == _results.Items.Count && _results.HasMore && !_live && !await GuardedAsync(() => _results.LoadMoreAsync(Search)))
            {
                return;
            }
            if (at + step < _results.Items.Count)
            {
                _selected = _results.Items[at + step];
            }
        }
        finally
        {
            _movingOn = false;
        }
    }

    /// <summary>
    /// Narrows the window to one bucket of the histogram, as a custom range of the bounds it counted, and runs the query
    /// that drew it (not text typed since); live tail stops.
    /// </summary>
    private async Task ZoomAsync(DateTimeOffset start)
    {
        var (from, to) = TimeRanges.BucketWindow(start, _interval, _window);
        ShowCustomWindow(TimeRanges.Format(from, exact: true, _zone), TimeRanges.Format(to, exact: true, _zone));
        await RunAsync();
    }

    /// <summary>Sets a custom window, as if typed in the range's form; live tail stops. The caller runs the search.</summary>
    private void ShowCustomWindow(string from, string to)
    {
        StopTail();
        _live = false;
        _range = TimeRanges.Custom;
        _customFrom = from;
        _customTo = to;
        _customRun = (from, to);
        _rangeError = null;
    }

    /// <summary>Distance either side of a log its context shows.</summary>
    private static readonly TimeSpan ContextSpan = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The logs around <paramref name="e"/>: of its host and service (its source when it has neither), five minutes either
    /// side, as Datadog's "view in context"; live tail stops, and the window is custom so that it can be shared.
    /// </summary>
    private async Task ViewInContextAsync(LogEvent e)
    {
        var terms = new[] { (ReservedAttributes.Host, e.Host), (ReservedAttributes.Service, e.Service) }
            .Where(t => !string.IsNullOrEmpty(t.Item2))
            .Select(t => QueryCompletion.Term(t.Item1, t.Item2!))
            .OfType<string>()
            .ToList();
        if (terms.Count == 0 && !string.IsNullOrEmpty(e.Source) && QueryCompletion.Term(ReservedAttributes.Source, e.Source) is { } source)
        {
            terms.Add(source);
        }
        if (terms.Count == 0)
        {
            Snackbar.Add("This log's host, service and source cannot be searched by: no context to show.", Severity.Info);
            return;
        }
        _query = string.Join(' ', terms);
        _detailOpen = false;
        // The later bound is exclusive: a millisecond further, so that a log at the window's very end stays within.
        ShowCustomWindow(TimeRanges.Format(e.Timestamp - ContextSpan, exact: true, _zone), TimeRanges.Format(e.Timestamp + ContextSpan + TimeSpan.FromMilliseconds(1), exact: true, _zone));
        await SearchAsync();
    }

    /// <summary>Runs what the query bar holds; a query with a syntax error is shown, not run.</summary>
    private async Task SearchAsync()
    {
        if (!QueryParser.TryParse(_query, out var node, out var error))
        {
            _queryError = error!.Message;
            return;
        }
        _queryError = null;
        _submitted = (_query, node!);
        await RunAsync();
    }

    /// <summary>
    /// Runs the last submitted query over the current window (live tail re-runs it while typing goes on, a
    /// <paramref name="tick"/>: its patterns kept while younger than <see cref="LivePatternsInterval"/>).
    /// </summary>
    private async Task RunAsync(bool tick = false)
    {
        if (_submitted is not var (text, node))
        {
            return;
        }
        if (!TryResolveWindow(out var from, out var to))
        {
            return;
        }
        _window = (from, to);
        _customRun = (_customFrom, _customTo);
        // A preset's buckets follow its nominal span (the past hour in minutes), not the window's look-ahead.
        _interval = TimeRanges.IntervalFor(to - from - (_range == TimeRanges.Custom && !_live ? TimeSpan.Zero : TimeRanges.Lookahead));
        _loading = true;
        // A search computes the grouping's groups too: any grouping change still running is overtaken.
        var (tenant, interval, run, grouped) = (_session!.TenantId, _interval, ++_runs, ++_groupRuns);
        _groupsLoading = false;
        var ran = await GuardedAsync(async () =>
        {
            if (!await _results.LoadAsync(new SearchRequest(node, from, to, PageSize), Search))
            {
                return;
            }
            // The histogram's bars stacked by status, counted with the bars and facets over the same index snapshot, so they add up.
            // Bars on multiples of the interval in the organisation's clock: a day's bar starts at its midnight.
            var analytics = await Logs.AnalyzeAsync(
                tenant, node, from, to, interval, CancellationToken.None, AttributeFacets, stackBy: ReservedAttributes.Status, stackLimit: LogStatuses.BySeverity.Count,
                offset: _zone.GetUtcOffset(from));
            var fields = await Logs.FieldsAsync(tenant, from, to, CancellationToken.None);
            var groups = await GroupsAsync(tenant, node, from, to, tick);
            if (run == _runs)
            {
                (_fields, _total, _histogram, _byStatus, _facets) = (fields, analytics.Total, analytics.Histogram, analytics.Stacks ?? [], analytics.Facets);
                if (grouped == _groupRuns)
                {
                    // Unless the grouping changed meanwhile: its own computation shows its groups.
                    Show(groups);
                }
            }
        });
        if (run != _runs)
        {
            // A newer search started while this one ran (a store that answers asynchronously): the page is that one's.
            return;
        }
        _loading = false;
        if (!ran)
        {
            // Nothing shown is this search's: no results rather than another search's under its name.
            ClearResults();
        }
        else
        {
            _exported = (text, from, to);
        }
        KeepUrl();
    }

    /// <summary>What the grouping card shows: the groups by a field or why there are none, or the patterns and their sample's size.</summary>
    private sealed record GroupView(IReadOnlyList<AggregateBucket> Groups, string? Error = null, IReadOnlyList<LogPattern>? Patterns = null, int Sample = 0)
    {
        public static readonly GroupView None = new([]);
    }

    private void Show(GroupView view) => (_groups, _groupError, _patternList, _patternSample) = (view.Groups, view.Error, view.Patterns ?? [], view.Sample);

    /// <summary>
    /// The grouping's groups over the window (none without a grouping), or why there are none; or the patterns of the
    /// window's latest <see cref="LogPatterns.SampleSize"/> matches.
    /// </summary>
    private async Task<GroupView> GroupsAsync(Guid tenant, QueryNode query, DateTimeOffset from, DateTimeOffset to, bool tick = false)
    {
        if (_patterns)
        {
            var now = Clock.GetUtcNow();
            if (tick && _patternsFound is { } found && ReferenceEquals(found.Query, query) && now - found.At < LivePatternsInterval)
            {
                return found.View;
            }
            var latest = await Logs.LinesAsync(tenant, query, from, to, LogPatterns.SampleSize, CancellationToken.None);
            var view = new GroupView([], Patterns: LogPatterns.Find(latest), Sample: latest.Count);
            _patternsFound = (query, now, view);
            return view;
        }
        if (_grouping is not { } grouping || grouping.NeedsMetric && LogGrouping.MetricOf(grouping.Function, grouping.Metric) is null)
        {
            // None asked, or a measure whose field is still to be chosen.
            return GroupView.None;
        }
        try
        {
            return new GroupView(await Logs.AggregateAsync(tenant, grouping.Request(query, from, to, _interval, _zone.GetUtcOffset(from)), CancellationToken.None));
        }
        catch (AggregateTooLargeException e)
        {
            return new GroupView([], $"{e.Message} Narrow the search or the time range.");
        }
    }

    /// <summary>The patterns last found, of which query and when: what a live tail's tick shows again while they are recent.</summary>
    private (QueryNode Query, DateTimeOffset At, GroupView View)? _patternsFound;

    /// <summary>Patterns asked for, or grouping by fields again: as before the patterns (the grouping is kept meanwhile, out of the address).</summary>
    private Task PatternsChangedAsync(bool patterns) => GroupingChangedAsync(_grouping, patterns);

    /// <summary>
    /// A new grouping (or none; or <paramref name="patterns"/>): kept in the address, its groups computed over the window the list shows. The groups of
    /// the grouping before are cleared at once, and those of a change overtaken by another (or by a new search) dropped.
    /// </summary>
    private async Task GroupingChangedAsync(LogGrouping? grouping, bool patterns = false)
    {
        (_grouping, _patterns) = (grouping, patterns);
        KeepUrl();
        var (runs, grouped) = (_runs, ++_groupRuns);
        Show(GroupView.None);
        _groupsLoading = false;
        if (_submitted is not var (_, node) || _window == default || grouping is null && !patterns)
        {
            return;
        }
        var (tenant, (from, to)) = (_session!.TenantId, _window);
        _groupsLoading = true;
        try
        {
            await GuardedAsync(async () =>
            {
                var groups = await GroupsAsync(tenant, node, from, to);
                if (runs == _runs && grouped == _groupRuns)
                {
                    Show(groups);
                }
            });
        }
        finally
        {
            if (grouped == _groupRuns)
            {
                _groupsLoading = false;
            }
        }
    }

    /// <summary>Groupings computed, so that one overtaken by a newer grouping or search leaves the page to it.</summary>
    private int _groupRuns;

    /// <summary>Whether the groups of a changed grouping are being computed (a search's are under <see cref="_loading"/>).</summary>
    private bool _groupsLoading;

    /// <summary>Searches started, so that one overtaken by a newer one leaves the page to it.</summary>
    private int _runs;

    private void ClearResults()
    {
        // A search still running is not this view's any more.
        _runs++;
        _results.Clear();
        (_total, _histogram, _byStatus, _facets, _exported) = (0, [], [], new Dictionary<string, IReadOnlyList<FacetValue>>(), null);
        Show(GroupView.None);
    }

    /// <summary>The values the query bar completes for a field the facets did not count.</summary>
    private const int CompletedValues = 100;

    /// <summary>
    /// The most common values of <paramref name="field"/> among the last search's logs over its window, for the query bar
    /// to complete them (the facets count the commonest attributes only); none before a search ran, or for a name no
    /// field can have. A fault is logged and completes nothing: the search itself is not at fault.
    /// </summary>
    private async Task<IReadOnlyList<FacetValue>> ValuesOfAsync(string field)
    {
        if (_submitted is not var (_, node) || _window == default || AggregateFields.Parse(field) is not { } facet)
        {
            return [];
        }
        try
        {
            var groups = await Logs.AggregateAsync(_session!.TenantId,
                new AggregateRequest(node, _window.From, _window.To, [new AggregateMeasure(AggregateFunction.Count)], [new AggregateGroupBy(facet, CompletedValues)]),
                CancellationToken.None);
            return [.. groups.Select(g => new FacetValue(g.By[0].ToString(), (long)(g.Computes[0].Total ?? 0)))];
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Logger.LogWarning(e, "The values of {Field} could not be read for completion", field);
            return [];
        }
    }

    /// <summary>The page's reads of the store, a fault shown instead of the circuit's end.</summary>
    private GuardedReads Reads => _reads ??= new GuardedReads(Logger, "logs search");

    private GuardedReads? _reads;

    private string? SearchError => _reads?.Error;

    private Task<bool> GuardedAsync(Func<Task> read) => Reads.RunAsync(read, _session?.TenantId);

    /// <summary>The view in the URL: the query submitted last, the range or live tail, the columns.</summary>
    private void KeepUrl()
    {
        var custom = _range == TimeRanges.Custom && !_live;
        var view = UrlView.Of(_submitted?.Text ?? _query, _live ? null : _range, custom ? _customRun.From : null, custom ? _customRun.To : null, _live, AttributeColumns.Format(_columns), _patterns ? null : _grouping, _patterns);
        // Noted before it is written: a navigation may come back before Keep returns (bUnit's does, synchronously), and the
        // page must know it as its own, for the address does not hold all of the view (a grouping set aside for patterns).
        _written.Add(view);
        var written = ShareableUrl.Keep(Navigation, RendererInfo.IsInteractive, new Dictionary<string, object?>
        {
            ["q"] = view.Query,
            ["range"] = view.Range,
            ["from"] = view.From,
            ["to"] = view.To,
            ["live"] = view.Live ? "true" : null,
            ["cols"] = view.Columns,
            ["by"] = view.Grouping?.By,
            ["measure"] = view.Grouping is { Function: not AggregateFunction.Count } grouping ? grouping.Measure : null,
            ["top"] = view.Grouping is { Limit: not LogGrouping.DefaultLimit } limited ? limited.Limit.ToString(CultureInfo.InvariantCulture) : null,
            ["viz"] = view.Patterns ? LogPatterns.ViewName : view.Grouping?.ViewName,
            ["then"] = view.Grouping?.Then,
        });
        if (!written)
        {
            // Nothing was written, so nothing came back: the view noted last is this one.
            _written.RemoveAt(_written.Count - 1);
        }
        else if (_written.Count > 16)
        {
            // Changes that never came back (the circuit's messages lost): forget the oldest.
            _written.RemoveAt(0);
        }
    }

    /// <summary>
    /// The list shown as a CSV file (<see cref="LogsExport"/>): the query and window of the last search that ran, the
    /// columns; none before one ran, nor while the query bar or the range is at fault (the list is then not theirs).
    /// </summary>
    private string? ExportLink => _exported is { } view && _queryError is null && _rangeError is null ? LogsExport.Link(view.Query, view.From, view.To, _columns) : null;

    /// <summary>Shows an attribute as a column of the list, or removes its column; the list's rows are those already found.</summary>
    private void ToggleColumn(string path)
    {
        if (!AttributeColumns.Toggle(_columns, path))
        {
            Snackbar.Add(_columns.Count >= AttributeColumns.Max
                ? $"The list shows at most {AttributeColumns.Max} attribute columns: remove one first."
                : $"@{path} cannot be a column.", Severity.Info);
            return;
        }
        KeepUrl();
    }

    private bool TryResolveWindow(out DateTimeOffset from, out DateTimeOffset to) =>
        TimeRanges.TryResolveView(_range, _live, _customFrom, _customTo, Clock.GetUtcNow(), out from, out to, out _rangeError, _zone);

    private void StartTail()
    {
        StopTail();
        _tail = new CancellationTokenSource();
        var token = _tail.Token;
        _ = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(LiveInterval);
            try
            {
                while (await timer.WaitForNextTickAsync(token))
                {
                    await InvokeAsync(async () =>
                    {
                        if (!token.IsCancellationRequested)
                        {
                            await RunAsync(tick: true);
                            StateHasChanged();
                        }
                    });
                }
            }
            catch (OperationCanceledException)
            {
                // Paused, or the page was left.
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                await InvokeAsync(() =>
                {
                    _live = false;
                    Snackbar.Add($"Live tail stopped: {e.Message}", Severity.Warning);
                    StateHasChanged();
                });
            }
        }, token);
    }

    private void StopTail()
    {
        _tail?.Cancel();
        _tail?.Dispose();
        _tail = null;
    }

    /// <summary>The list's next page (its button, or its end scrolled near); none in live tail, which reads the newest only.</summary>
    private Task LoadMoreAsync() => _results.HasMore && !_live ? GuardedAsync(() => _results.LoadMoreAsync(Search)) : Task.CompletedTask;

    private Task<EventPage<LogEvent>> Search(SearchRequest request) => Logs.SearchAsync(_session!.TenantId, request, CancellationToken.None);

    /// <summary>A rule from the query whose results the page shows (not text typed since, which may not even parse).</summary>
    private async Task CreateRuleAsync()
    {
        var dialog = await Dialogs.ShowAsync<CreateRuleDialog>("Create a rule", new DialogParameters<CreateRuleDialog> { { d => d.Query, _submitted?.Text ?? "" } },
            new DialogOptions { MaxWidth = MaxWidth.Small, FullWidth = true });
        var result = await dialog.Result;
        if (result is { Canceled: false, Data: string name })
        {
            Snackbar.Add($"Rule “{name}” created: it runs with the others on the Rules page.", Severity.Success);
        }
    }
}
