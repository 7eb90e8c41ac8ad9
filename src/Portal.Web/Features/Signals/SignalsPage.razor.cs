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
    private readonly PagedResults<SecuritySignal> _results = new();
    private SecuritySignal? _selected;
    private bool _drawerOpen;
    private bool _loading;
    private SessionInfo? _session;

    [Inject] private ISignalStore Signals { get; set; } = default!;
    [Inject] private SignalTriage Triage { get; set; } = default!;
    [Inject] private TenantSession Session { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;
    [Inject] private ILogger<SignalsPage> Logger { get; set; } = default!;
    [Inject] private Portal.Web.Features.Settings.OrganisationZone Zones { get; set; } = default!;

    /// <summary>The organisation's time zone, which the page shows times in.</summary>
    private TimeZoneInfo _zone = TimeZoneInfo.Utc;

    /// <summary>The page's reads of the store, a fault shown instead of the circuit's end.</summary>
    private GuardedReads Reads => _reads ??= new GuardedReads(Logger, "signals search");

    private GuardedReads? _reads;

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
        _zone = await Zones.GetAsync(_session.TenantId);
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

    /// <summary>Narrows the search by <paramref name="term"/>, a value of the signal shown, the drawer closed to show the results.</summary>
    private async Task AddTermAsync(string term)
    {
        _query = QueryCompletion.Narrowed(_query, term);
        _drawerOpen = false;
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
        _loading = true;
        if (!await Reads.RunAsync(() => _results.LoadAsync(new SearchRequest(node!, now - span, now + TimeRanges.Lookahead, PageSize), Search), _session?.TenantId))
        {
            // Nothing shown is this search's.
            _results.Clear();
        }
        _loading = false;
        ShareableUrl.Keep(Navigation, RendererInfo.IsInteractive, _query, _range);
    }

    private Task LoadMoreAsync() => Reads.RunAsync(() => _results.LoadMoreAsync(Search), _session?.TenantId);

    private Task<EventPage<SecuritySignal>> Search(SearchRequest request) => Signals.SearchAsync(_session!.TenantId, request, CancellationToken.None);

    private void SelectAsync(SecuritySignal signal)
    {
        _selected = signal;
        _drawerOpen = true;
    }

    private async Task TriageAsync((string State, string? Reason) change)
    {
        if (_selected is null || _session?.Can(Portal.Data.Identity.Permission.SignalsWrite) != true)
        {
            return;
        }
        var updated = await Triage.SetStateAsync(_session!.TenantId, _selected.Id, change.State, change.Reason, null, CancellationToken.None);
        if (updated is null)
        {
            Snackbar.Add("This signal no longer exists.", Severity.Warning);
            return;
        }
        var index = _results.Items.FindIndex(s => s.Id == updated.Id);
        if (index >= 0)
        {
            _results.Items[index] = updated;
        }
        _selected = updated;
        Snackbar.Add($"Signal marked {SignalList.TriageLabel(updated.TriageState).ToLowerInvariant()}.", Severity.Success);
    }
}
