using Microsoft.AspNetCore.Components;

namespace Portal.Web.Components.Shared;

/// <summary>Keeps an explorer's query and time range in the address bar, so that a view can be shared or bookmarked.</summary>
public static class ShareableUrl
{
    /// <summary>
    /// Replaces the current history entry with these query parameters set (null removes one); the address written, or
    /// none when it did not (the address changes once the browser says so, a round trip later). Nothing is written when
    /// the address would stay <paramref name="pending"/>: the last one written whose round trip is not over (a change
    /// undone before its write came back must be written again), else the address the page has now.
    /// </summary>
    public static string? Keep(NavigationManager navigation, bool interactive, IReadOnlyDictionary<string, object?> parameters, string? pending = null)
    {
        var url = navigation.GetUriWithQueryParameters(parameters);
        if (!interactive || url == (pending ?? navigation.Uri))
        {
            return null;
        }
        navigation.NavigateTo(url, replace: true);
        return url;
    }
}
