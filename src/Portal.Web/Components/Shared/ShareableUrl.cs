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

    /// <summary>An address's parameter as a view holds it: an empty one is none.</summary>
    public static string? NoneIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}

/// <summary>
/// A page's view kept in its address (<see cref="ShareableUrl"/>), and the address followed when it changes under the page
/// (the menu's link, a shared link pasted in the same tab): the views the page wrote whose round trips are not over, so
/// that they are not read back as changes, and the view the address held when the page last looked.
/// </summary>
/// <typeparam name="TView">The page's view as its address holds it, compared by value.</typeparam>
public sealed class AddressKeeper<TView> where TView : struct, IEquatable<TView>
{
    /// <summary>Writes that may still be on their way (the circuit's messages lost), forgotten beyond this many.</summary>
    private const int MostInTransit = 16;

    /// <summary>The views written into the address that have not come back yet, oldest first.</summary>
    private readonly List<TView> _written = [];

    /// <summary>The address written last: while writes are on their way, what the address will be.</summary>
    private string? _pending;

    /// <summary>The view the address held when the page last looked.</summary>
    private TView? _seen;

    /// <summary>Whether the page has looked at its address yet (<see cref="Opened"/>).</summary>
    public bool HasOpened => _seen is not null;

    /// <summary>The page opened on an address holding <paramref name="view"/>: the view it shows.</summary>
    public void Opened(TView view) => _seen = view;

    /// <summary>
    /// Whether the address, now holding <paramref name="view"/>, was changed under the page, which should show what it
    /// says; false when it is unchanged or one of the page's own writes coming back (there may be several on their way).
    /// </summary>
    public bool ChangedElsewhere(TView view)
    {
        if (_seen is { } seen && seen.Equals(view))
        {
            return false;
        }
        _seen = view;
        if (_written.IndexOf(view) is var own and >= 0)
        {
            _written.RemoveRange(0, own + 1);
            return false;
        }
        _written.Clear();
        return true;
    }

    /// <summary>Writes <paramref name="address"/>, the parameters of <paramref name="view"/>, unless the address holds them or will.</summary>
    public void Keep(NavigationManager navigation, bool interactive, TView view, IReadOnlyDictionary<string, object?> address)
    {
        // Noted before it is written: a navigation may come back before Keep returns (bUnit's does, synchronously), and the
        // page must know it as its own (the address may not hold all of a view, so it is not compared by its text).
        _written.Add(view);
        // Compared with the last address written while it is on its way (a change undone within a round trip must be
        // written again, or the first write would land over it).
        var written = ShareableUrl.Keep(navigation, interactive, address, _written.Count > 1 ? _pending : null);
        if (written is null)
        {
            // Nothing was written, so nothing comes back: the view noted last is this one.
            _written.RemoveAt(_written.Count - 1);
            return;
        }
        _pending = written;
        if (_written.Count > MostInTransit)
        {
            _written.RemoveAt(0);
        }
    }
}
