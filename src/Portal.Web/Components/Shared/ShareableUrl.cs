using Microsoft.AspNetCore.Components;

namespace Portal.Web.Components.Shared;

/// <summary>Keeps an explorer's query and time range in the address bar, so that a view can be shared or bookmarked.</summary>
public static class ShareableUrl
{
    /// <summary>Replaces the current history entry with the view's URL; only once the circuit is interactive.</summary>
    public static void Keep(NavigationManager navigation, bool interactive, string query, string range) =>
        Keep(navigation, interactive, new Dictionary<string, object?> { ["q"] = query, ["range"] = range });

    /// <summary>
    /// Replaces the current history entry with these query parameters set (null removes one); true when it did (the
    /// address changes once the browser says so, a round trip later).
    /// </summary>
    public static bool Keep(NavigationManager navigation, bool interactive, IReadOnlyDictionary<string, object?> parameters)
    {
        var url = navigation.GetUriWithQueryParameters(parameters);
        if (!interactive || url == navigation.Uri)
        {
            return false;
        }
        navigation.NavigateTo(url, replace: true);
        return true;
    }
}
