using Microsoft.AspNetCore.Components;
using MudBlazor;
using Portal.Detection.Events;
using Portal.Detection.Query;
using Portal.Detection.Rules;
using Portal.Detection.Signals;
using Portal.Search;
using Portal.Search.Lucene;
using Portal.Web.Components.Shared;
using Portal.Web.Features.Identity;
using Portal.Web.Features.Logs;

namespace Portal.Web.Features.Signals;

/// <summary>The Signals page: search, list, detail drawer (with the logs that raised the signal) and triage.</summary>
public partial class SignalsPage : IDisposable
{
    private const int PageSize = 50;
    private const string QueryPlaceholder = "Search signals: status:high source:sshd @workflow.triage.state:open @network.client.ip:203.0.113.*";
    private string _query = "";
    private string _range = "1d";

    /// <summary>A custom range's bounds as typed, what is wrong with them, and those of the last search (the address keeps those).</summary>
    private string? _customFrom, _customTo, _rangeError;

    private (string? From, string? To) _customRun;

    /// <summary>The window of the last search: a bar of its chart zooms in within it.</summary>
    private (DateTimeOffset From, DateTimeOffset To) _window;
    private string? _queryError;
    private readonly PagedResults<SecuritySignal> _results = new();
    private SecuritySignal? _selected;
    private bool _drawerOpen;

    /// <summary>Whether the facets panel is hidden (<see cref="FacetsToggle"/>), as this browser last chose.</summary>
    private bool _facetsHidden;

    /// <summary>This browser's console preferences: the facets panel hidden or not.</summary>
    [CascadingParameter] private Portal.Web.Components.Layout.ConsolePreferences? Preferences { get; set; }

    private bool _loading;

    /// <summary>Until the page's first search ends (or its address is found at fault): the list is not yet said to be empty.</summary>
    private bool _opening = true;

    /// <summary>The search whose list is shown (its total read with it), so that the count is never the list before's.</summary>
    private int _listedRun;

    /// <summary>The signals the search shown found, or "Searching…" until its list comes.</summary>
    private string CountLabel => (_opening || _loading) && _listedRun != _runs ? "Searching…" : $"{_results.Total:N0} signals";

    private SessionInfo? _session;

    [Inject] private ISignalStore Signals { get; set; } = default!;
    [Inject] private ILogStore Logs { get; set; } = default!;
    [Inject] private SignalTriage Triage { get; set; } = default!;
    [Inject] private TenantSession Session { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;
    [Inject] private Microsoft.JSInterop.IJSRuntime JS { get; set; } = default!;
    [Inject] private ILogger<SignalsPage> Logger { get; set; } = default!;
    [Inject] private Portal.Web.Features.Settings.OrganisationZone Zones { get; set; } = default!;

    /// <summary>The organisation's time zone, which the page shows times in.</summary>
    private TimeZoneInfo _zone = TimeZoneInfo.Utc;

    /// <summary>The page's reads of the store, a fault shown instead of the circuit's end.</summary>
    private GuardedReads Reads => _reads ??= new GuardedReads(Logger, "signals search");

    private GuardedReads? _reads;

    /// <summary>The counts of a search (chart and facets), read after its list: their fault is said on the chart, and the list stays.</summary>
    private GuardedReads CountReads => _countReads ??= new GuardedReads(Logger, "chart and facet counts");

    private GuardedReads? _countReads;

    [SupplyParameterFromQuery(Name = "q")]
    private string? UrlQuery { get; set; }

    [SupplyParameterFromQuery(Name = "range")]
    private string? UrlRange { get; set; }

    /// <summary>A custom range's bounds (<c>range=custom</c>), as the Logs page's address has them.</summary>
    [SupplyParameterFromQuery(Name = "from")]
    private string? UrlFrom { get; set; }

    [SupplyParameterFromQuery(Name = "to")]
    private string? UrlTo { get; set; }

    /// <summary>The signal the address opens in the drawer (a shared link's), by id.</summary>
    [SupplyParameterFromQuery(Name = SignalParameter)]
    private string? UrlSignal { get; set; }

    /// <summary>The address's parameter naming the signal open in the drawer.</summary>
    public const string SignalParameter = "signal";

    [Inject] private NavigationManager Navigation { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        _facetsHidden = Preferences?.FacetsHidden == true;
        // Read before the search writes the address (which keeps the signal while asked).
        ReadUrl();
        _address.Opened(AddressView);
        var session = await Session.GetAsync();
        _zone = await Zones.GetAsync(session.TenantId);
        // Set once the zone is read: an address changed before is read here, not searched twice.
        _session = session;
        if (_address.ChangedElsewhere(AddressView))
        {
            // The address changed while the organisation was read (which its change waited for): the page shows the new one.
            ReadUrl();
        }
        try
        {
            await ShowAddressAsync();
        }
        finally
        {
            _opening = false;
        }
    }

    /// <summary>
    /// The address changed under the open page (the menu's link while a signal is open, a shared signal's link pasted in the
    /// same tab): the page shows what it says. The page's own changes to it are not read back.
    /// </summary>
    protected override async Task OnParametersSetAsync()
    {
        if (_session is null || !_address.ChangedElsewhere(AddressView))
        {
            // Still opening (the address is read once the organisation is), or unchanged, or the page's own write.
            return;
        }
        ReadUrl();
        // Nothing of the view before stays: a query or range at fault in the address lists nothing rather than the last
        // search's, and a search still running is not shown when it ends.
        (_drawerOpen, _selected, _queryError, _searched, _searchedRange, _window) = (false, null, null, null, null, default);
        _runs++;
        ClearResults();
        await ShowAddressAsync();
    }

    /// <summary>The query, range and signal the address holds, as the page's.</summary>
    private void ReadUrl()
    {
        _query = UrlQuery ?? "";
        _range = UrlRange == TimeRanges.Custom || TimeRanges.All.Any(r => r.Key == UrlRange) ? UrlRange! : "1d";
        (_customFrom, _customTo, _rangeError, _customRun) = (UrlFrom, UrlTo, null, (UrlFrom, UrlTo));
        _asked = string.IsNullOrEmpty(UrlSignal) ? null : UrlSignal;
    }

    /// <summary>
    /// Searches what the address asks, then opens the signal it names: the search shown opens it as it ends (the address's
    /// own, or a Refresh or a facet's that overtook it, <see cref="SearchAsync"/>); an address whose query or range is at
    /// fault, which searches nothing, opens it here.
    /// </summary>
    private async Task ShowAddressAsync()
    {
        await SearchAsync();
        if (_asked is { } id && !_loading && RendererInfo.IsInteractive)
        {
            _opening = false;
            await OpenAskedAsync(id);
        }
    }

    /// <summary>The page's view as its address holds it: the query last searched, the range (a custom one's bounds), the signal open.</summary>
    private readonly record struct SignalsView(string? Query, string? Range, string? From, string? To, string? Signal)
    {
        public static SignalsView Of(string? query, string? range, string? from, string? to, string? signal) => new(
            ShareableUrl.NoneIfEmpty(query), ShareableUrl.NoneIfEmpty(range), ShareableUrl.NoneIfEmpty(from), ShareableUrl.NoneIfEmpty(to), ShareableUrl.NoneIfEmpty(signal));
    }

    /// <summary>The view the address holds.</summary>
    private SignalsView AddressView => SignalsView.Of(UrlQuery, UrlRange, UrlFrom, UrlTo, UrlSignal);

    /// <summary>
    /// The view shown: the query last searched (text typed since, perhaps at fault, is not written nor shared), the range
    /// (a custom one's bounds as last searched), the signal open or asked.
    /// </summary>
    private SignalsView CurrentView()
    {
        var range = _searchedRange ?? _range;
        var (from, to) = range == TimeRanges.Custom ? _customRun : default;
        return SignalsView.Of(_searched ?? _query, range, from, to, _drawerOpen ? _selected?.Id : _asked);
    }

    /// <summary>The views the page wrote into its address (<see cref="KeepUrl"/>) and the one it saw there last.</summary>
    private readonly AddressKeeper<SignalsView> _address = new();

    /// <summary>The id of the signal the address asks the drawer to show, until it is shown or found missing.</summary>
    private string? _asked;

    /// <summary>
    /// Opens the signal the address names: from the list when it is there, else read by its id (an older one, outside the
    /// range). One the organisation does not have (another organisation's, mistyped) is said so, and the address drops it.
    /// </summary>
    private async Task OpenAskedAsync(string id)
    {
        // Taken now: a search ending while it is read does not open it again.
        _asked = null;
        SecuritySignal? signal;
        try
        {
            signal = _results.Items.Find(s => s.Id == id) ?? await Signals.GetAsync(_session!.TenantId, id, _cancellation.Closing);
        }
        catch (OperationCanceledException) when (_cancellation.Closed)
        {
            return;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Logger.LogWarning(e, "Signal {SignalId} could not be read for organisation {TenantId}", id, _session?.TenantId);
            Snackbar.Add("The signal this address names could not be read: try its link again in a moment.", Severity.Warning);
            KeepUrl();
            return;
        }
        if (_cancellation.Closed || _drawerOpen)
        {
            // The page was left, or the member opened a signal meanwhile: theirs stays.
            return;
        }
        if (signal is null)
        {
            Snackbar.Add("The signal this address names was not found: the link is not one of the organisation's signals.", Severity.Warning);
            KeepUrl();
            return;
        }
        await SelectAsync(signal);
    }

    /// <summary>
    /// The query last searched, the range and the signal open in the address, so that the page can be shared (a signal
    /// open, by its link). Compared with the page's writes still on their way, not only the address shown, which changes
    /// a round trip later: a signal opened and closed within one is written closed.
    /// </summary>
    private void KeepUrl()
    {
        if (_cancellation.Closed)
        {
            // The page closed: the address is the next page's.
            return;
        }
        var view = CurrentView();
        _address.Keep(Navigation, RendererInfo.IsInteractive, view, Address(view));
    }

    /// <summary>The address's parameters of <paramref name="view"/> (none removes one).</summary>
    private static Dictionary<string, object?> Address(SignalsView view) => new()
    {
        ["q"] = view.Query,
        ["range"] = view.Range,
        ["from"] = view.From,
        ["to"] = view.To,
        [SignalParameter] = view.Signal,
    };

    /// <summary>The query of the last search that ran (text typed since, perhaps at fault, is not written nor shared).</summary>
    private string? _searched;

    /// <summary>The range of the last search that ran (a custom one's bounds in <see cref="_customRun"/>): the address's.</summary>
    private string? _searchedRange;

    /// <summary>A link that opens <paramref name="signal"/> in the drawer, over the page's last search and range.</summary>
    private string LinkTo(SecuritySignal signal) => Navigation.GetUriWithQueryParameters(Address(CurrentView() with { Signal = signal.Id }));

    /// <summary>
    /// The drawer opened or closed (its close button, a click beside it): the address follows; closed, the focus goes back to
    /// the list's button of the signal it showed.
    /// </summary>
    private async Task DrawerOpenChanged(bool open)
    {
        _drawerOpen = open;
        KeepUrl();
        if (!open && _selected is { } shown && RendererInfo.IsInteractive)
        {
            await DrawerFocus.ReturnAsync(JS, "data-signal-id", shown.Id);
        }
    }

    private async Task RangeChangedAsync(string range)
    {
        if (range == TimeRanges.Custom && _range != TimeRanges.Custom && _window != default)
        {
            // A custom range starts from the window shown, to be refined.
            (_customFrom, _customTo) = (TimeRanges.Format(_window.From, zone: _zone), TimeRanges.Format(_window.To, zone: _zone));
        }
        _range = range;
        await SearchAsync();
    }

    /// <summary>Narrows the window to a bar of the chart, as a custom range of the bounds it counted.</summary>
    private async Task ZoomAsync(DateTimeOffset start)
    {
        var (from, to) = TimeRanges.BucketWindow(start, _interval, _window);
        (_range, _customFrom, _customTo) = (TimeRanges.Custom, TimeRanges.Format(from, exact: true, _zone), TimeRanges.Format(to, exact: true, _zone));
        await SearchAsync();
    }

    /// <summary>Narrows the search by <paramref name="term"/>, a value of the signal shown, the drawer closed to show the results.</summary>
    private async Task AddTermAsync(string term)
    {
        var shown = _drawerOpen ? _selected?.Id : null;
        _query = QueryCompletion.Narrowed(_query, term);
        _drawerOpen = false;
        await SearchAsync();
        // Unless another signal was opened meanwhile (its drawer has the focus).
        _focusRowOf = _drawerOpen ? null : shown;
    }

    /// <summary>The signal whose row takes the focus at the next render, once the drawer closed for the results of a filter it asked.</summary>
    private string? _focusRowOf;

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        // The drawer closed by its filter: the keyboard goes on from the new list's row of that signal (its first row when
        // it is not listed); the focus was in the drawer, closed and inert. Only if the focus was lost meanwhile.
        if (_focusRowOf is { } id && RendererInfo.IsInteractive)
        {
            _focusRowOf = null;
            await DrawerFocus.ReturnAsync(JS, "data-signal-id", id, ifLost: true);
        }
    }

    private async Task SearchAsync()
    {
        if (!QueryParser.TryParse(_query, out var node, out var error))
        {
            _queryError = error!.Message;
            return;
        }
        _queryError = null;
        if (!TimeRanges.TryResolveView(_range, live: false, _customFrom, _customTo, DateTimeOffset.UtcNow, out var from, out var to, out _rangeError, _zone))
        {
            return;
        }
        (_searched, _searchedRange, _customRun, _checked) =
            (_query, _range, _range == TimeRanges.Custom ? TimeRanges.Shareable(_customFrom, _customTo, from, to, _zone) : default, new HashSet<string>());
        // A preset's bars follow its nominal span (a day's in half hours), not the window's look-ahead.
        var interval = TimeRanges.IntervalFor(to - from - (_range == TimeRanges.Custom ? TimeSpan.Zero : TimeRanges.Lookahead));
        // The completions are the range's as named (now-2h stays the same range as it moves).
        var completing = _range == TimeRanges.Custom ? $"{_customFrom}/{_customTo}" : _range;
        _loading = true;
        var (run, searching) = (++_runs, _cancellation.Start());
        var counting = new Counting(node!, from, to, interval);
        Counts? counted = null;
        var ran = await Reads.RunAsync(async () =>
        {
            if (await _results.LoadAsync(new SearchRequest(node!, from, to, PageSize), Search))
            {
                _listedRun = run;
            }
            // Else overtaken by a newer search, which shows its own list and counts.
        }, _session?.TenantId, () => run == _runs, searching);
        // The chart and the facets count all the signals found in the list's window, not only those listed; when they
        // cannot be counted, the list found still shows.
        var countsRan = ran && _listedRun == run
            && await CountReads.RunAsync(async () => counted = await CountAsync(counting, searching), _session?.TenantId, () => run == _runs, searching);
        if (_cancellation.Closed || run != _runs)
        {
            // The page closed (the address is the next page's), or a newer search started: the page is that one's.
            return;
        }
        if (ran)
        {
            // The window and the bars' width together: a bar zooms in to its own bucket. Boxes checked in the list shown
            // while this search ran are of that list: forgotten.
            if (countsRan && counted is { } counts)
            {
                ShowCounts(counts);
            }
            else
            {
                ClearCounts();
            }
            (_interval, _window, _counting, _checked) = (interval, (from, to), counting, new HashSet<string>());
        }
        else
        {
            // Nothing shown is this search's.
            ClearResults();
        }
        if (ran && (_completedRange != completing || string.IsNullOrWhiteSpace(_searched)) && !await CompleteAsync(from, to, completing, run, searching))
        {
            return;
        }
        (_loading, _opening) = (false, false);
        KeepUrl();
        if (_asked is { } id && RendererInfo.IsInteractive)
        {
            // The signal the address names, opened by whichever search ends shown (ShowAddressAsync). Once interactive:
            // prerendered, the drawer would open, close at the first live render and slide in again.
            await OpenAskedAsync(id);
        }
    }

    /// <summary>Shows no signals: the list and the chart emptied.</summary>
    private void ClearResults()
    {
        // A search overtaken while it ran leaves the loading to its successor, which may never load (a query at fault); its
        // reads stop.
        _loading = false;
        _cancellation.CancelSearch();
        (_counting, _checked) = (null, new HashSet<string>());
        _results.Clear();
        ClearCounts();
    }

    /// <summary>Shows no counts: the chart and the facets emptied.</summary>
    private void ClearCounts()
    {
        (_histogram, _bySeverity, _facets) = ([], [], Shown(new Dictionary<string, IReadOnlyList<FacetValue>>()));
        // Facets opened past their top values stay open: the next search shown reads their values.
        _opened.Forget();
        _countsShown++;
    }

    /// <summary>The signals found over time, each bar's count and its counts by severity (<see cref="ISignalStore.AnalyzeAsync"/>).</summary>
    private IReadOnlyList<HistogramBucket> _histogram = [];

    private IReadOnlyList<SeriesGroup> _bySeverity = [];

    /// <summary>The facets of the signals found: their top values, as the panel shows them (<see cref="Shown"/>).</summary>
    private IReadOnlyDictionary<string, IReadOnlyList<FacetValue>> _facets = Shown(new Dictionary<string, IReadOnlyList<FacetValue>>());

    /// <summary>The facets' titles, in the panel's order (its fields as the store counts them, <see cref="Portal.Search.Lucene.SignalDocument.Facets"/>).</summary>
    private static readonly IReadOnlyDictionary<string, string> FacetTitles = new Dictionary<string, string>
    {
        [ReservedAttributes.Status] = "Severity", ["@workflow.triage.state"] = "Triage state", ["@workflow.rule.name"] = "Rule", [ReservedAttributes.Source] = "Source",
        ["tactic"] = "Tactic", ["technique"] = "Technique", ["@network.client.ip"] = "Client IP", ["@usr.name"] = "User",
    };

    /// <summary>
    /// The facets counted, in the panel's order: the severity always (with no values when nothing is found), the others
    /// when a signal found has them (a tag or attribute none has, a tactic for an organisation without, is left out).
    /// </summary>
    private static Dictionary<string, IReadOnlyList<FacetValue>> Shown(IReadOnlyDictionary<string, IReadOnlyList<FacetValue>> counted)
    {
        var shown = new Dictionary<string, IReadOnlyList<FacetValue>>(StringComparer.Ordinal) { [ReservedAttributes.Status] = counted.GetValueOrDefault(ReservedAttributes.Status, []) };
        foreach (var field in FacetTitles.Keys.Concat(counted.Keys).Where(f => f != ReservedAttributes.Status).Distinct(StringComparer.Ordinal))
        {
            if (counted.GetValueOrDefault(field) is { Count: > 0 } values)
            {
                shown[field] = values;
            }
        }
        return shown;
    }

    /// <summary>Keeps, or excludes, the signals of a facet's value: a severity, a rule, a source...</summary>
    private Task PickFacetAsync((string Field, string Value) pick, bool exclude)
    {
        if (QueryCompletion.Term(pick.Field, pick.Value, exclude) is { } term)
        {
            return AddTermAsync(term);
        }
        Snackbar.Add(QueryCompletion.WhyNoTerm(pick.Field, pick.Value), Severity.Info);
        return Task.CompletedTask;
    }

    /// <summary>The width of the chart's bars.</summary>
    private TimeSpan _interval = TimeSpan.FromHours(1);

    /// <summary>The severities from the most severe, as the chart stacks them (the most severe on top).</summary>
    private static readonly IReadOnlyList<string> MostSevereFirst = [.. Severities.All.Reverse()];

    /// <summary>Signals the query bar's completions are made from: the newest of the range, whatever the query.</summary>
    private const int CompletionSample = 200;

    /// <summary>The range whose signals the completions were made from (a narrower query keeps them: they are the range's).</summary>
    private string? _completedRange;

    /// <summary>
    /// Makes the query bar's completions from the newest signals of the range (the Logs page's come from its window, not
    /// its query). False when the page closed or a newer search started meanwhile; a failed read keeps the completions.
    /// </summary>
    private async Task<bool> CompleteAsync(DateTimeOffset from, DateTimeOffset to, string range, int run, CancellationToken searching)
    {
        try
        {
            var sample = await Signals.SearchAsync(_session!.TenantId, new SearchRequest(new MatchAllNode(0), from, to, CompletionSample), searching);
            if (_cancellation.Closed || run != _runs)
            {
                return false;
            }
            ((_fields, _values), _completedRange) = (SignalCompletions.Of(sample.Items), range);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            if (_cancellation.Closed || run != _runs)
            {
                return false;
            }
            Logger.LogDebug(e, "The signals completing the query bar could not be read for organisation {TenantId}", _session?.TenantId);
        }
        return true;
    }

    /// <summary>The fields the query bar completes (those of the range's newest signals) and their commonest values.</summary>
    private IReadOnlyList<FieldSummary> _fields = [];

    private IReadOnlyDictionary<string, IReadOnlyList<FacetValue>> _values = new Dictionary<string, IReadOnlyList<FacetValue>>();

    private Task LoadMoreAsync()
    {
        var run = _runs;
        return Reads.RunAsync(() => _results.LoadMoreAsync(Search), _session?.TenantId, () => run == _runs, Searching);
    }

    /// <summary>A page of signals, read off the circuit, stopped if the page closes or a newer search starts meanwhile.</summary>
    private Task<EventPage<SecuritySignal>> Search(SearchRequest request) => Signals.SearchAsync(_session!.TenantId, request, Searching);

    /// <inheritdoc cref="SearchCancellation.Searching"/>
    private CancellationToken Searching => _cancellation.Searching;

    /// <summary>The page's closing (its reads still running stop), and the reads of the search it shows, stopped by a newer search or cleared results.</summary>
    private readonly SearchCancellation _cancellation = new();

    /// <summary>Searches started, so that one overtaken by a newer one leaves the page to it.</summary>
    private int _runs;

    private async Task SelectAsync(SecuritySignal signal)
    {
        _selected = signal;
        _drawerOpen = true;
        KeepUrl();
        await ReadSamplesAsync(signal);
    }

    /// <summary>The logs that raised the signal shown (its samples), newest first; null while they are read.</summary>
    private IReadOnlyList<Portal.Detection.Events.LogEvent>? _samples;

    /// <summary>Why fewer samples are shown than the signal names (past retention, or a fault); none when all are.</summary>
    private string? _samplesNote;

    /// <summary>The read of the samples of the signal shown: cancelled when another is opened or the page closes.</summary>
    private CancellationTokenSource? _sampling;

    /// <summary>Reads the logs <paramref name="signal"/> names as its samples, from the organisation's logs only.</summary>
    private async Task ReadSamplesAsync(SecuritySignal signal)
    {
        _sampling?.Cancel();
        _sampling?.Dispose();
        _sampling = new CancellationTokenSource();
        var token = _sampling.Token;
        (_samples, _samplesNote) = (null, null);
        var ids = signal.SampleEventIds.Distinct(StringComparer.Ordinal).Take(ILogStore.MaxFind).ToList();
        (IReadOnlyList<Portal.Detection.Events.LogEvent> Samples, string? Note) read;
        try
        {
            IReadOnlyList<Portal.Detection.Events.LogEvent> found = ids.Count == 0 ? [] : await Logs.FindAsync(_session!.TenantId, ids, token);
            read = ([.. found.OrderByDescending(e => e.Timestamp)], MissingNote(ids.Count - found.Count, ids.Count));
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Another signal opened, or the page closed: its samples are read instead, or never shown.
            return;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Logger.LogWarning(e, "Sample logs of signal {SignalId} could not be read for organisation {TenantId}", signal.Id, _session?.TenantId);
            read = ([], "The signal's sample logs could not be read: open the signal again in a moment.");
        }
        if (token.IsCancellationRequested || _selected?.Id != signal.Id)
        {
            // Read to its end as another signal opened: the drawer shows that one's.
            return;
        }
        (_samples, _samplesNote) = read;
    }

    /// <summary>What the drawer says of the <paramref name="missing"/> samples of <paramref name="named"/> not found; none when none is.</summary>
    private static string? MissingNote(int missing, int named) => missing switch
    {
        0 => null,
        1 when named == 1 => "The signal's sample log is no longer kept (past the organisation's retention).",
        1 => $"1 of the signal's {named} sample logs is no longer kept (past the organisation's retention).",
        _ when missing == named => $"None of the signal's {named} sample logs is kept any more (past the organisation's retention).",
        _ => $"{missing} of the signal's {named} sample logs are no longer kept (past the organisation's retention).",
    };

    public void Dispose()
    {
        _cancellation.Close();
        _sampling?.Cancel();
        _sampling?.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>The ids of the signals checked in the list, to be triaged together; forgotten at each search.</summary>
    private IReadOnlySet<string> _checked = new HashSet<string>();

    /// <summary>The reason the signals checked are archived with.</summary>
    private string _bulkReason = "none";

    private bool CanTriage => _session?.Can(Portal.Data.Identity.Permission.SignalsWrite) == true;

    /// <summary>Sets the triage state of every signal checked (stored together, each audited), and shows them so.</summary>
    private Task BulkTriageAsync(string state)
    {
        // Only signals listed (a box is checked in the list shown); taken once, so that a second click meanwhile has none.
        var ids = _results.Items.Select(s => s.Id).Where(_checked.Contains).ToList();
        _checked = new HashSet<string>();
        return WriteTriageAsync(ids, state, state == TriageStates.Archived ? _bulkReason : null);
    }

    /// <summary>The drawer's triage of the signal open.</summary>
    private Task TriageAsync((string State, string? Reason) change) =>
        _selected is { } signal ? WriteTriageAsync([signal.Id], change.State, change.Reason) : Task.CompletedTask;

    /// <summary>
    /// Sets the triage state of the signals <paramref name="ids"/> (stored together, each audited), shows them so in the list
    /// (or takes them out of it when the search no longer finds them) and the drawer, says how it went, and counts the
    /// search's signals again. One write at a time, in the order asked.
    /// </summary>
    private async Task WriteTriageAsync(IReadOnlyList<string> ids, string state, string? reason)
    {
        if (!CanTriage || ids.Count == 0)
        {
            return;
        }
        await _triaging.WaitAsync();
        try
        {
            var updated = await Triage.SetStatesAsync(_session!.TenantId, ids, state, reason, null, CancellationToken.None);
            var listed = _results.Items.Where(s => ids.Contains(s.Id)).ToList();
            foreach (var signal in updated)
            {
                Replace(signal);
            }
            UnlistUnmatched(listed, updated);
            var (label, missing) = (SignalList.TriageLabel(state).ToLowerInvariant(), ids.Count - updated.Count);
            Snackbar.Add((ids.Count, missing) switch
            {
                (1, 0) => $"Signal marked {label}.",
                (1, _) => "This signal no longer exists.",
                (_, 0) => $"{updated.Count:N0} signals marked {label}.",
                _ => $"{updated.Count:N0} {(updated.Count == 1 ? "signal" : "signals")} marked {label}. {missing:N0} no longer exist.",
            }, missing > 0 ? Severity.Warning : Severity.Success);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Logger.LogError(e, "Triage of {Count} signals failed for organisation {TenantId}", ids.Count, _session?.TenantId);
            Snackbar.Add($"The {(ids.Count == 1 ? "signal" : "signals")} could not be triaged: the store failed. Nothing was lost; try again.", Severity.Error);
        }
        finally
        {
            _triaging.Release();
        }
        if (_results.Items.Count == 0 && _results.HasMore)
        {
            // Every signal listed left the search (all archived under a search of open ones): its next ones are listed, not
            // an empty list above "Load more".
            await LoadMoreAsync();
        }
        await RecountAsync();
    }

    /// <summary>One triage written at a time: another (a second bulk action, the drawer's Save) waits for it, then is written.</summary>
    private readonly SemaphoreSlim _triaging = new(1, 1);

    /// <summary>What a search counts: its query over its window, in bars of its interval.</summary>
    private readonly record struct Counting(QueryNode Query, DateTimeOffset From, DateTimeOffset To, TimeSpan Interval);

    /// <summary>What the last search counted, to count again once signals were triaged.</summary>
    private Counting? _counting;

    /// <summary>
    /// What a search's signals count: the chart and the facets' top values (<see cref="LogAnalytics"/>), and what was read of
    /// the facets opened past their top ones (<see cref="OpenedFacets"/>): their values, or why one has none.
    /// </summary>
    private sealed record Counts(LogAnalytics Analytics, IReadOnlyList<(string Field, IReadOnlyList<FacetValue>? Values, string? Note)> More);

    /// <summary>
    /// The signals of <paramref name="counting"/> counted: the chart's bars on multiples of the interval in the organisation's
    /// clock (a day's bar starts at its midnight), stacked by severity, the facets, and the values of the facets opened
    /// past their top ones (those opened while others are read too), so that those never show another search's counts.
    /// </summary>
    private async Task<Counts> CountAsync(Counting counting, CancellationToken cancellation)
    {
        var analytics = await Signals.AnalyzeAsync(
            _session!.TenantId, counting.Query, counting.From, counting.To, counting.Interval, _zone.GetUtcOffset(counting.From), cancellation);
        var more = new List<(string Field, IReadOnlyList<FacetValue>? Values, string? Note)>();
        while (_opened.Opened.FirstOrDefault(f => analytics.Facets.ContainsKey(f) && !more.Exists(m => m.Field == f)) is { } field && !cancellation.IsCancellationRequested)
        {
            var (values, note) = await MoreValuesAsync(counting, field, cancellation);
            more.Add((field, values, note));
        }
        return new Counts(analytics, more);
    }

    /// <summary>Shows the chart and the facets of <paramref name="counts"/>, with the values read of the facets still open.</summary>
    private void ShowCounts(Counts counts)
    {
        var analytics = counts.Analytics;
        (_histogram, _bySeverity, _facets) = (analytics.Histogram, analytics.Stacks ?? [], Shown(analytics.Facets));
        _opened.Forget();
        foreach (var (field, values, note) in counts.More.Where(m => _opened.Opened.Contains(m.Field)))
        {
            _opened.Keep(field, values, note, default);
        }
        _countsShown++;
    }

    /// <summary>The facets the member opened past their top values, and their values read for the counts shown.</summary>
    private readonly OpenedFacets _opened = new();

    /// <summary>Counts shown (or cleared), so that a facet's values read over earlier ones are not shown over later ones.</summary>
    private int _countsShown;

    /// <summary>
    /// A facet opened past its top values: its <see cref="LogFacets.MoreValues"/> commonest among the signals of the search
    /// shown, read now; shown only over the counts it was read with. Counts shown meanwhile read it themselves, unless it
    /// opened as they were counted: then it is read again over them.
    /// </summary>
    private async Task OpenFacetAsync(string field)
    {
        if (!_opened.Open(field))
        {
            return;
        }
        while (_counting is { } counting && !_opened.IsRead(field) && _opened.Opened.Contains(field) && !_cancellation.Closed)
        {
            var shown = _countsShown;
            var (values, note) = await MoreValuesAsync(counting, field, _cancellation.Closing);
            if (shown == _countsShown && _opened.Opened.Contains(field))
            {
                _opened.Keep(field, values, note, default);
                return;
            }
        }
    }

    /// <summary>
    /// The <see cref="LogFacets.MoreValues"/> commonest values of a facet among the signals of <paramref name="counting"/>
    /// (<see cref="OpenedFacets.ReadAsync"/>), stopped by <paramref name="cancellation"/> (the page closing, or a newer search).
    /// </summary>
    private Task<(IReadOnlyList<FacetValue>? Values, string? Note)> MoreValuesAsync(Counting counting, string field, CancellationToken cancellation) => OpenedFacets.ReadAsync(
        () => Signals.FacetValuesAsync(_session!.TenantId, counting.Query, counting.From, counting.To, field, LogFacets.MoreValues, cancellation),
        field, Logger, cancellation);

    /// <summary>
    /// Counts the last search's signals again (signals triaged change the triage state's counts), unless a newer search
    /// started meanwhile, which shows its own.
    /// </summary>
    private async Task RecountAsync()
    {
        if (_counting is not { } counting || _session is null)
        {
            return;
        }
        var run = _runs;
        try
        {
            var counts = await CountAsync(counting, Searching);
            // A newer search's counts may have come meanwhile: these are only shown over the search they count.
            if (run == _runs && _counting == counting && !_cancellation.Closed)
            {
                ShowCounts(counts);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The counts shown stay those of the search; the page's next search says what fails.
            Logger.LogDebug(e, "The signals could not be counted again for organisation {TenantId}", _session.TenantId);
        }
    }

    /// <summary>
    /// Takes out of the list the signals the triage took out of the search shown (archived under
    /// <c>@workflow.triage.state:open</c>), as the search run again would: those the query matcher found as
    /// <paramref name="listed"/> and no longer finds as <paramref name="updated"/>, on the signal as it is searched (where the
    /// matcher and the store would differ, the signal stays). Their boxes are unchecked; the drawer keeps the signal open.
    /// </summary>
    private void UnlistUnmatched(IReadOnlyList<SecuritySignal> listed, IReadOnlyList<SecuritySignal> updated)
    {
        if (_results.Shown is not { } shown || updated.Count == 0)
        {
            return;
        }
        var matches = QueryMatcher.Compile(SignalDocument.Query(shown.Query));
        var found = listed.Where(s => matches(SignalDocument.Searchable(s))).Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        var gone = updated.Where(s => found.Contains(s.Id) && !matches(SignalDocument.Searchable(s))).Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        if (gone.Count > 0)
        {
            _results.Unlist(s => gone.Contains(s.Id));
            _checked = _checked.Except(gone).ToHashSet(StringComparer.Ordinal);
        }
    }

    /// <summary>Shows <paramref name="updated"/> in place of the signal of its id, in the list and in the drawer.</summary>
    private void Replace(SecuritySignal updated)
    {
        var index = _results.Items.FindIndex(s => s.Id == updated.Id);
        if (index >= 0)
        {
            _results.Items[index] = updated;
        }
        if (_selected?.Id == updated.Id)
        {
            _selected = updated;
        }
    }
}
