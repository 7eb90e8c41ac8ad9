using Microsoft.AspNetCore.Components;
using MudBlazor;
using Portal.Data.Rules;
using Portal.Detection.Evaluation;
using Portal.Detection.Rules;
using Portal.Detection.Signals;
using Portal.Web.Features.Rules;
using Portal.Web.Features.Identity;

namespace Portal.Web.Features.Logs;

/// <summary>
/// Turns the Logs Explorer's query into a threshold rule: severity, count threshold, window, optional group-by; previewed
/// first, if asked, over the logs of the range the page shows (the signals it would have raised there), as a backtest runs it.
/// </summary>
public sealed partial class CreateRuleDialog : IDisposable
{
    private string _name = "";
    private string _severity = Severities.Medium;
    private int _threshold;
    private int _window = 300;
    private string _groupBy = "";

    /// <summary>What is wrong with the rule: said beneath its name or its group-by, the rest beneath the fields.</summary>
    private IReadOnlyList<RuleError> _errors = [];

    [CascadingParameter] private IMudDialogInstance Dialog { get; set; } = default!;
    [Inject] private RuleService Rules { get; set; } = default!;
    [Inject] private TenantSession Session { get; set; } = default!;
    [Inject] private RuleBacktests Backtests { get; set; } = default!;
    [Inject] private ILogger<CreateRuleDialog> Logger { get; set; } = default!;

    /// <summary>The log query the rule watches. Default: empty (every log).</summary>
    [Parameter] public string Query { get; set; } = "";

    /// <summary>The range the page shows, which the preview reads (its last <see cref="Backtest.MaxRange"/> at most). Default: none, no preview.</summary>
    [Parameter] public (DateTimeOffset From, DateTimeOffset To) Range { get; set; }

    /// <summary>The organisation's time zone, which the preview's times are shown in. Default: UTC.</summary>
    [Parameter] public TimeZoneInfo Zone { get; set; } = TimeZoneInfo.Utc;

    /// <summary>The rule as the fields make it (named <paramref name="name"/> when given: a preview needs no name).</summary>
    private DetectionRule Rule(string? name = null)
    {
        var groupBy = _groupBy.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        return new DetectionRule
        {
            Name = name ?? _name.Trim(),
            Queries = [new RuleQuery { Name = "a", Query = Query, GroupByFields = groupBy }],
            Cases = [new RuleCase { Name = $"more than {_threshold}", Status = _severity, Condition = $"a > {_threshold}" }],
            Options = new RuleOptions { EvaluationWindow = _window, KeepAlive = Math.Max(_window, 3600), MaxSignalDuration = 86400 },
            Message = groupBy.Count > 0
                ? $"More than {_threshold} logs matched `{Query}` for {string.Join(", ", groupBy.Select(f => $"{{{{{f}}}}}"))}."
                : $"More than {_threshold} logs matched `{Query}`.",
            Tags = ["source:logs-explorer"],
        };
    }

    private const string NamePath = "$.name";
    private const string GroupByPath = "$.queries[0].groupByFields";

    /// <summary>What is wrong with the field of <paramref name="path"/> (and the paths beneath it), if anything.</summary>
    private string? ErrorOf(string path) =>
        _errors.Where(e => e.Path.StartsWith(path, StringComparison.Ordinal)).Select(e => e.Message).FirstOrDefault();

    /// <summary>What is wrong with the rule beyond its name and group-by.</summary>
    private IEnumerable<RuleError> OtherErrors => _errors.Where(e => !OfName(e) && !e.Path.StartsWith(GroupByPath, StringComparison.Ordinal));

    /// <summary>Whether <paramref name="error"/> is said of the rule's name.</summary>
    private static bool OfName(RuleError error) => error.Path.StartsWith(NamePath, StringComparison.Ordinal);

    /// <summary>Whether the rule is being created: a second click meanwhile would store a second rule.</summary>
    private bool _creating;

    private async Task CreateAsync()
    {
        if (_creating)
        {
            return;
        }
        _creating = true;
        try
        {
            var session = await Session.GetAsync();
            if (!session.Can(Portal.Data.Identity.Permission.RulesWrite))
            {
                _errors = [new RuleError("$", "Your role cannot create rules.")];
                return;
            }
            var (created, errors) = await Rules.CreateAsync(session.TenantId, RuleJson.Serialize(Rule()), session.UserId);
            if (created is null)
            {
                _errors = errors;
                return;
            }
            Dialog.Close(DialogResult.Ok(created.Name));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The dialog is drawn outside the page's failure panel: a fault here ended the whole connection (the page's
            // query and detail with it). Said in the dialog, which keeps what was typed.
            Logger.LogError(e, "A rule could not be created from the Logs Explorer");
            _errors = [.. _errors.Where(OfName), new RuleError("$", "The rule could not be saved: try again in a moment.")];
        }
        finally
        {
            _creating = false;
        }
    }

    /// <summary>What the preview found, or why it found nothing; none before it ran, or once a field changed since.</summary>
    private Preview? _preview;

    private bool _previewing;

    /// <summary>Stops a preview running when the dialog closes, or when a field changes (its answer would be of other settings).</summary>
    private CancellationTokenSource? _previewRun;

    /// <summary>The signals the preview found, or why there are none, over the range it read; the suppressions that applied.</summary>
    private sealed record Preview(DateTimeOffset From, DateTimeOffset To, IReadOnlyList<SecuritySignal> Signals, long EventsRead, string? Note)
    {
        public IReadOnlyList<BacktestSuppression> Suppressions { get; init; } = [];
    }

    /// <summary>The signals shown in the preview, most events first.</summary>
    private const int PreviewSignals = 5;

    /// <summary>
    /// Runs the rule as the fields make it over the logs of the range shown, storing nothing (<see cref="Backtest"/>, as
    /// <c>POST /api/v2/security_monitoring/rules/backtest</c> does): the signals it would have raised there. A rule at fault
    /// is said as its creation would say it.
    /// </summary>
    private async Task PreviewAsync()
    {
        // Named if not yet: a preview needs no name. What is said of the name stays until it is edited.
        var (rule, errors) = RuleJson.Parse(RuleJson.Serialize(Rule(string.IsNullOrWhiteSpace(_name) ? "Preview" : null)));
        _errors = [.. _errors.Where(OfName).Concat(errors).Distinct()];
        if (rule is null || Range == default)
        {
            return;
        }
        SessionInfo session;
        try
        {
            session = await Session.GetAsync();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Logger.LogError(e, "A rule preview could not read the session");
            _preview = new Preview(Range.From, Range.To, [], 0, "The preview could not run: try again in a moment.");
            return;
        }
        // A preview running is of the settings before: stopped, its answer dropped (its token source is left to the
        // collector, as a read still running may ask for its token).
        _previewRun?.Cancel();
        var run = _previewRun = new CancellationTokenSource();
        var token = run.Token;
        var (from, to) = (Range.To - Range.From > Backtest.MaxRange ? Range.To - Backtest.MaxRange : Range.From, Range.To);
        (_previewing, _preview) = (true, null);
        Preview preview;
        try
        {
            var outcome = await Backtests.RunAsync(session.TenantId, rule, from, to, token);
            preview = outcome.TooManyEvents
                ? new Preview(from, to, [], 0, $"More than {Backtest.MaxEvents:N0} logs match this query over the range shown: narrow it, or the range, to preview it.")
                : new Preview(from, to, [.. outcome.Signals.OrderByDescending(s => s.EventsMatched).ThenBy(s => s.GroupKey, StringComparer.Ordinal)], outcome.EventsScanned, null)
                {
                    Suppressions = outcome.Suppressions,
                };
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Closed, or a field changed: a newer preview, if any, says what it finds.
            return;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Logger.LogWarning(e, "A rule preview failed for organisation {TenantId}", session.TenantId);
            preview = new Preview(from, to, [], 0, "The preview could not run: try again in a moment.");
        }
        if (run == _previewRun && !token.IsCancellationRequested)
        {
            (_previewing, _preview) = (false, preview);
        }
    }

    /// <summary>What a suppression that applied did to the preview, as the evaluation would have had it.</summary>
    private static string EffectOf(BacktestSuppression applied)
    {
        var stopped = applied.GroupsStopped switch
        {
            0 => "it stopped no signal",
            1 => "it stopped the signals of 1 group",
            var n => $"it stopped the signals of {n:N0} groups",
        };
        return (applied.ExcludesLogs, applied.StopsSignals) switch
        {
            (true, true) => $"the logs it excludes were not read, and {stopped}",
            (true, false) => "the logs it excludes were not read",
            _ => stopped,
        };
    }

    /// <summary>A field changed: the preview shown, or running, was of other settings.</summary>
    private void Changed()
    {
        _previewRun?.Cancel();
        (_previewRun, _previewing, _preview) = (null, false, null);
        // What was said of the other fields may no longer hold; of the name, until it is edited.
        _errors = [.. _errors.Where(OfName)];
    }

    /// <summary>The name edited: what was said of it is no longer so.</summary>
    private void NameEdited() => _errors = [.. _errors.Where(e => !OfName(e))];

    /// <summary>What a signal of the preview was raised for: its group's values (of the group-by's fields, in their order), or every log matched.</summary>
    private static string GroupOf(SecuritySignal signal) => signal.GroupBy.Count == 0 ? "all logs matched" : string.Join(", ", signal.GroupBy.Values);

    /// <summary>A signal's group as its fields name it, shown on hover.</summary>
    private static string GroupTitle(SecuritySignal signal) => string.Join(", ", signal.GroupBy.Select(g => $"{g.Key}:{g.Value}"));

    public void Dispose()
    {
        _previewRun?.Cancel();
        _previewRun = null;
    }
}
