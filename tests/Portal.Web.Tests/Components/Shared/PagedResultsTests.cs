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
        var all = Enumerable.Range(0, 5).Select(i => $"item-{i}").ToList();
        var requests = new List<SearchRequest>();
        Task<EventPage<string>> Search(SearchRequest request)
        {
            requests.Add(request);
            var start = request.After is { } cursor ? int.Parse(cursor.Id, System.Globalization.CultureInfo.InvariantCulture) + 1 : 0;
            var items = all.Skip(start).Take(request.Limit).ToList();
            var end = start + items.Count - 1;
            return Task.FromResult(new EventPage<string>(items, all.Count, end < all.Count - 1 ? new SearchCursor(0, end.ToString(System.Globalization.CultureInfo.InvariantCulture)) : null));
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
}
