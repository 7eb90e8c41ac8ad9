using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace Portal.Web.Components.Shared;

/// <summary>
/// The focus of a detail drawer (a log's, a signal's, a rule's): it takes the focus each time it opens or shows another
/// item, so that the keyboard goes on in it, and gives it back to the list's button that opened the item when it closes.
/// </summary>
/// <remarks>
/// Whether the focus is due is decided as the drawer's parameters come (<see cref="Shown"/>), not after its render: in an
/// interactive server page a render's after-render waits for the browser to apply it, by which time a close and a reopen of
/// the same item may both have come, and the reopened drawer must still take the focus.
/// </remarks>
public sealed class DrawerFocus
{
    private string? _shown;
    private bool _due;

    /// <summary>The drawer's parameters: open or not, and the id of the item it shows (null for none).</summary>
    public void Shown(bool open, string? id)
    {
        if (!open || id is null)
        {
            (_shown, _due) = (null, false);
        }
        else if (id != _shown)
        {
            (_shown, _due) = (id, true);
        }
    }

    /// <summary>After a render: gives <paramref name="drawer"/> the focus when it is due (keys.js' <c>vigil.focusSoon</c>).</summary>
    public async Task AfterRenderAsync(IJSRuntime js, ElementReference drawer, bool interactive)
    {
        if (_due && interactive)
        {
            _due = false;
            try
            {
                await js.InvokeVoidAsync("vigil.focusSoon", drawer);
            }
            catch (JSDisconnectedException)
            {
                // The page was left.
            }
        }
    }

    /// <summary>
    /// Gives the focus back to the list's button that opens item <paramref name="id"/>, the button marked with it in
    /// <paramref name="attribute"/> (<c>data-log-id</c>, <c>data-signal-id</c>, <c>data-rule-id</c>); to the list's first such
    /// button when the item is no longer listed. With <paramref name="ifLost"/>, only if the focus was lost meanwhile (the
    /// drawer it was in closed, after a search the user may not have waited for). With <paramref name="index"/>, the item's
    /// place in a virtualised list, whose row may not be drawn: the list scrolls to it.
    /// </summary>
    public static async Task ReturnAsync(IJSRuntime js, string attribute, string id, bool ifLost = false, int index = -1)
    {
        object[] args = index >= 0 ? [attribute, id, ifLost, index] : ifLost ? [attribute, id, true] : [attribute, id];
        try
        {
            await js.InvokeVoidAsync("vigil.focusOpener", args);
        }
        catch (JSDisconnectedException)
        {
            // The page was left.
        }
    }
}
