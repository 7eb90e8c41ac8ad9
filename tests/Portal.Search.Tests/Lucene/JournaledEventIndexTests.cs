using System.Text;
using System.Text.Json.Nodes;
using Portal.Detection.Events;
using Portal.Detection.Query;
using Portal.Search.Journal;
using Portal.Search.Lucene;

namespace Portal.Search.Tests.Lucene;

public sealed class JournaledEventIndexTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 10, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task AppendAsync_ThenRefresh_EventsSearchable()
    {
        using var index = new JournaledEventIndex(_directory.Path);
        await index.AppendAsync([Event("a"), Event("b")], CancellationToken.None);
        await index.RefreshAsync(CancellationToken.None);

        Assert.Equal(2, Count(index));
    }

    [Fact]
    public async Task Reopen_AfterCleanShutdown_EveryEventOnce()
    {
        using (var index = new JournaledEventIndex(_directory.Path))
        {
            await index.AppendAsync([Event("a"), Event("b")], CancellationToken.None);
            await index.AppendAsync([Event("c")], CancellationToken.None);
        }

        using var reopened = new JournaledEventIndex(_directory.Path);
        Assert.Equal(3, Count(reopened));
    }

    [Fact]
    public async Task Open_JournalAheadOfIndex_ReplaysTheMissingBatchesOnce()
    {
        using (var index = new JournaledEventIndex(_directory.Path))
        {
            await index.AppendAsync([Event("committed")], CancellationToken.None);
        }
        // What a crash leaves: batches acknowledged (journaled and fsynced) after the index's last commit.
        using (var journal = new WriteAheadJournal(Path.Combine(_directory.Path, "journal")))
        {
            journal.Append(Encoding.UTF8.GetBytes(string.Join('\n', LogEventJson.Serialize(Event("late-1")), LogEventJson.Serialize(Event("late-2")))));
            journal.Sync();
        }

        using (var recovered = new JournaledEventIndex(_directory.Path))
        {
            Assert.Equal(["committed", "late-1", "late-2"], Ids(recovered));
        }
        using var again = new JournaledEventIndex(_directory.Path);
        Assert.Equal(["committed", "late-1", "late-2"], Ids(again));
    }

    [Fact]
    public async Task Observer_SeesEveryBatchOnceInOrder_AndAfterACrashOnlyWhatItHadNotSeen()
    {
        var seen = new List<string>();
        Task Observe(IReadOnlyList<LogEvent> batch)
        {
            lock (seen)
            {
                seen.AddRange(batch.Select(e => e.Id));
            }
            return Task.CompletedTask;
        }
        using (var index = new JournaledEventIndex(_directory.Path, observer: Observe))
        {
            await index.AppendAsync([Event("a"), Event("b")], CancellationToken.None);
            await index.AppendAsync([Event("c")], CancellationToken.None);
            await index.RefreshAsync(CancellationToken.None);
        }
        Assert.Equal(["a", "b", "c"], seen);
        // A crash after the batch was acknowledged, before it was indexed or seen.
        using (var journal = new WriteAheadJournal(Path.Combine(_directory.Path, "journal")))
        {
            journal.Append(Encoding.UTF8.GetBytes(LogEventJson.Serialize(Event("late"))));
            journal.Sync();
        }

        using (var recovered = new JournaledEventIndex(_directory.Path, observer: Observe))
        {
            await recovered.AppendAsync([Event("d")], CancellationToken.None);
            await recovered.RefreshAsync(CancellationToken.None);
        }

        Assert.Equal(["a", "b", "c", "late", "d"], seen);
    }

    [Fact]
    public async Task Observer_Failing_NeverStopsIndexingAndSeesTheBatchesInOrderOnceItRecovers()
    {
        var failing = true;
        var seen = new List<string>();
        Task Observe(IReadOnlyList<LogEvent> batch)
        {
            if (Volatile.Read(ref failing))
            {
                throw new InvalidOperationException("signal store down");
            }
            lock (seen)
            {
                seen.AddRange(batch.Select(e => e.Id));
            }
            return Task.CompletedTask;
        }
        using var index = new JournaledEventIndex(_directory.Path, observer: Observe);

        await index.AppendAsync([Event("a")], CancellationToken.None);
        await index.AppendAsync([Event("b")], CancellationToken.None);
        await index.RefreshAsync(CancellationToken.None);

        Assert.Equal(2, Count(index));
        Assert.True(index.ObserverFailures >= 1);
        Assert.Equal("signal store down", index.LastObserverFailure!.Message);
        Assert.Empty(seen);

        Volatile.Write(ref failing, false);
        await index.AppendAsync([Event("c")], CancellationToken.None);
        await index.RefreshAsync(CancellationToken.None);

        lock (seen)
        {
            Assert.Equal(["a", "b", "c"], seen);
        }
    }

    [Fact]
    public async Task AppendAsync_MoreThanThePendingLimit_RefusedAsBusyWithoutStoringAnything()
    {
        using var index = new JournaledEventIndex(_directory.Path, maxPendingEvents: 3);

        var busy = await Assert.ThrowsAsync<StoreBusyException>(() => index.AppendAsync([Event("1"), Event("2"), Event("3"), Event("4")], CancellationToken.None));

        Assert.True(busy.RetryAfter > TimeSpan.Zero);
        await index.RefreshAsync(CancellationToken.None);
        Assert.Equal(0, Count(index));
        await index.AppendAsync([Event("ok")], CancellationToken.None);
        await index.RefreshAsync(CancellationToken.None);
        Assert.Equal(1, Count(index));
    }

    [Fact]
    public async Task Index_EventWhoseAttributesCannotBeRead_IndexedByItsTextAndTheNextEventsStillIndexed()
    {
        // What a journal written before the intake refused nested duplicate keys may hold.
        var unreadable = new LogEvent
        {
            Id = "broken",
            Timestamp = T0,
            Service = "shop",
            Message = "duplicated keys inside",
            Attributes = JsonNode.Parse("""{"ctx":{"a":1,"a":2}}""")!.AsObject(),
        };
        using var index = new JournaledEventIndex(_directory.Path);

        await index.AppendAsync([unreadable], CancellationToken.None);
        await index.AppendAsync([Event("next")], CancellationToken.None);
        await index.RefreshAsync(CancellationToken.None);

        Assert.Equal(["broken", "next"], Ids(index));
        Assert.Equal(1, index.Index.Count(QueryParser.Parse("duplicated service:shop"), T0.AddDays(-1), T0.AddDays(1)));
    }

    private static int Count(JournaledEventIndex index) => index.Index.Count(new MatchAllNode(0), T0.AddDays(-1), T0.AddDays(1));

    private static List<string> Ids(JournaledEventIndex index) =>
        index.Index.Search(new MatchAllNode(0), T0.AddDays(-1), T0.AddDays(1), 100, null).Sources.Select(s => LogEventJson.Deserialize(s).Id).Order().ToList();

    private static LogEvent Event(string id) => new()
    {
        Id = id,
        Timestamp = T0,
        Service = "shop",
        Message = "GET /cart",
        Attributes = new JsonObject { ["http"] = new JsonObject { ["status_code"] = 200 } },
    };
}
