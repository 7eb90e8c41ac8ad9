using Microsoft.AspNetCore.Components;
using Portal.Detection.Signals;
using Portal.Web.Components.Shared;

namespace Portal.Web.Features.Signals;

/// <summary>Details of one signal with its triage controls.</summary>
public partial class SignalDrawer
{
    private string _state = TriageStates.Open;
    private string _reason = "none";
    private string? _loadedId;

    /// <summary>The triage state and reason the controls were set from: a change of the signal's own (a bulk triage, a refresh) sets them again.</summary>
    private (string State, string? Reason) _loadedTriage;

    /// <summary>The signal shown; nothing renders when null. Default: null.</summary>
    [Parameter] public SecuritySignal? Signal { get; set; }

    /// <summary>Whether the drawer holding the signal is open: closed, it takes no focus. Default: true.</summary>
    [Parameter] public bool Open { get; set; } = true;

    /// <summary>The zone times are shown in (the organisation's). Default: UTC.</summary>
    [Parameter] public TimeZoneInfo Zone { get; set; } = TimeZoneInfo.Utc;

    /// <summary>Raised with (state, archive reason) when the user saves a triage change.</summary>
    [Parameter] public EventCallback<(string State, string? Reason)> OnTriage { get; set; }

    /// <summary>Whether the member may change the triage state (Standard and above). Default: true.</summary>
    [Parameter] public bool CanTriage { get; set; } = true;

    /// <summary>The logs that raised the signal (its samples), as they are to be listed; null while they are read. Default: null.</summary>
    [Parameter] public IReadOnlyList<Portal.Detection.Events.LogEvent>? Samples { get; set; }

    /// <summary>Why fewer samples are listed than the signal names; none when all are. Default: none.</summary>
    [Parameter] public string? SamplesNote { get; set; }

    /// <summary>A link that opens the signal in the Signals page, to share; none: no button. Default: none.</summary>
    [Parameter] public string? Link { get; set; }

    private const string CopiedLink = "Link to this signal copied.";

    /// <summary>Raised when the user closes the drawer.</summary>
    [Parameter] public EventCallback OnClose { get; set; }

    /// <summary>Raised with a query term when the user filters the signals by one of this signal's attribute values, or excludes it.</summary>
    [Parameter] public EventCallback<string> OnFilter { get; set; }

    /// <summary>
    /// The query keeping the logs of the signal's group (each value its field has, as a facet picks it); empty without a
    /// group, or when a value cannot be searched by (the logs around the signal are then all its time's).
    /// </summary>
    private static string GroupQuery(SecuritySignal s)
    {
        var terms = s.GroupBy.Select(g => Portal.Web.Components.Shared.QueryCompletion.Term(g.Key, g.Value)).ToList();
        return terms.Any(t => t is null) ? "" : string.Join(' ', terms);
    }

    /// <summary>The Logs Explorer's address for the logs of the signal's group, minutes either side of when it was seen.</summary>
    private string LogsLink(SecuritySignal s) => Portal.Web.Features.Logs.LogsPage.LinkOf(GroupQuery(s), s.FirstSeen, s.LastSeen, Zone);

    private bool Changed => Signal is not null && (_state != Signal.TriageState || (_state == TriageStates.Archived && _reason != (Signal.ArchiveReason ?? "none")));

    private ElementReference _root;
    private readonly DrawerFocus _focus = new();

    protected override void OnParametersSet()
    {
        // Each signal shown takes the focus, so that the keyboard goes on in the drawer; reopened, again.
        _focus.Shown(Open, Signal?.Id);
        if (Signal is not null && (Signal.Id != _loadedId || (Signal.TriageState, Signal.ArchiveReason) != _loadedTriage || !Changed))
        {
            (_loadedId, _loadedTriage) = (Signal.Id, (Signal.TriageState, Signal.ArchiveReason));
            _state = Signal.TriageState;
            _reason = Signal.ArchiveReason ?? "none";
        }
    }

    protected override Task OnAfterRenderAsync(bool firstRender) => _focus.AfterRenderAsync(JS, _root, RendererInfo.IsInteractive);

    /// <summary>Whether the triage is being written: a second click meanwhile would write it again.</summary>
    private bool _saving;

    private async Task SaveAsync()
    {
        _saving = true;
        try
        {
            await OnTriage.InvokeAsync((_state, _state == TriageStates.Archived ? _reason : null));
        }
        finally
        {
            _saving = false;
        }
    }
}
