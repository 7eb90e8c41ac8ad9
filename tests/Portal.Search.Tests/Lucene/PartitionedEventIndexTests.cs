using System.Text.Json.Nodes;
using Portal.Detection.Events;
using Portal.Detection.Query;
using Portal.Search.Journal;
using Portal.Search.Lucene;

namespace Portal.Search.Tests.Lucene;

public sealed class PartitionedEventIndexTests : IDisposable
{
    private static readonly DateTimeOffset Day1 = new(2026, 11, 25, 23, 59, 59, TimeSpan.Zero);
    private static readonly DateTimeOffset Day2 = new(2026, 11, 26, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Day3 = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task AppendAsync_EventsOfThreeDays_OneIndexDirectoryPerUtcDay()
    {
        using var index = new JournaledEventIndex(_directory.Path);
        await index.AppendAsync([Event("a", Day1), Event("b", Day2), Event("c", Day3), Event("d", Day3.AddHours(1).ToOffset(TimeSpan.FromHours(-11)))], CancellationToken.None);
        await index.RefreshAsync(CancellationToken.None);

        Assert.Equal([new DateOnly(2026, 11, 25), new DateOnly(2026, 11, 26), new DateOnly(2026, 11, 27)], index.Index.Days);
        Assert.Equal(["2026-11-25", "2026-11-26", "2026-11-27"], Directory.GetDirectories(Path.Combine(_directory.Path, "index")).Select(Path.GetFileName).Order());
    }

    [Fact]
    public async Task Search_RangeAcrossPartitions_MergesThemNewestFirstAndPagesWithTheCursor()
    {
        using var index = new JournaledEventIndex(_directory.Path);
        await index.AppendAsync([Event("a", Day1), Event("b", Day2), Event("c", Day3), Event("d", Day3), Event("e", Day2.AddHours(3))], CancellationToken.None);
        await index.RefreshAsync(CancellationToken.None);

        var all = Ids(index.Index.Search(new MatchAllNode(0), Day1, Day3.AddDays(1), 3, null));
        var cursor = SearchCursor.After(Day2.AddHours(3), "e");
        var rest = Ids(index.Index.Search(new MatchAllNode(0), Day1, Day3.AddDays(1), 10, cursor));

        Assert.Equal([.. TiedNewestFirst("c", "d"), "e"], all);
        Assert.Equal(["b", "a"], rest);
        Assert.Equal(["b"], Ids(index.Index.Search(new MatchAllNode(0), Day2, Day2.AddHours(1), 10, null)));
        Assert.Equal(2, index.Index.Count(new MatchAllNode(0), Day1, Day2.AddHours(3)));
        Assert.Equal(0, index.Index.Count(new MatchAllNode(0), Day3.AddDays(5), Day3.AddDays(6)));
        Assert.Equal(5, index.Index.Analyze(new MatchAllNode(0), Day1.AddDays(-1), Day3.AddDays(1), TimeSpan.FromDays(1), ["service"], 5).Total);
        Assert.NotNull(index.Index.Get("a"));
    }

    [Fact]
    public async Task DropBefore_OldDays_DeletesTheirPartitionsWhole()
    {
        using (var index = new JournaledEventIndex(_directory.Path))
        {
            await index.AppendAsync([Event("a", Day1), Event("b", Day2), Event("c", Day3)], CancellationToken.None);
            await index.RefreshAsync(CancellationToken.None);

            var dropped = index.Index.DropBefore(new DateOnly(2026, 11, 27));

            Assert.Equal([new DateOnly(2026, 11, 25), new DateOnly(2026, 11, 26)], dropped);
            Assert.Equal(["c"], Ids(index.Index.Search(new MatchAllNode(0), Day1, Day3.AddDays(1), 10, null)));
            Assert.Equal(["2026-11-27"], Directory.GetDirectories(Path.Combine(_directory.Path, "index")).Select(Path.GetFileName));
        }
        using var reopened = new JournaledEventIndex(_directory.Path);
        Assert.Equal(["c"], Ids(reopened.Index.Search(new MatchAllNode(0), Day1, Day3.AddDays(1), 10, null)));
    }

    [Fact]
    public async Task Open_CheckpointBehindThePartitions_ReplaysWithoutDuplicates()
    {
        using (var index = new JournaledEventIndex(_directory.Path))
        {
            await index.AppendAsync([Event("a", Day1), Event("b", Day2)], CancellationToken.None);
            await index.AppendAsync([Event("c", Day2), Event("d", Day3)], CancellationToken.None);
        }
        // A crash after the partitions committed but before the checkpoint was written: the journal replays
        // from an older position, and each partition skips what it had already committed.
        File.WriteAllText(Path.Combine(_directory.Path, "index", "checkpoint"), JournalPosition.Start.ToString());

        using var recovered = new JournaledEventIndex(_directory.Path);

        // b and c share a timestamp: their order is the tie-break's.
        Assert.Equal(["d", .. TiedNewestFirst("b", "c"), "a"], Ids(recovered.Index.Search(new MatchAllNode(0), Day1, Day3.AddDays(1), 10, null)));
    }

    [Fact]
    public async Task Open_PartitionKilledDuringItsFirstCommit_StartsEmptyAndTheJournalRefillsIt()
    {
        using (var index = new JournaledEventIndex(_directory.Path))
        {
            await index.AppendAsync([Event("a", Day3), Event("b", Day3)], CancellationToken.None);
        }
        // What SIGKILL leaves when it lands inside the partition's very first commit.
        var partition = Path.Combine(_directory.Path, "index", "2026-11-27");
        foreach (var later in Directory.GetFiles(partition, "segments_*").Where(f => !f.EndsWith("segments_1", StringComparison.Ordinal)))
        {
            File.Delete(later);
        }
        File.WriteAllBytes(Path.Combine(partition, "segments_1"), [0x3f, 0xd7]);
        File.WriteAllText(Path.Combine(_directory.Path, "index", "checkpoint"), JournalPosition.Start.ToString());

        using var recovered = new JournaledEventIndex(_directory.Path);

        Assert.Equal(["b", "a"], Ids(recovered.Index.Search(new MatchAllNode(0), Day1, Day3.AddDays(1), 10, null)));
    }

    [Fact]
    public async Task Open_IndexWrittenBeforePartitioning_StaysSearchableForEveryRange()
    {
        var legacyPath = Path.Combine(_directory.Path, "index");
        using (var legacy = new LuceneEventIndex(legacyPath))
        {
            legacy.Add([(Event("old", Day1), LogEventJson.Serialize(Event("old", Day1)), false)]);
            legacy.Commit(new Dictionary<string, string> { ["journal"] = JournalPosition.Start.ToString() });
        }

        using var index = new JournaledEventIndex(_directory.Path);
        await index.AppendAsync([Event("new", Day3)], CancellationToken.None);
        await index.RefreshAsync(CancellationToken.None);

        Assert.Equal(["new", "old"], Ids(index.Index.Search(new MatchAllNode(0), Day1, Day3.AddDays(1), 10, null)));
        Assert.True(Directory.Exists(Path.Combine(legacyPath, "unpartitioned")));
        Assert.DoesNotContain(DateOnly.MinValue, index.Index.DropBefore(new DateOnly(2027, 1, 1)));
        Assert.Equal(["old"], Ids(index.Index.Search(new MatchAllNode(0), Day1, Day3.AddDays(1), 10, null)));
    }

    [Fact]
    public void Dispose_DocumentsAddedSinceTheLastCommit_AreNotCommitted_TheJournalReplaysThem()
    {
        var path = Path.Combine(_directory.Path, "index");
        var committed = new JournalPosition(1, 100);
        using (var index = new PartitionedEventIndex(path))
        {
            Add(index, Event("a", Day3));
            index.Commit(committed);
            // Indexed after the last commit, as when indexing then failed and the portal was stopped: committed on closing,
            // they would stand under the last commit's position, and the journal's replay from it would add them again.
            Add(index, Event("b", Day3));
        }

        using var reopened = new PartitionedEventIndex(path);

        Assert.Equal(committed, reopened.Checkpoint);
        Assert.Equal(1, reopened.Count(new MatchAllNode(0), Day1, Day3.AddDays(1)));
    }

    [Fact]
    public void Dispose_APartitionFailsToClose_TheOthersAreClosedAllTheSame()
    {
        var path = Path.Combine(_directory.Path, "index");
        var index = new PartitionedEventIndex(path);
        Add(index, Event("a", Day1));
        Add(index, Event("c", Day3));
        index.Commit(new JournalPosition(1, 10));
        // The first day's files deleted under it: that partition cannot close cleanly.
        Directory.Delete(Path.Combine(path, "2026-11-25"), recursive: true);

        Assert.ThrowsAny<IOException>(index.Dispose);

        // The later day's write lock was let go: it opens again.
        using var reopened = new PartitionedEventIndex(path);
        Assert.Equal(["c"], Ids(reopened.Search(new MatchAllNode(0), Day1, Day3.AddDays(1), 10, null)));
    }

    [Fact]
    public async Task Open_DeletionOfADroppedPartitionCutShort_IsFinished_TheOthersOpen()
    {
        using (var index = new JournaledEventIndex(_directory.Path))
        {
            await index.AppendAsync([Event("a", Day1), Event("c", Day3)], CancellationToken.None);
        }
        // What a kill leaves while retention deletes a day's files one by one: the day renamed aside, some files gone.
        var day = Path.Combine(_directory.Path, "index", "2026-11-25");
        var dropped = day + ".dropped-638999999999999999";
        Directory.Move(day, dropped);
        File.Delete(Directory.GetFiles(dropped, "*.cfs").Concat(Directory.GetFiles(dropped, "*.si")).First());

        using var reopened = new JournaledEventIndex(_directory.Path);

        Assert.False(Directory.Exists(dropped));
        Assert.Equal([new DateOnly(2026, 11, 27)], reopened.Index.Days);
        Assert.Equal(["c"], Ids(reopened.Index.Search(new MatchAllNode(0), Day1, Day3.AddDays(1), 10, null)));
    }

    [Fact]
    public void DropBefore_LeavesNoDirectoryOfTheDayNorAside()
    {
        var path = Path.Combine(_directory.Path, "index");
        using var index = new PartitionedEventIndex(path);
        Add(index, Event("a", Day1));
        Add(index, Event("c", Day3));
        index.Commit(new JournalPosition(1, 10));
        index.Refresh();

        Assert.Equal([new DateOnly(2026, 11, 25)], index.DropBefore(new DateOnly(2026, 11, 26)));

        Assert.Equal(["2026-11-27"], Directory.GetDirectories(path).Select(Path.GetFileName));
        Assert.Equal(1, index.Count(new MatchAllNode(0), Day1, Day3.AddDays(1)));
    }

    [Fact]
    public void Open_APartitionUnreadable_Fails_TheOnesOpenedBeforeItAreLetGo()
    {
        var path = Path.Combine(_directory.Path, "index");
        // The unpartitioned index opens first, whatever order the directory lists its days in.
        using (var legacy = new LuceneEventIndex(Path.Combine(path, "unpartitioned")))
        {
            legacy.Add([(Event("old", Day1), LogEventJson.Serialize(Event("old", Day1)), false)]);
            legacy.Commit(new Dictionary<string, string> { ["journal"] = JournalPosition.Start.ToString() });
        }
        var broken = Path.Combine(path, "2026-11-27");
        Directory.CreateDirectory(broken);
        File.WriteAllBytes(Path.Combine(broken, "segments_5"), [1, 2, 3, 4, 5, 6, 7, 8]);

        Assert.ThrowsAny<IOException>(() => new PartitionedEventIndex(path));
        // Mended (here, by moving the bad day aside), the index opens: the unpartitioned index's write lock is free.
        Directory.Move(broken, broken + ".aside");
        using var reopened = new PartitionedEventIndex(path);

        Assert.Equal(1, reopened.Count(new MatchAllNode(0), Day1, Day3.AddDays(1)));
    }

    private static void Add(PartitionedEventIndex index, LogEvent e) =>
        index.Add([e], [System.Text.Encoding.UTF8.GetBytes(LogEventJson.Serialize(e))]);

    /// <summary>Ids of events sharing a timestamp, in the order searches return them.</summary>
    private static IEnumerable<string> TiedNewestFirst(params string[] ids) => ids.OrderByDescending(TieBreak.Of);

    private static List<string> Ids(SearchPage page) => page.Sources.Select(s => LogEventJson.Deserialize(s).Id).ToList();

    private static LogEvent Event(string id, DateTimeOffset timestamp) => new()
    {
        Id = id,
        Timestamp = timestamp,
        Service = "shop",
        Message = "GET /cart",
        Attributes = new JsonObject { ["http"] = new JsonObject { ["status_code"] = 200 } },
    };
}
