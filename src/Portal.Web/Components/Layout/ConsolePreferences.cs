namespace Portal.Web.Components.Layout;

/// <summary>
/// How this browser shows the console (the dark theme, the navigation collapsed to its icons), kept in a cookie so that
/// a page reloaded or a link opened is drawn that way from its first paint, prerendered as it is. A choice of the browser,
/// not of the account: nothing in it names the member or the organisation.
/// </summary>
public sealed record ConsolePreferences(bool Dark, bool NavigationCollapsed)
{
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
