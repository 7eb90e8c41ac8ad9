using System.Text.Json.Nodes;
using global::Lucene.Net.Analysis.Core;
using global::Lucene.Net.Documents;
using global::Lucene.Net.Index;
using global::Lucene.Net.Store;
using global::Lucene.Net.Util;
using Portal.Detection.Events;
using Portal.Detection.Query;
using Portal.Search.Lucene;

namespace Portal.Search.Tests.Lucene;

/// <summary>
/// What an event costs the index, and what still finds it: a log partition keeps no id term and no timestamp terms (time
/// ranges read the timestamps' doc values, block by block), numbers have two trie terms, and segments written with the
/// earlier forms are still found by the same queries.
/// </summary>
public sealed class EventIndexFormatTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Get_IndexWithoutIdTerms_FindsEachEventByItsStoredId()
    {
        using var index = new LuceneEventIndex(_directory.Path, keyed: false);
        var events = Enumerable.Range(0, 50).Select(i => Event($"e-{i}", T0.AddSeconds(i), i)).ToList();
        index.Add(events.Select(e => (e, LogEventJson.Serialize(e), false)));
        index.Refresh();

        Assert.Null(index.WithSearcher(s => MultiFields.GetTerms(s.IndexReader, LuceneFields.Id)));
        Assert.Null(index.WithSearcher(s => MultiFields.GetTerms(s.IndexReader, LuceneFields.Timestamp)));
        Assert.All(events, e => Assert.Equal(e.Id, LogEventJson.Deserialize(index.Get(e.Id)!).Id));
        Assert.Null(index.Get("e-50"));
    }

    [Fact]
    public void Add_ReplaceOnIndexWithoutIdTerms_RefusesAndAddsNothing()
    {
        using var index = new LuceneEventIndex(_directory.Path, keyed: false);
        var e = Event("a", T0, 1);

        Assert.Throws<InvalidOperationException>(() => index.Add([(e, LogEventJson.Serialize(e), true)]));
        index.Refresh();
        Assert.Equal(0, index.Count(new MatchAllNode(0), T0.AddDays(-1), T0.AddDays(1)));
    }

    [Fact]
    public void Add_ReplaceOnKeyedIndex_KeepsOneDocumentPerId()
    {
        using var index = new LuceneEventIndex(_directory.Path);
        var first = Event("a", T0, 1);
        var second = Event("a", T0, 2);
        index.Add([(first, LogEventJson.Serialize(first), true)]);
        index.Add([(second, LogEventJson.Serialize(second), true)]);
        index.Refresh();

        Assert.Equal(1, index.Count(new MatchAllNode(0), T0.AddDays(-1), T0.AddDays(1)));
        Assert.Equal(2, LogEventJson.Deserialize(index.Get("a")!).Attributes["bytes"]!.GetValue<double>());
    }

    /// <summary>
    /// Match-all and negations are led by the time range, which passes over the blocks of a segment outside it: the hits
    /// must be exactly the events in range, with out-of-order events inside blocks and many events in one millisecond
    /// paged through with the cursor.
    /// </summary>
    [Theory]
    [InlineData("*")]
    [InlineData("-service:web")]
    [InlineData("NOT @bytes:[100 TO 199]")]
    public void Search_RangeLeadsThroughBlocks_FindsExactlyTheEventsInRange(string text)
    {
        using var index = new LuceneEventIndex(_directory.Path, keyed: false);
        // 6,000 events in one segment (six blocks): ten a second, every seventh an hour late, and 900 in one millisecond.
        var events = Enumerable.Range(0, 6_000).Select(i => Event(
            $"e-{i}",
            i is >= 3_000 and < 3_900 ? T0.AddSeconds(300).AddMilliseconds(7) : T0.AddMilliseconds(100L * i).AddHours(i % 7 == 0 ? -1 : 0),
            i % 400,
            i % 3 == 0 ? "web" : "shop")).ToList();
        index.Add(events.Select(e => (e, LogEventJson.Serialize(e), false)));
        index.Refresh();
        Assert.Equal(1, index.WithSearcher(s => s.IndexReader.Leaves.Count));
        var query = QueryParser.Parse(text);

        foreach (var (from, to) in new[] { (T0.AddSeconds(150), T0.AddSeconds(420.05)), (T0.AddMinutes(-50), T0.AddSeconds(1)), (T0.AddHours(-2), T0.AddHours(2)) })
        {
            var expected = events.Where(e => e.Timestamp >= from && e.Timestamp < to && QueryMatcher.Matches(query, e)).Select(e => e.Id).Order(StringComparer.Ordinal).ToList();
            var seen = new List<string>();
            SearchCursor? after = null;
            do
            {
                var page = index.Search(query, from, to, 250, after).Sources.Select(LogEventJson.Deserialize).ToList();
                seen.AddRange(page.Select(e => e.Id));
                after = page.Count == 250 ? SearchCursor.After(page[^1].Timestamp, page[^1].Id) : null;
            }
            while (after is not null);

            Assert.NotEmpty(expected);
            Assert.Equal(expected.Count, index.Count(query, from, to));
            Assert.Equal(expected, seen.Order(StringComparer.Ordinal));
        }
    }

    /// <summary>
    /// Replaced documents are deleted ones, which only the range's own iterator hides when it leads (match-all, a
    /// negation): a keyed index whose events were replaced must still find each once, in a range that cuts the segment.
    /// </summary>
    [Fact]
    public void Search_RangeLeadsOverReplacedDocuments_FindsEachEventOnce()
    {
        using var index = new LuceneEventIndex(_directory.Path);
        var events = Enumerable.Range(0, 3_000).Select(i => Event($"e-{i}", T0.AddMilliseconds(100L * i), i, i % 2 == 0 ? "web" : "shop")).ToList();
        index.Add(events.Select(e => (e, LogEventJson.Serialize(e), true)));
        var replaced = events.Where((_, i) => i % 3 == 0).Select(e => Event(e.Id, e.Timestamp, -1, e.Service!)).ToList();
        index.Add(replaced.Select(e => (e, LogEventJson.Serialize(e), true)));
        index.Refresh();
        var (from, to) = (T0.AddSeconds(50), T0.AddSeconds(250));

        foreach (var (text, service) in new[] { ("*", (string?)null), ("-service:web", "shop") })
        {
            var page = index.Search(QueryParser.Parse(text), from, to, 5_000, null).Sources.Select(LogEventJson.Deserialize).ToList();
            var expected = events.Where(e => e.Timestamp >= from && e.Timestamp < to && (service is null || e.Service == service)).ToList();

            Assert.Equal(expected.Select(e => e.Id).Order(StringComparer.Ordinal), page.Select(e => e.Id).Order(StringComparer.Ordinal));
            Assert.Equal(expected.Count(e => int.Parse(e.Id[2..], System.Globalization.CultureInfo.InvariantCulture) % 3 == 0), page.Count(e => e.Attributes["bytes"]!.GetValue<double>() == -1));
            Assert.Equal(expected.Count, index.Count(QueryParser.Parse(text), from, to));
        }
    }

    /// <summary>Blocks wholly inside the range are taken without reading a timestamp; the range's edges fall exactly on and beside block edges.</summary>
    [Fact]
    public void Search_RangeOnBlockEdges_TakesWholeBlocksAndCutsTheOthers()
    {
        using var index = new LuceneEventIndex(_directory.Path, keyed: false);
        var events = Enumerable.Range(0, 5 * SegmentTimes.BlockSize).Select(i => Event($"e-{i}", T0.AddMilliseconds(10L * i), i)).ToList();
        index.Add(events.Select(e => (e, LogEventJson.Serialize(e), false)));
        index.Refresh();
        DateTimeOffset At(int doc) => T0.AddMilliseconds(10L * doc);

        foreach (var (from, to) in new[]
        {
            (At(SegmentTimes.BlockSize), At(4 * SegmentTimes.BlockSize)),
            (At(SegmentTimes.BlockSize - 1), At(3 * SegmentTimes.BlockSize).AddMilliseconds(1)),
            (At(2 * SegmentTimes.BlockSize + 1), At(2 * SegmentTimes.BlockSize + 2)),
            (At(SegmentTimes.BlockSize), At(3 * SegmentTimes.BlockSize - 1)),
        })
        {
            var expected = events.Where(e => e.Timestamp >= from && e.Timestamp < to).Select(e => e.Id).Order(StringComparer.Ordinal).ToList();
            foreach (var text in new[] { "*", "-service:web" })
            {
                var found = index.Search(QueryParser.Parse(text), from, to, 10_000, null).Sources.Select(s => LogEventJson.Deserialize(s).Id);
                Assert.Equal(expected, found.Order(StringComparer.Ordinal));
            }
        }
    }

    [Fact]
    public void Get_EventNestedAsDeepAsTheIntakeReads_Found()
    {
        JsonNode deep = 1;
        for (var i = 0; i < 63; i++)
        {
            deep = new JsonObject { ["a"] = deep };
        }
        var e = new LogEvent { Id = "deep", Timestamp = T0, Message = "nested", Attributes = new JsonObject { ["a"] = deep, ["id"] = "not-this" } };
        using var index = new LuceneEventIndex(_directory.Path, keyed: false);
        index.Add([(e, LogEventJson.Serialize(e), false)]);
        index.Refresh();

        Assert.Equal("nested", LogEventJson.Deserialize(index.Get("deep")!).Message);
        Assert.Null(index.Get("not-this"));
    }

    /// <summary>Sources stored as strings (before they were kept as UTF-8) read back and pattern-match as those stored since.</summary>
    [Fact]
    public void Search_SourcesStoredAsStringsAndAsBytes_ReadAndMatchAlike()
    {
        var path = Path.Combine(_directory.Path, "index");
        var old = new[] { Event("old-cart", T0, 1), Event("old-home", T0.AddSeconds(1), 2, message: "GET /home") };
        using (var directory = FSDirectory.Open(path))
        using (var writer = new IndexWriter(directory, new IndexWriterConfig(LuceneVersion.LUCENE_48, new WhitespaceAnalyzer(LuceneVersion.LUCENE_48)) { Codec = VigilCodec.Instance }))
        {
            foreach (var e in old)
            {
                var doc = EventDocument.Build(e, System.Text.Encoding.UTF8.GetBytes(LogEventJson.Serialize(e)), new AttributeFields([], 10), keyed: true);
                doc.RemoveFields(LuceneFields.Source);
                doc.Add(new StoredField(LuceneFields.Source, LogEventJson.Serialize(e)));
                writer.AddDocument(doc);
            }
            writer.Commit();
        }
        using (var index = new LuceneEventIndex(path, keyed: false))
        {
            var current = new[] { Event("new-cart", T0.AddSeconds(2), 3), Event("new-home", T0.AddSeconds(3), 4, message: "GET /home") };
            index.Add(current.Select(e => (e, LogEventJson.Serialize(e), false)));
            index.Commit(new Dictionary<string, string>());
            AssertFound(index);
        }
        // Merged into one segment, where chunks hold strings and bytes side by side.
        using (var directory = FSDirectory.Open(path))
        using (var writer = new IndexWriter(directory, new IndexWriterConfig(LuceneVersion.LUCENE_48, new WhitespaceAnalyzer(LuceneVersion.LUCENE_48)) { Codec = VigilCodec.Instance }))
        {
            writer.ForceMerge(1);
            writer.Commit();
        }
        using var merged = new LuceneEventIndex(path, keyed: false);
        Assert.Equal(1, merged.WithSearcher(s => s.IndexReader.Leaves.Count));
        AssertFound(merged);

        static void AssertFound(LuceneEventIndex index)
        {
            index.Refresh();
            List<LogEvent> Found(string text) =>
                index.Search(QueryParser.Parse(text), T0.AddMinutes(-1), T0.AddMinutes(1), 10, null).Sources.Select(LogEventJson.Deserialize).ToList();

            Assert.Equal(["new-home", "new-cart", "old-home", "old-cart"], Found("*").Select(e => e.Id));
            Assert.Equal([4d, 3d, 2d, 1d], Found("*").Select(e => e.Attributes["bytes"]!.GetValue<double>()));
            Assert.Equal(["new-cart", "old-cart"], Found("*/cart*").Select(e => e.Id));
            Assert.Equal("GET /home", LogEventJson.Deserialize(index.Get("old-home")!).Message);
            Assert.Equal("GET /home", LogEventJson.Deserialize(index.Get("new-home")!).Message);
        }
    }

    /// <summary>Numbers written with the earlier trie steps (16, and Lucene's default 4) are found by today's ranges, beside today's.</summary>
    [Theory]
    [InlineData("@bytes:[100 TO 5000]", "s16-150 s16-4096 s4-150 s4-4096 now-150 now-4096")]
    [InlineData("@bytes:>70000", "s16-million s4-million now-million")]
    [InlineData("@bytes:<=-2.5", "s16-minus s4-minus now-minus")]
    [InlineData("@bytes:{0.25 TO 150}", "s16-half s4-half now-half")]
    public void Search_NumbersOfEarlierTrieSteps_MatchTheSameRanges(string text, string expected)
    {
        (string Name, double Value)[] values = [("minus", -2.5), ("half", 0.5), ("150", 150), ("4096", 4096), ("million", 1_048_577)];
        var path = Path.Combine(_directory.Path, "index");
        using (var directory = FSDirectory.Open(path))
        using (var writer = new IndexWriter(directory, new IndexWriterConfig(LuceneVersion.LUCENE_48, new WhitespaceAnalyzer(LuceneVersion.LUCENE_48))))
        {
            foreach (var step in new[] { 16, 4 })
            {
                foreach (var (name, value) in values)
                {
                    var e = Event($"s{step}-{name}", T0, 0);
                    writer.AddDocument(new Document
                    {
                        new NumericDocValuesField(LuceneFields.Timestamp, T0.ToUnixTimeMilliseconds()),
                        new NumericDocValuesField(LuceneFields.TieBreak, TieBreak.Of(e.Id)),
                        new StoredField(LuceneFields.Source, LogEventJson.Serialize(e)),
                        new DoubleField(LuceneFields.Numeric("bytes"), value, new FieldType(DoubleField.TYPE_NOT_STORED) { NumericPrecisionStep = step }),
                    });
                }
            }
            writer.Commit();
        }
        using var index = new LuceneEventIndex(path, keyed: false);
        var current = values.Select(v => Event($"now-{v.Name}", T0, v.Value)).ToList();
        index.Add(current.Select(e => (e, LogEventJson.Serialize(e), false)));
        index.Refresh();

        var hits = index.Search(QueryParser.Parse(text), T0.AddMinutes(-1), T0.AddMinutes(1), 100, null).Sources.Select(s => LogEventJson.Deserialize(s).Id);

        Assert.Equal(expected.Split(' ').Order(StringComparer.Ordinal), hits.Order(StringComparer.Ordinal));
    }

    private static LogEvent Event(string id, DateTimeOffset at, double bytes, string service = "shop", string message = "GET /cart") => new()
    {
        Id = id,
        Timestamp = at,
        Service = service,
        Message = message,
        Attributes = new JsonObject { ["bytes"] = bytes },
    };
}
