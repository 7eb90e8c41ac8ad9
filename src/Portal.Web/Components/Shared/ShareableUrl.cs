using Microsoft.AspNetCore.Components;

namespace Portal.Web.Components.Shared;

/// <summary>Keeps an explorer's query and time range in the address bar, so that a view can be shared or bookmarked.</summary>
public static class ShareableUrl
{
    /// <summary>Replaces the current history entry with the view's URL; only once the circuit is interactive.</summary>
    public static void Keep(NavigationManager navigation, bool interactive, string query, string range)
    {
        var url = navigation.GetUriWithQueryParameters(new Dictionary<string, object?> { ["q"] = query, ["range"] = range });
        if (interactive && url != navigation.Uri)
        {
            navigation.NavigateTo(url, replace: true);
        }
    }
}
