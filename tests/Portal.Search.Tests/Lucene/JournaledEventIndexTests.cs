using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Portal.Detection.Events;
using Portal.Detection.Intake;
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

    /// <summary>
    /// While the observer fails, the batches beyond the memory its backlog may hold wait in the journal: once it is back it
    /// sees every batch, in order, once, those read back included; reopened meanwhile, it sees them all the same.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Observer_FailingWithABacklogBeyondMemory_SeesEveryBatchOnceItRecovers(bool reopened)
    {
        var observer = new FailingObserver();
        JournaledEventIndex Open() => new(_directory.Path, observer: observer.Observe, maxHeldUnobservedEvents: 2);
        var index = Open();
        try
        {
            foreach (var id in new[] { "a", "b", "c", "d", "e" })
            {
                await index.AppendAsync([Event(id)], CancellationToken.None);
            }
            await index.AcceptAsync(Intake("""[{"message":"f"},{"message":"g"}]"""), CancellationToken.None);
            await index.RefreshAsync(CancellationToken.None);
            Assert.Equal(7, Count(index));
            if (reopened)
            {
                index.Dispose();
                index = Open();
            }

            observer.Failing = false;
            await index.AppendAsync([Event("h")], CancellationToken.None);
            await index.RefreshAsync(CancellationToken.None);

            var seen = observer.Seen;
            Assert.Equal(["a", "b", "c", "d", "e"], seen.Take(5));
            Assert.Equal(["h"], seen.Skip(7));
            Assert.Equal(Ids(index).Except(["a", "b", "c", "d", "e", "h"]).Order(), seen.Skip(5).Take(2).Order());
            Assert.True(index.ObservationsReadBack > 0);
        }
        finally
        {
            index.Dispose();
        }
    }

    /// <summary>Beyond the most events that may wait for the observer, the oldest batches are given up (counted as failures), the newest kept.</summary>
    [Fact]
    public async Task Observer_FailingBeyondTheLongestBacklog_GivesUpTheOldestBatches()
    {
        var observer = new FailingObserver();
        using var index = new JournaledEventIndex(_directory.Path, observer: observer.Observe, maxHeldUnobservedEvents: 1, maxUnobservedEvents: 3);
        foreach (var id in new[] { "a", "b", "c", "d", "e", "f" })
        {
            await index.AppendAsync([Event(id)], CancellationToken.None);
        }
        await index.RefreshAsync(CancellationToken.None);

        // Back, the observer is shown the waiting batches at its next retry.
        observer.Failing = false;
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(30) && observer.Seen.Count < 3)
        {
            await Task.Delay(20);
        }

        Assert.Equal(["d", "e", "f"], observer.Seen);
        Assert.True(index.ObserverFailures >= 3);
    }

    [Fact]
    public async Task Observer_Failing_NeverStopsIndexingAndSeesTheBatchesInOrderOnceItRecovers()
    {
        var observer = new FailingObserver();
        using var index = new JournaledEventIndex(_directory.Path, observer: observer.Observe);

        await index.AppendAsync([Event("a")], CancellationToken.None);
        await index.AppendAsync([Event("b")], CancellationToken.None);
        await index.RefreshAsync(CancellationToken.None);

        Assert.Equal(2, Count(index));
        Assert.True(index.ObserverFailures >= 1);
        Assert.Equal("signal store down", index.LastObserverFailure!.Message);
        Assert.Empty(observer.Seen);

        observer.Failing = false;
        await index.AppendAsync([Event("c")], CancellationToken.None);
        await index.RefreshAsync(CancellationToken.None);

        Assert.Equal(["a", "b", "c"], observer.Seen);
    }

    /// <summary>An observer of indexed batches that fails (the signal store down) while <see cref="Failing"/>, and otherwise notes the events' ids.</summary>
    private sealed class FailingObserver
    {
        private readonly List<string> _seen = [];
        private volatile bool _failing = true;

        public bool Failing
        {
            get => _failing;
            set => _failing = value;
        }

        /// <summary>The ids seen so far, in order (a copy).</summary>
        public List<string> Seen
        {
            get
            {
                lock (_seen)
                {
                    return [.. _seen];
                }
            }
        }

        public Task Observe(IReadOnlyList<LogEvent> batch)
        {
            if (_failing)
            {
                throw new InvalidOperationException("signal store down");
            }
            lock (_seen)
            {
                _seen.AddRange(batch.Select(e => e.Id));
            }
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task Indexing_DefersToABurstOfAppends_ForAtMostMaxDeferral_AndNeverWhileAReaderWaits()
    {
        using var index = new JournaledEventIndex(_directory.Path, deferAbovePendingEvents: 0);
        var stream = Stopwatch.StartNew();
        var appended = 0;
        var searchableDuringTheBurst = -1;
        var searchableAfterTheReader = -1;
        TimeSpan? waitedFor = null;
        long? stepsWhileWaiting = null;
        Task? reading = null;
        Stopwatch? waiting = null;
        var stepsBefore = 0L;
        var stepsAtAnswer = 0L;
        // The reader empties the backlog, so the appends after it make a burst of their own, deferred to for at most
        // MaxDeferral from its first wait: from that long after the reader was answered, the burst goes on until more than
        // the reader saw is searchable, or for several seconds more (a loaded machine indexes and refreshes late, but
        // indexing that still deferred to the burst would never show anything new).
        TimeSpan? answered = null;
        var nextSample = TimeSpan.Zero;
        while (answered is not { } end || (searchableDuringTheBurst <= searchableAfterTheReader && stream.Elapsed < end + JournaledEventIndex.MaxDeferral + TimeSpan.FromSeconds(10)))
        {
            Assert.True(stream.Elapsed < TimeSpan.FromSeconds(60), $"the burst ran {stream.Elapsed} (a reader still waiting: {reading is not null})");
            await index.AppendAsync([Event($"e{appended}"), Event($"e{appended + 1}")], CancellationToken.None);
            appended += 2;
            if (reading is null && waitedFor is null && stream.Elapsed > TimeSpan.FromSeconds(0.3))
            {
                // A reader waits for what was acknowledged in the middle of the burst, which goes on meanwhile.
                (waiting, stepsBefore) = (Stopwatch.StartNew(), index.DeferralSteps);
                // The steps are counted as the reader leaves, not when the loop next looks (after an append's sync), by
                // which time indexing defers to the burst again, as it should once no reader waits.
                reading = index.RefreshAsync(CancellationToken.None).ContinueWith(
                    answer =>
                    {
                        Interlocked.Exchange(ref stepsAtAnswer, index.DeferralSteps);
                        return answer;
                    },
                    CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).Unwrap();
            }
            if (reading is { IsCompleted: true })
            {
                await reading;
                (waitedFor, stepsWhileWaiting, reading) = (waiting!.Elapsed, Interlocked.Read(ref stepsAtAnswer) - stepsBefore, null);
                answered = stream.Elapsed;
                searchableAfterTheReader = Count(index);
            }
            if (answered is { } after && stream.Elapsed > after + JournaledEventIndex.MaxDeferral && stream.Elapsed >= nextSample)
            {
                // Sampled twice a second: a count between appends could leave the gap that ends a burst.
                searchableDuringTheBurst = Count(index);
                nextSample = stream.Elapsed + TimeSpan.FromSeconds(0.5);
            }
            await Task.Delay(5);
        }

        // Indexing stops deferring as soon as a reader waits: no deferral step begins while it waits, but for one begun as it
        // came (steps are counted, not timed: a loaded machine stretches a 10 ms step to half a second, and the reader's
        // wait with it).
        Assert.True(stepsWhileWaiting <= 1, $"indexing began {stepsWhileWaiting} deferral steps in the {waitedFor} a reader waited in the burst");
        Assert.True(index.Deferred > TimeSpan.FromMilliseconds(200), $"indexing deferred {index.Deferred} to a {stream.Elapsed} burst");
        // Appends never stopped, yet indexing resumed once the deferral ran out: more than what the reader saw is searchable.
        Assert.True(searchableDuringTheBurst > searchableAfterTheReader, $"{searchableDuringTheBurst} searchable {stream.Elapsed - answered} after the reader was answered, {searchableAfterTheReader} when it was");
        await index.RefreshAsync(CancellationToken.None);
        Assert.Equal(appended, Count(index));
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

    [Fact]
    public async Task AcceptAsync_IntakeBatch_NormalisedWhenIndexedWithTheIdsItsSeedGives()
    {
        using var index = new JournaledEventIndex(_directory.Path);
        var batch = Intake("""[{"ddsource":"sshd","service":"sshd","message":"Failed password for root from 203.0.113.9 port 22 ssh2"},{"message":"plain"}]""");

        await index.AcceptAsync(batch, CancellationToken.None);
        await index.RefreshAsync(CancellationToken.None);

        Assert.Equal(1, index.Index.Count(QueryParser.Parse("@network.client.ip:203.0.113.9 @evt.outcome:failure"), T0.AddDays(-1), T0.AddDays(1)));
        Assert.Equal(batch.Normalize(null).Select(e => e.Id).Order(), Ids(index));
    }

    [Fact]
    public async Task Open_IntakeBatchJournaledAfterTheLastCommit_ReplayedOnceWithTheSameIds()
    {
        using (var index = new JournaledEventIndex(_directory.Path))
        {
            await index.AppendAsync([Event("committed")], CancellationToken.None);
        }
        // A crash after the request was acknowledged (journaled and fsynced), before it was indexed.
        var batch = Intake("""[{"message":"late one"},{"message":"late two"}]""");
        using (var journal = new WriteAheadJournal(Path.Combine(_directory.Path, "journal")))
        {
            journal.Append(JournalRecords.IntakeHead(batch), batch.Body.Span);
            journal.Sync();
        }
        List<string> expected = ["committed", .. batch.Normalize(null).Select(e => e.Id)];

        using (var recovered = new JournaledEventIndex(_directory.Path))
        {
            Assert.Equal(expected.Order(), Ids(recovered));
        }
        using var again = new JournaledEventIndex(_directory.Path);
        Assert.Equal(expected.Order(), Ids(again));
        Assert.Equal(1, again.Index.Count(QueryParser.Parse("\"late two\""), T0.AddDays(-1), T0.AddDays(1)));
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("deflate")]
    public void Open_CompressedIntakeBatchJournaledAsSent_ReplayedOnceWithTheSameIds(string encoding)
    {
        // The journal keeps a compressed request's bytes as sent: a seventh of the body for logs like these.
        var json = "[" + string.Join(",", Enumerable.Range(0, 80).Select(i => $$"""{"ddsource":"sshd","message":"Failed password for root from 203.0.113.{{i % 250}} port 22 ssh2"}""")) + "]";
        var sent = Compress(json, encoding);
        var batch = Intake(json).WithSent(sent, encoding, () => { });
        var record = JournalRecords.IntakeHead(batch).Concat(JournalRecords.IntakeBody(batch).ToArray()).ToArray();
        Assert.True(record.Length < Encoding.UTF8.GetByteCount(json) / 4, $"record of {record.Length} bytes");
        Assert.Equal(json, Encoding.UTF8.GetString(JournalRecords.ReadIntake(record)!.Body.Span));
        using (var journal = new WriteAheadJournal(Path.Combine(_directory.Path, "journal")))
        {
            journal.Append(JournalRecords.IntakeHead(batch), JournalRecords.IntakeBody(batch).Span);
            journal.Sync();
        }

        using var recovered = new JournaledEventIndex(_directory.Path);

        Assert.Equal(batch.Normalize(null).Select(e => e.Id).Order(), Ids(recovered));
        Assert.Equal(80, recovered.Index.Count(QueryParser.Parse("@evt.outcome:failure"), T0.AddDays(-1), T0.AddDays(1)));
    }

    [Theory]
    [InlineData("gzip", 0)]
    [InlineData("deflate", 0)]
    [InlineData("gzip", 64 << 20)]
    public async Task AcceptAsync_CompressedBatch_ReleasesWhatWasSentOnceJournaledAndTheBodyOnce(string encoding, long budget)
    {
        var json = """[{"message":"sent compressed"},{"message":"sent compressed too"}]""";
        var (body, sent) = (0, 0);
        var batch = Intake(json)
            .OnRelease(() => Interlocked.Increment(ref body))
            .WithSent(Compress(json, encoding), encoding, () => Interlocked.Increment(ref sent));
        // With no memory budget the indexer reads the compressed record back from the journal; with one it normalises the body.
        using var index = new JournaledEventIndex(_directory.Path, maxBufferedBytes: budget);

        await index.AcceptAsync(batch, CancellationToken.None);
        Assert.Equal(1, Volatile.Read(ref sent));
        Assert.Null(batch.Sent);
        await index.RefreshAsync(CancellationToken.None);

        Assert.Equal(2, index.Index.Count(QueryParser.Parse("compressed"), T0.AddDays(-1), T0.AddDays(1)));
        Assert.Equal(budget == 0, index.BatchesReadBack > 0);
        Assert.Equal((1, 1), (Volatile.Read(ref body), Volatile.Read(ref sent)));
    }

    [Fact]
    public async Task GetJournaled_Tenants_ShareOneMemoryBound()
    {
        var json = """[{"message":"kept pending"},{"message":"kept pending too"}]""";
        using var indexes = new TenantIndexes(_directory.Path, maxBufferedBytes: 64 << 20, maxBufferedBytesInAll: 64 << 20);
        // Other organisations' pending batches fill the bound: this one's are read back from its journal, and all indexed.
        Assert.True(indexes.Buffers.TryTake(indexes.Buffers.Limit));
        var first = indexes.GetJournaled(Guid.NewGuid(), "logs");
        await first.AcceptAsync(Intake(json), CancellationToken.None);
        await first.RefreshAsync(CancellationToken.None);
        Assert.Equal(2, first.Index.Count(QueryParser.Parse("pending"), T0.AddDays(-1), T0.AddDays(1)));
        Assert.True(first.BatchesReadBack > 0);

        // Given back, the bound keeps another's batch in memory, and has it all back once the batch is indexed.
        indexes.Buffers.Give(indexes.Buffers.Limit);
        var second = indexes.GetJournaled(Guid.NewGuid(), "logs");
        await second.AcceptAsync(Intake(json), CancellationToken.None);
        await second.RefreshAsync(CancellationToken.None);
        Assert.Equal(2, second.Index.Count(QueryParser.Parse("pending"), T0.AddDays(-1), T0.AddDays(1)));
        Assert.Equal(0, second.BatchesReadBack);
        Assert.Equal(0, indexes.Buffers.Taken);
    }

    [Fact]
    public async Task Dispose_FailedIndexer_GivesBackTheMemoryItsBatchesHeld()
    {
        var shared = new MemoryBudget(64 << 20);
        var index = new JournaledEventIndex(_directory.Path, sharedBuffers: shared);
        await index.AcceptAsync(Intake("""[{"message":"indexed"}]"""), CancellationToken.None);
        await index.RefreshAsync(CancellationToken.None);
        // The day's files deleted under it, indexing fails: the next batches stay pending, in memory.
        Directory.Delete(JournaledEventIndex.IndexPath(_directory.Path), recursive: true);
        await index.AcceptAsync(Intake("""[{"message":"never indexed here"}]"""), CancellationToken.None);
        await Assert.ThrowsAnyAsync<Exception>(() => index.RefreshAsync(CancellationToken.None));
        Assert.True(shared.Taken > 0);

        // Closing says the files are gone, and lets go of the memory all the same.
        Assert.Throws<DirectoryNotFoundException>(index.Dispose);

        Assert.Equal(0, shared.Taken);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("gzip")]
    public void Open_IntakeBatchWithRequestFields_ReplayedWithThem(string? encoding)
    {
        // The query string's source, service and host (and tags) apply to a replay as they did when the request came.
        const string json = """[{"message":"Failed password for root from 203.0.113.9 port 22 ssh2"},{"message":"own","ddsource":"app","hostname":"web-1"}]""";
        var fields = RequestFields.Of("Team:Sec", "sshd", "auth", "bastion-é");
        var batch = IntakeBatch.Accept(Encoding.UTF8.GetBytes(json), 2, T0, fields, lines: false);
        if (encoding is not null)
        {
            batch.WithSent(Compress(json, encoding), encoding, () => { });
        }
        var read = JournalRecords.ReadIntake([.. JournalRecords.IntakeHead(batch), .. JournalRecords.IntakeBody(batch).Span]);
        Assert.Equal(fields, read!.Request);
        Assert.Equal(json, Encoding.UTF8.GetString(read.Body.Span));
        using (var journal = new WriteAheadJournal(Path.Combine(_directory.Path, "journal")))
        {
            journal.Append(JournalRecords.IntakeHead(batch), JournalRecords.IntakeBody(batch).Span);
            journal.Sync();
        }

        using var recovered = new JournaledEventIndex(_directory.Path);

        Assert.Equal(1, recovered.Index.Count(QueryParser.Parse("source:sshd service:auth host:bastion-* team:sec @evt.outcome:failure"), T0.AddDays(-1), T0.AddDays(1)));
        Assert.Equal(1, recovered.Index.Count(QueryParser.Parse("source:app service:auth host:web-1 team:sec"), T0.AddDays(-1), T0.AddDays(1)));
    }

    [Fact]
    public void IntakeHead_TagsAlone_LaidOutAsBeforeRequestFields()
    {
        // A record of a request with tags alone (or none) is what a build before the request's other fields wrote and reads.
        var head = JournalRecords.IntakeHead(IntakeBatch.Accept(Encoding.UTF8.GetBytes("{}"), 1, T0, "env:prod", lines: false));

        Assert.Equal(1 + 1 + 8 + 16 + 4 + 4 + "env:prod".Length, head.Length);
        Assert.Equal(0, head[1]);
    }

    [Theory]
    [InlineData(1, 0x80)]
    [InlineData(2, 0x00)]
    [InlineData(2, 0x06)]
    public void ReadIntake_UnknownFlags_RefusedRatherThanMisread(byte marker, byte flags)
    {
        // A body valid for either reading (compressed for the compressed marker), so only the flags can be at fault.
        const string json = """[{"message":"x"}]""";
        var body = marker == 2 ? Compress(json, flags == 0 ? "deflate" : "gzip") : Encoding.UTF8.GetBytes(json);
        var record = JournalRecords.IntakeHead(Intake(json)).Concat(body).ToArray();
        (record[0], record[1]) = (marker, flags);

        var refused = Assert.Throws<InvalidDataException>(() => JournalRecords.ReadIntake(record));
        Assert.Contains("unknown flags", refused.Message, StringComparison.Ordinal);
    }

    private static byte[] Compress(string json, string encoding)
    {
        using var output = new MemoryStream();
        using (Stream compressing = encoding == "gzip" ? new GZipStream(output, CompressionLevel.Fastest) : new ZLibStream(output, CompressionLevel.Fastest))
        {
            compressing.Write(Encoding.UTF8.GetBytes(json));
        }
        return output.ToArray();
    }

    [Fact]
    public async Task Backlog_BeyondTheMemoryBudget_ReadBackFromTheJournalInOrder()
    {
        var seen = new List<string>();
        Task Observe(IReadOnlyList<LogEvent> batch)
        {
            lock (seen)
            {
                seen.AddRange(batch.Select(e => e.Message!));
            }
            return Task.CompletedTask;
        }
        using var index = new JournaledEventIndex(_directory.Path, observer: Observe, maxBufferedBytes: 1);

        // Appended together, so all but those that fit in a byte of memory (none) are read back.
        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => i % 2 == 0
            ? index.AcceptAsync(Intake($$"""[{"message":"intake {{i}}"},{"message":"intake {{i}}b"}]"""), CancellationToken.None)
            : index.AppendAsync([Event($"appended {i}", message: $"appended {i}")], CancellationToken.None)));
        await index.RefreshAsync(CancellationToken.None);

        Assert.Equal(30, Count(index));
        Assert.True(index.BatchesReadBack > 0);
        lock (seen)
        {
            Assert.Equal(30, seen.Count);
            Assert.Equal(10, seen.Count(m => m.StartsWith("appended", StringComparison.Ordinal)));
        }
    }

    [Fact]
    public async Task AcceptAsync_ReleasesTheBodyOnceInEveryOutcome()
    {
        var released = new int[3];
        IntakeBatch Tracked(int slot) => Intake("""[{"message":"pooled"}]""").OnRelease(() => Interlocked.Increment(ref released[slot]));

        using (var index = new JournaledEventIndex(Path.Combine(_directory.Path, "a")))
        {
            // Kept in memory: released once normalised.
            await index.AcceptAsync(Tracked(0), CancellationToken.None);
            await index.RefreshAsync(CancellationToken.None);
        }
        using (var busy = new JournaledEventIndex(Path.Combine(_directory.Path, "b"), maxPendingEvents: 0))
        {
            // Refused: released before the refusal.
            await Assert.ThrowsAsync<StoreBusyException>(() => busy.AcceptAsync(Tracked(1), CancellationToken.None));
        }
        using (var unbuffered = new JournaledEventIndex(Path.Combine(_directory.Path, "c"), maxBufferedBytes: 0))
        {
            // Beyond the memory budget: released once journaled; the indexer reads the batch back.
            await unbuffered.AcceptAsync(Tracked(2), CancellationToken.None);
            Assert.Equal(1, Volatile.Read(ref released[2]));
            await unbuffered.RefreshAsync(CancellationToken.None);
            Assert.Equal(1, unbuffered.Index.Count(QueryParser.Parse("pooled"), T0.AddDays(-1), T0.AddDays(1)));
        }

        Assert.Equal([1, 1, 1], released);
    }

    [Fact]
    public void BackgroundPriority_LowersTheCallingThreadAlone()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        var before = NiceOfThisThread();
        var lowered = 0;
        var thread = new Thread(() =>
        {
            BackgroundPriority.LowerCurrentThread();
            lowered = NiceOfThisThread();
        });
        thread.Start();
        thread.Join();

        Assert.Equal(BackgroundPriority.Nice, lowered);
        Assert.Equal(before, NiceOfThisThread());
    }

    /// <summary>The nice value of the calling thread: field 19 of its stat line, after the command in parentheses.</summary>
    private static int NiceOfThisThread()
    {
        var stat = File.ReadAllText("/proc/thread-self/stat");
        return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[16], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static int Count(JournaledEventIndex index) => index.Index.Count(new MatchAllNode(0), T0.AddDays(-1), T0.AddDays(1));

    private static List<string> Ids(JournaledEventIndex index) =>
        index.Index.Search(new MatchAllNode(0), T0.AddDays(-1), T0.AddDays(1), 100, null).Sources.Select(s => LogEventJson.Deserialize(s).Id).Order().ToList();

    private static IntakeBatch Intake(string json) =>
        IntakeBatch.Accept(Encoding.UTF8.GetBytes(json), IntakePayload.Check(Encoding.UTF8.GetBytes(json)).Count, T0, null, lines: false);

    private static LogEvent Event(string id, string message = "GET /cart") => new()
    {
        Id = id,
        Timestamp = T0,
        Service = "shop",
        Message = message,
        Attributes = new JsonObject { ["http"] = new JsonObject { ["status_code"] = 200 } },
    };
}
