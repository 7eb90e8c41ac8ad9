using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using Portal.Detection.Signals;
using Portal.Web.Components.Shared;

namespace Portal.Web.Features.Signals;

/// <summary>A dense, newest-first table of signals; clicking a row selects it.</summary>
public partial class SignalList
{
    /// <summary>Signals to show. Default: none.</summary>
    [Parameter] public IReadOnlyList<SecuritySignal> Items { get; set; } = [];

    /// <summary>The zone times are shown in (the organisation's). Default: UTC.</summary>
    [Parameter] public TimeZoneInfo Zone { get; set; } = TimeZoneInfo.Utc;

    /// <summary>Raised with the clicked signal.</summary>
    [Parameter] public EventCallback<SecuritySignal> OnSelect { get; set; }

    /// <summary>Id of the selected signal, highlighted. Default: none.</summary>
    [Parameter] public string? SelectedId { get; set; }

    /// <summary>Hides tags and the triage column, for narrow places such as the dashboard. Default: false.</summary>
    [Parameter] public bool Compact { get; set; }

    /// <summary>Shows a loading bar. Default: false.</summary>
    [Parameter] public bool Loading { get; set; }

    /// <summary>Whether each row has a box checking it, for acting on the signals checked together (not when compact). Default: false.</summary>
    [Parameter] public bool Checkable { get; set; }

    /// <summary>The ids of the signals checked. Default: none.</summary>
    [Parameter] public IReadOnlySet<string> Checked { get; set; } = new HashSet<string>();

    /// <summary>Raised with the ids checked once a box changed.</summary>
    [Parameter] public EventCallback<IReadOnlySet<string>> CheckedChanged { get; set; }

    private Task CheckAsync(string id, bool check)
    {
        var now = new HashSet<string>(Checked, StringComparer.Ordinal);
        if (check)
        {
            now.Add(id);
        }
        else
        {
            now.Remove(id);
        }
        return CheckedChanged.InvokeAsync(now);
    }

    /// <summary>Whether some of the signals listed are checked, not all: the select-all box shows it (indeterminate), and checks them all.</summary>
    private bool Partial => Items.Any(s => Checked.Contains(s.Id)) && !Items.All(s => Checked.Contains(s.Id));

    private ElementReference _checkAll;

    /// <summary>The state the select-all box was last told (a box's indeterminate state is a property, not an attribute).</summary>
    private bool _shownPartial;

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        var partial = Checkable && !Compact && Partial;
        if (partial != _shownPartial && RendererInfo.IsInteractive)
        {
            _shownPartial = partial;
            try
            {
                await JS.InvokeVoidAsync("vigil.indeterminate", _checkAll, partial);
            }
            catch (JSDisconnectedException)
            {
                // The page was left.
            }
        }
    }

    /// <summary>Checks every signal listed, or none.</summary>
    private Task CheckAllAsync(bool all) =>
        CheckedChanged.InvokeAsync(all ? new HashSet<string>(Items.Select(s => s.Id), StringComparer.Ordinal) : new HashSet<string>(StringComparer.Ordinal));

    /// <summary>Human label of a triage state.</summary>
    public static string TriageLabel(string state) => state switch
    {
        TriageStates.UnderReview => "Under review",
        TriageStates.Archived => "Archived",
        _ => "Open",
    };

    /// <summary>A short relative time ("3 min ago"); past a day, the time in <paramref name="zone"/> (UTC when none).</summary>
    public static string Ago(DateTimeOffset time, TimeZoneInfo? zone = null)
    {
        var elapsed = DateTimeOffset.UtcNow - time;
        return elapsed.TotalSeconds switch
        {
            < 60 => "just now",
            < 3600 => $"{(int)elapsed.TotalMinutes} min ago",
            < 86400 => $"{(int)elapsed.TotalHours} h ago",
            _ => DisplayTime.Minute(time, zone),
        };
    }

    private string RowClass(SecuritySignal signal, int index) => signal.Id == SelectedId ? "selected-row signal-row" : "signal-row";
}
