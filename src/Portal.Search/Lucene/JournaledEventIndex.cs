using System.Diagnostics;
using System.Threading.Channels;
using Portal.Detection.Events;
using Portal.Detection.Intake;
using Portal.Detection.ThreatIntel;
using Portal.Search.Journal;

namespace Portal.Search.Lucene;

/// <summary>
/// A tenant's log index behind a write-ahead journal. An append is durable (and acknowledged) once its batch is
/// in the journal and fsynced; concurrent appends share one fsync (group commit). The journal is the queue: a background
/// indexer takes the journaled batches in order (from memory while they fit in <c>maxBufferedBytes</c>, read back from
/// the disk beyond), normalises intake batches (<see cref="IntakeBatch"/>), adds them to Lucene, opens a near-real-time reader at least every <see cref="RefreshInterval"/> (<see cref="BacklogRefreshInterval"/>
/// while behind) or as soon as a waiter's events are indexed, and
/// commits the index every <see cref="CommitInterval"/> with the journal position it covers. On open, the journal
/// is replayed from that position, so after a crash every acknowledged event is indexed exactly once.
/// </summary>
public sealed class JournaledEventIndex : IDisposable
{
    /// <summary>Longest time between an acknowledgement and the event being searchable (when idle).</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// How often a reader is opened while indexing is behind (more than <see cref="DeferAbovePendingEvents"/> pending), when
    /// nobody waits for it: each reader flushes a segment, with a cost of its own besides its events', and merges follow.
    /// Elasticsearch refreshes every second by default; here it is only while what was sent is seconds from searchable anyway.
    /// </summary>
    public static readonly TimeSpan BacklogRefreshInterval = TimeSpan.FromSeconds(1);

    /// <summary>How often the index is committed (how much journal a crash replays, at most).</summary>
    public static readonly TimeSpan CommitInterval = TimeSpan.FromSeconds(5);

    private readonly WriteAheadJournal _journal;
    private readonly Channel<PendingAppend> _appends = Channel.CreateUnbounded<PendingAppend>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<JournaledBatch> _batches = Channel.CreateUnbounded<JournaledBatch>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly Task _writer;
    private readonly Task _indexer;
    private readonly int _maxPendingEvents;
    private readonly ThreatIndicatorSet? _threatIntel;

    /// <summary>The memory this index keeps journaled batches in, drawn on the budget every organisation's share when given.</summary>
    private readonly MemoryBudget _buffers;
    private readonly object _visibility = new();
    private TaskCompletionSource _refreshed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _pendingEvents;
    private long _lastArrival;
    private long _deferredTicks;
    private volatile bool _disposing;
    private readonly int _deferAbovePendingEvents;
    private long _ackedBatch;
    private long _visibleBatch;
    private int _waiters;

    /// <summary>The first batch a waiter (<see cref="RefreshAsync"/>) needs searchable, none when <see cref="long.MaxValue"/>; written under <see cref="_visibility"/>.</summary>
    private long _awaitedBatch = long.MaxValue;

    /// <summary>The batches waiters need searchable and how many wait for each, beyond the visible one; under <see cref="_visibility"/>.</summary>
    private readonly SortedDictionary<long, int> _awaited = [];
    private Exception? _indexFailure;
    private readonly Func<IReadOnlyList<LogEvent>, Task>? _observer;
    private readonly string _observedFile;
    /// <summary>Batches indexed but not yet seen by the observer, in journal order: it failed, or has not been called yet.</summary>
    private readonly Queue<Unobserved> _unobserved = new();

    /// <summary>Events of the <see cref="_unobserved"/> batches in all, and those held in memory.</summary>
    private long _unobservedEvents, _heldUnobservedEvents;
    private readonly int _maxHeldUnobservedEvents;
    private readonly int _maxUnobservedEvents;
    private JournalPosition _observed;

    /// <summary>Where the index of a journaled index at <paramref name="path"/> keeps its partitions (beside its journal).</summary>
    public static string IndexPath(string path) => Path.Combine(path, "index");

    /// <summary>
    /// Opens the index and journal under <paramref name="path"/>, replaying what the last commit missed.
    /// <paramref name="observer"/>, when given, sees every batch once it is indexed, in journal order, on the indexing
    /// loop (the real-time stage of detection). Where it got to is kept beside the index, and the journal is kept from
    /// there, so that after a crash it sees the batches it had not seen and, apart from the one it was seeing at the
    /// crash, none twice. When it fails, the batch is retried (after later batches are indexed, or every second when idle)
    /// and the batches behind it wait in order. Appends are refused (busy) beyond <paramref name="maxPendingEvents"/>
    /// events journaled and not yet indexed; those whose batches fit in <paramref name="maxBufferedBytes"/> are also kept
    /// in memory (an intake batch counts its buffer, a batch of events several times its journal record), and in
    /// <paramref name="sharedBuffers"/> too when given: the bound of every organisation's indexes in all. Indexing defers
    /// to bursts of appends while more than <paramref name="deferAbovePendingEvents"/> are pending (<see cref="MaxDeferral"/>,
    /// <see cref="BurstGap"/>).
    /// <paramref name="threatIntel"/> enriches intake batches as they are normalised.
    /// </summary>
    public JournaledEventIndex(
        string path, int maxPendingEvents = 500_000, Func<IReadOnlyList<LogEvent>, Task>? observer = null,
        ThreatIndicatorSet? threatIntel = null, long maxBufferedBytes = 64L << 20, int deferAbovePendingEvents = DeferAbovePendingEvents,
        MemoryBudget? sharedBuffers = null, int maxHeldUnobservedEvents = MaxHeldUnobservedEvents, int maxUnobservedEvents = MaxUnobservedEvents)
    {
        (_maxHeldUnobservedEvents, _maxUnobservedEvents) = (maxHeldUnobservedEvents, maxUnobservedEvents);
        _deferAbovePendingEvents = deferAbovePendingEvents;
        _maxPendingEvents = maxPendingEvents;
        _buffers = new MemoryBudget(maxBufferedBytes, sharedBuffers);
        _threatIntel = threatIntel;
        _observer = observer;
        _observedFile = Path.Combine(path, "observed");
        Index = new PartitionedEventIndex(IndexPath(path));
        try
        {
            _journal = new WriteAheadJournal(Path.Combine(path, "journal"));
            _observed = File.Exists(_observedFile) ? JournalPosition.Parse(File.ReadAllText(_observedFile)) : JournalPosition.Start;
            Replay();
        }
        catch
        {
            // Opened again once the fault is mended, the index finds its files and write locks free (the replay's
            // documents were never committed: the next replay adds them again).
            _journal?.Dispose();
            Index.Dispose();
            throw;
        }
        _writer = Task.Run(WriteLoopAsync);
        // Indexing yields to requests: its loop runs on threads of lowered priority, the journal writer on the pool.
        _indexer = BackgroundScheduler.Run(IndexLoopAsync);
    }

    /// <summary>The day-partitioned Lucene index, for searches.</summary>
    public PartitionedEventIndex Index { get; }

    /// <summary>Journals <paramref name="events"/>; returns once they are durable. Throws <see cref="StoreBusyException"/> when indexing is behind.</summary>
    public Task AppendAsync(IReadOnlyList<LogEvent> events, CancellationToken cancellationToken)
    {
        Reserve(events.Count);
        var (payload, sources) = JournalRecords.Events(events);
        // Events in memory take several times their JSON: their attribute trees beside their stored forms.
        return JournalAsync(new PendingAppend(events.Count, ReadOnlyMemory<byte>.Empty, payload, events, sources, null, payload.Length * 8L), cancellationToken);
    }

    /// <summary>
    /// Journals an intake request as it came (normalised when indexed); returns once it is durable. Throws
    /// <see cref="StoreBusyException"/> when indexing is behind. Releases the body as sent (<see cref="IntakeBatch.ReleaseSent"/>)
    /// once journaled, and the batch's body (<see cref="IntakeBatch.ReleaseBody"/>) once journaled and, when it stays in
    /// memory, normalised; both at once when refused.
    /// </summary>
    public Task AcceptAsync(IntakeBatch batch, CancellationToken cancellationToken)
    {
        try
        {
            Reserve(batch.Count);
        }
        catch
        {
            batch.ReleaseBody();
            throw;
        }
        // Kept in memory, a batch holds its whole (pooled) buffer, not only the body in it.
        var held = System.Runtime.InteropServices.MemoryMarshal.TryGetArray(batch.Body, out var array) ? array.Array!.Length : batch.Body.Length;
        return JournalAsync(new PendingAppend(batch.Count, JournalRecords.IntakeHead(batch), JournalRecords.IntakeBody(batch), null, null, batch, held), cancellationToken);
    }

    private void Reserve(int count)
    {
        if (Volatile.Read(ref _indexFailure) is not null)
        {
            // Indexing stopped: refuse rather than acknowledge events nobody will see until a restart.
            throw new StoreBusyException(TimeSpan.FromSeconds(30));
        }
        if (Interlocked.Add(ref _pendingEvents, count) > _maxPendingEvents)
        {
            Interlocked.Add(ref _pendingEvents, -count);
            throw new StoreBusyException(TimeSpan.FromSeconds(1));
        }
        // Only accepted appends make a burst: refused ones and their retries do not hold indexing back.
        Volatile.Write(ref _lastArrival, Stopwatch.GetTimestamp());
    }

    private async Task JournalAsync(PendingAppend append, CancellationToken cancellationToken)
    {
        if (!_appends.Writer.TryWrite(append))
        {
            Interlocked.Add(ref _pendingEvents, -append.Count);
            append.Intake?.ReleaseBody();
            throw new ObjectDisposedException(nameof(JournaledEventIndex));
        }
        // The append is queued: its outcome no longer depends on the caller waiting, only its acknowledgement does.
        await append.Durable.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Bytes of records written to the journal since it was opened (what intake costs the disk).</summary>
    public long JournaledBytes => Interlocked.Read(ref _journaledBytes);

    private long _journaledBytes;

    /// <summary>Returns once every event acknowledged before the call is searchable.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var target = Interlocked.Read(ref _ackedBatch);
        var registered = false;
        Interlocked.Increment(ref _waiters);
        try
        {
            while (true)
            {
                Task wait;
                lock (_visibility)
                {
                    if (_indexFailure is { } failure)
                    {
                        throw new InvalidOperationException("Indexing failed; events stay in the journal and are replayed at the next start.", failure);
                    }
                    if (_visibleBatch >= target)
                    {
                        return;
                    }
                    if (!registered)
                    {
                        // The indexer opens a reader once the first batch a waiter needs is indexed.
                        _awaited[target] = _awaited.GetValueOrDefault(target) + 1;
                        NoteFirstAwaited();
                        registered = true;
                    }
                    wait = _refreshed.Task;
                }
                await wait.WaitAsync(cancellationToken);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _waiters);
            // A publication that made the target visible forgot it already; a waiter that gave up (cancelled) forgets it here.
            lock (_visibility)
            {
                if (registered && target > _visibleBatch && _awaited.TryGetValue(target, out var count))
                {
                    if (count > 1)
                    {
                        _awaited[target] = count - 1;
                    }
                    else
                    {
                        _awaited.Remove(target);
                        NoteFirstAwaited();
                    }
                }
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _disposing = true;
        _appends.Writer.TryComplete();
        _writer.GetAwaiter().GetResult();
        _batches.Writer.TryComplete();
        _indexer.GetAwaiter().GetResult();
        // What a failed indexer left unindexed is in the journal: the memory it held goes back to the other organisations.
        _buffers.Give(_buffers.Taken);
        try
        {
            _journal.Dispose();
        }
        finally
        {
            Index.Dispose();
        }
    }

    private void Replay()
    {
        JournalPosition? last = null;
        var checkpoint = Index.Checkpoint;
        var from = _observer is not null && _observed < checkpoint ? _observed : checkpoint;
        foreach (var (end, payload) in _journal.ReadFrom(from))
        {
            var (events, sources) = JournalRecords.Read(payload, _threatIntel);
            if (end > checkpoint)
            {
                Index.Add(events, sources, journaledThrough: end);
                last = end;
            }
            if (_observer is not null && end > _observed)
            {
                Pend(WriteAheadJournal.StartOf(end, payload.Length), end, events);
            }
        }
        if (last is { } position)
        {
            Index.Commit(position);
            Index.Refresh();
        }
    }

    private async Task WriteLoopAsync()
    {
        var reader = _appends.Reader;
        var group = new List<PendingAppend>();
        long batch = 0;
        while (await reader.WaitToReadAsync())
        {
            group.Clear();
            while (group.Count < 512 && reader.TryRead(out var append))
            {
                group.Add(append);
            }
            var starts = new JournalPosition[group.Count];
            var ends = new JournalPosition[group.Count];
            JournalPosition? good = null;
            try
            {
                _journal.EnsureWritable();
                good = _journal.End;
                for (var i = 0; i < group.Count; i++)
                {
                    starts[i] = _journal.NextStart;
                    ends[i] = _journal.Append(group[i].Head.Span, group[i].Body.Span);
                }
                var syncing = Stopwatch.GetTimestamp();
                _journal.Sync();
                var synced = Stopwatch.GetTimestamp() - syncing;
                Interlocked.Add(ref _syncTicks, synced);
                Interlocked.Increment(ref _syncs);
                // Read and reset by one reader (the intake benchmark); a lost maximum between the two is harmless.
                if (synced > Volatile.Read(ref _longestSyncTicks))
                {
                    Volatile.Write(ref _longestSyncTicks, synced);
                }
            }
            catch (Exception e)
            {
                // Cut back to the end before the group (when it cannot be, the next group's EnsureWritable tries again and
                // is refused until it can), so that none of the refused records is ever replayed, nor any later one written after them.
                if (good is { } end)
                {
                    _journal.Rewind(end);
                }
                foreach (var failed in group)
                {
                    Interlocked.Add(ref _pendingEvents, -failed.Count);
                    failed.Intake?.ReleaseBody();
                    failed.Durable.TrySetException(e);
                }
                continue;
            }
            Interlocked.Add(ref _journaledBytes, group.Sum(g => (long)g.Head.Length + g.Body.Length));
            for (var i = 0; i < group.Count; i++)
            {
                batch++;
                var append = group[i];
                // Journaled: the body as sent is no longer read (the indexer reads the decompressed body or the journal).
                append.Intake?.ReleaseSent();
                // Kept in memory while the budgets allow (the organisation's and all of them's); beyond, the indexer reads the
                // batch back from the journal.
                var buffered = _buffers.TryTake(append.Held);
                if (!buffered)
                {
                    append.Intake?.ReleaseBody();
                }
                await _batches.Writer.WriteAsync(buffered
                    ? new JournaledBatch(batch, starts[i], ends[i], append.Count, append.Held, append.Events, append.Sources, append.Intake)
                    : new JournaledBatch(batch, starts[i], ends[i], append.Count, 0, null, null, null));
                Interlocked.Exchange(ref _ackedBatch, batch);
                append.Durable.TrySetResult();
            }
        }
    }

    private async Task IndexLoopAsync()
    {
        var reader = _batches.Reader;
        var sinceRefresh = Stopwatch.StartNew();
        var sinceCommit = Stopwatch.StartNew();
        long indexedBatch = 0;
        JournalPosition? uncommitted = null;
        var dirty = false;
        await DrainObservationsAsync();
        var deferral = new BurstDeferral();
        var taken = new List<JournaledBatch>();

        // Makes what is indexed searchable and tells those waiting for it.
        void RefreshNow()
        {
            Index.Refresh();
            dirty = false;
            sinceRefresh.Restart();
            Publish(indexedBatch);
        }

        while (true)
        {
            var read = 0;
            try
            {
                if (deferral.Holds(this))
                {
                    // What is indexed already becomes searchable and is shown to the observer; only new batches wait.
                    if (dirty)
                    {
                        RefreshNow();
                    }
                    await DrainObservationsAsync();
                    var deferring = Stopwatch.GetTimestamp();
                    Interlocked.Increment(ref _deferralSteps);
                    await Task.Delay(DeferralStep);
                    Interlocked.Add(ref _deferredTicks, Stopwatch.GetTimestamp() - deferring);
                    continue;
                }
                taken.Clear();
                while (read < 2_000 && !(read > 0 && deferral.Holds(this)) && reader.TryRead(out var batch))
                {
                    taken.Add(batch);
                    read += batch.Count;
                }
                if (taken.Count > 0)
                {
                    // Normalised (or read back) and then indexed on two threads when one is free; observed in journal order.
                    var contents = new (IReadOnlyList<LogEvent> Events, ReadOnlyMemory<byte>[] Sources)[taken.Count];
                    SharedWork.For(taken.Count, i => contents[i] = Contents(taken[i]), chunk: 1);
                    var (events, sources) = contents.Length == 1 ? contents[0] : (contents.SelectMany(c => c.Events).ToList(), contents.SelectMany(c => c.Sources).ToArray());
                    Index.Add(events, sources);
                    for (var i = 0; i < taken.Count; i++)
                    {
                        var batch = taken[i];
                        if (_observer is not null)
                        {
                            Pend(batch.Start, batch.End, contents[i].Events);
                        }
                        indexedBatch = batch.Sequence;
                        uncommitted = batch.End;
                        _buffers.Give(batch.Held);
                        Interlocked.Add(ref _pendingEvents, -batch.Count);
                    }
                    dirty = true;
                }
                await DrainObservationsAsync();
                var interval = Volatile.Read(ref _pendingEvents) > _deferAbovePendingEvents ? BacklogRefreshInterval : RefreshInterval;
                if (dirty && (indexedBatch >= Volatile.Read(ref _awaitedBatch) || sinceRefresh.Elapsed >= interval))
                {
                    RefreshNow();
                }
                var completed = reader.Completion.IsCompleted;
                if (uncommitted is { } position && (sinceCommit.Elapsed >= CommitInterval || completed))
                {
                    Index.Commit(position);
                    // The journal is kept from where the observer got to as well: a failed batch is replayed after a crash.
                    _journal.DeleteBefore(_observer is not null && _observed < position ? _observed : position);
                    uncommitted = null;
                    sinceCommit.Restart();
                }
                if (completed)
                {
                    return;
                }
            }
            catch (Exception e)
            {
                lock (_visibility)
                {
                    _indexFailure = e;
                    _refreshed.TrySetResult();
                }
                return;
            }
            if (read == 0)
            {
                var more = reader.WaitToReadAsync().AsTask();
                await Task.WhenAny(more, Task.Delay(dirty ? RefreshInterval : _unobserved.Count > 0 ? ObserverRetryInterval : CommitInterval));
            }
            else
            {
                // The indexing threads are shared by every tenant: a busy one takes turns with the others.
                await Task.Yield();
            }
        }
    }

    /// <summary>
    /// Events journaled and not yet indexed above which indexing defers to an intake burst (<see cref="BurstDeferral"/>):
    /// about half a second of indexing on one core, beyond which the backlog is no longer searchable within the second.
    /// </summary>
    public const int DeferAbovePendingEvents = 5_000;

    /// <summary>The longest indexing defers to one burst; it then indexes until the backlog is below <see cref="DeferAbovePendingEvents"/>.</summary>
    public static readonly TimeSpan MaxDeferral = TimeSpan.FromSeconds(2);

    /// <summary>A burst is over when no append has come for this long.</summary>
    public static readonly TimeSpan BurstGap = TimeSpan.FromMilliseconds(50);

    private static readonly TimeSpan DeferralStep = TimeSpan.FromMilliseconds(10);

    /// <summary>How long indexing has deferred to intake bursts since the index was opened.</summary>
    public TimeSpan Deferred => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _deferredTicks));

    /// <summary>The deferral steps indexing has begun since the index was opened (each waits about 10 ms, longer on a loaded machine).</summary>
    public long DeferralSteps => Interlocked.Read(ref _deferralSteps);

    private long _deferralSteps;

    /// <summary>The journal's group commits since the index was opened: how many fsyncs, and how long they took in all.</summary>
    public (long Count, TimeSpan Total) JournalSyncs => (Interlocked.Read(ref _syncs), Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _syncTicks)));

    /// <summary>The longest journal fsync since the last call, which starts the next period.</summary>
    public TimeSpan TakeLongestJournalSync() => Stopwatch.GetElapsedTime(0, Interlocked.Exchange(ref _longestSyncTicks, 0));

    private long _syncs;
    private long _syncTicks;
    private long _longestSyncTicks;

    /// <summary>
    /// Indexing defers to an intake burst. A request is acknowledged once journaled, but every collection the indexer's
    /// allocations start stops the requests too: measured on one core, a burst of 1,000-event requests met 5 to 10 young
    /// collections of 10 to 20 ms each from indexing beside it, and none without. So while appends keep coming faster
    /// than they are indexed (more than <see cref="DeferAbovePendingEvents"/> pending, where searching within the second
    /// is lost anyway), indexing waits for a gap of <see cref="BurstGap"/> between accepted appends, for at most
    /// <see cref="MaxDeferral"/> from the burst's first wait, and not again until the backlog is back under the threshold;
    /// it never waits while someone waits for the events to be searchable, nor once the index is being disposed. What was
    /// indexed before the wait is refreshed and observed first. A sustained stream beyond what indexing keeps up with
    /// therefore costs indexing at most one deferral.
    /// </summary>
    private sealed class BurstDeferral
    {
        private long _since;
        private bool _spent;

        public bool Holds(JournaledEventIndex index)
        {
            var pending = Volatile.Read(ref index._pendingEvents);
            var now = Stopwatch.GetTimestamp();
            if (pending <= index._deferAbovePendingEvents)
            {
                // The burst's backlog is indexed: the next one may be deferred to again, for a deferral of its own.
                _spent = false;
                _since = 0;
                return false;
            }
            if (_spent
                || index._disposing
                || Volatile.Read(ref index._waiters) > 0
                || Stopwatch.GetElapsedTime(Volatile.Read(ref index._lastArrival), now) >= BurstGap)
            {
                return false;
            }
            // Counted from the burst's first deferral, readers and gaps included: a detection run's refresh in the middle
            // of a burst does not start the allowance again.
            if (_since == 0)
            {
                _since = now;
            }
            else if (Stopwatch.GetElapsedTime(_since, now) >= MaxDeferral)
            {
                _spent = true;
                return false;
            }
            return true;
        }
    }

    /// <summary>Failures of the observer so far (it never stops indexing); the last one is <see cref="LastObserverFailure"/>.</summary>
    public long ObserverFailures => Interlocked.Read(ref _observerFailures);

    /// <summary>The observer's last failure, if any.</summary>
    public Exception? LastObserverFailure { get; private set; }

    private long _observerFailures;

    /// <summary>How long a failed observation waits before its retry when no new batch comes.</summary>
    public static readonly TimeSpan ObserverRetryInterval = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The most events waiting for the observer kept in memory while it fails; the batches beyond wait where they lie in the
    /// journal (which is kept from where the observer got to) and are read back in their turn: memory stays bounded during
    /// an outage of what the observer writes to, and detection still sees every batch once it is back.
    /// </summary>
    public const int MaxHeldUnobservedEvents = 200_000;

    /// <summary>
    /// The most events waiting for the observer in all; beyond, the oldest batches are given up (counted as failures) and
    /// the journal is let go of behind them: a long outage costs bounded disk, and an open replays at most these.
    /// </summary>
    public const int MaxUnobservedEvents = 1_000_000;

    /// <summary>Batches the observer's backlog read back from the journal because they did not fit in memory.</summary>
    public long ObservationsReadBack => Interlocked.Read(ref _observationsReadBack);

    private long _observationsReadBack;

    /// <summary>A batch waiting for the observer: its events, or, beyond the memory the backlog may hold, where it lies in the journal.</summary>
    private sealed class Unobserved(JournalPosition start, JournalPosition end, int count, IReadOnlyList<LogEvent>? events)
    {
        public JournalPosition Start { get; } = start;

        public JournalPosition End { get; } = end;

        public int Count { get; } = count;

        /// <summary>The events, or null while they are only in the journal.</summary>
        public IReadOnlyList<LogEvent>? Events { get; set; } = events;
    }

    private void Pend(JournalPosition start, JournalPosition end, IReadOnlyList<LogEvent> events)
    {
        var held = _unobserved.Count == 0 || _heldUnobservedEvents + events.Count <= _maxHeldUnobservedEvents;
        _unobserved.Enqueue(new Unobserved(start, end, events.Count, held ? events : null));
        _heldUnobservedEvents += held ? events.Count : 0;
        _unobservedEvents += events.Count;
        while (_unobservedEvents > _maxUnobservedEvents && _unobserved.Count > 1)
        {
            var givenUp = _unobserved.Dequeue();
            _unobservedEvents -= givenUp.Count;
            _heldUnobservedEvents -= givenUp.Events is null ? 0 : givenUp.Count;
            Interlocked.Increment(ref _observerFailures);
            MarkObserved(givenUp.End);
        }
    }

    /// <summary>Shows the waiting batches to the observer in order, stopping at the first failure (retried later).</summary>
    private async Task DrainObservationsAsync()
    {
        while (_observer is not null && _unobserved.TryPeek(out var next))
        {
            try
            {
                if (next.Events is null)
                {
                    // Its turn came: read back, and held until seen (a retry reads it no more).
                    next.Events = JournalRecords.Read(_journal.ReadAt(next.Start), _threatIntel).Events;
                    _heldUnobservedEvents += next.Count;
                    Interlocked.Increment(ref _observationsReadBack);
                }
                // On the pool, at normal priority: detection's signals are latency-bound, and the observer's own waits must
                // never hold the indexing threads.
                var events = next.Events;
                await Task.Run(() => _observer(events));
            }
            catch (Exception e)
            {
                // Detection failing must not stop logs from being indexed; the failure is kept for health checks.
                Interlocked.Increment(ref _observerFailures);
                LastObserverFailure = e;
                return;
            }
            _unobserved.Dequeue();
            _unobservedEvents -= next.Count;
            _heldUnobservedEvents -= next.Count;
            MarkObserved(next.End);
        }
    }

    private void MarkObserved(JournalPosition end)
    {
        _observed = end;
        try
        {
            // Written aside and renamed, so that a crash never leaves a torn position (which would read as the start).
            var temporary = _observedFile + ".tmp";
            File.WriteAllText(temporary, end.ToString());
            File.Move(temporary, _observedFile, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Only a restart would notice (by showing the observer a few batches again): never stop indexing for it.
            Interlocked.Increment(ref _observerFailures);
            LastObserverFailure = e;
        }
    }

    /// <summary>Tells the indexer the first batch still awaited (under <see cref="_visibility"/>).</summary>
    private void NoteFirstAwaited() => Volatile.Write(ref _awaitedBatch, _awaited.Count == 0 ? long.MaxValue : _awaited.Keys.First());

    private void Publish(long visibleBatch)
    {
        lock (_visibility)
        {
            _visibleBatch = visibleBatch;
            // Those waiting for what is now visible are answered; the first batch still awaited, if any, is next.
            while (_awaited.Count > 0 && _awaited.Keys.First() <= visibleBatch)
            {
                _awaited.Remove(_awaited.Keys.First());
            }
            NoteFirstAwaited();
            var done = _refreshed;
            _refreshed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            done.TrySetResult();
        }
    }

    /// <summary>Batches the indexer read back from the journal because they did not fit in memory (a backlog's measure).</summary>
    public long BatchesReadBack => Interlocked.Read(ref _batchesReadBack);

    private long _batchesReadBack;

    /// <summary>A journaled batch's events and their stored forms: as appended, normalised from its intake request, or read back.</summary>
    private (IReadOnlyList<LogEvent> Events, ReadOnlyMemory<byte>[] Sources) Contents(JournaledBatch batch)
    {
        switch (batch)
        {
            case { Events: { } events, Sources: { } sources }:
                return (events, sources);
            case { Intake: { } intake }:
                try
                {
                    return JournalRecords.Normalize(intake, _threatIntel);
                }
                finally
                {
                    intake.ReleaseBody();
                }
            default:
                Interlocked.Increment(ref _batchesReadBack);
                return JournalRecords.Read(_journal.ReadAt(batch.Start), _threatIntel);
        }
    }

    /// <summary>An append on its way to the journal: normalised events (and their stored forms), or an intake request.</summary>
    private sealed record PendingAppend(int Count, ReadOnlyMemory<byte> Head, ReadOnlyMemory<byte> Body, IReadOnlyList<LogEvent>? Events, ReadOnlyMemory<byte>[]? Sources, IntakeBatch? Intake, long Held)
    {
        public TaskCompletionSource Durable { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>A journaled append, in memory (<see cref="Held"/> bytes of the budget) or only where it is in the journal (none).</summary>
    private sealed record JournaledBatch(long Sequence, JournalPosition Start, JournalPosition End, int Count, long Held, IReadOnlyList<LogEvent>? Events, ReadOnlyMemory<byte>[]? Sources, IntakeBatch? Intake);
}
