using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.WebUtilities;
using MudBlazor;
using Portal.Data.Identity;
using Portal.Data.Views;
using Portal.Web.Components.Shared;

namespace Portal.Web.Features.Logs;

/// <summary>
/// Saved views (Datadog's): the organisation's named views of the page, each its address's state, opened from the side
/// panel or a link (<c>logs?saved=id</c>, alone or with the state); the open view is named in the head and said to be
/// modified once the page shows something else, when it can be saved again or reverted.
/// </summary>
public partial class LogsPage
{
    private const string SavedParameter = "saved";

    [Inject] private SavedViews Views { get; set; } = default!;

    [SupplyParameterFromQuery(Name = SavedParameter)]
    private string? UrlSaved { get; set; }

    /// <summary>The organisation's views of the page, by name (read when the page opens and after each change made here).</summary>
    private List<SavedView> _views = [];

    /// <summary>The saved view open, or none.</summary>
    private SavedView? _view;

    /// <summary>Why the view the address names is not open (deleted, or not this organisation's).</summary>
    private string? _viewNote;

    /// <summary>The id of the view the address names while the views cannot be read: kept in the address, to be tried again.</summary>
    private string? _unreadView;

    private bool CanSaveViews => _session?.Can(Permission.LogViewsWrite) == true;

    /// <summary>Whether the page shows something other than the open view saved.</summary>
    private bool ViewModified => _view is not null && StateOf(CurrentView()) != Canonical(_view.State);

    /// <summary>The address of a saved view: its state as the page writes it (<see cref="Canonical"/>: only the page's own parameters, a range always) and its id.</summary>
    private static string ViewLink(SavedView view) => $"logs?{Canonical(view.State)}&{SavedParameter}={Uri.EscapeDataString(view.Id)}";

    /// <summary>A view's state as saved: its address's parameters, in their order, without the saved view's nor the log open.</summary>
    private static string StateOf(UrlView view) =>
        QueryOf(view with { Event = null });

    /// <summary>Whether the address names no more than a saved view (and perhaps a log open): a link to the view, whose state the page then takes.</summary>
    private bool AddressIsBare => AddressView with { Event = null } == default(UrlView);

    /// <summary>Whether the open view is not the one the address names, or the address names it alone (a link to it).</summary>
    private bool AddressViewChanged => UrlSaved != _view?.Id || UrlSaved is { Length: > 0 } && AddressIsBare;

    /// <summary>
    /// Opens the view the address names, reading the organisation's views again when it is not among those read; none when
    /// the address names none. The view, to be shown as saved when the address names it alone (<see cref="AddressIsBare"/>).
    /// </summary>
    private async Task<SavedView?> OpenAddressViewAsync()
    {
        _unreadView = null;
        if (UrlSaved is not { Length: > 0 } id)
        {
            (_view, _viewNote) = (null, null);
            return null;
        }
        var view = _views.Find(v => v.Id == id);
        var read = true;
        if (view is null)
        {
            read = await ReadViewsAsync();
            view = _views.Find(v => v.Id == id);
        }
        (_view, _viewNote) = (view, view is not null ? null
            : read ? "The saved view in this address no longer exists."
            : "The saved views could not be read: reload the page in a moment.");
        _unreadView = view is null && !read ? id : null;
        return view;
    }

    /// <summary>Takes a saved state as the address's parameters (then read as an address is, <see cref="ReadUrl"/>).</summary>
    private void TakeState(string state)
    {
        var of = Parameters(state);
        (UrlQuery, UrlRange, UrlFrom, UrlTo, UrlLive, UrlSort) = (of("q"), of("range"), of("from"), of("to"), of("live"), of(LogSort.Parameter));
        (UrlColumns, UrlFacets, UrlBy, UrlMeasure, UrlTop, UrlViz, UrlThen) = (of("cols"), of("facets"), of("by"), of("measure"), of("top"), of("viz"), of("then"));
        // The log the address names, if any, is kept: a saved view holds none.
        ReadUrl();
    }

    /// <summary>
    /// A saved state as the page writes it after reading it (columns with their <c>@</c>, an unknown range as the past
    /// hour, bounds only for a custom range...), so that a state written otherwise compares with what the page shows.
    /// </summary>
    private static string Canonical(string state)
    {
        var of = Parameters(state);
        var live = of("live") == "true";
        var range = live ? null : KnownRange(of("range"));
        var custom = range == TimeRanges.Custom;
        var patterns = of("viz") == LogPatterns.ViewName;
        return StateOf(UrlView.Of(of("q"), range, custom ? of("from") : null, custom ? of("to") : null, live, !live && LogSort.IsOldestFirst(of(LogSort.Parameter)),
            AttributeColumns.Format(AttributeColumns.Parse(of("cols"))), PinnedFacets.Format(PinnedFacets.Parse(of("facets"))),
            patterns ? null : LogGrouping.Parse(of("by"), of("measure"), of("top"), of("viz"), of("then")), patterns));
    }

    /// <summary>A query string's parameters, by name (none for one it lacks).</summary>
    private static Func<string, string?> Parameters(string query)
    {
        var parameters = QueryHelpers.ParseQuery(query);
        return name => parameters.TryGetValue(name, out var value) ? value.ToString() : null;
    }

    /// <summary>Reads the organisation's views again; false, the list kept, when they could not be read.</summary>
    private async Task<bool> ReadViewsAsync()
    {
        try
        {
            _views = await Views.ListAsync(_session!.TenantId, SavedViews.LogsPage, Closing);
            return true;
        }
        catch (Exception e) when (!(e is OperationCanceledException && Closing.IsCancellationRequested))
        {
            // The views are a convenience: the page works without them.
            Logger.LogWarning(e, "Saved views could not be read for organisation {TenantId}", _session!.TenantId);
            return false;
        }
    }

    /// <summary>Saves what the page shows as a new view, named in a dialog, and opens it.</summary>
    private async Task SaveAsNewViewAsync()
    {
        if (!CanSaveViews || _submitted is null)
        {
            return;
        }
        var state = StateOf(CurrentView());
        var author = _session!.UserName;
        var saved = await AskNameAsync("Save as a new view", _view is null ? "" : $"{_view.Name} (copy)", "Save view",
            name => Views.CreateAsync(_session!.TenantId, SavedViews.LogsPage, name, state, author));
        if (saved is not null)
        {
            await OpenSavedAsync(saved, $"View “{saved.Name}” saved: every member of the organisation can open it.");
        }
    }

    /// <summary>Saves what the page shows into the open view.</summary>
    private async Task SaveViewChangesAsync()
    {
        if (!CanSaveViews || _view is null)
        {
            return;
        }
        var (id, state) = (_view.Id, StateOf(CurrentView()));
        (SavedView? View, SavedViewError? Error) result = default;
        if (!await WriteAsync(async () => result = await Views.UpdateAsync(_session!.TenantId, id, name: null, state, _session.UserName)))
        {
            return;
        }
        var (saved, error) = result;
        if (saved is null)
        {
            await ForgetViewAsync(error?.Message ?? "This view was deleted meanwhile: save it as a new view instead.");
            return;
        }
        await OpenSavedAsync(saved, $"View “{saved.Name}” saved.");
    }

    /// <summary>Renames the open view (its state as saved).</summary>
    private async Task RenameViewAsync()
    {
        if (!CanSaveViews || _view is not { } view)
        {
            return;
        }
        var author = _session!.UserName;
        var saved = await AskNameAsync("Rename the view", view.Name, "Rename",
            async name => await Views.UpdateAsync(_session!.TenantId, view.Id, name, state: null, author) is var (renamed, error) && renamed is null && error is null
                ? (null, new SavedViewError("name", "This view was deleted meanwhile."))
                : (renamed, error));
        if (saved is not null)
        {
            await ReadViewsAsync();
            _view = _views.Find(v => v.Id == saved.Id) ?? saved;
        }
    }

    /// <summary>Deletes the open view, once confirmed; the page keeps showing what it shows.</summary>
    private async Task DeleteViewAsync()
    {
        if (!CanSaveViews || _view is not { } view)
        {
            return;
        }
        var confirmed = await Dialogs.ShowMessageBoxAsync("Delete view", $"Delete the view “{view.Name}” for every member of the organisation?", yesText: "Delete", cancelText: "Cancel");
        if (confirmed != true)
        {
            return;
        }
        // Not cancelled as the page closes: the member confirmed it.
        if (!await WriteAsync(() => Views.DeleteAsync(_session!.TenantId, view.Id)))
        {
            return;
        }
        _view = null;
        await ReadViewsAsync();
        KeepUrl();
        Snackbar.Add($"View “{view.Name}” deleted.", Severity.Info);
    }

    /// <summary>Closes a view that can no longer be saved (deleted meanwhile), saying why; the page keeps showing what it shows.</summary>
    private async Task ForgetViewAsync(string why)
    {
        if (_view?.Id is { } id && await Views.GetAsync(_session!.TenantId, id) is null)
        {
            _view = null;
            KeepUrl();
        }
        await ReadViewsAsync();
        Snackbar.Add(why, Severity.Warning);
    }

    /// <summary>
    /// Runs a change of the views: false, said in a snackbar and logged, when the database failed (the page stays as it is
    /// rather than its circuit ending).
    /// </summary>
    private async Task<bool> WriteAsync(Func<Task> write)
    {
        try
        {
            await write();
            return true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Logger.LogError(e, "A saved view could not be changed for organisation {TenantId}", _session!.TenantId);
            Snackbar.Add("The view could not be saved: the database did not answer. Try again in a moment.", Severity.Error);
            return false;
        }
    }

    private async Task OpenSavedAsync(SavedView saved, string message)
    {
        await ReadViewsAsync();
        (_view, _viewNote) = (saved, null);
        KeepUrl();
        Snackbar.Add(message, Severity.Success);
    }

    /// <summary>Asks for a view's name in a dialog that shows why a name is refused; the view saved, or none when cancelled.</summary>
    private async Task<SavedView?> AskNameAsync(string title, string name, string action, Func<string, Task<(SavedView? View, SavedViewError? Error)>> save)
    {
        var dialog = await Dialogs.ShowAsync<SaveViewDialog>(title, new DialogParameters<SaveViewDialog>
        {
            { d => d.Name, name },
            { d => d.Action, action },
            { d => d.Save, save },
        }, new DialogOptions { MaxWidth = MaxWidth.ExtraSmall, FullWidth = true });
        var result = await dialog.Result;
        return result is { Canceled: false, Data: SavedView saved } ? saved : null;
    }
}
