namespace Portal.Web.Components.Shared;

/// <summary>
/// A search page's cancellation: its closing, and the reads of the search it shows (its list, next pages, counts),
/// cancelled when a newer search starts, when its results are cleared, or when the page closes, so that the store stops
/// reading for a search nobody will see (a month asked, then another query typed).
/// </summary>
public sealed class SearchCancellation : IDisposable
{
    /// <summary>Never disposed: a read starting as the page closes still asks for its token.</summary>
    private readonly CancellationTokenSource _closing = new();

    private CancellationTokenSource? _searching;

    /// <summary>Cancelled as the page closes.</summary>
    public CancellationToken Closing => _closing.Token;

    /// <summary>Whether the page closed.</summary>
    public bool Closed => _closing.IsCancellationRequested;

    /// <summary>The token of the search the page shows; the page's closing before any ran, and once it closed.</summary>
    public CancellationToken Searching => _searching?.Token ?? Closing;

    /// <summary>Cancels the reads of the search before, and returns the token of the one starting.</summary>
    public CancellationToken Start()
    {
        if (_searching is { } before)
        {
            // Reads still running hold its token: cancelled, then disposed (a cancelled token stays cancelled), which
            // also unhooks it from the page's closing.
            before.Cancel();
            before.Dispose();
        }
        _searching = CancellationTokenSource.CreateLinkedTokenSource(Closing);
        return _searching.Token;
    }

    /// <summary>The search shown is not the page's any more (its results cleared): its reads stop.</summary>
    public void CancelSearch() => _searching?.Cancel();

    /// <summary>The page closed: every read stops (<see cref="Close"/>).</summary>
    public void Dispose() => Close();

    /// <summary>The page closed: every read stops.</summary>
    public void Close()
    {
        _closing.Cancel();
        _searching?.Dispose();
        _searching = null;
    }
}
