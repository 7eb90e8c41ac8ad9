using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using MudBlazor;
using Portal.Detection.Query;
using Portal.Detection.Signals;
using Portal.Search;
using Portal.Web.Components.Shared;
using Portal.Web.Features.Identity;

namespace Portal.Web.Features.Signals;

/// <summary>The Signals page: search, list, detail drawer and triage.</summary>
public partial class SignalsPage
{
    private const int PageSize = 50;
    private const string QueryPlaceholder = "Search signals: status:high @workflow.triage.state:open @network.client.ip:203.0.113.*";
    private string _query = "";
    private string _range = "1d";
    private string? _queryError;
    private List<SecuritySignal> _items = [];
    private int _total;
    private SearchCursor? _next;
    private SecuritySignal? _selected;
    private bool _drawerOpen;
    private bool _loading;
    private SessionInfo? _session;
    private SearchRequest? _lastRequest;

    [Inject] private ISignalStore Signals { get; set; } = default!;
    [Inject] private SignalTriage Triage { get; set; } = default!;
    [Inject] private TenantSession Session { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;

    [SupplyParameterFromQuery(Name = "q")]
    private string? InitialQuery { get; set; }

    [SupplyParameterFromQuery(Name = "range")]
    private string? InitialRange { get; set; }

    [Inject] private NavigationManager Navigation { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        _query = InitialQuery ?? "";
        _range = TimeRanges.All.Any(r => r.Key == InitialRange) ? InitialRange! : "1d";
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

    private async Task SearchAsync()
    {
        if (!QueryParser.TryParse(_query, out var node, out var error))
        {
            _queryError = error!.Message;
            return;
        }
        _queryError = null;
        var now = DateTimeOffset.UtcNow;
        var span = TimeRanges.SpanOf(_range, "1d");
        _lastRequest = new SearchRequest(node!, now - span, now.AddSeconds(1), PageSize);
        _loading = true;
        var page = await Signals.SearchAsync(_session!.TenantId, _lastRequest, CancellationToken.None);
        _loading = false;
        _items = [.. page.Items];
        _total = page.TotalHits;
        _next = page.Next;
        ShareableUrl.Keep(Navigation, RendererInfo.IsInteractive, _query, _range);
    }

    private async Task LoadMoreAsync()
    {
        if (_lastRequest is null || _next is null)
        {
            return;
        }
        var page = await Signals.SearchAsync(_session!.TenantId, _lastRequest with { After = _next }, CancellationToken.None);
        _items.AddRange(page.Items);
        _next = page.Next;
    }

    private void SelectAsync(SecuritySignal signal)
    {
        _selected = signal;
        _drawerOpen = true;
    }

    private async Task TriageAsync((string State, string? Reason) change)
    {
        if (_selected is null)
        {
            return;
        }
        var updated = await Triage.SetStateAsync(_session!.TenantId, _selected.Id, change.State, change.Reason, null, CancellationToken.None);
        if (updated is null)
        {
            Snackbar.Add("This signal no longer exists.", Severity.Warning);
            return;
        }
        var index = _items.FindIndex(s => s.Id == updated.Id);
        if (index >= 0)
        {
            _items[index] = updated;
        }
        _selected = updated;
        Snackbar.Add($"Signal marked {SignalList.TriageLabel(updated.TriageState).ToLowerInvariant()}.", Severity.Success);
    }
}
