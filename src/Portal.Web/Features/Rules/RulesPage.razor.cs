using Hangfire;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.JSInterop;
using MudBlazor;
using Portal.Data;
using Portal.Data.Identity;
using Portal.Data.Rules;
using Portal.Detection.Evaluation;
using Portal.Detection.Rules;
using Portal.Web.Components.Shared;
using Portal.Web.Features.Detection;
using Portal.Web.Features.Identity;

namespace Portal.Web.Features.Rules;

/// <summary>The rule list with enable/disable and an on-demand evaluation.</summary>
public partial class RulesPage
{
    private List<RuleRow> _rows = [];
    private bool _loaded;
    private SessionInfo? _session;
    private int _intervalSeconds;

    [Inject] private RuleService Rules { get; set; } = default!;
    [Inject] private TenantDbFactory Dbs { get; set; } = default!;
    [Inject] private TenantSession Session { get; set; } = default!;
    [Inject] private IJSRuntime JS { get; set; } = default!;
    [Inject] private IBackgroundJobClient Jobs { get; set; } = default!;
    [Inject] private VigilOptions Options { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;

    [Inject] private Portal.Web.Features.Settings.OrganisationZone Zones { get; set; } = default!;

    /// <summary>The organisation's time zone, which the page shows times in.</summary>
    private TimeZoneInfo _zone = TimeZoneInfo.Utc;

    protected override async Task OnInitializedAsync()
    {
        _intervalSeconds = Options.Detection.IntervalSeconds;
        _session = await Session.GetAsync();
        _zone = await Zones.GetAsync(_session.TenantId);
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        var rules = await Rules.ListAsync(_session!.TenantId);
        await using var db = Dbs.Create(_session.TenantId);
        var states = await db.RuleRunStates.AsNoTracking().ToDictionaryAsync(s => s.RuleId);
        _rows = rules.Select(r => new RuleRow(r, states.GetValueOrDefault(r.Id!))).ToList();
        _names = rules.Where(r => r.Id is not null).ToDictionary(r => r.Id!, r => r.Name, StringComparer.Ordinal);
        // The rule open shows as it is now (enabled or not), or closes once deleted.
        _open = _open is { } open ? _rows.FirstOrDefault(r => r.Rule.Id == open.Rule.Id) : null;
        _loaded = true;
    }

    /// <summary>The organisation's rules' names by id (a correlation's drawer names the rules it reads).</summary>
    private Dictionary<string, string> _names = new(StringComparer.Ordinal);

    /// <summary>The rule open in the drawer; none when closed.</summary>
    private RuleRow? _open;

    /// <summary>Opens <paramref name="row"/>'s rule in the drawer.</summary>
    private void Open(RuleRow? row) => _open = row;

    /// <summary>Closes the drawer (its close button, a click beside it): the focus goes back to the list's button of the rule it showed.</summary>
    private async Task CloseAsync()
    {
        var shown = _open;
        _open = null;
        if (shown?.Rule.Id is { } id && RendererInfo.IsInteractive)
        {
            await DrawerFocus.ReturnAsync(JS, "data-rule-id", id);
        }
    }

    /// <summary>Whether this member may change rules (Standard and above); the page shows read-only controls otherwise.</summary>
    private bool CanWrite => _session?.Can(Permission.RulesWrite) == true;

    private async Task SetEnabledAsync(RuleRow row, bool enabled)
    {
        if (!CanWrite)
        {
            return;
        }
        if (await Rules.SetEnabledAsync(_session!.TenantId, row.Rule.Id!, enabled))
        {
            Snackbar.Add($"{row.Rule.Name} {(enabled ? "enabled" : "disabled")}.", Severity.Info);
        }
        await LoadAsync();
    }

    private void EvaluateNowAsync()
    {
        if (!CanWrite)
        {
            return;
        }
        var tenantId = _session!.TenantId;
        Jobs.Enqueue<TenantEvaluationJob>(job => job.RunNowAsync(tenantId, CancellationToken.None));
        Snackbar.Add("Evaluation queued: new signals appear on the Signals page in a few seconds.", Severity.Info);
    }

    /// <summary>A rule with its run state.</summary>
    public sealed record RuleRow(DetectionRule Rule, RuleRunState? State)
    {
        public string MaxSeverity => Rule.Cases.Select(c => c.Status)
            .Concat((Rule.ThirdPartyCases ?? []).Select(c => c.Status))
            .Append(Rule.Options.ThirdPartyRuleOptions?.DefaultStatus ?? Severities.Info)
            .OrderByDescending(Severities.Rank)
            .First();

        /// <summary>The judged events, as the rule selects them.</summary>
        public string Query => Rule.Options.ThirdPartyRuleOptions is { } thirdParty
            ? string.Join(" | ", thirdParty.RootQueries.Select(q => q.Query))
            : RuleTypes.IsCorrelation(Rule)
                ? $"signals of {Rule.Queries.Count} rules, by {string.Join(", ", Rule.Queries.FirstOrDefault()?.CorrelatedByFields ?? [])}"
                : string.Join(" | ", Rule.Queries.Select(q => q.Query));

        /// <summary>How the rule judges: method and window.</summary>
        public string Method => RealTimeRules.IsRealTime(Rule) ? (Rule.Options.DetectionMethod == DetectionMethods.ThirdParty ? "Third party · real time" : "Single event · real time")
            : RuleTypes.IsCorrelation(Rule) ? $"Correlation · {Window(Rule.Options.EvaluationWindow)}"
            : Rule.Options.DetectionMethod switch
            {
                DetectionMethods.NewValue => $"New value · learns {Rule.Options.NewValueOptions?.LearningDuration ?? 1} d",
                DetectionMethods.AnomalyDetection => $"Anomaly · {Window(Rule.Options.AnomalyDetectionOptions?.BucketDuration ?? 300)} buckets",
                DetectionMethods.ImpossibleTravel => "Impossible travel",
                _ => $"Threshold · {Window(Rule.Options.EvaluationWindow)}",
            };

        private static string Window(int seconds) => seconds >= 3600 ? $"{seconds / 3600} h" : $"{seconds / 60} min";
    }
}
