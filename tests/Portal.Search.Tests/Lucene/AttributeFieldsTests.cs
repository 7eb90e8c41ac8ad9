using System.Text.Json.Nodes;
using Portal.Detection.Events;
using Portal.Detection.Query;
using Portal.Search.Lucene;

namespace Portal.Search.Tests.Lucene;

/// <summary>
/// An index gives fields of their own to a bounded number of attribute paths (<see cref="AttributeFields"/>): beyond it,
/// new paths share one field, where exact, prefix, wildcard and existence queries still find their events.
/// </summary>
public sealed class AttributeFieldsTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 3, 14, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Ever = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Never = new(2100, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData("@a:*", new[] { "e1", "e3" })]
    [InlineData("@c:1", new[] { "e2" })]
    [InlineData("@b:2", new[] { "e3" })]
    [InlineData("@d:*", new[] { "e2", "e3", "e4" })]
    [InlineData("@d:1", new[] { "e2" })]
    [InlineData("@d:4*", new[] { "e4" })]
    [InlineData("@d:?", new[] { "e2", "e3" })]
    [InlineData("@d:*0", new[] { "e4" })]
    [InlineData("-@d:*", new[] { "e1" })]
    [InlineData("-@d:2", new[] { "e1", "e2", "e4" })]
    [InlineData("@d:2 OR @c:1", new[] { "e2", "e3" })]
    // Ranges and networks read fields of their own, which a path beyond the limit does not have.
    [InlineData("@d:>0", new string[0])]
    public void Search_PathsBeyondTheLimit_AreFoundByTermsWildcardsAndExistence(string query, string[] expected)
    {
        using var index = new LuceneEventIndex(_directory.Path, maxAttributePaths: 3);

        Add(index, Event("e1", ("a", "1"), ("b", "1")), Event("e2", ("c", "1"), ("d", "1")), Event("e3", ("a", "2"), ("d", "2"), ("b", "2")), Event("e4", ("d", "40")));

        Assert.Equal(expected, Ids(index, query));
        Assert.Equal(3, index.OverflowingAttributes);
    }

    [Fact]
    public void Search_ALongValueOfAPathBeyondTheLimit_IsCutAsItsOwnFieldWouldCutIt()
    {
        using var index = new LuceneEventIndex(_directory.Path, maxAttributePaths: 1);
        var longest = new string('v', IndexedValues.MaxChars);
        // Three UTF-8 bytes a character: with its path, the term would pass Lucene's limit unless cut further.
        var wide = new string('\u65e5', IndexedValues.MaxChars);

        Add(index, Event("own", ("a", longest)), Event("shared", ("p", longest)), Event("wide", ("q", wide)));

        Assert.Equal(["own"], Ids(index, new TermNode(new FieldRef(FieldKind.Attribute, "a"), longest, TermKind.Exact, 0)));
        Assert.Equal(["shared"], Ids(index, new TermNode(new FieldRef(FieldKind.Attribute, "p"), longest, TermKind.Exact, 0)));
        Assert.Equal(["wide"], Ids(index, "@q:*"));
    }

    [Theory]
    [InlineData("*", "d", 3)]
    [InlineData("@a:1", "d", 2)]
    [InlineData("*", "a", 2)]
    [InlineData("*", "da", 1)]
    [InlineData("*", "missing", 0)]
    public void Cardinality_OfAPathBeyondTheLimit_CountsItsDistinctValuesAmongTheMatches(string query, string path, long expected)
    {
        using var index = new LuceneEventIndex(_directory.Path, maxAttributePaths: 1);

        Add(index, Event("e1", ("a", "1"), ("d", "x")), Event("e2", ("a", "1"), ("d", "y"), ("da", "x")), Event("e3", ("a", "2"), ("d", "x")), Event("e4", ("d", "z")));

        Assert.Equal(expected, index.WithSearcher(s => EventSearcher.Cardinality(s, QueryParser.Parse(query), Ever, Never, new FieldRef(FieldKind.Attribute, path))));
    }

    [Fact]
    public void Cardinality_OfAPathWithAFieldInOneSegmentAndSharedInAnother_CountsEachValueOnce()
    {
        using (var index = new LuceneEventIndex(_directory.Path, maxAttributePaths: 0))
        {
            Add(index, Event("shared", ("d", "x")));
            index.Commit(new Dictionary<string, string>());
        }
        using var reopened = new LuceneEventIndex(_directory.Path, maxAttributePaths: 5);

        Add(reopened, Event("own", ("d", "x")), Event("other", ("d", "y")));

        Assert.Equal(["other", "own", "shared"], Ids(reopened, "@d:*"));
        Assert.Equal(2, reopened.WithSearcher(s => EventSearcher.Cardinality(s, new MatchAllNode(0), Ever, Never, new FieldRef(FieldKind.Attribute, "d"))));
    }

    /// <summary>
    /// A facet of the Logs Explorer counts a path's values in its own field and in the shared one alike: a path that came past
    /// the limit on a later day was counted for the earlier days only, while a search found it on both.
    /// </summary>
    [Fact]
    public void Analyze_FacetOfAPathWithAFieldInOneSegmentAndSharedInAnother_CountsBoth()
    {
        using (var index = new LuceneEventIndex(_directory.Path, maxAttributePaths: 0))
        {
            Add(index, Event("shared", ("d", "x")), Event("shared-too", ("d", "y")));
            index.Commit(new Dictionary<string, string>());
        }
        using var reopened = new LuceneEventIndex(_directory.Path, maxAttributePaths: 5);

        Add(reopened, Event("own", ("d", "x")));

        var facets = reopened.WithSearcher(s => EventSearcher.Analyze(s, new MatchAllNode(0), Ever, Never, TimeSpan.FromDays(365), [], 10, chosen: (["d"], []))).Facets;
        Assert.Equal("x=2,y=1", string.Join(",", facets["@d"].Select(v => $"{v.Value}={v.Count}")));
    }

    [Fact]
    public void Search_AWildcardOnAPathBeyondTheLimit_ReadsThePathLiterally()
    {
        // The query language has no '*' or '?' in names, but a query built otherwise may.
        using var index = new LuceneEventIndex(_directory.Path, maxAttributePaths: 0);

        Add(index, Event("f1", ("w*x", "1")), Event("f2", ("wyx", "2")), Event("f3", ("w\\x", "3")));

        Assert.Equal(["f1"], Ids(index, new TermNode(new FieldRef(FieldKind.Attribute, "w*x"), "?", TermKind.Wildcard, 0)));
        Assert.Equal(["f1"], Ids(index, new TermNode(new FieldRef(FieldKind.Attribute, "w*x"), "1", TermKind.Exact, 0)));
        Assert.Equal(["f3"], Ids(index, new TermNode(new FieldRef(FieldKind.Attribute, "w\\x"), "*", TermKind.Wildcard, 0)));
        Assert.Empty(Ids(index, new TermNode(new FieldRef(FieldKind.Attribute, "w?x"), "*", TermKind.Wildcard, 0)));
    }

    [Fact]
    public void Search_APathBeyondTheLimit_KeepsItsValueInTheSource()
    {
        using var index = new LuceneEventIndex(_directory.Path, maxAttributePaths: 1);

        Add(index, Event("e1", ("a", "1"), ("d", "1")));

        var kept = LogEventJson.Deserialize(Assert.Single(index.Search(QueryParser.Parse("@a:1"), Ever, Never, 10, null).Sources));
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
        Assert.Equal(["e2"], Ids(reopened, "@new:1"));
        Assert.Equal(1, reopened.OverflowingAttributes);
    }

    [Fact]
    public async Task AppendAsync_ATenantBeyondTheDefaultLimit_KeepsItsEventsAndOtherTenantsSearchable()
    {
        var spraying = Guid.Parse("0a000000-0000-0000-0000-00000000000a");
        var other = Guid.Parse("0b000000-0000-0000-0000-00000000000b");
        using var indexes = new TenantIndexes(_directory.Path);
        var store = new LuceneLogStore(indexes);
        // One event whose keys are data: one more than the limit; then paths the index has not met.
        var keys = Enumerable.Range(0, AttributeFields.DefaultLimit + 1).Select(i => ($"id{i}", "x")).ToArray();
        await store.AppendAsync(spraying, [Event("keys", keys)], CancellationToken.None);
        await store.AppendAsync(spraying, [WithStatusCode(Event("later", ("usr.name", "root"), ("id0", "y")))], CancellationToken.None);
        await store.AppendAsync(other, [WithStatusCode(Event("theirs", ("usr.name", "root")))], CancellationToken.None);
        await store.RefreshAsync(spraying, CancellationToken.None);
        await store.RefreshAsync(other, CancellationToken.None);

        Assert.Equal(["keys"], await IdsAsync(store, spraying, "@id0:x"));
        Assert.Equal(["keys"], await IdsAsync(store, spraying, $"@id{AttributeFields.DefaultLimit}:x"));
        Assert.Equal(["later"], await IdsAsync(store, spraying, "@usr.name:root"));
        Assert.Equal(["later"], await IdsAsync(store, spraying, "@id0:y"));
        Assert.Empty(await IdsAsync(store, spraying, "@http.status_code:>=500"));
        // The other tenant's index has its own paths.
        Assert.Equal(["theirs"], await IdsAsync(store, other, "@usr.name:root"));
        Assert.Equal(["theirs"], await IdsAsync(store, other, "@http.status_code:>=500"));
    }

    private static void Add(LuceneEventIndex index, params LogEvent[] events)
    {
        index.Add(events.Select(e => (e, LogEventJson.Serialize(e), false)));
        index.Refresh();
    }

    private static List<string> Ids(LuceneEventIndex index, string query) => Ids(index, QueryParser.Parse(query));

    private static List<string> Ids(LuceneEventIndex index, QueryNode query) =>
        index.Search(query, Ever, Never, 10, null).Sources.Select(s => LogEventJson.Deserialize(s).Id).Order(StringComparer.Ordinal).ToList();

    private static async Task<List<string>> IdsAsync(LuceneLogStore store, Guid tenant, string query) =>
        (await store.SearchAsync(tenant, new SearchRequest(QueryParser.Parse(query), Ever, Never), CancellationToken.None)).Items.Select(e => e.Id).Order(StringComparer.Ordinal).ToList();

    private static LogEvent WithStatusCode(LogEvent e)
    {
        AttributePath.Set(e.Attributes, "http.status_code", JsonValue.Create(500));
        return e;
    }

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
