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
    public bool Dark { get; set; } = dark;

    /// <summary>Whether the navigation is collapsed to its icons.</summary>
    public bool NavigationCollapsed { get; set; } = navigationCollapsed;

    /// <summary>Whether the Logs and Signals explorers hide their facets panel, giving its width to the list.</summary>
    public bool FacetsHidden { get; set; } = facetsHidden;

    /// <summary>The cookie's name.</summary>
    public const string Cookie = "vigil.console";

    /// <summary>A year: the choice stays until changed.</summary>
    public const int MaxAgeSeconds = 365 * 24 * 3600;

    /// <summary>The preferences a cookie's value says (anything else, or none, is the default: light, navigation open, facets shown).</summary>
    public static ConsolePreferences Read(string? value)
    {
        var words = (value ?? "").Split('.', StringSplitOptions.RemoveEmptyEntries);
        return new(words.Contains("dark"), words.Contains("collapsed"), words.Contains("nofacets"));
    }

    /// <summary>The cookie's value of these preferences.</summary>
    public string Write() => string.Join('.', new[] { Dark ? "dark" : null, NavigationCollapsed ? "collapsed" : null, FacetsHidden ? "nofacets" : null }
        .OfType<string>().DefaultIfEmpty("default"));

    /// <summary>Keeps these preferences in this browser's cookie, for the pages it loads next.</summary>
    public async Task KeepAsync(IJSRuntime js)
    {
        try
        {
            await js.InvokeVoidAsync("vigil.keepConsole", Cookie, Write(), MaxAgeSeconds);
        }
        catch (Exception e) when (e is JSDisconnectedException or JSException or TaskCanceledException)
        {
            // The page was left, or the cookie refused: the choice holds for this page load.
        }
    }
}
