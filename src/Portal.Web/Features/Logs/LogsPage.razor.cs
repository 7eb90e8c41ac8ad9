using Microsoft.AspNetCore.Components;
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
/// The Logs Explorer: query bar with completion, time range (presets, custom, live tail), histogram, facets (reserved,
/// added by the user with a range filter for numbers, and the tenant's most common attributes), the grouping card,
/// list (newest or oldest first) with cursor paging, event detail, and a rule from the current query; attributes shown as columns of
/// the list. The whole view lives in the URL so that it can be shared (<see cref="KeepUrl"/>).
/// </summary>
public partial class LogsPage
{
    /// <summary>How often live tail searches again.</summary>
    public static readonly TimeSpan LiveInterval = TimeSpan.FromSeconds(2);

    private const int PageSize = 100;

    /// <summary>
    /// The most logs the list holds: scrolled further, a month's search read page after page into the member's connection
    /// (hundreds of megabytes on a busy organisation). Beyond, the list says to narrow the search or export it. A parameter
    /// only so that tests can lower it.
    /// </summary>
    [Parameter] public int MaxListed { get; set; } = 10_000;

    /// <summary>Whether another page can be listed: the search has more, live tail is off, and the list is under <see cref="MaxListed"/>.</summary>
    private bool CanListMore => _results.HasMore && !_live && _results.Items.Count < MaxListed;
    private const int AttributeFacets = 6;
    private const string QueryPlaceholder = "Search logs: service:web @http.status_code:>=500 -status:info \"failed password\"";
    private readonly PagedResults<LogEvent> _results = new(e => e.Id);
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
    private IReadOnlyList<FieldSummary> _fields = [];
    private TimeSpan _interval = TimeSpan.FromMinutes(1);
    private (DateTimeOffset From, DateTimeOffset To) _window;

    /// <summary>
    /// The buckets and window the histogram shown was counted over: a newer search sets <see cref="_interval"/> and
    /// <see cref="_window"/> as it starts, while the bars it replaces are still there to be clicked.
    /// </summary>
    private (TimeSpan Interval, (DateTimeOffset From, DateTimeOffset To) Window) _drawn = (TimeSpan.FromMinutes(1), default);
    private LogEvent? _selected;
    private bool _detailOpen;

    /// <summary>The id of the log the address asks the detail to show (a shared link's), until the search it came with has run.</summary>
    private string? _asked;
    /// <summary>The list's order as asked (<see cref="LogSort"/>); live tail shows the newest first whatever it is (<see cref="OldestFirst"/>).</summary>
    private bool _oldestFirst;

    /// <summary>Whether the list shows the oldest log first: as asked, unless in live tail.</summary>
    private bool OldestFirst => _oldestFirst && !_live;

    /// <summary>The free-text terms of the search whose list is shown, marked in its messages (<see cref="TextHighlights"/>).</summary>
    private IReadOnlyList<TermNode> _highlights = [];

    /// <summary>A search is running (the store reads off the circuit: the page stays usable meanwhile).</summary>
    private bool _loading;

    /// <summary>Whether the search running is live tail's refresh, whose count may stay until its own comes.</summary>
    private bool _ticking;

    /// <summary>
    /// The count shown: while a search runs, its list may come before its count (read with the histogram and facets), and
    /// the last search's count is not the list's.
    /// </summary>
    private string CountLabel => _opening || (_loading && !_ticking) ? "Searching…" : $"{_total:N0} logs";

    /// <summary>The page is still being opened (its organisation, zone and views read, its first search not yet started), or prerendered.</summary>
    private bool _opening = true;

    /// <summary>What the page says to assistive technology (and tests wait on) while it reads: opening, searching, loading more or grouping.</summary>
    private bool Busy => _opening || _loading || _results.LoadingMore || _groups.Loading;
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

    /// <summary>Whether the facets panel (and the saved views above it) is hidden (<see cref="FacetsToggle"/>), as this browser last chose.</summary>
    private bool _facetsHidden;

    /// <summary>This browser's console preferences: the facets panel hidden or not.</summary>
    [CascadingParameter] private Portal.Web.Components.Layout.ConsolePreferences? Preferences { get; set; }

    /// <summary>The organisation's time zone, which the page shows times in and reads typed ones in.</summary>
    private TimeZoneInfo _zone = TimeZoneInfo.Utc;

    /// <summary>The grouping card: a grouping by fields (a top list, a timeseries or a table) or the patterns, and what it shows.</summary>
    private LogGroupsModel _groups = default!;

    /// <summary>
    /// The window searched; before a custom one is (as the page is prerendered, or when the address's range is at fault),
    /// its bounds as given.
    /// </summary>
    private string WindowLabel => _range != TimeRanges.Custom ? TimeRanges.All.First(r => r.Key == _range).Label
        : _window == default ? (_customFrom is null || _customTo is null ? "Custom range" : $"{_customFrom} → {_customTo} {DisplayTime.NameOf(_zone)}")
        : $"{TimeRanges.Format(_window.From, exact: true, _zone)} → {TimeRanges.Format(_window.To, exact: true, _zone)} {DisplayTime.NameOf(_zone)}";

    /// <summary>What the list says without rows: why, when no search ran.</summary>
    private string EmptyText =>
        SearchError is not null ? "No results: the search did not run."
        : _submitted is null ? "No results: correct the query above to search."
        : "No logs match this search and time range.";

    protected override async Task OnInitializedAsync()
    {
        _facetsHidden = Preferences?.FacetsHidden == true;
        _groups = new LogGroupsModel(Logs, Clock);
        try
        {
            await OpenAsync();
        }
        finally
        {
            // Prerendered, the page stays "searching": the circuit searches once it is interactive.
            _opening = !RendererInfo.IsInteractive;
        }
    }

    private async Task OpenAsync()
    {
        ReadUrl();
        // Added facets show before any search runs (an address whose query is at fault runs none).
        ComposeFacets();
        _session = await Session.GetAsync();
        _zone = await Zones.GetAsync(_session.TenantId);
        await ReadViewsAsync();
        if (await OpenAddressViewAsync() is { } view && AddressIsBare)
        {
            // A link to a saved view alone: its state, as if the address held it, written there at once (a query at fault
            // runs no search to write it).
            TakeState(view.State);
            ComposeFacets();
            KeepUrl();
        }
        // The address read is the one the page shows: one opened while the first search runs (on the thread pool's time,
        // not the circuit's) is then seen as a change, and shown.
        _address.Opened(AddressView);
        if (!RendererInfo.IsInteractive)
        {
            // Prerendering: the page's frame and what its address asks are shown at once, and the search runs once, in the
            // circuit (its results would be replaced there by its first render, a flash of an empty list).
            return;
        }
        await SearchAsync();
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        // The detail closed by what it asked for (a filter, the log's context): the keyboard goes on from the new list's row
        // of that log (its first row when it is not listed), drawn now; the focus was in the drawer, closed and inert.
        if (_focusRowOf is { } id && RendererInfo.IsInteractive)
        {
            _focusRowOf = null;
            await DrawerFocus.ReturnAsync(JS, "data-log-id", id, ifLost: true, index: _results.Items.FindIndex(e => e.Id == id));
        }
        // Live tail needs the interactive circuit: start it once the page is interactive.
        if (_live && _tail is null && RendererInfo.IsInteractive)
        {
            StartTail();
        }
        // The recent searches are the browser's: read once the page is interactive and knows its member.
        if (!_recentRead && _session is not null && RendererInfo.IsInteractive)
        {
            _recentRead = true;
            if (await RecentAsync("vigil.recentQueries.read", RecentKey) is { } recent)
            {
                _recent = recent;
                StateHasChanged();
            }
        }
    }

    /// <summary>The log whose row takes the focus at the next render (<see cref="OnAfterRenderAsync"/>), once the detail closed for the results of what it asked.</summary>
    private string? _focusRowOf;

    /// <summary>The member's recent searches on this page, newest first, kept in this browser per organisation and member.</summary>
    private IReadOnlyList<string> _recent = [];

    private bool _recentRead;

    /// <summary>How many recent searches are kept.</summary>
    internal const int RecentSearches = 10;

    /// <summary>The longest search kept among the recent ones (as the browser's script keeps them).</summary>
    private const int LongestRecent = 1_000;

    /// <summary>Where the browser keeps the member's recent searches; signing out clears every key of this prefix (keys.js).</summary>
    private string RecentKey => $"vigil.logs.recent.{_session!.TenantId:N}.{_session.UserId:N}";

    /// <summary>
    /// A search the page ran (typed, or from its address, a view or a facet), kept first among the recent ones; not the
    /// empty search, nor <c>*</c>, nor one longer than <see cref="LongestRecent"/> characters.
    /// </summary>
    private async Task RememberAsync(string text)
    {
        text = text.Trim();
        if (text.Length is 0 or > LongestRecent || text == "*" || !RendererInfo.IsInteractive || _session is null)
        {
            return;
        }
        if (await RecentAsync("vigil.recentQueries.add", RecentKey, text, RecentSearches) is { } recent)
        {
            _recent = recent;
        }
    }

    /// <summary>The recent searches as the browser answers <paramref name="call"/>; null when it could not (the page was left).</summary>
    private async Task<string[]?> RecentAsync(string call, params object[] arguments)
    {
        try
        {
            return await JS.InvokeAsync<string[]?>(call, arguments) ?? [];
        }
        catch (Exception e) when (e is JSDisconnectedException or JSException or TaskCanceledException)
        {
            return null;
        }
    }

    public ValueTask DisposeAsync()
    {
        // The page's closing token is not disposed (reads still running hold it); the search's, linked to it, is, once
        // cancelled with it (a cancelled token stays cancelled), and forgotten.
        _cancellation.Close();
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
        // Live tail shows the newest first, and so does the list once paused.
        (_live, _oldestFirst) = (true, false);
        StartTail();
        await RunAsync();
    }

    /// <summary>The list's order changed by its date's heading (none in live tail): kept in the address, the search run again in it.</summary>
    private async Task SortChangedAsync(bool oldestFirst)
    {
        if (_live || oldestFirst == _oldestFirst)
        {
            return;
        }
        _oldestFirst = oldestFirst;
        if (_submitted is null)
        {
            // Nothing runs (the query bar is at fault): the order is the next search's.
            KeepUrl();
            return;
        }
        var runs = _runs;
        await RunAsync();
        if (_runs == runs)
        {
            // No search ran (the range is at fault): the list shown keeps its order, and says so.
            _oldestFirst = !oldestFirst;
        }
    }

    /// <summary>
    /// The detail opened or closed by its drawer (its close button, a click beside it): closed, the focus goes back to
    /// the list's row of the log it showed, so that the keyboard carries on from there.
    /// </summary>
    private async Task DetailOpenChangedAsync(bool open)
    {
        _detailOpen = open;
        KeepUrl();
        if (!open && _selected is { } shown && RendererInfo.IsInteractive)
        {
            // The list is virtualised: the detail's arrows may have moved past the rows it draws.
            await DrawerFocus.ReturnAsync(JS, "data-log-id", shown.Id, index: SelectedIndex);
        }
    }

    /// <summary>
    /// Where the log shown in the detail stands in the list, found by id (live tail reads the list afresh every few
    /// seconds); -1 when it is no longer there.
    /// </summary>
    private int SelectedIndex => _selected is { } shown ? _results.Items.FindIndex(e => e.Id == shown.Id) : -1;

    private bool _movingOn;

    /// <summary>The arrows pressed while a move was still loading the next page (down counted +1, up -1), taken in turn after it.</summary>
    private int _pendingMoves;

    /// <summary>
    /// Shows the log above (-1) or below (+1) in the list in the detail, loading the next page past the last; the arrows
    /// pressed meanwhile are taken once it has loaded, not dropped.
    /// </summary>
    private async Task MoveAsync(int step)
    {
        if (_movingOn)
        {
            _pendingMoves += step;
            return;
        }
        _movingOn = true;
        try
        {
            while (step != 0)
            {
                var at = SelectedIndex;
                if (!_detailOpen || at < 0 || at + step < 0)
                {
                    return;
                }
                if (at + step == _results.Items.Count && CanListMore && !await GuardedAsync(() => _results.LoadMoreAsync(Search), Searching))
                {
                    return;
                }
                if (at + step < _results.Items.Count)
                {
                    _selected = _results.Items[at + step];
                    KeepUrl();
                }
                step = Math.Sign(_pendingMoves);
                _pendingMoves -= step;
            }
        }
        finally
        {
            (_movingOn, _pendingMoves) = (false, 0);
        }
    }

    /// <summary>
    /// Narrows the window to one bucket of the histogram, as a custom range of the bounds it counted, and runs the query
    /// that drew it (not text typed since); live tail stops.
    /// </summary>
    private async Task ZoomAsync(DateTimeOffset start)
    {
        var (from, to) = TimeRanges.BucketWindow(start, _drawn.Interval, _drawn.Window);
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
        var (from, to) = WindowAround(e.Timestamp, e.Timestamp, _zone);
        ShowCustomWindow(from, to);
        await SearchAsync();
        // Unless another log was opened meanwhile (its drawer has the focus).
        _focusRowOf = _detailOpen ? null : e.Id;
    }

    /// <summary>
    /// The custom bounds from <see cref="ContextSpan"/> before <paramref name="first"/> to as long after <paramref name="last"/>,
    /// as the range's form has them in <paramref name="zone"/>.
    /// </summary>
    private static (string From, string To) WindowAround(DateTimeOffset first, DateTimeOffset last, TimeZoneInfo zone) =>
        // The later bound is exclusive: a millisecond further, so that a log at the window's very end stays within.
        (TimeRanges.Format(first - ContextSpan, exact: true, zone), TimeRanges.Format(last + ContextSpan + TimeSpan.FromMilliseconds(1), exact: true, zone));

    /// <summary>Runs what the query bar holds; a query with a syntax error is shown, not run.</summary>
    private async Task SearchAsync()
    {
        if (!QueryParser.TryParse(_query, out var node, out var error))
        {
            _queryError = error!.Message;
            return;
        }
        _queryError = null;
        var text = _query;
        _submitted = (text, node!);
        await RunAsync();
        await RememberAsync(text);
    }

    /// <summary>
    /// Runs the last submitted query over the current window (live tail re-runs it while typing goes on, a
    /// <paramref name="tick"/>: its patterns kept while younger than <see cref="LogGroupsModel.LivePatternsInterval"/>).
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
        _customRun = _range == TimeRanges.Custom && !_live ? TimeRanges.Shareable(_customFrom, _customTo, from, to, _zone) : (_customFrom, _customTo);
        // A preset's buckets follow its nominal span (the past hour in minutes), not the window's look-ahead.
        _interval = TimeRanges.IntervalFor(to - from - (_range == TimeRanges.Custom && !_live ? TimeSpan.Zero : TimeRanges.Lookahead));
        // A tick overtaking a search asked for is that search's count to come, not a refresh of the count shown.
        (_loading, _ticking) = (true, tick && (!_loading || _ticking));
        // A search computes the grouping's groups too: any grouping change still running is overtaken.
        var (tenant, interval, run, grouped, searching) = (_session!.TenantId, _interval, ++_runs, _groups.Start(), StartSearching());
        var ran = await GuardedAsync(async () =>
        {
            if (!await _results.LoadAsync(new SearchRequest(node, from, to, PageSize, OldestFirst: OldestFirst), Search))
            {
                return;
            }
            // The list is this search's: its free text marked in its messages.
            _highlights = TextHighlights.Terms(node);
            // The histogram's bars stacked by status, counted with the bars and facets over the same index snapshot, so they add up.
            // Bars on multiples of the interval in the organisation's clock: a day's bar starts at its midnight.
            var analytics = await Logs.AnalyzeAsync(
                tenant, node, from, to, interval, searching, AttributeFacets, stackBy: ReservedAttributes.Status, stackLimit: LogStatuses.BySeverity.Count,
                offset: _zone.GetUtcOffset(from));
            var fields = await Logs.FieldsAsync(tenant, from, to, searching);
            var pinned = new Dictionary<string, FacetCount>(StringComparer.Ordinal);
            foreach (var field in _pinned.ToList())
            {
                pinned[field] = await PinnedFacets.CountAsync(Logs, tenant, field, node, from, to, searching);
            }
            // The facets opened past their top values stay open, read again for this search (those the panel shows; at live
            // tail's ticks, once their values are as old as patterns may be); a facet that cannot be read says why, and
            // fails nothing else.
            var more = new List<(string Field, IReadOnlyList<FacetValue>? Values, string? Note, DateTimeOffset At)>();
            foreach (var field in _opened.Opened.Where(f => _facets.ContainsKey(f)).ToList())
            {
                var now = Clock.GetUtcNow();
                if (tick && _opened.Values.TryGetValue(field, out var kept) && now - _opened.ReadAt(field) < LogGroupsModel.LivePatternsInterval)
                {
                    more.Add((field, kept, null, _opened.ReadAt(field)));
                    continue;
                }
                var (values, note) = await MoreValuesAsync(tenant, field, node, from, to, searching);
                searching.ThrowIfCancellationRequested();
                more.Add((field, values, note, now));
            }
            var groups = await _groups.ComputeAsync(tenant, node, from, to, interval, _zone.GetUtcOffset(from), tick, searching);
            if (run == _runs)
            {
                (_fields, _total, _histogram, _byStatus, _counted, _drawn) = (fields, analytics.Total, analytics.Histogram, analytics.Stacks ?? [], analytics.Facets, (interval, (from, to)));
                _opened.Forget();
                foreach (var (field, values, note, at) in more.Where(m => _opened.Opened.Contains(m.Field)))
                {
                    _opened.Keep(field, values, note, at);
                }
                KeepCounts(pinned);
                // Unless the grouping changed meanwhile: its own computation shows its groups.
                _groups.Show(grouped, groups);
            }
        }, searching);
        if (run != _runs || Closing.IsCancellationRequested)
        {
            // The page closed, or a newer search started while this one ran (its reads cancelled): the page is that one's.
            return;
        }
        if (ran)
        {
            _exported = (text, from, to);
            // Still searching meanwhile (aria-busy), as the log opened belongs to the search.
            await ShowAskedAsync(run);
            if (run != _runs || Closing.IsCancellationRequested)
            {
                return;
            }
        }
        _loading = false;
        if (!ran)
        {
            // Nothing shown is this search's: no results rather than another search's under its name (nor the log the
            // address asked for, which the address drops).
            ClearResults();
            _asked = null;
        }
        KeepUrl();
    }

    /// <summary>
    /// Opens the log the address asks for (<see cref="_asked"/>) in the detail, once search <paramref name="run"/> has listed
    /// its logs: from the list when it is there, else read by its id, for a shared log may lie outside the search (an older
    /// one, another query). One the organisation does not keep (past its retention, another organisation's, mistyped) is
    /// said so, and the address drops it. A log the member opened meanwhile stays; a newer search opens the log asked instead.
    /// </summary>
    private async Task ShowAskedAsync(int run)
    {
        if (_asked is not { } id || _detailOpen)
        {
            _asked = null;
            return;
        }
        if (_results.Items.Find(e => e.Id == id) is not { } shown)
        {
            var (tenant, searching) = (_session!.TenantId, Searching);
            IReadOnlyList<LogEvent> found;
            try
            {
                found = await Logs.FindAsync(tenant, [id], searching);
            }
            catch (OperationCanceledException) when (searching.IsCancellationRequested)
            {
                // A newer search, or the page closed.
                return;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                if (run != _runs)
                {
                    // A newer search reads it again.
                    return;
                }
                // The list stands: only the log asked for is missing, and said so.
                Logger.LogWarning(e, "The log {LogId} could not be read for organisation {TenantId}", id, tenant);
                _asked = null;
                Snackbar.Add("The log this address names could not be read: open the link again in a moment.", Severity.Warning);
                return;
            }
            if (run != _runs || _detailOpen)
            {
                // A newer search shows the log asked (still asked), or the member opened another meanwhile.
                _asked = _detailOpen ? null : _asked;
                return;
            }
            if (found.Count == 0)
            {
                _asked = null;
                Snackbar.Add("The log this address names was not found: it is past the organisation's retention, or the link is not one of its logs.", Severity.Warning);
                return;
            }
            shown = await ListedAsync(found[0], run) ?? found[0];
            if (run != _runs || _detailOpen)
            {
                _asked = _detailOpen ? null : _asked;
                return;
            }
        }
        _asked = null;
        (_selected, _detailOpen) = (shown, true);
    }

    /// <summary>Pages the list reads down to a log asked for (<see cref="ListedAsync"/>) at most: 2,000 logs.</summary>
    private const int MostPagesReadToAsked = 20;

    /// <summary>
    /// <paramref name="e"/> as the list of search <paramref name="run"/> holds it, reading its next pages down to it (a few at
    /// most), so that the detail's arrows move from it through the list; none when the list does not reach it (outside
    /// the window, not matching the query, further down than those pages) or a newer search started.
    /// </summary>
    private async Task<LogEvent?> ListedAsync(LogEvent e, int run)
    {
        if (_live || e.Timestamp < _window.From || e.Timestamp >= _window.To)
        {
            return null;
        }
        for (var page = 0; page < MostPagesReadToAsked && CanListMore && _results.Items.Count > 0 && run == _runs && !_detailOpen; page++)
        {
            var last = _results.Items[^1].Timestamp;
            if (OldestFirst ? last > e.Timestamp : last < e.Timestamp)
            {
                // The list is past its time: the query does not match it.
                return null;
            }
            var count = _results.Items.Count;
            if (!await GuardedAsync(() => _results.LoadMoreAsync(Search), Searching) || _results.Items.Count == count)
            {
                // Failed, or the page came empty: the log is shown alone.
                return null;
            }
            if (_results.Items.Find(listed => listed.Id == e.Id) is { } listed)
            {
                return listed;
            }
        }
        return null;
    }

    /// <summary>Opens <paramref name="e"/> in the detail, its id kept in the address so that the address shares it.</summary>
    private void ShowDetail(LogEvent e)
    {
        (_selected, _detailOpen) = (e, true);
        KeepUrl();
    }

    /// <summary>Patterns asked for, or grouping by fields again: as before the patterns (the grouping is kept meanwhile, out of the address).</summary>
    private Task PatternsChangedAsync(bool patterns) => GroupingChangedAsync(_groups.Grouping, patterns);

    /// <summary>
    /// A new grouping (or none; or <paramref name="patterns"/>): kept in the address, its groups computed over the window
    /// the list shows. The groups of the grouping before are cleared at once, and those of a change overtaken by another
    /// (or by a new search) dropped.
    /// </summary>
    private async Task GroupingChangedAsync(LogGrouping? grouping, bool patterns = false)
    {
        _groups.Ask(grouping, patterns);
        KeepUrl();
        if (_submitted is not var (_, node) || _window == default || !_groups.Asked)
        {
            return;
        }
        // The groups of the search shown, read under its token: a newer search stops them (and computes its own).
        var (tenant, (from, to), interval, grouped, searching) = (_session!.TenantId, _window, _interval, _groups.Start(loading: true), Searching);
        try
        {
            await GuardedAsync(async () => _groups.Show(grouped, await _groups.ComputeAsync(tenant, node, from, to, interval, _zone.GetUtcOffset(from), cancellationToken: searching)), searching);
        }
        finally
        {
            _groups.End(grouped);
        }
    }

    /// <summary>Searches started, so that one overtaken by a newer one leaves the page to it.</summary>
    private int _runs;

    private void ClearResults()
    {
        // A search still running is not this view's any more: it stops.
        _runs++;
        _cancellation.CancelSearch();
        _loading = false;
        _results.Clear();
        _highlights = [];
        _opened.Forget();
        (_total, _histogram, _byStatus, _counted, _exported) = (0, [], [], new Dictionary<string, IReadOnlyList<FacetValue>>(), null);
        _pinnedValues.Clear();
        _facetNotes.Clear();
        _facetRanges.Clear();
        ComposeFacets();
        _groups.Clear();
    }

    /// <summary>The page's reads of the store, a fault shown instead of the circuit's end.</summary>
    private GuardedReads Reads => _reads ??= new GuardedReads(Logger, "logs search");

    private GuardedReads? _reads;

    private string? SearchError => _reads?.Error;

    /// <summary>Runs <paramref name="read"/> guarded (<see cref="GuardedReads"/>): stopped by <paramref name="cancellation"/>, it is no fault.</summary>
    private Task<bool> GuardedAsync(Func<Task> read, CancellationToken cancellation) => Reads.RunAsync(read, _session?.TenantId, cancellation: cancellation);

    /// <summary>
    /// The page's closing, so that its reads still running (an aggregation over a long range) stop, and the reads of the
    /// search it shows (its list, next pages, histogram, facets and groups), stopped by a newer search or cleared results.
    /// </summary>
    private readonly SearchCancellation _cancellation = new();

    /// <inheritdoc cref="SearchCancellation.Closing"/>
    private CancellationToken Closing => _cancellation.Closing;

    /// <inheritdoc cref="SearchCancellation.Start"/>
    private CancellationToken StartSearching() => _cancellation.Start();

    /// <inheritdoc cref="SearchCancellation.Searching"/>
    private CancellationToken Searching => _cancellation.Searching;

    /// <summary>
    /// The list shown as a CSV file (<see cref="LogsExport"/>): the query and window of the last search that ran, the
    /// columns; none before one ran, nor while the query bar or the range is at fault (the list is then not theirs).
    /// </summary>
    private string? ExportLink => _exported is { } view && _queryError is null && _rangeError is null ? LogsExport.Link(view.Query, view.From, view.To, _columns, OldestFirst) : null;

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
                    // The address says so too (it kept live=true, and a reload or shared link started the tail again).
                    _live = false;
                    KeepUrl();
                    Logger.LogWarning(e, "Live tail stopped");
                    Snackbar.Add("Live tail stopped: the logs could not be read. Start it again in a moment.", Severity.Warning);
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
    private Task LoadMoreAsync() => CanListMore ? GuardedAsync(() => _results.LoadMoreAsync(Search), Searching) : Task.CompletedTask;

    /// <summary>A page of the search the page shows, read under its token.</summary>
    private Task<EventPage<LogEvent>> Search(SearchRequest request) => Logs.SearchAsync(_session!.TenantId, request, Searching);

    /// <summary>A rule from the query whose results the page shows (not text typed since, which may not even parse).</summary>
    private async Task CreateRuleAsync()
    {
        var dialog = await Dialogs.ShowAsync<CreateRuleDialog>("Create a rule", new DialogParameters<CreateRuleDialog> { { d => d.Query, _submitted?.Text ?? "" }, { d => d.Range, _window }, { d => d.Zone, _zone } },
            new DialogOptions { MaxWidth = MaxWidth.Small, FullWidth = true });
        var result = await dialog.Result;
        if (result is { Canceled: false, Data: string name })
        {
            Snackbar.Add($"Rule “{name}” created: it runs with the others on the Rules page.", Severity.Success);
        }
    }
}
