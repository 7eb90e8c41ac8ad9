using Portal.Detection.Query;
using Portal.Search;
using Portal.Web.Components.Shared;

namespace Portal.Web.Tests.Components.Shared;

public sealed class PagedResultsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task LoadMoreAsync_FollowsTheCursorOfTheLastRequestUntilTheEnd()
    {
        var all = Items(5);
        var requests = new List<SearchRequest>();
        Task<EventPage<string>> Search(SearchRequest request)
        {
            requests.Add(request);
            return Paged(all, request);
        }
        var results = new PagedResults<string>();

        await results.LoadAsync(new SearchRequest(new MatchAllNode(0), T0, T0.AddHours(1), Limit: 2), Search);
        Assert.Equal(["item-0", "item-1"], results.Items);
        Assert.True(results.HasMore);
        Assert.Equal(5, results.Total);

        await results.LoadMoreAsync(Search);
        await results.LoadMoreAsync(Search);
        await results.LoadMoreAsync(Search);

        Assert.Equal(all, results.Items);
        Assert.False(results.HasMore);
        Assert.Equal(3, requests.Count);
        Assert.All(requests, r => Assert.Equal(T0, r.From));
    }

    /// <summary>Items taken out (no longer matching) leave the list and its total; the next page goes on from where it was read.</summary>
    [Fact]
    public async Task Unlist_TakesItemsOutOfTheListAndTheTotal()
    {
        var all = Items(5);
        Task<EventPage<string>> Search(SearchRequest request) => Paged(all, request);
        var results = new PagedResults<string>();
        await results.LoadAsync(new SearchRequest(new MatchAllNode(0), T0, T0.AddHours(1), Limit: 2), Search);

        Assert.Equal(1, results.Unlist(i => i == "item-1"));
        Assert.Equal(0, results.Unlist(i => i == "item-4"));

        Assert.Equal(["item-0"], results.Items);
        Assert.Equal(4, results.Total);
        await results.LoadMoreAsync(Search);
        Assert.Equal(["item-0", "item-2", "item-3"], results.Items);
    }

    /// <summary>
    /// Items known by id (logs, which never change once stored) listed again by a new first page stay the objects listed
    /// before, so that the list's rows (keyed by item) stay; new ones are the page's; without ids every item is the page's.
    /// </summary>
    [Fact]
    public async Task LoadAsync_ItemsKnownByIdListedAgain_StayTheObjectsListed()
    {
        var request = new SearchRequest(new MatchAllNode(0), T0, T0.AddHours(1), Limit: 10);
        static Task<EventPage<Log>> Read(params string[] ids) => Task.FromResult(new EventPage<Log>([.. ids.Select(id => new Log(id))], ids.Length, null));
        var byId = new PagedResults<Log>(log => log.Id);
        var anyway = new PagedResults<Log>();
        await byId.LoadAsync(request, _ => Read("b", "a"));
        await anyway.LoadAsync(request, _ => Read("b", "a"));
        var (b, a) = (byId.Items[0], byId.Items[1]);
        var before = anyway.Items.ToList();

        await byId.LoadAsync(request, _ => Read("c", "b", "a"));
        await anyway.LoadAsync(request, _ => Read("c", "b", "a"));

        Assert.Equal(["c", "b", "a"], byId.Items.Select(l => l.Id));
        Assert.Same(b, byId.Items[1]);
        Assert.Same(a, byId.Items[2]);
        Assert.DoesNotContain(anyway.Items, l => before.Any(listed => ReferenceEquals(l, listed)));
        Assert.Equal(["c", "b", "a"], anyway.Items.Select(l => l.Id));
    }

    /// <summary>Two items of one id (a store may hold them) stay two objects: a list keyed by item needs distinct keys.</summary>
    [Fact]
    public async Task LoadAsync_TwoItemsOfOneIdListedAgain_StayTwoObjects()
    {
        var request = new SearchRequest(new MatchAllNode(0), T0, T0.AddHours(1), Limit: 10);
        var results = new PagedResults<Log>(log => log.Id);
        await results.LoadAsync(request, _ => Task.FromResult(new EventPage<Log>([new Log("a")], 1, null)));
        var listed = results.Items[0];

        await results.LoadAsync(request, _ => Task.FromResult(new EventPage<Log>([new Log("a"), new Log("a")], 2, null)));

        Assert.Same(listed, results.Items[0]);
        Assert.NotSame(results.Items[0], results.Items[1]);
    }

    /// <summary>A log as the list knows it: compared by reference, as the list's rows are keyed.</summary>
    private sealed class Log(string id)
    {
        public string Id { get; } = id;
    }

    private static List<string> Items(int count) => [.. Enumerable.Range(0, count).Select(i => $"item-{i}")];

    /// <summary>The page of <paramref name="all"/> that <paramref name="request"/> asks for, its cursor the last item's index.</summary>
    private static Task<EventPage<string>> Paged(List<string> all, SearchRequest request)
    {
        var start = request.After is { } cursor ? int.Parse(cursor.Id, System.Globalization.CultureInfo.InvariantCulture) + 1 : 0;
        var items = all.Skip(start).Take(request.Limit).ToList();
        var end = start + items.Count - 1;
        return Task.FromResult(new EventPage<string>(items, all.Count, end < all.Count - 1 ? new SearchCursor(0, end.ToString(System.Globalization.CultureInfo.InvariantCulture)) : null));
    }

    /// <summary>A search overtaken by a newer one, or a next page of a list since replaced, arriving late is dropped.</summary>
    [Fact]
    public async Task LateAnswers_OfOvertakenRequests_AreDropped()
    {
        var pending = new Dictionary<string, TaskCompletionSource<EventPage<string>>>();
        Task<EventPage<string>> Search(SearchRequest request)
        {
            var key = $"{request.Limit}:{request.After?.Id}";
            pending[key] = new TaskCompletionSource<EventPage<string>>();
            return pending[key].Task;
        }
        static EventPage<string> Page(string item, string? next) => new([item], 10, next is null ? null : new SearchCursor(0, next));
        var results = new PagedResults<string>();

        var first = results.LoadAsync(new SearchRequest(new MatchAllNode(0), T0, T0.AddHours(1), Limit: 1), Search);
        pending["1:"].SetResult(Page("old-0", "old-0"));
        Assert.True(await first);
        var more = results.LoadMoreAsync(Search);
        var slow = results.LoadAsync(new SearchRequest(new MatchAllNode(0), T0, T0.AddHours(1), Limit: 2), Search);
        var fast = results.LoadAsync(new SearchRequest(new MatchAllNode(0), T0, T0.AddHours(1), Limit: 3), Search);
        pending["3:"].SetResult(Page("new-0", null));
        pending["2:"].SetResult(Page("slow-0", "slow-0"));
        pending["1:old-0"].SetResult(Page("old-1", null));

        Assert.True(await fast);
        Assert.False(await slow);
        await more;
        Assert.Equal(["new-0"], results.Items);
        Assert.False(results.HasMore);
    }

    /// <summary>
    /// The next page asked for again while it is read (the list scrolled on, the button pressed twice) is read once, not
    /// appended twice, and the second ask answers once that page came (its caller goes on with it); a new search's next
    /// page is not held up by the old one's.
    /// </summary>
    [Fact]
    public async Task LoadMoreAsync_AskedAgainWhileReading_ReadsOnce()
    {
        var pending = new PendingSearches();
        static EventPage<string> Page(string item, string? next) => new([item], 10, next is null ? null : new SearchCursor(0, next));
        var results = new PagedResults<string>();
        var first = results.LoadAsync(new SearchRequest(new MatchAllNode(0), T0, T0.AddHours(1), Limit: 1), pending.Search);
        pending[0].Answer.SetResult(Page("a", "a"));
        await first;

        var more = results.LoadMoreAsync(pending.Search);
        var again = results.LoadMoreAsync(pending.Search);
        Assert.False(again.IsCompleted);
        Assert.Equal(2, pending.Count);
        pending[1].Answer.SetResult(Page("b", "b"));
        await again;
        Assert.Equal(["a", "b"], results.Items);
        await more;
        Assert.Equal(["a", "b"], results.Items);

        // Reading the next page again after it came: the page after it.
        var after = results.LoadMoreAsync(pending.Search);
        Assert.Equal("b", pending[2].Request.After!.Value.Id);
        // A new search while that page is read: its own next page is read at once.
        var second = results.LoadAsync(new SearchRequest(new MatchAllNode(0), T0, T0.AddHours(1), Limit: 2), pending.Search);
        pending[3].Answer.SetResult(Page("x", "x"));
        await second;
        var secondMore = results.LoadMoreAsync(pending.Search);
        Assert.Equal(5, pending.Count);
        pending[2].Answer.SetResult(Page("c", null));
        pending[4].Answer.SetResult(Page("y", null));
        await after;
        await secondMore;
        Assert.Equal(["x", "y"], results.Items);
    }

    /// <summary>While a new search runs, the list before it has no next page: the old cursor is never read with the new query.</summary>
    [Fact]
    public async Task LoadMoreAsync_WhileANewSearchRuns_ReadsNothing()
    {
        var pending = new PendingSearches();
        var results = new PagedResults<string>();
        var first = results.LoadAsync(new SearchRequest(new MatchAllNode(0), T0, T0.AddHours(1), Limit: 1), pending.Search);
        pending[0].Answer.SetResult(new EventPage<string>(["old"], 10, new SearchCursor(0, "old")));
        await first;

        var second = results.LoadAsync(new SearchRequest(new TermNode(new FieldRef(FieldKind.Reserved, "host"), "web-1", TermKind.Exact, 0), T0, T0.AddHours(1), Limit: 1), pending.Search);
        Assert.False(results.HasMore);
        await results.LoadMoreAsync(pending.Search);
        Assert.Equal(2, pending.Count);
        pending[1].Answer.SetResult(new EventPage<string>(["new"], 1, null));
        await second;
        Assert.Equal(["new"], results.Items);
    }

    /// <summary>Searches answered when the test says: each request and its answer to give, in the order asked.</summary>
    private sealed class PendingSearches
    {
        private readonly List<(SearchRequest Request, TaskCompletionSource<EventPage<string>> Answer)> _asked = [];

        public int Count => _asked.Count;

        public (SearchRequest Request, TaskCompletionSource<EventPage<string>> Answer) this[int index] => _asked[index];

        public Task<EventPage<string>> Search(SearchRequest request)
        {
            var answer = new TaskCompletionSource<EventPage<string>>();
            _asked.Add((request, answer));
            return answer.Task;
        }
    }
}
