using Microsoft.AspNetCore.Components;
using Portal.Detection.Query;
using Portal.Detection.Rules;
using Portal.Detection.Signals;
using Portal.Search;
using Portal.Web.Components.Shared;
using Portal.Web.Features.Identity;

namespace Portal.Web.Features.Dashboard;

/// <summary>Open signals by severity and the latest signals.</summary>
public partial class DashboardPage
{
    private List<(string Severity, int Count)> _counts = Severities.All.Reverse().Select(s => (s, 0)).ToList();
    private List<SecuritySignal> _latest = [];

    [Inject] private ISignalStore Signals { get; set; } = default!;
    [Inject] private TenantSession Session { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private Portal.Web.Features.Settings.OrganisationZone Zones { get; set; } = default!;

    [Inject] private Microsoft.JSInterop.IJSRuntime JS { get; set; } = default!;
    [Inject] private ILogger<DashboardPage> Logger { get; set; } = default!;
    [Inject] private MudBlazor.ISnackbar Snackbar { get; set; } = default!;

    /// <summary>A first log sent to this portal's intake, as a newcomer's shell would send it (the key in a variable, not shown).</summary>
    private string Command => $$"""
        curl -X POST {{Navigation.BaseUri}}api/v2/logs \
          -H "DD-API-KEY: $VIGIL_API_KEY" \
          -H "Content-Type: application/json" \
          -d '[{"ddsource":"sshd","hostname":"bastion",
               "message":"Failed password for root from 203.0.113.7 port 52114 ssh2"}]'
        """;

    private Task CopyCommandAsync() => Clipboard.CopyAsync(JS, Snackbar, () => Command, "Command copied: set VIGIL_API_KEY to a key of the organisation, then run it.");

    /// <summary>The organisation's time zone, which the page shows times in.</summary>
    private TimeZoneInfo _zone = TimeZoneInfo.Utc;

    /// <summary>The page's reads of the signal store: a fault is said at the top of the page, which stays usable.</summary>
    private GuardedReads Reads => _reads ??= new GuardedReads(Logger, "signal counts");

    private GuardedReads? _reads;

    /// <summary>Whether the counts shown were read (else they are not shown as zeros).</summary>
    private bool _counted;

    protected override async Task OnInitializedAsync()
    {
        var session = await Session.GetAsync();
        _zone = await Zones.GetAsync(session.TenantId);
        var now = DateTimeOffset.UtcNow;
        var from = now.AddDays(-30);
        _counted = await Reads.RunAsync(async () =>
        {
            var counts = new List<(string, int)>();
            foreach (var severity in Severities.All.Reverse())
            {
                var query = QueryParser.Parse($"status:{severity} @workflow.triage.state:{TriageStates.Open}");
                var page = await Signals.SearchAsync(session.TenantId, new SearchRequest(query, from, now + TimeRanges.Lookahead, 1), CancellationToken.None);
                counts.Add((severity, page.TotalHits));
            }
            _counts = counts;
            var latest = await Signals.SearchAsync(session.TenantId, new SearchRequest(new MatchAllNode(0), from, now + TimeRanges.Lookahead, 8), CancellationToken.None);
            _latest = [.. latest.Items];
        }, session.TenantId);
    }
}
