using System.Globalization;
using Microsoft.AspNetCore.Components;
using Portal.Detection.Events;
using Portal.Search;
using Portal.Web.Components.Shared;

namespace Portal.Web.Features.Logs;

/// <summary>
/// The Logs page's view in its address, so that it can be shared: query, range and custom bounds, live tail, the list's
/// order, columns, added facets, the grouping card's grouping or patterns, and the log open in the detail. The page writes the address as its view changes, and shows what an
/// address opened while it is open (the menu's link, a shared view pasted in the same tab) says.
/// </summary>
public partial class LogsPage
{
    [SupplyParameterFromQuery(Name = "q")]
    private string? UrlQuery { get; set; }

    [SupplyParameterFromQuery(Name = "range")]
    private string? UrlRange { get; set; }

    [SupplyParameterFromQuery(Name = "from")]
    private string? UrlFrom { get; set; }

    [SupplyParameterFromQuery(Name = "to")]
    private string? UrlTo { get; set; }

    /// <summary>The address's <c>live</c>: only <c>true</c> (any case) starts live tail; read as text, for a hand-written <c>live=1</c> failed the page.</summary>
    [SupplyParameterFromQuery(Name = "live")]
    private string? UrlLive { get; set; }

    private bool IsLive => string.Equals(UrlLive, "true", StringComparison.OrdinalIgnoreCase);

    [SupplyParameterFromQuery(Name = LogSort.Parameter)]
    private string? UrlSort { get; set; }

    [SupplyParameterFromQuery(Name = "cols")]
    private string? UrlColumns { get; set; }

    [SupplyParameterFromQuery(Name = "facets")]
    private string? UrlFacets { get; set; }

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

    [SupplyParameterFromQuery(Name = EventParameter)]
    private string? UrlEvent { get; set; }

    /// <summary>The address's parameter naming the log open in the detail (by id), as Datadog's <c>event</c>.</summary>
    public const string EventParameter = "event";

    /// <summary>
    /// The address changed under the page (the menu's link to the logs, a shared view opened in the same tab): the page
    /// shows what it says. Changes the page made itself (<see cref="KeepUrl"/>) are not read back.
    /// </summary>
    protected override async Task OnParametersSetAsync()
    {
        var url = AddressView;
        if (!_address.HasOpened)
        {
            _address.Opened(url);
            return;
        }
        if (AddressViewChanged && await OpenAddressViewAsync() is { } view && AddressIsBare)
        {
            // A link to a saved view alone: its whole address, which comes back here as any address opened does (live tail
            // stopped meanwhile, lest a tick write the old view's address over it).
            StopTail();
            Navigation.NavigateTo(ViewLink(view) + (string.IsNullOrEmpty(UrlEvent) ? "" : $"&{EventParameter}={Uri.EscapeDataString(UrlEvent)}"), replace: true);
            return;
        }
        if (url != AddressView || !_address.ChangedElsewhere(url))
        {
            // Changed again while the saved views were read (a newer call shows it), unchanged, or the page's own write.
            return;
        }
        StopTail();
        ReadUrl();
        (_detailOpen, _queryError, _rangeError, _submitted, _window) = (false, null, null, null, default);
        ClearResults();
        await SearchAsync();
    }

    /// <summary>The view the address holds: query, range, custom bounds, live tail, columns, added facets, grouping.</summary>
    private void ReadUrl()
    {
        _query = UrlQuery ?? "";
        _range = KnownRange(UrlRange);
        _customFrom = UrlFrom;
        _customTo = UrlTo;
        // The bounds the address holds until a search runs over them (the view shown, as the address and a saved view have it).
        _customRun = (UrlFrom, UrlTo);
        _live = IsLive;
        // Live tail shows the newest first: an order asked beside it is not kept (as a saved view's, Canonical), lest a pause show it over a list read newest first.
        _oldestFirst = LogSort.IsOldestFirst(UrlSort) && !_live;
        _columns = AttributeColumns.Parse(UrlColumns);
        _pinned = PinnedFacets.Parse(UrlFacets);
        _groups.Ask(UrlGrouping, UrlViz == LogPatterns.ViewName);
        _asked = string.IsNullOrEmpty(UrlEvent) ? null : UrlEvent;
    }

    /// <summary>The range an address names when the page knows it, else the past hour.</summary>
    private static string KnownRange(string? range) => range == TimeRanges.Custom || TimeRanges.All.Any(r => r.Key == range) ? range! : "1h";

    /// <summary>The view the address holds.</summary>
    private UrlView AddressView =>
        UrlView.Of(UrlQuery, UrlRange, UrlFrom, UrlTo, IsLive, LogSort.IsOldestFirst(UrlSort), UrlColumns, UrlFacets, UrlGrouping, UrlViz == LogPatterns.ViewName)
            with { Event = string.IsNullOrEmpty(UrlEvent) ? null : UrlEvent };

    /// <summary>The grouping by a field the address holds: none when it asks for patterns.</summary>
    private LogGrouping? UrlGrouping => UrlViz == LogPatterns.ViewName ? null : LogGrouping.Parse(UrlBy, UrlMeasure, UrlTop, UrlViz, UrlThen);

    /// <summary>
    /// A view as the address has it, empty values as none, to compare one with another; with the log open in the detail
    /// (<see cref="Event"/>), which a saved view does not keep (<see cref="StateOf"/>).
    /// </summary>
    private readonly record struct UrlView(
        string? Query, string? Range, string? From, string? To, bool Live, bool OldestFirst, string? Columns, string? Facets, LogGrouping? Grouping, bool Patterns)
    {
        /// <summary>The id of the log open in the detail; none when it is closed.</summary>
        public string? Event { get; init; }

        public static UrlView Of(
            string? query, string? range, string? from, string? to, bool live, bool oldestFirst, string? columns, string? facets, LogGrouping? grouping, bool patterns) =>
            new(ShareableUrl.NoneIfEmpty(query), ShareableUrl.NoneIfEmpty(range), ShareableUrl.NoneIfEmpty(from), ShareableUrl.NoneIfEmpty(to), live, oldestFirst,
                ShareableUrl.NoneIfEmpty(columns), ShareableUrl.NoneIfEmpty(facets), grouping, patterns);
    }

    /// <summary>The view the page wrote into its address (<see cref="KeepUrl"/>) and the one it saw there last (<see cref="OnParametersSetAsync"/>).</summary>
    private readonly AddressKeeper<UrlView> _address = new();

    /// <summary>The view shown: the query submitted last, the range or live tail, the list's order, the columns, the added facets, the grouping, the log open.</summary>
    private UrlView CurrentView()
    {
        var custom = _range == TimeRanges.Custom && !_live;
        return UrlView.Of(_submitted?.Text ?? _query, _live ? null : _range, custom ? _customRun.From : null, custom ? _customRun.To : null, _live, OldestFirst,
            AttributeColumns.Format(_columns), PinnedFacets.Format(_pinned), _groups.Patterns ? null : _groups.Grouping, _groups.Patterns)
            // The log asked for stays in the address until it is shown or found missing (a query at fault first corrected).
            with { Event = _detailOpen ? _selected?.Id : _asked };
    }

    /// <summary>The address's parameters of <paramref name="view"/>, in their order (none stands for a parameter removed).</summary>
    private static Dictionary<string, object?> Address(UrlView view) => new()
    {
        ["q"] = view.Query,
        ["range"] = view.Range,
        ["from"] = view.From,
        ["to"] = view.To,
        ["live"] = view.Live ? "true" : null,
        [LogSort.Parameter] = LogSort.Format(view.OldestFirst),
        ["cols"] = view.Columns,
        ["facets"] = view.Facets,
        ["by"] = view.Grouping?.By,
        ["measure"] = view.Grouping is { Function: not AggregateFunction.Count } grouping ? grouping.Measure : null,
        ["top"] = view.Grouping is { Limit: not LogGrouping.DefaultLimit } limited ? limited.Limit.ToString(CultureInfo.InvariantCulture) : null,
        ["viz"] = view.Patterns ? LogPatterns.ViewName : view.Grouping?.ViewName,
        ["then"] = view.Grouping?.Then,
        [EventParameter] = view.Event,
    };

    /// <summary>
    /// A link that opens <paramref name="e"/> in the detail, to share: this view, over <see cref="ContextSpan"/> either side
    /// of the log unless the custom window shown holds it already (a relative range or live tail would have moved past it
    /// by the time the link is opened), as no saved view.
    /// </summary>
    private string LinkTo(LogEvent e)
    {
        var view = CurrentView() with { Event = e.Id, Live = false };
        if (view.Range != TimeRanges.Custom || e.Timestamp < _window.From || e.Timestamp >= _window.To)
        {
            var (from, to) = WindowAround(e.Timestamp, e.Timestamp, _zone);
            view = view with { Range = TimeRanges.Custom, From = from, To = to };
        }
        else
        {
            // The custom window as the page resolved it: bounds written as "now-1h" would have moved past the log too.
            view = view with { From = TimeRanges.Format(_window.From, exact: true, _zone), To = TimeRanges.Format(_window.To, exact: true, _zone) };
        }
        var address = Address(view);
        address[SavedParameter] = null;
        return Navigation.GetUriWithQueryParameters(address);
    }

    /// <summary>
    /// The page's address (relative) opening <paramref name="e"/> in the detail among all logs <see cref="ContextSpan"/>
    /// either side of it, its bounds in <paramref name="zone"/> (the organisation's): where a signal's sample leads.
    /// </summary>
    public static string LinkOf(LogEvent e, TimeZoneInfo zone)
    {
        var (from, to) = WindowAround(e.Timestamp, e.Timestamp, zone);
        return "logs?" + QueryOf(UrlView.Of(null, TimeRanges.Custom, from, to, false, false, null, null, null, false) with { Event = e.Id });
    }

    /// <summary>
    /// The page's address (relative) searching <paramref name="query"/> from <see cref="ContextSpan"/> before
    /// <paramref name="first"/> to as long after <paramref name="last"/>, its bounds in <paramref name="zone"/>: a signal's logs.
    /// </summary>
    public static string LinkOf(string query, DateTimeOffset first, DateTimeOffset last, TimeZoneInfo zone)
    {
        var (from, to) = WindowAround(first, last, zone);
        return "logs?" + QueryOf(UrlView.Of(query, TimeRanges.Custom, from, to, false, false, null, null, null, false));
    }

    /// <summary>The address's query string of <paramref name="view"/>: its parameters set, in their order.</summary>
    private static string QueryOf(UrlView view) =>
        string.Join('&', Address(view).Where(p => p.Value is not null).Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value!.ToString()!)}"));

    /// <summary>The view in the URL: the query submitted last, the range or live tail, the columns, the added facets, the grouping.</summary>
    private void KeepUrl()
    {
        if (Closing.IsCancellationRequested)
        {
            // The page closed: the address is the next page's.
            return;
        }
        var view = CurrentView();
        var address = Address(view);
        address[SavedParameter] = _view?.Id ?? _unreadView;
        // Known by its view when it comes back, for the address does not hold all of it (a grouping set aside for patterns).
        _address.Keep(Navigation, RendererInfo.IsInteractive, view, address);
    }
}
