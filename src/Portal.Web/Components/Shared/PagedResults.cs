using Portal.Search;

namespace Portal.Web.Components.Shared;

/// <summary>
/// The time-ordered, cursor-paged result list of an explorer page (signals, logs). A page that arrives after a newer
/// request was made (a slow search overtaken, a next page of a list since replaced) is dropped, not shown.
/// </summary>
/// <param name="idOf">
/// For items that never change once stored (logs, not signals, which are triaged), their id: an item a new first page
/// lists again (live tail's next read, the same search run again) stays the object listed before, so that a list keyed by
/// its items keeps its rows, and the focus, selection or hover in them, when a read lists the same items (the log list
/// still makes its rows anew when new ones come above: it gives the focus back itself).
/// </param>
public sealed class PagedResults<T>(Func<T, string>? idOf = null) where T : class
{
    private SearchRequest? _request;
    private SearchCursor? _next;
    private int _generation;

    /// <summary>Items loaded so far.</summary>
    public List<T> Items { get; private set; } = [];

    /// <summary>The request whose items are shown (not one still being read); none before the first or after <see cref="Clear"/>.</summary>
    public SearchRequest? Shown { get; private set; }

    /// <summary>How many items match in all.</summary>
    public int Total { get; private set; }

    /// <summary>True while more pages exist.</summary>
    public bool HasMore => _next is not null;

    /// <summary>Runs <paramref name="request"/> and replaces the items with its first page; false when a newer request overtook it.</summary>
    public async Task<bool> LoadAsync(SearchRequest request, Func<SearchRequest, Task<EventPage<T>>> search)
    {
        var generation = ++_generation;
        // The old list's cursor is not this request's: nothing more to load until its first page came.
        (_request, _next) = (request, null);
        var page = await search(request);
        if (generation != _generation)
        {
            return false;
        }
        (Items, Shown) = (Kept(page.Items), request);
        Total = page.TotalHits;
        _next = page.Next;
        return true;
    }

    /// <summary>
    /// The items of a new first page, those listed already as the objects listed (when items are known by id); each listed
    /// object at most once, so that two items of one id (a store may hold them) stay two objects, and two keys.
    /// </summary>
    private List<T> Kept(IReadOnlyList<T> items)
    {
        if (idOf is null || Items.Count == 0)
        {
            return [.. items];
        }
        var listed = new Dictionary<string, T>(Items.Count, StringComparer.Ordinal);
        foreach (var item in Items)
        {
            listed.TryAdd(idOf(item), item);
        }
        return [.. items.Select(item => listed.Remove(idOf(item), out var kept) ? kept : item)];
    }

    /// <summary>
    /// Takes out of the items those <paramref name="unlisted"/> says no longer match (a signal triaged out of a search of
    /// its former state), and out of the total; the next page goes on from where the list was read. How many were taken.
    /// </summary>
    public int Unlist(Predicate<T> unlisted)
    {
        var removed = Items.RemoveAll(unlisted);
        Total = Math.Max(0, Total - removed);
        return removed;
    }

    /// <summary>Forgets the items and the request: nothing to show, nothing more to load.</summary>
    public void Clear()
    {
        _generation++;
        (_request, _next, Items, Total, Shown) = (null, null, [], 0, null);
    }

    /// <summary>
    /// Appends the next page of the last request. Asked again while it is being read, the same read answers, once that
    /// page is appended (it is not read twice): a caller waiting for the next page (the list scrolled to its end, the
    /// detail's arrow past the last log) goes on once it came.
    /// </summary>
    public Task LoadMoreAsync(Func<SearchRequest, Task<EventPage<T>>> search)
    {
        if (_request is null || _next is null)
        {
            return Task.CompletedTask;
        }
        if (_loadingMore == _generation && _reading is { } reading)
        {
            return reading;
        }
        return _reading = ReadMoreAsync(search);
    }

    /// <summary>The read of the next page on its way (<see cref="LoadingMore"/>).</summary>
    private Task? _reading;

    private async Task ReadMoreAsync(Func<SearchRequest, Task<EventPage<T>>> search)
    {
        var generation = _loadingMore = _generation;
        EventPage<T> page;
        try
        {
            page = await search(_request! with { After = _next });
        }
        finally
        {
            if (_loadingMore == generation)
            {
                _loadingMore = null;
            }
        }
        if (generation != _generation)
        {
            return;
        }
        Items.AddRange(page.Items);
        _next = page.Next;
    }

    /// <summary>The request (its generation) whose next page is being read.</summary>
    private int? _loadingMore;

    /// <summary>True while the next page of the items shown is being read.</summary>
    public bool LoadingMore => _loadingMore is { } generation && generation == _generation;
}
