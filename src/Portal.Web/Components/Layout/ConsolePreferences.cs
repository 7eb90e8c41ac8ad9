namespace Portal.Web.Components.Layout;

/// <summary>
/// How this browser shows the console (the dark theme, the navigation collapsed to its icons), kept in a cookie so that
/// a page reloaded or a link opened is drawn that way from its first paint, prerendered as it is. A choice of the browser,
/// not of the account: nothing in it names the member or the organisation. One instance a page load, changed as the
/// member toggles them, so that a layout made again within it (a page of another layout visited) shows the choice.
/// </summary>
public sealed class ConsolePreferences(bool dark, bool navigationCollapsed)
{
    /// <summary>Whether the console is shown in its dark theme.</summary>
    public bool Dark { get; set; } = dark;

    /// <summary>Whether the navigation is collapsed to its icons.</summary>
    public bool NavigationCollapsed { get; set; } = navigationCollapsed;

    /// <summary>The cookie's name.</summary>
    public const string Cookie = "vigil.console";

    /// <summary>A year: the choice stays until changed.</summary>
    public const int MaxAgeSeconds = 365 * 24 * 3600;

    /// <summary>The preferences a cookie's value says (anything else, or none, is the default: light, navigation open).</summary>
    public static ConsolePreferences Read(string? value)
    {
        var words = (value ?? "").Split('.', StringSplitOptions.RemoveEmptyEntries);
        return new(words.Contains("dark"), words.Contains("collapsed"));
    }

    /// <summary>The cookie's value of these preferences.</summary>
    public string Write() => string.Join('.', new[] { Dark ? "dark" : null, NavigationCollapsed ? "collapsed" : null }.OfType<string>().DefaultIfEmpty("default"));
}
