using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using MudBlazor;
using Portal.Detection.Events;
using Portal.Detection.Query;
using Portal.Search;
using Portal.Web.Components.Shared;
using Portal.Web.Features.Identity;

namespace Portal.Web.Features.Logs;

/// <summary>
/// The Logs Explorer: query bar, time range, histogram, facets, newest-first list with cursor paging, event detail,
/// and a rule from the current query. The query and range live in the URL so a view can be shared.
/// </summary>
public partial class LogsPage
{
    private const int PageSize = 100;
    private const string QueryPlaceholder = "Search logs: service:web @http.status_code:>=500 -status:info \"failed password\"";
    private string _query = "";
    private string _range = "1h";
    private string? _queryError;
    private readonly PagedResults<LogEvent> _results = new();
    private IReadOnlyList<HistogramBucket> _histogram = [];
    private IReadOnlyDictionary<string, IReadOnlyList<FacetValue>> _facets = new Dictionary<string, IReadOnlyList<FacetValue>>();
    private TimeSpan _interval = TimeSpan.FromMinutes(1);
    private LogEvent? _selected;
    private bool _detailOpen;
    private bool _loading;
    private SessionInfo? _session;

    [Inject] private ILogStore Logs { get; set; } = default!;
    [Inject] private TenantSession Session { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private IDialogService Dialogs { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;

    [SupplyParameterFromQuery(Name = "q")]
    private string? UrlQuery { get; set; }

    [SupplyParameterFromQuery(Name = "range")]
    private string? UrlRange { get; set; }

    protected override async Task OnInitializedAsync()
    {
        _query = UrlQuery ?? "";
        _range = TimeRanges.All.Any(r => r.Key == UrlRange) ? UrlRange! : "1h";
        _session = await Session.GetAsync();
        await SearchAsync();
    }

    private async Task OnKeyUpAsync(KeyboardEventArgs e)
    {
        if (e.Key == "Enter")
        {
            await SearchAsync();
        }
    }

    private async Task RangeChangedAsync(string range)
    {
        _range = range;
        await SearchAsync();
    }

    private async Task PickFacetAsync((string Field, string Value) pick)
    {
        var value = pick.Value.Any(c => char.IsWhiteSpace(c) || c is '(' or ')' or ':' or '"') ? $"\"{pick.Value.Replace("\"", "\\\"", StringComparison.Ordinal)}\"" : pick.Value;
        _query = string.IsNullOrWhiteSpace(_query) ? $"{pick.Field}:{value}" : $"{_query.Trim()} {pick.Field}:{value}";
        await SearchAsync();
    }

    private async Task SearchAsync()
    {
        if (!QueryParser.TryParse(_query, out var node, out var error))
        {
            _queryError = error!.Message;
            return;
        }
        _queryError = null;
        var now = DateTimeOffset.UtcNow;
        var span = TimeRanges.SpanOf(_range);
        _interval = TimeRanges.IntervalFor(span);
        var from = now - span;
        _loading = true;
        await _results.LoadAsync(new SearchRequest(node!, from, now.AddSeconds(1), PageSize), Search);
        var analytics = await Logs.AnalyzeAsync(_session!.TenantId, node!, from, now.AddSeconds(1), _interval, CancellationToken.None);
        _loading = false;
        _histogram = analytics.Histogram;
        _facets = analytics.Facets;
        ShareableUrl.Keep(Navigation, RendererInfo.IsInteractive, _query, _range);
    }

    private Task LoadMoreAsync() => _results.LoadMoreAsync(Search);

    private Task<EventPage<LogEvent>> Search(SearchRequest request) => Logs.SearchAsync(_session!.TenantId, request, CancellationToken.None);

    private async Task CreateRuleAsync()
    {
        if (_queryError is not null)
        {
            return;
        }
        var dialog = await Dialogs.ShowAsync<CreateRuleDialog>("Create a rule", new DialogParameters<CreateRuleDialog> { { d => d.Query, _query } },
            new DialogOptions { MaxWidth = MaxWidth.Small, FullWidth = true });
        var result = await dialog.Result;
        if (result is { Canceled: false, Data: string name })
        {
            Snackbar.Add($"Rule “{name}” created: it runs with the others on the Rules page.", Severity.Success);
        }
    }
}
