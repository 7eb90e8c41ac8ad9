using System.Text;
using global::Lucene.Net.Analysis.Core;
using global::Lucene.Net.Index;
using global::Lucene.Net.Search;
using global::Lucene.Net.Store;
using global::Lucene.Net.Util;
using Portal.Detection.Events;
using Portal.Detection.Query;

namespace Portal.Search.Lucene;

/// <summary>
/// One Lucene index of event-shaped documents (logs or signals) for one tenant. Writes are made
/// durable with group commit: concurrent writers share one commit, and a writer returns only once
/// a commit that includes its documents has completed. Searches use a near-real-time reader refreshed
/// after each commit.
/// </summary>
public sealed class LuceneEventIndex : IDisposable
{
    private static readonly LuceneVersion Version = LuceneVersion.LUCENE_48;
    private readonly FSDirectory _directory;
    private readonly IndexWriter _writer;
    private readonly SearcherManager _searchers;
    private readonly SemaphoreSlim _commitLock = new(1, 1);
    private long _addedGeneration;
    private long _committedGeneration;

    /// <summary>
    /// The attribute paths with fields of their own in this index (<see cref="AttributeFields"/>), read from the index on
    /// the first write: the past days a tenant only searches never hold the set.
    /// </summary>
    private AttributeFields? _attributes;

    private readonly int _maxAttributePaths;

    /// <summary>Whether documents carry their id as a term, so that they can be replaced (<see cref="LuceneFields.Id"/>).</summary>
    private readonly bool _keyed;

    /// <summary>
    /// Opens (or creates) the index in <paramref name="path"/>. Only a <paramref name="keyed"/> index replaces documents
    /// with the same id (<see cref="Add(IEnumerable{ValueTuple{LogEvent, string, bool}})"/>); an index of events that are
    /// only ever added (a log partition) is faster to write without.
    /// </summary>
    public LuceneEventIndex(string path, bool keyed = true)
        : this(path, AttributeFields.DefaultLimit, keyed)
    {
    }

    /// <summary>Opens (or creates) the index in <paramref name="path"/>, with fields for up to <paramref name="maxAttributePaths"/> attribute paths.</summary>
    internal LuceneEventIndex(string path, int maxAttributePaths, bool keyed = true)
    {
        System.IO.Directory.CreateDirectory(path);
        _directory = FSDirectory.Open(path);
        var config = new IndexWriterConfig(Version, new WhitespaceAnalyzer(Version))
        {
            OpenMode = OpenMode.CREATE_OR_APPEND,
            RAMBufferSizeMB = 32,
            // Each indexing thread flushes its own segment when it holds this many documents (SharedWork adds on two
            // threads), rather than the next reader flushing them all on one thread.
            MaxBufferedDocs = 10_000,
            Codec = VigilCodec.Instance,
            MergeScheduler = new BackgroundMergeScheduler(),
        };
        _writer = new IndexWriter(_directory, config);
        _searchers = new SearcherManager(_writer, applyAllDeletes: true, searcherFactory: null);
        _maxAttributePaths = maxAttributePaths;
        _keyed = keyed;
    }

    /// <summary>Attribute values given no field of their own since the index was opened, their path beyond the limit.</summary>
    internal long OverflowingAttributes => _attributes?.Refused ?? 0;

    /// <summary>The path set, made on first use (without a delegate per document once it exists).</summary>
    private AttributeFields Attributes => Volatile.Read(ref _attributes) ?? CreateAttributes();

    private AttributeFields CreateAttributes()
    {
        var made = new AttributeFields(WithSearcher(AttributePaths), _maxAttributePaths);
        return Interlocked.CompareExchange(ref _attributes, made, null) ?? made;
    }

    /// <summary>User data of the last commit (e.g. how far a journal has been indexed).</summary>
    public IDictionary<string, string> CommitData => _writer.CommitData;

    /// <summary>Adds documents (or replaces those with the same id) and returns once they are committed.</summary>
    public async Task WriteDurablyAsync(IEnumerable<(LogEvent Searchable, string SourceJson, bool Replace)> items, CancellationToken cancellationToken)
    {
        Add(items);
        var mine = Interlocked.Increment(ref _addedGeneration);
        await CommitThroughAsync(mine, cancellationToken);
    }

    /// <summary>Adds (or replaces) documents without committing; they become searchable at the next <see cref="Refresh"/>.</summary>
    public void Add(IEnumerable<(LogEvent Searchable, string SourceJson, bool Replace)> items)
    {
        var all = items.ToList();
        if (!_keyed && all.Any(item => item.Replace))
        {
            throw new InvalidOperationException("This index keeps no ids as terms: its documents cannot be replaced.");
        }
        try
        {
            foreach (var (searchable, sourceJson, replace) in all)
            {
                var doc = BuildOrFallback(searchable, Encoding.UTF8.GetBytes(sourceJson));
                if (replace)
                {
                    _writer.UpdateDocument(new Term(LuceneFields.Id, searchable.Id), doc);
                }
                else
                {
                    _writer.AddDocument(doc);
                }
            }
        }
        finally
        {
            EventDocument.Release();
        }
    }

    /// <summary>
    /// Adds one document without committing (safe to call from several threads at once); <paramref name="source"/> is its
    /// stored form, UTF-8 JSON.
    /// </summary>
    public void Add(LogEvent searchable, ReadOnlyMemory<byte> source)
    {
        try
        {
            _writer.AddDocument(BuildOrFallback(searchable, source));
        }
        finally
        {
            EventDocument.Release();
        }
    }

    /// <summary>
    /// The event's document; if its attributes cannot be read (the intake refuses such events, but a journal written
    /// by an older version may hold one), the event is indexed by its reserved fields and text only, and kept whole in
    /// its stored source, rather than stopping every later event of the tenant from being indexed.
    /// </summary>
    private global::Lucene.Net.Documents.Document BuildOrFallback(LogEvent e, ReadOnlyMemory<byte> source)
    {
        try
        {
            return EventDocument.Build(e, source, Attributes, _keyed);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or FormatException)
        {
            var bare = new LogEvent { Id = e.Id, Timestamp = e.Timestamp, Host = e.Host, Service = e.Service, Source = e.Source, Status = e.Status, Message = e.Message, Tags = e.Tags };
            return EventDocument.Build(bare, source, Attributes, _keyed);
        }
    }

    /// <summary>The attribute paths that have fields in the index already (a reopened index's, which count towards its limit).</summary>
    private static List<string> AttributePaths(IndexSearcher searcher) =>
        MultiFields.GetMergedFieldInfos(searcher.IndexReader)
            .Select(field => field.Name)
            .Where(name => name.StartsWith(LuceneFields.Attribute(""), StringComparison.Ordinal))
            .Select(name => name[LuceneFields.Attribute("").Length..])
            .ToList();

    /// <summary>Opens a near-real-time reader over everything added so far (no commit, no fsync).</summary>
    public void Refresh() => _searchers.MaybeRefreshBlocking();

    /// <summary>Returns once the background merges running or pending have finished (benchmarks measure a settled index).</summary>
    internal void WaitForMerges() => _writer.WaitForMerges();

    /// <summary>Commits everything added so far with <paramref name="data"/> as the commit's user data.</summary>
    public void Commit(IDictionary<string, string> data)
    {
        _writer.SetCommitData(data);
        _writer.Commit();
    }

    /// <summary>Documents matching <paramref name="query"/> in <c>[from, to)</c>, newest first (or oldest), after an optional cursor.</summary>
    public SearchPage Search(QueryNode query, DateTimeOffset from, DateTimeOffset to, int limit, SearchCursor? after, bool oldestFirst = false, CancellationToken cancellation = default) =>
        WithSearcher(s => EventSearcher.Search(s, query, from, to, limit, after, oldestFirst: oldestFirst, cancellation: cancellation));

    /// <summary>Every stored source matching the query in <c>[from, to)</c>, unordered.</summary>
    public List<string> ScanSources(QueryNode query, DateTimeOffset from, DateTimeOffset to) =>
        WithSearcher(s => EventSearcher.ScanSources(s, query, from, to));

    /// <summary>Number of documents matching the query in <c>[from, to)</c>.</summary>
    public int Count(QueryNode query, DateTimeOffset from, DateTimeOffset to) =>
        WithSearcher(s => EventSearcher.Count(s, query, from, to));

    /// <summary>The stored source of the document with <paramref name="id"/>, or null.</summary>
    public string? Get(string id) => WithSearcher(s => EventSearcher.Get(s, id, _keyed));

    /// <summary>Runs <paramref name="search"/> on the current near-real-time searcher.</summary>
    public T WithSearcher<T>(Func<IndexSearcher, T> search)
    {
        var searcher = _searchers.Acquire();
        try
        {
            return search(searcher);
        }
        finally
        {
            _searchers.Release(searcher);
        }
    }

    /// <summary>Takes a reference on the current searcher; give it back with <see cref="Release"/>.</summary>
    internal IndexSearcher Acquire() => _searchers.Acquire();

    /// <summary>Returns a searcher taken with <see cref="Acquire"/>.</summary>
    internal void Release(IndexSearcher searcher) => _searchers.Release(searcher);

    /// <summary>Closes the index, committing what was added since its last commit (with that commit's data).</summary>
    public void Dispose()
    {
        _searchers.Dispose();
        _writer.Dispose();
        _directory.Dispose();
        _commitLock.Dispose();
    }

    /// <summary>
    /// Closes the index without committing: what was added since the last commit is dropped, as after a crash. An index
    /// whose commits record how far a journal was indexed closes this way, for closing it with <see cref="Dispose"/> would
    /// commit the documents added since under the last commit's position, and the journal would add them again.
    /// </summary>
    public void Abandon()
    {
        _searchers.Dispose();
        _writer.Rollback();
        _directory.Dispose();
        _commitLock.Dispose();
    }

    private async Task CommitThroughAsync(long generation, CancellationToken cancellationToken)
    {
        await _commitLock.WaitAsync(cancellationToken);
        try
        {
            if (Interlocked.Read(ref _committedGeneration) >= generation)
            {
                return; // another writer's commit already covered our documents
            }
            var target = Interlocked.Read(ref _addedGeneration);
            _writer.Commit();
            _searchers.MaybeRefreshBlocking();
            Interlocked.Exchange(ref _committedGeneration, target);
        }
        finally
        {
            _commitLock.Release();
        }
    }
}

/// <summary>A page of stored sources and the total number of hits.</summary>
public sealed record SearchPage(IReadOnlyList<string> Sources, int TotalHits);
