using System.Globalization;
using global::Lucene.Net.Index;
using global::Lucene.Net.Search;
using Portal.Detection.Events;
using Portal.Detection.Query;
using Portal.Search.Journal;

namespace Portal.Search.Lucene;

/// <summary>
/// A tenant's log index split into one Lucene index per UTC day (<c>{path}/2026-11-28</c>), so that a search
/// opens only the days its range covers and retention deletes whole days. Written by one indexing loop
/// (<see cref="JournaledEventIndex"/>), which shares each batch with a second thread when one is free; searched concurrently.
/// </summary>
/// <remarks>
/// Each partition's commit records the journal position it covers, and <c>{path}/checkpoint</c> records the
/// position every partition had reached at the last complete commit. Replay starts at the checkpoint and skips,
/// per partition, what that partition had already committed: a crash between two partitions' commits neither
/// loses nor duplicates events.
/// </remarks>
public sealed class PartitionedEventIndex : IDisposable
{
    private const string JournalKey = "journal";
    private const string CheckpointFile = "checkpoint";
    private const string DayFormat = "yyyy-MM-dd";

    /// <summary>Key of the index written before partitioning (searched for every range, never dropped by retention).</summary>
    private static readonly DateOnly Unpartitioned = DateOnly.MinValue;

    private readonly string _path;
    private readonly object _gate = new();

    /// <summary>Held by <see cref="Add"/> for its whole run and by <see cref="DropBefore"/> (before <see cref="_gate"/>): retention never closes a partition documents are being added to.</summary>
    private readonly object _adding = new();
    private readonly SortedDictionary<DateOnly, Partition> _partitions = [];

    /// <summary>Opens every partition under <paramref name="path"/>.</summary>
    public PartitionedEventIndex(string path)
    {
        _path = path;
        Directory.CreateDirectory(path);
        DeleteDropped(path);
        try
        {
            var legacy = MoveUnpartitionedIndex();
            if (legacy is not null)
            {
                _partitions[Unpartitioned] = Open(legacy);
            }
            foreach (var (day, dir) in PartitionsIn(path))
            {
                _partitions[day] = Open(dir);
            }
        }
        catch
        {
            // The partitions opened let go of their files and write locks: opening again (once the fault is mended) finds
            // them free, where they stayed held by this half-made index until the process ended.
            Close();
            throw;
        }
        var checkpoint = Path.Combine(path, CheckpointFile);
        Checkpoint = File.Exists(checkpoint)
            ? JournalPosition.Parse(File.ReadAllText(checkpoint))
            : _partitions.TryGetValue(Unpartitioned, out var old) ? old.Committed : JournalPosition.Start;
    }

    /// <summary>The journal position every partition had committed at the last complete <see cref="Commit"/>.</summary>
    public JournalPosition Checkpoint { get; private set; }

    /// <summary>The day partitions on disk under <paramref name="path"/> (an index's directory), by their day; none when it does not exist.</summary>
    public static IEnumerable<(DateOnly Day, string Directory)> PartitionsIn(string path)
    {
        if (!Directory.Exists(path))
        {
            yield break;
        }
        foreach (var dir in Directory.EnumerateDirectories(path))
        {
            if (DateOnly.TryParseExact(Path.GetFileName(dir), DayFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            {
                yield return (day, dir);
            }
        }
    }

    /// <summary>The days that have a partition, oldest first.</summary>
    public IReadOnlyList<DateOnly> Days
    {
        get
        {
            lock (_gate)
            {
                return _partitions.Keys.Where(d => d != Unpartitioned).ToList();
            }
        }
    }

    /// <summary>The partition (UTC day) of an event time.</summary>
    public static DateOnly DayOf(DateTimeOffset timestamp) => DateOnly.FromDateTime(timestamp.UtcDateTime);

    /// <summary>
    /// Adds events (<paramref name="sources"/> are their stored forms) to their days' partitions, on two threads when one
    /// is free (<see cref="SharedWork"/>); searchable after <see cref="Refresh"/>. When replaying the journal,
    /// <paramref name="journaledThrough"/> is the end of the batch, and partitions that committed it already skip it.
    /// </summary>
    public void Add(IReadOnlyList<LogEvent> events, IReadOnlyList<ReadOnlyMemory<byte>> sources, JournalPosition? journaledThrough = null)
    {
        lock (_adding)
        {
            AddUnderLock(events, sources, journaledThrough);
        }
    }

    private void AddUnderLock(IReadOnlyList<LogEvent> events, IReadOnlyList<ReadOnlyMemory<byte>> sources, JournalPosition? journaledThrough)
    {
        var targets = new Partition?[events.Count];
        Partition? last = null;
        var lastDay = default(DateOnly);
        for (var i = 0; i < events.Count; i++)
        {
            var day = DayOf(events[i].Timestamp);
            if (last is null || day != lastDay)
            {
                (last, lastDay) = (GetOrCreate(day), day);
            }
            if (journaledThrough is { } end && last.Committed >= end)
            {
                continue;
            }
            targets[i] = last;
            last.Unrefreshed = last.Uncommitted = true;
        }
        SharedWork.For(events.Count, i => targets[i]?.Index.Add(events[i], sources[i]));
    }

    /// <summary>Opens near-real-time readers on the partitions written since the last refresh.</summary>
    public void Refresh()
    {
        // Under the lock retention holds: a partition it drops is never refreshed or committed after it was closed.
        lock (_adding)
        {
            foreach (var partition in Snapshot().Where(p => p.Unrefreshed))
            {
                partition.Unrefreshed = false;
                partition.Index.Refresh();
            }
        }
    }

    /// <summary>Commits every partition written since the last commit as covering the journal up to <paramref name="position"/>, then the checkpoint.</summary>
    public void Commit(JournalPosition position)
    {
        lock (_adding)
        {
            foreach (var partition in Snapshot().Where(p => p.Uncommitted))
            {
                partition.Index.Commit(new Dictionary<string, string> { [JournalKey] = position.ToString() });
                // Lucene syncs the commit's files, not their names: the partition's directory is synced too (and below,
                // the index's, which names the partition), before the checkpoint lets the journal behind it go.
                DirectorySync.Flush(partition.Path);
                partition.Committed = position;
                partition.Uncommitted = false;
            }
        }
        var temporary = Path.Combine(_path, CheckpointFile + ".tmp");
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write))
        {
            file.Write(System.Text.Encoding.ASCII.GetBytes(position.ToString()));
            file.Flush(flushToDisk: true);
        }
        File.Move(temporary, Path.Combine(_path, CheckpointFile), overwrite: true);
        // The rename is durable before the journal behind the checkpoint is deleted.
        DirectorySync.Flush(_path);
        Checkpoint = position;
    }

    /// <summary>Closes and deletes the partitions of days before <paramref name="firstKept"/>; returns the days dropped.</summary>
    public IReadOnlyList<DateOnly> DropBefore(DateOnly firstKept)
    {
        List<KeyValuePair<DateOnly, Partition>> dropped;
        var renamed = new List<string>();
        // Under the lock: a search acquires its partitions' searchers under it too, and the indexer creates
        // partitions under it, so neither meets a partition that is half closed; and after any batch being added,
        // refreshed or committed, whose documents may be bound for a partition dropped here.
        lock (_adding)
        {
            lock (_gate)
            {
                dropped = _partitions.Where(p => p.Key != Unpartitioned && p.Key < firstKept).ToList();
                foreach (var (day, partition) in dropped)
                {
                    _partitions.Remove(day);
                    partition.Index.Abandon();
                    // Renamed in one step before its files are deleted one by one: killed midway, the deletion leaves a
                    // directory that is no day (finished at the next open), never a day's partition missing files, which
                    // could not be opened again.
                    var gone = $"{partition.Path}{DroppedSuffix}{DateTime.UtcNow.Ticks}";
                    Directory.Move(partition.Path, gone);
                    renamed.Add(gone);
                }
            }
        }
        // Outside the locks: searches and indexing go on while the files are deleted.
        foreach (var gone in renamed)
        {
            Directory.Delete(gone, recursive: true);
        }
        return dropped.Select(d => d.Key).ToList();
    }

    /// <summary>What a dropped partition's directory is renamed with before its deletion (<see cref="DropBefore"/>).</summary>
    private const string DroppedSuffix = ".dropped-";

    /// <summary>Finishes the deletions of dropped partitions a crash cut short (<see cref="DropBefore"/>).</summary>
    private static void DeleteDropped(string path)
    {
        foreach (var dir in Directory.EnumerateDirectories(path).Where(d => Path.GetFileName(d).Contains(DroppedSuffix, StringComparison.Ordinal)).ToList())
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // No day of the index: it waits for the next open rather than keep the organisation's logs closed.
            }
        }
    }

    /// <summary>
    /// Documents matching <paramref name="query"/> in <c>[from, to)</c>, newest first (or oldest), after an optional cursor. Logs are
    /// paged, not counted: <see cref="SearchPage.TotalHits"/> counts the documents looked at, exact only when the page is
    /// not full (the histogram's total is the count).
    /// </summary>
    public SearchPage Search(QueryNode query, DateTimeOffset from, DateTimeOffset to, int limit, SearchCursor? after, bool oldestFirst = false, CancellationToken cancellation = default)
    {
        // Only the days on the cursor's far side are opened: the search bounds the time there too.
        var (first, last) = after is not { } cursor ? (from, to)
            : oldestFirst ? (Later(from, DateTimeOffset.FromUnixTimeMilliseconds(cursor.TimestampMs)), to)
            : (from, Earlier(to, DateTimeOffset.FromUnixTimeMilliseconds(cursor.TimestampMs).AddMilliseconds(1)));
        return WithSearcher(first, last, s => EventSearcher.Search(s, query, from, to, limit, after, exactTotal: false, oldestFirst, cancellation));
    }

    /// <summary>The message and status of each of the newest <paramref name="limit"/> matches in <c>[from, to)</c>, newest first.</summary>
    public List<LogLine> Lines(QueryNode query, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellation = default) =>
        WithSearcher(from, to, s => EventSearcher.Lines(s, query, from, to, limit, cancellation));

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset Earlier(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    /// <summary>Every stored source matching the query in <c>[from, to)</c>, unordered.</summary>
    public List<string> ScanSources(QueryNode query, DateTimeOffset from, DateTimeOffset to, int limit = int.MaxValue, CancellationToken cancellation = default) =>
        WithSearcher(from, to, s => EventSearcher.ScanSources(s, query, from, to, limit, cancellation));

    /// <summary>
    /// <paramref name="read"/> over the stored sources matching the query in <c>[from, to)</c>, unordered, each read from the
    /// index as it is enumerated (<see cref="EventSearcher.Sources"/>); the enumeration is valid only within the call.
    /// </summary>
    public T ReadSources<T>(QueryNode query, DateTimeOffset from, DateTimeOffset to, Func<IEnumerable<string>, T> read, CancellationToken cancellation = default) =>
        WithSearcher(from, to, s => read(EventSearcher.Sources(s, query, from, to, cancellation)));

    /// <summary>Histogram and facet counts of the documents matching the query in <c>[from, to)</c>, the histogram stacked by <paramref name="stackBy"/> when given.</summary>
    /// <remarks><paramref name="maxCells"/> bounds the stack's value-by-bucket table per segment (tests lower it).</remarks>
    public LogAnalytics Analyze(
        QueryNode query, DateTimeOffset from, DateTimeOffset to, TimeSpan interval, IReadOnlyList<string> facets, int facetSize, int attributeFacets = 0,
        string? stackBy = null, int stackLimit = 10, long maxCells = SeriesCollector.MaxCells, TimeSpan offset = default, CancellationToken cancellation = default) =>
        WithSearcher(from, to, s => EventSearcher.Analyze(s, query, from, to, interval, facets, facetSize, attributeFacets, stackBy, stackLimit, maxCells, offset, cancellation: cancellation));

    /// <summary>A timeseries of the matches grouped by the top values of a reserved facet, in one pass.</summary>
    /// <remarks><paramref name="maxCells"/> bounds the value-by-bucket table a segment counts into (tests lower it).</remarks>
    public GroupedSeries Series(
        QueryNode query, DateTimeOffset from, DateTimeOffset to, TimeSpan interval, string facet, int limit, long maxCells = SeriesCollector.MaxCells, IReadOnlyList<string>? values = null,
        CancellationToken cancellation = default) =>
        WithSearcher(from, to, s => EventSearcher.Series(s, query, from, to, interval, facet, limit, maxCells, values, cancellation));

    /// <summary>Attributes and tag keys of the days covering <c>[from, to)</c>, most common first.</summary>
    public List<FieldSummary> Fields(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellation = default) =>
        WithSearcher(from, to, s => EventSearcher.Fields(s, cancellation));

    /// <summary>Distinct values of a field among the documents matching the query in <c>[from, to)</c>.</summary>
    public long Cardinality(QueryNode query, DateTimeOffset from, DateTimeOffset to, FieldRef field, CancellationToken cancellation = default) =>
        WithSearcher(from, to, s => EventSearcher.Cardinality(s, query, from, to, field, cancellation));

    /// <summary>Datadog's log aggregation of the documents matching the request.</summary>
    /// <exception cref="AggregateTooLargeException">More than <paramref name="maxGroups"/> groups.</exception>
    public List<AggregateBucket> Aggregate(AggregateRequest request, int maxGroups = AggregationCollector.MaxGroups, CancellationToken cancellation = default) =>
        WithSearcher(request.From, request.To, s => EventSearcher.Aggregate(s, request, maxGroups, cancellation));

    /// <summary>Number of documents matching the query in <c>[from, to)</c>.</summary>
    public int Count(QueryNode query, DateTimeOffset from, DateTimeOffset to) =>
        WithSearcher(from, to, s => EventSearcher.Count(s, query, from, to));

    /// <summary>
    /// The stored source of the document with <paramref name="id"/>, or null: given <paramref name="at"/> (its event's
    /// time, to the millisecond), among the documents of that millisecond in its day's partition, then, not there, among
    /// all of that day's; else in any partition.
    /// </summary>
    public string? Get(string id, DateTimeOffset? at = null)
    {
        if (at is not { } time || DayOf(time) == DateOnly.MaxValue)
        {
            return WithSearcher(DateTimeOffset.MinValue, DateTimeOffset.MaxValue, s => EventSearcher.Get(s, id, keyed: false));
        }
        var day = DayOf(time);
        var (from, to) = (new DateTimeOffset(day, TimeOnly.MinValue, TimeSpan.Zero), new DateTimeOffset(day.AddDays(1), TimeOnly.MinValue, TimeSpan.Zero));
        return WithSearcher(from, to, s => EventSearcher.Get(s, id, keyed: false, time.ToUnixTimeMilliseconds()) ?? EventSearcher.Get(s, id, keyed: false));
    }

    /// <summary>
    /// Closes the partitions. What was added since the last <see cref="Commit"/> is not committed: the journal replays it
    /// from the checkpoint (closing a partition committed it under its last commit's position, and the replay added it again).
    /// </summary>
    public void Dispose() => Close();

    private void Close()
    {
        lock (_gate)
        {
            // Every partition is closed, whichever fails (its files deleted under it): the others' write locks are let go.
            var partitions = _partitions.Values.ToList();
            _partitions.Clear();
            CloseEach.Of(partitions, p => p.Index.Abandon());
        }
    }

    /// <summary>
    /// Runs <paramref name="search"/> over the partitions that can hold events of <c>[from, to)</c>: one partition's
    /// own searcher, or a searcher over a <see cref="MultiReader"/> of theirs.
    /// </summary>
    private T WithSearcher<T>(DateTimeOffset from, DateTimeOffset to, Func<IndexSearcher, T> search)
    {
        var first = from == DateTimeOffset.MinValue ? DateOnly.MinValue : DayOf(from);
        var last = to == DateTimeOffset.MaxValue ? DateOnly.MaxValue : DayOf(to.AddTicks(-1));
        var acquired = new List<(Partition Partition, IndexSearcher Searcher)>();
        try
        {
            lock (_gate)
            {
                foreach (var (day, partition) in _partitions)
                {
                    if (day == Unpartitioned || (day >= first && day <= last))
                    {
                        acquired.Add((partition, partition.Index.Acquire()));
                    }
                }
            }
            if (acquired.Count == 1)
            {
                return search(acquired[0].Searcher);
            }
            using var reader = new MultiReader([.. acquired.Select(a => a.Searcher.IndexReader)], closeSubReaders: false);
            return search(new IndexSearcher(reader));
        }
        finally
        {
            // A searcher keeps its files readable after its partition is dropped; releasing it frees them.
            foreach (var (partition, searcher) in acquired)
            {
                partition.Index.Release(searcher);
            }
        }
    }

    /// <summary>Returns once every partition's background merges have finished, then makes their result searchable.</summary>
    internal void WaitForMerges()
    {
        foreach (var partition in Snapshot())
        {
            partition.Index.WaitForMerges();
            partition.Index.Refresh();
        }
    }

    private List<Partition> Snapshot()
    {
        lock (_gate)
        {
            return [.. _partitions.Values];
        }
    }

    private Partition GetOrCreate(DateOnly day)
    {
        lock (_gate)
        {
            if (!_partitions.TryGetValue(day, out var partition))
            {
                partition = Open(Path.Combine(_path, day.ToString(DayFormat, CultureInfo.InvariantCulture)));
                // A first, empty commit right away: from now on the partition always has a readable commit to fall
                // back to, however a later commit is cut short.
                partition.Index.Commit(new Dictionary<string, string> { [JournalKey] = partition.Committed.ToString() });
                _partitions[day] = partition;
            }
            return partition;
        }
    }

    private static Partition Open(string path)
    {
        LuceneEventIndex index;
        try
        {
            index = new LuceneEventIndex(path, keyed: false);
        }
        catch (IOException) when (OnlyCommitIsTorn(path))
        {
            // Killed while the partition's first commit was being written: it holds nothing that the journal
            // does not replay (every commit before the checkpoint includes it), so it starts again empty. The torn
            // files are kept aside, not deleted, for whoever wants to look at them.
            Directory.Move(path, $"{path}.torn-{DateTime.UtcNow:yyyyMMddHHmmss}");
            index = new LuceneEventIndex(path, keyed: false);
        }
        var committed = JournalPosition.Parse(index.CommitData.TryGetValue(JournalKey, out var text) ? text : null);
        return new Partition(path, index) { Committed = committed };
    }

    /// <summary>True when the only commit of the index at <paramref name="path"/> is the first one, and unreadable.</summary>
    private static bool OnlyCommitIsTorn(string path)
    {
        var commits = Directory.EnumerateFiles(path, "segments_*").Select(Path.GetFileName).ToList();
        if (commits is not ["segments_1"])
        {
            return false;
        }
        try
        {
            using var directory = global::Lucene.Net.Store.FSDirectory.Open(path);
            new SegmentInfos().Read(directory);
            return false;
        }
        catch (Exception e) when (e is EndOfStreamException or CorruptIndexException or FileNotFoundException)
        {
            // Only a commit cut short (or named by segments.gen but never written) counts: any other failure
            // (too many open files...) is not a reason to start over.
            return true;
        }
    }

    /// <summary>
    /// Indexes written before partitioning kept their files directly under the path: they move to
    /// <c>{path}/unpartitioned</c> and stay searchable for every range.
    /// </summary>
    private string? MoveUnpartitionedIndex()
    {
        var legacy = Path.Combine(_path, "unpartitioned");
        var moving = legacy + ".moving";
        var files = Directory.EnumerateFiles(_path)
            .Where(f => Path.GetFileName(f) is var name && name != CheckpointFile && !name.EndsWith(".tmp", StringComparison.Ordinal))
            .ToList();
        // Files are moved into a side directory first, then the directory is renamed in one step: a crash midway
        // leaves the side directory, and the next start finishes the move.
        if (files.Any(f => Path.GetFileName(f).StartsWith("segments", StringComparison.Ordinal)) || Directory.Exists(moving))
        {
            Directory.CreateDirectory(moving);
            foreach (var file in files)
            {
                File.Move(file, Path.Combine(moving, Path.GetFileName(file)), overwrite: true);
            }
            Directory.Move(moving, legacy);
        }
        return Directory.Exists(legacy) ? legacy : null;
    }

    private sealed class Partition(string path, LuceneEventIndex index)
    {
        public string Path { get; } = path;

        public LuceneEventIndex Index { get; } = index;

        /// <summary>The journal position of this partition's last commit.</summary>
        public JournalPosition Committed { get; set; }

        public bool Unrefreshed { get; set; }

        public bool Uncommitted { get; set; }
    }
}
