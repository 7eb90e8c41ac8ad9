using System.Diagnostics;
using System.Text;
using System.Threading.Channels;
using Portal.Detection.Events;
using Portal.Search.Journal;

namespace Portal.Search.Lucene;

/// <summary>
/// A tenant's log index behind a write-ahead journal. An append is durable (and acknowledged) once its batch is
/// in the journal and fsynced; concurrent appends share one fsync (group commit). A background indexer adds the
/// journaled batches to Lucene, opens a near-real-time reader at least every <see cref="RefreshInterval"/>, and
/// commits the index every <see cref="CommitInterval"/> with the journal position it covers. On open, the journal
/// is replayed from that position, so after a crash every acknowledged event is indexed exactly once.
/// </summary>
public sealed class JournaledEventIndex : IDisposable
{
    /// <summary>Longest time between an acknowledgement and the event being searchable (when idle).</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>How often the index is committed (how much journal a crash replays, at most).</summary>
    public static readonly TimeSpan CommitInterval = TimeSpan.FromSeconds(5);

    private readonly WriteAheadJournal _journal;
    private readonly Channel<PendingAppend> _appends = Channel.CreateUnbounded<PendingAppend>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<JournaledBatch> _batches = Channel.CreateUnbounded<JournaledBatch>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly Task _writer;
    private readonly Task _indexer;
    private readonly int _maxPendingEvents;
    private readonly object _visibility = new();
    private TaskCompletionSource _refreshed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _pendingEvents;
    private long _ackedBatch;
    private long _visibleBatch;
    private int _waiters;
    private Exception? _indexFailure;
    private readonly Func<IReadOnlyList<LogEvent>, Task>? _observer;
    private readonly string _observedFile;
    /// <summary>Batches indexed but not yet seen by the observer, in journal order: it failed, or has not been called yet.</summary>
    private readonly Queue<(JournalPosition End, IReadOnlyList<LogEvent> Events)> _unobserved = new();
    private long _unobservedEvents;
    private JournalPosition _observed;

    /// <summary>
    /// Opens the index and journal under <paramref name="path"/>, replaying what the last commit missed.
    /// <paramref name="observer"/>, when given, sees every batch once it is indexed, in journal order, on the indexing
    /// loop (the real-time stage of detection). Where it got to is kept beside the index, and the journal is kept from
    /// there, so that after a crash it sees the batches it had not seen and, apart from the one it was seeing at the
    /// crash, none twice. When it fails, the batch is retried (after later batches are indexed, or every second when idle)
    /// and the batches behind it wait in order.
    /// </summary>
    public JournaledEventIndex(string path, int maxPendingEvents = 100_000, Func<IReadOnlyList<LogEvent>, Task>? observer = null)
    {
        _maxPendingEvents = maxPendingEvents;
        _observer = observer;
        _observedFile = Path.Combine(path, "observed");
        Index = new PartitionedEventIndex(Path.Combine(path, "index"));
        _journal = new WriteAheadJournal(Path.Combine(path, "journal"));
        _observed = File.Exists(_observedFile) ? JournalPosition.Parse(File.ReadAllText(_observedFile)) : JournalPosition.Start;
        Replay();
        _writer = Task.Run(WriteLoopAsync);
        _indexer = Task.Run(IndexLoopAsync);
    }

    /// <summary>The day-partitioned Lucene index, for searches.</summary>
    public PartitionedEventIndex Index { get; }

    /// <summary>Journals <paramref name="events"/>; returns once they are durable. Throws <see cref="StoreBusyException"/> when indexing is behind.</summary>
    public async Task AppendAsync(IReadOnlyList<LogEvent> events, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _indexFailure) is not null)
        {
            // Indexing stopped: refuse rather than acknowledge events nobody will see until a restart.
            throw new StoreBusyException(TimeSpan.FromSeconds(30));
        }
        if (Interlocked.Add(ref _pendingEvents, events.Count) > _maxPendingEvents)
        {
            Interlocked.Add(ref _pendingEvents, -events.Count);
            throw new StoreBusyException(TimeSpan.FromSeconds(1));
        }
        var sources = new string[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            sources[i] = LogEventJson.Serialize(events[i]);
        }
        var append = new PendingAppend(events, sources, Encoding.UTF8.GetBytes(string.Join('\n', sources)));
        if (!_appends.Writer.TryWrite(append))
        {
            Interlocked.Add(ref _pendingEvents, -events.Count);
            throw new ObjectDisposedException(nameof(JournaledEventIndex));
        }
        // The append is queued: its outcome no longer depends on the caller waiting, only its acknowledgement does.
        await append.Durable.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Returns once every event acknowledged before the call is searchable.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var target = Interlocked.Read(ref _ackedBatch);
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
                    wait = _refreshed.Task;
                }
                await wait.WaitAsync(cancellationToken);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _waiters);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _appends.Writer.TryComplete();
        _writer.GetAwaiter().GetResult();
        _batches.Writer.TryComplete();
        _indexer.GetAwaiter().GetResult();
        _journal.Dispose();
        Index.Dispose();
    }

    private void Replay()
    {
        JournalPosition? last = null;
        var checkpoint = Index.Checkpoint;
        var from = _observer is not null && _observed < checkpoint ? _observed : checkpoint;
        foreach (var (end, payload) in _journal.ReadFrom(from))
        {
            var events = Lines(payload).Select(source => (LogEventJson.Deserialize(source), source)).ToList();
            if (end > checkpoint)
            {
                Index.Add(events.Select(e => (e.Item1, e.source, false)), journaledThrough: end);
                last = end;
            }
            if (_observer is not null && end > _observed)
            {
                Pend(end, events.Select(e => e.Item1).ToList());
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
            var ends = new JournalPosition[group.Count];
            var good = _journal.End;
            try
            {
                for (var i = 0; i < group.Count; i++)
                {
                    ends[i] = _journal.Append(group[i].Payload);
                }
                _journal.Sync();
            }
            catch (Exception e)
            {
                _journal.Rewind(good);
                foreach (var failed in group)
                {
                    Interlocked.Add(ref _pendingEvents, -failed.Events.Count);
                    failed.Durable.TrySetException(e);
                }
                continue;
            }
            for (var i = 0; i < group.Count; i++)
            {
                batch++;
                await _batches.Writer.WriteAsync(new JournaledBatch(batch, ends[i], group[i].Events, group[i].Sources));
                Interlocked.Exchange(ref _ackedBatch, batch);
                group[i].Durable.TrySetResult();
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
        while (true)
        {
            var read = 0;
            try
            {
                while (read < 2_000 && reader.TryRead(out var batch))
                {
                    Index.Add(batch.Events.Select((e, i) => (e, batch.Sources[i], false)));
                    if (_observer is not null)
                    {
                        Pend(batch.End, batch.Events);
                    }
                    indexedBatch = batch.Sequence;
                    uncommitted = batch.End;
                    read += batch.Events.Count;
                    Interlocked.Add(ref _pendingEvents, -batch.Events.Count);
                    dirty = true;
                }
                await DrainObservationsAsync();
                if (dirty && (Volatile.Read(ref _waiters) > 0 || sinceRefresh.Elapsed >= RefreshInterval))
                {
                    Index.Refresh();
                    dirty = false;
                    sinceRefresh.Restart();
                    Publish(indexedBatch);
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
    /// The most events kept waiting for the observer while it fails; beyond, the oldest batches are given up (counted as
    /// failures): memory stays bounded during a long outage of what the observer writes to.
    /// </summary>
    public const int MaxUnobservedEvents = 200_000;

    private void Pend(JournalPosition end, IReadOnlyList<LogEvent> events)
    {
        _unobserved.Enqueue((end, events));
        _unobservedEvents += events.Count;
        while (_unobservedEvents > MaxUnobservedEvents && _unobserved.Count > 1)
        {
            var (givenUp, lost) = _unobserved.Dequeue();
            _unobservedEvents -= lost.Count;
            Interlocked.Increment(ref _observerFailures);
            MarkObserved(givenUp);
        }
    }

    /// <summary>Shows the waiting batches to the observer in order, stopping at the first failure (retried later).</summary>
    private async Task DrainObservationsAsync()
    {
        while (_observer is not null && _unobserved.TryPeek(out var next))
        {
            try
            {
                await _observer(next.Events);
            }
            catch (Exception e)
            {
                // Detection failing must not stop logs from being indexed; the failure is kept for health checks.
                Interlocked.Increment(ref _observerFailures);
                LastObserverFailure = e;
                return;
            }
            _unobserved.Dequeue();
            _unobservedEvents -= next.Events.Count;
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

    private void Publish(long visibleBatch)
    {
        lock (_visibility)
        {
            _visibleBatch = visibleBatch;
            var done = _refreshed;
            _refreshed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            done.TrySetResult();
        }
    }

    private static IEnumerable<string> Lines(byte[] payload) =>
        Encoding.UTF8.GetString(payload).Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private sealed record PendingAppend(IReadOnlyList<LogEvent> Events, string[] Sources, byte[] Payload)
    {
        public TaskCompletionSource Durable { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed record JournaledBatch(long Sequence, JournalPosition End, IReadOnlyList<LogEvent> Events, string[] Sources);
}
