using Microsoft.JSInterop;

namespace Portal.Web.Components.Layout;

/// <summary>
/// How this browser shows the console (the dark theme, the navigation collapsed to its icons, the explorers' facets
/// hidden), kept in a cookie so that a page reloaded or a link opened is drawn that way from its first paint, prerendered
/// as it is. A choice of the browser, not of the account: nothing in it names the member or the organisation. One
/// instance a page load, changed as the member toggles them, so that a layout or page made again within it shows the choice.
/// </summary>
public sealed class ConsolePreferences(bool dark, bool navigationCollapsed, bool facetsHidden = false)
{
    /// <summary>Whether the console is shown in its dark theme.</summary>
    public bool Dark { get; private set; } = dark;

    /// <summary>Whether the navigation is collapsed to its icons.</summary>
    public bool NavigationCollapsed { get; private set; } = navigationCollapsed;

    /// <summary>Whether the Logs and Signals explorers hide their facets panel, giving its width to the list.</summary>
    public bool FacetsHidden { get; private set; } = facetsHidden;

    /// <summary>The cookie's name.</summary>
    public const string Cookie = "vigil.console";

    /// <summary>A year: the choice stays until changed.</summary>
    public const int MaxAgeSeconds = 365 * 24 * 3600;

    /// <summary>Each choice's word in the cookie's value, present when the choice is made (words joined by dots).</summary>
    private const string DarkWord = "dark", CollapsedWord = "collapsed", NoFacetsWord = "nofacets";

    /// <summary>The preferences a cookie's value says (anything else, or none, is the default: light, navigation open, facets shown).</summary>
    public static ConsolePreferences Read(string? value)
    {
        var words = (value ?? "").Split('.', StringSplitOptions.RemoveEmptyEntries);
        return new(words.Contains(DarkWord), words.Contains(CollapsedWord), words.Contains(NoFacetsWord));
    }

    /// <summary>Shows the console dark or light, for this page load and the pages this browser loads next.</summary>
    public Task KeepDarkAsync(IJSRuntime js, bool on)
    {
        Dark = on;
        return KeepAsync(js, DarkWord, on);
    }

    /// <summary>Collapses the navigation to its icons or opens it, for this page load and the next.</summary>
    public Task KeepNavigationCollapsedAsync(IJSRuntime js, bool on)
    {
        NavigationCollapsed = on;
        return KeepAsync(js, CollapsedWord, on);
    }

    /// <summary>Hides the explorers' facets panel or shows it, for this page load and the next.</summary>
    public Task KeepFacetsHiddenAsync(IJSRuntime js, bool on)
    {
        FacetsHidden = on;
        return KeepAsync(js, NoFacetsWord, on);
    }

    /// <summary>
    /// Sets or clears one choice's word in this browser's cookie, leaving the others as the cookie has them: another tab's
    /// choice made since this page loaded stays.
    /// </summary>
    private static async Task KeepAsync(IJSRuntime js, string word, bool on)
    {
        try
        {
            await js.InvokeVoidAsync("vigil.keepConsole", Cookie, word, on, MaxAgeSeconds);
        }
        catch (Exception e) when (e is JSDisconnectedException or JSException or TaskCanceledException)
        {
            // The page was left, or the cookie refused: the choice holds for this page load.
        }
    }
}
