using Microsoft.AspNetCore.Components;
using MudBlazor;
using Portal.Data.Rules;
using Portal.Detection.Rules;
using Portal.Web.Features.Identity;

namespace Portal.Web.Features.Logs;

/// <summary>Turns the Logs Explorer's query into a threshold rule: severity, count threshold, window, optional group-by.</summary>
public partial class CreateRuleDialog
{
    private string _name = "";
    private string _severity = Severities.Medium;
    private int _threshold;
    private int _window = 300;
    private string _groupBy = "";
    private List<string> _errors = [];

    [CascadingParameter] private IMudDialogInstance Dialog { get; set; } = default!;
    [Inject] private RuleService Rules { get; set; } = default!;
    [Inject] private TenantSession Session { get; set; } = default!;

    /// <summary>The log query the rule watches. Default: empty (every log).</summary>
    [Parameter] public string Query { get; set; } = "";

    private async Task CreateAsync()
    {
        var groupBy = _groupBy.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        var rule = new DetectionRule
        {
            Name = _name.Trim(),
            Queries = [new RuleQuery { Name = "a", Query = Query, GroupByFields = groupBy }],
            Cases = [new RuleCase { Name = $"more than {_threshold}", Status = _severity, Condition = $"a > {_threshold}" }],
            Options = new RuleOptions { EvaluationWindow = _window, KeepAlive = Math.Max(_window, 3600), MaxSignalDuration = 86400 },
            Message = groupBy.Count > 0
                ? $"More than {_threshold} logs matched `{Query}` for {string.Join(", ", groupBy.Select(f => $"{{{{{f}}}}}"))}."
                : $"More than {_threshold} logs matched `{Query}`.",
            Tags = ["source:logs-explorer"],
        };
        var session = await Session.GetAsync();
        if (!session.Can(Portal.Data.Identity.Permission.RulesWrite))
        {
            _errors = ["Your role cannot create rules."];
            return;
        }
        var (created, errors) = await Rules.CreateAsync(session.TenantId, RuleJson.Serialize(rule), session.UserId);
        if (created is null)
        {
            _errors = errors.Select(e => e.ToString()).ToList();
            return;
        }
        Dialog.Close(DialogResult.Ok(created.Name));
    }
}
