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
/// Events of one millisecond are ordered by a key kept in doc values; a segment written before the key existed is
/// ordered by its id doc values instead, and the two page together.
/// </summary>
public sealed class TieBreakTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 3, 14, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Search_OldAndNewSegmentsSharingMilliseconds_PagesThroughEachEventOnce()
    {
        var path = Path.Combine(_directory.Path, "index");
        // A segment as the earlier version wrote it: the id as sorted doc values, no tie-break key.
        using (var directory = FSDirectory.Open(path))
        using (var writer = new IndexWriter(directory, new IndexWriterConfig(LuceneVersion.LUCENE_48, new WhitespaceAnalyzer(LuceneVersion.LUCENE_48))))
        {
            foreach (var (id, second) in new[] { ("old-a", 0), ("old-b", 0), ("old-c", 1), ("old-d", 1), ("old-e", 2) })
            {
                var e = Event(id, T0.AddSeconds(second));
                var ms = e.Timestamp.ToUnixTimeMilliseconds();
                writer.AddDocument(new Document
                {
                    new StringField("_id", id, Field.Store.YES),
                    new SortedDocValuesField("_id", new BytesRef(id)),
                    new Int64Field("_ts", ms, new FieldType(Int64Field.TYPE_NOT_STORED) { NumericPrecisionStep = 8 }),
                    new NumericDocValuesField("_ts", ms),
                    new StoredField("_source", LogEventJson.Serialize(e)),
                    new StringField("service", "shop", Field.Store.NO),
                });
            }
            writer.Commit();
        }

        using var index = new LuceneEventIndex(path);
        var added = new[] { ("new-a", 0), ("new-b", 1), ("new-c", 1), ("new-d", 2), ("new-e", 3) }.Select(n => Event(n.Item1, T0.AddSeconds(n.Item2))).ToList();
        index.Add(added.Select(e => (e, LogEventJson.Serialize(e), false)));
        index.Refresh();

        foreach (var query in new[] { "*", "service:shop" })
        {
            var seen = new List<LogEvent>();
            SearchCursor? after = null;
            do
            {
                var page = index.Search(QueryParser.Parse(query), T0, T0.AddMinutes(1), 3, after);
                var items = page.Sources.Select(LogEventJson.Deserialize).ToList();
                seen.AddRange(items);
                after = items.Count == 3 ? SearchCursor.After(items[^1].Timestamp, items[^1].Id) : null;
            }
            while (after is not null);

            Assert.Equal([3, 2, 2, 1, 1, 1, 1, 0, 0, 0], seen.Select(e => (int)(e.Timestamp - T0).TotalSeconds));
            Assert.Equal(["new-a", "new-b", "new-c", "new-d", "new-e", "old-a", "old-b", "old-c", "old-d", "old-e"], seen.Select(e => e.Id).Order(StringComparer.Ordinal));
        }
    }

    private static LogEvent Event(string id, DateTimeOffset at) => new()
    {
        Id = id,
        Timestamp = at,
        Service = "shop",
        Message = "checkout",
    };
}
