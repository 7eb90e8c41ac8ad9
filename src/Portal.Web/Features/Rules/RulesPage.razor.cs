using Hangfire;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.JSInterop;
using MudBlazor;
using Portal.Data;
using Portal.Data.Identity;
using Portal.Data.Rules;
using Portal.Data.Suppressions;
using Portal.Detection.Evaluation;
using Portal.Detection.Rules;
using Portal.Detection.Suppressions;
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
    /// <summary>How often the rules run, as the page says it ("10 s", "minute", "hour").</summary>
    private string _every = "";

    [Inject] private RuleService Rules { get; set; } = default!;
    [Inject] private SuppressionService SuppressionService { get; set; } = default!;
    [Inject] private TimeProvider Clock { get; set; } = default!;
    [Inject] private TenantDbFactory Dbs { get; set; } = default!;
    [Inject] private TenantSession Session { get; set; } = default!;
    [Inject] private IJSRuntime JS { get; set; } = default!;
    [Inject] private IBackgroundJobClient Jobs { get; set; } = default!;
    [Inject] private VigilOptions Options { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;
    [Inject] private ILogger<RulesPage> Logger { get; set; } = default!;

    [Inject] private Portal.Web.Features.Settings.OrganisationZone Zones { get; set; } = default!;

    /// <summary>The organisation's time zone, which the page shows times in.</summary>
    private TimeZoneInfo _zone = TimeZoneInfo.Utc;

    protected override async Task OnInitializedAsync()
    {
        _every = DetectionSetup.EveryFor(Options.Detection.IntervalSeconds);
        _session = await Session.GetAsync();
        _zone = await Zones.GetAsync(_session.TenantId);
        await LoadAsync();
    }

    private async Task LoadAsync() => Show(await ReadAsync());

    /// <summary>The organisation's rules with their run states, and its suppressions, as stored now.</summary>
    private async Task<(List<RuleRow> Rows, List<StoredSuppression> Suppressions)> ReadAsync()
    {
        var rules = await Rules.ListAsync(_session!.TenantId);
        await using var db = Dbs.Create(_session.TenantId);
        var states = await db.RuleRunStates.AsNoTracking().ToDictionaryAsync(s => s.RuleId);
        return ([.. rules.Select(r => new RuleRow(r, states.GetValueOrDefault(r.Id!)))], await SuppressionService.ListAsync(_session.TenantId));
    }

    /// <summary>Shows the rules and suppressions <paramref name="read"/>.</summary>
    private void Show((List<RuleRow> Rows, List<StoredSuppression> Suppressions) read)
    {
        (_rows, _suppressions) = read;
        _names = _rows.Where(r => r.Rule.Id is not null).ToDictionary(r => r.Rule.Id!, r => r.Rule.Name, StringComparer.Ordinal);
        // The rule open shows as it is now (enabled or not), or closes once deleted.
        Open(_open is { } open ? _rows.FirstOrDefault(r => r.Rule.Id == open.Rule.Id) : null);
        _loaded = true;
    }

    /// <summary>The organisation's suppressions, as read with the rules.</summary>
    private List<StoredSuppression> _suppressions = [];

    /// <summary>The suppressions that apply to the rule open, active as it was opened (or read again).</summary>
    private List<StoredSuppression> _openSuppressions = [];

    /// <summary>The suppressions active now that apply to <paramref name="row"/>'s rule, as the evaluation finds them.</summary>
    private List<StoredSuppression> SuppressionsOf(RuleRow? row)
    {
        if (row is null || _suppressions.Count == 0)
        {
            return [];
        }
        var ids = new SuppressionSet(_suppressions.Select(s => s.Definition), Clock.GetUtcNow()).For(row.Rule).All.Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        return [.. _suppressions.Where(s => ids.Contains(s.Definition.Id))];
    }

    /// <summary>The organisation's rules' names by id (a correlation's drawer names the rules it reads).</summary>
    private Dictionary<string, string> _names = new(StringComparer.Ordinal);

    /// <summary>The rule open in the drawer; none when closed.</summary>
    private RuleRow? _open;

    /// <summary>Opens <paramref name="row"/>'s rule in the drawer.</summary>
    private void Open(RuleRow? row) => (_open, _openSuppressions) = (row, SuppressionsOf(row));

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

    /// <summary>
    /// Enables or disables a rule: shown so at once, and written behind, so that the switch's change is handled at once
    /// rather than for as long as the write takes. Changes are written one at a time, in the order they were made, so a
    /// switch toggled twice ends as last set; once the latest is written, the rules are read back to show what was stored
    /// (a read after an earlier change would show the switch as a newer toggle had already changed it).
    /// </summary>
    private Task SetEnabledAsync(RuleRow row, bool enabled)
    {
        if (CanWrite)
        {
            row.Rule.IsEnabled = enabled;
            // The circuit runs one handler step at a time: the chain is read and replaced without a lock.
            _written = WriteEnabledAsync(_written, row.Rule, enabled, ++_changes);
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// Writes <paramref name="rule"/> enabled or not once the changes before it (<paramref name="before"/>) were; the
    /// latest <paramref name="change"/> then shows the rules as stored. Never fails: a fault is said (a write) or logged (the
    /// read back), so the writes after it still run.
    /// </summary>
    private async Task WriteEnabledAsync(Task before, DetectionRule rule, bool enabled, int change)
    {
        await before;
        try
        {
            var written = await Rules.SetEnabledAsync(_session!.TenantId, rule.Id!, enabled);
            Snackbar.Add(written switch
            {
                { Rule: not null } => $"{rule.Name} {(enabled ? "enabled" : "disabled")}.",
                { Found: false } => $"{rule.Name} was not changed: it was deleted.",
                { StoredVersion: not null } => $"{rule.Name} was changed by others meanwhile and was not {(enabled ? "enabled" : "disabled")}. Try again.",
                _ => $"{rule.Name} was not enabled: it no longer passes validation ({string.Join("; ", written.Errors)}). Correct it first.",
            }, written.Rule is null ? Severity.Warning : Severity.Info);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Logger.LogError(e, "Rule {RuleId} of organisation {TenantId}: {Change} failed", rule.Id, _session?.TenantId, enabled ? "enabling" : "disabling");
            Snackbar.Add($"{rule.Name} could not be {(enabled ? "enabled" : "disabled")}: the database failed. Try again.", Severity.Error);
        }
        if (change != _changes)
        {
            return;
        }
        try
        {
            // Shown only if no switch changed while it was read: its rows were read before that change, and would undo it
            // on screen until the newer change's own read back.
            var read = await ReadAsync();
            if (change != _changes)
            {
                return;
            }
            Show(read);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Logger.LogError(e, "The rules of organisation {TenantId} could not be read back", _session?.TenantId);
        }
        // Not an event's handler: the page renders what changed itself.
        StateHasChanged();
    }

    /// <summary>The last change of a rule asked for, written once those before it were: one at a time, in order.</summary>
    private Task _written = Task.CompletedTask;

    /// <summary>The changes of rules asked for (<see cref="SetEnabledAsync"/>): only the latest reads the rules back.</summary>
    private int _changes;

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
        public string MaxSeverity => Rule.Cases.OfType<RuleCase>().Select(c => c.Status)
            .Concat((Rule.ThirdPartyCases ?? []).OfType<ThirdPartyCase>().Select(c => c.Status))
            .Append(Rule.Options.ThirdPartyRuleOptions?.DefaultStatus ?? Severities.Info)
            .OrderByDescending(Severities.Rank)
            .First();

        /// <summary>The judged events, as the rule selects them.</summary>
        public string Query => Rule.Options is { DetectionMethod: DetectionMethods.ThirdParty, ThirdPartyRuleOptions: { } thirdParty }
            ? string.Join(" | ", (thirdParty.RootQueries ?? []).Select(q => q?.Query))
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

        private static string Window(int seconds) => seconds >= 3600 ? $"{seconds / 3600} h" : seconds >= 60 || seconds == 0 ? $"{seconds / 60} min" : $"{seconds} s";
    }
}
