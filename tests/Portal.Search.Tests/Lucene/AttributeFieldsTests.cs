using System.Text.Json.Nodes;
using Portal.Detection.Events;
using Portal.Detection.Query;
using Portal.Search.Lucene;

namespace Portal.Search.Tests.Lucene;

/// <summary>
/// An index gives fields to a bounded number of attribute paths (<see cref="AttributeFields"/>): beyond it, new paths stay
/// in the events' sources and are not searchable, and nothing else changes.
/// </summary>
public sealed class AttributeFieldsTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 3, 14, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Ever = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Never = new(2100, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Add_PathsBeyondTheLimit_StayInTheSourceButAreNotSearchable()
    {
        using var index = new LuceneEventIndex(_directory.Path, maxAttributePaths: 3);

        Add(index, Event("e1", ("a", "1"), ("b", "1")), Event("e2", ("c", "1"), ("d", "1")), Event("e3", ("a", "2"), ("d", "2"), ("b", "2")));

        Assert.Equal(["e1", "e3"], Ids(index, "@a:*"));
        Assert.Equal(["e2"], Ids(index, "@c:1"));
        Assert.Equal(["e3"], Ids(index, "@b:2"));
        Assert.Empty(Ids(index, "@d:*"));
        Assert.Equal(2, index.UnindexedAttributes);
        var kept = LogEventJson.Deserialize(Assert.Single(index.Search(QueryParser.Parse("@c:1"), Ever, Never, 10, null).Sources));
        Assert.Equal("1", kept.GetAttribute("d").Single().Text);
    }

    [Fact]
    public void Open_AReopenedIndex_CountsThePathsItHasTowardsTheLimit()
    {
        using (var index = new LuceneEventIndex(_directory.Path, maxAttributePaths: 3))
        {
            Add(index, Event("e1", ("a", "1"), ("b", "1"), ("c", "1")));
            index.Commit(new Dictionary<string, string>());
        }

        using var reopened = new LuceneEventIndex(_directory.Path, maxAttributePaths: 3);
        Add(reopened, Event("e2", ("new", "1"), ("a", "2")));

        Assert.Equal(["e2"], Ids(reopened, "@a:2"));
        Assert.Empty(Ids(reopened, "@new:*"));
        Assert.Equal(1, reopened.UnindexedAttributes);
    }

    [Fact]
    public async Task AppendAsync_ATenantBeyondTheDefaultLimit_LeavesItsOtherEventsAndOtherTenantsSearchable()
    {
        var spraying = Guid.Parse("0a000000-0000-0000-0000-00000000000a");
        var other = Guid.Parse("0b000000-0000-0000-0000-00000000000b");
        using var indexes = new TenantIndexes(_directory.Path);
        var store = new LuceneLogStore(indexes);
        // One event whose keys are data: one more than the limit, then a path the index has not met.
        var keys = Enumerable.Range(0, AttributeFields.DefaultLimit + 1).Select(i => ($"id{i}", "x")).ToArray();
        await store.AppendAsync(spraying, [Event("keys", keys)], CancellationToken.None);
        await store.AppendAsync(spraying, [Event("later", ("usr.name", "root"), ("id0", "y"))], CancellationToken.None);
        await store.AppendAsync(other, [Event("theirs", ("usr.name", "root"))], CancellationToken.None);
        await store.RefreshAsync(spraying, CancellationToken.None);
        await store.RefreshAsync(other, CancellationToken.None);

        Assert.Equal(["keys"], await IdsAsync(store, spraying, "@id0:x"));
        Assert.Empty(await IdsAsync(store, spraying, $"@id{AttributeFields.DefaultLimit}:x"));
        Assert.Empty(await IdsAsync(store, spraying, "@usr.name:root"));
        Assert.Equal(["later"], await IdsAsync(store, spraying, "@id0:y"));
        Assert.Equal(["theirs"], await IdsAsync(store, other, "@usr.name:root"));
        var stored = Assert.Single((await store.SearchAsync(spraying, new SearchRequest(QueryParser.Parse("@id0:x"), Ever, Never), CancellationToken.None)).Items);
        Assert.Equal("x", stored.GetAttribute($"id{AttributeFields.DefaultLimit}").Single().Text);
    }

    private static void Add(LuceneEventIndex index, params LogEvent[] events)
    {
        index.Add(events.Select(e => (e, LogEventJson.Serialize(e), false)));
        index.Refresh();
    }

    private static List<string> Ids(LuceneEventIndex index, string query) =>
        index.Search(QueryParser.Parse(query), Ever, Never, 10, null).Sources.Select(s => LogEventJson.Deserialize(s).Id).Order(StringComparer.Ordinal).ToList();

    private static async Task<List<string>> IdsAsync(LuceneLogStore store, Guid tenant, string query) =>
        (await store.SearchAsync(tenant, new SearchRequest(QueryParser.Parse(query), Ever, Never), CancellationToken.None)).Items.Select(e => e.Id).Order(StringComparer.Ordinal).ToList();

    private static LogEvent Event(string id, params (string Path, string Value)[] attributes)
    {
        var tree = new JsonObject();
        foreach (var (path, value) in attributes)
        {
            AttributePath.Set(tree, path, JsonValue.Create(value));
        }
        return new LogEvent { Id = id, Timestamp = T0, Message = "hello", Attributes = tree };
    }
}
