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
    private static readonly ISet<string> SourceOnly = new HashSet<string> { LuceneFields.Source };
    private readonly FSDirectory _directory;
    private readonly IndexWriter _writer;
    private readonly SearcherManager _searchers;
    private readonly SemaphoreSlim _commitLock = new(1, 1);
    private long _addedGeneration;
    private long _committedGeneration;

    /// <summary>Opens (or creates) the index in <paramref name="path"/>.</summary>
    public LuceneEventIndex(string path)
    {
        System.IO.Directory.CreateDirectory(path);
        _directory = FSDirectory.Open(path);
        var config = new IndexWriterConfig(Version, new WhitespaceAnalyzer(Version))
        {
            OpenMode = OpenMode.CREATE_OR_APPEND,
            RAMBufferSizeMB = 32,
        };
        _writer = new IndexWriter(_directory, config);
        _searchers = new SearcherManager(_writer, applyAllDeletes: true, searcherFactory: null);
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
        foreach (var (searchable, sourceJson, replace) in items)
        {
            var doc = EventDocument.Build(searchable, sourceJson);
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

    /// <summary>Opens a near-real-time reader over everything added so far (no commit, no fsync).</summary>
    public void Refresh() => _searchers.MaybeRefreshBlocking();

    /// <summary>Commits everything added so far with <paramref name="data"/> as the commit's user data.</summary>
    public void Commit(IDictionary<string, string> data)
    {
        _writer.SetCommitData(data);
        _writer.Commit();
    }

    /// <summary>Documents matching <paramref name="query"/> in <c>[from, to)</c>, newest first, after an optional cursor.</summary>
    public SearchPage Search(QueryNode query, DateTimeOffset from, DateTimeOffset to, int limit, SearchCursor? after)
    {
        var searcher = _searchers.Acquire();
        try
        {
            var filtered = Filtered(query, from, to);
            if (after is { } cursor)
            {
                filtered.Add(Before(cursor), Occur.MUST);
            }
            var sort = new Sort(new SortField(LuceneFields.Timestamp, SortFieldType.INT64, reverse: true), new SortField(LuceneFields.Id, SortFieldType.STRING, reverse: true));
            var top = searcher.Search(filtered, null, Math.Max(1, limit), sort);
            var hits = top.ScoreDocs.Select(d => searcher.Doc(d.Doc, SourceOnly).Get(LuceneFields.Source)).ToList();
            return new SearchPage(hits, top.TotalHits);
        }
        finally
        {
            _searchers.Release(searcher);
        }
    }

    /// <summary>Every stored source matching the query in <c>[from, to)</c>, unordered.</summary>
    public List<string> ScanSources(QueryNode query, DateTimeOffset from, DateTimeOffset to)
    {
        var searcher = _searchers.Acquire();
        try
        {
            var collector = new DocIdCollector();
            searcher.Search(Filtered(query, from, to), collector);
            return collector.DocIds.Select(id => searcher.Doc(id, SourceOnly).Get(LuceneFields.Source)).ToList();
        }
        finally
        {
            _searchers.Release(searcher);
        }
    }

    /// <summary>Histogram and facet counts of the documents matching the query in <c>[from, to)</c>.</summary>
    public LogAnalytics Analyze(QueryNode query, DateTimeOffset from, DateTimeOffset to, TimeSpan interval, IReadOnlyList<string> facets, int facetSize)
    {
        var intervalMs = Math.Max(1, (long)interval.TotalMilliseconds);
        var fromMs = from.ToUnixTimeMilliseconds();
        var buckets = (int)Math.Min(10_000, Math.Max(1, (to.ToUnixTimeMilliseconds() - fromMs + intervalMs - 1) / intervalMs));
        var collector = new AnalyticsCollector(fromMs, intervalMs, buckets, facets);
        var searcher = _searchers.Acquire();
        try
        {
            searcher.Search(Filtered(query, from, to), collector);
        }
        finally
        {
            _searchers.Release(searcher);
        }
        var histogram = collector.Histogram.Select((count, i) => new HistogramBucket(DateTimeOffset.FromUnixTimeMilliseconds(fromMs + i * intervalMs), count)).ToList();
        return new LogAnalytics(collector.Total, TimeSpan.FromMilliseconds(intervalMs), histogram, collector.TopValues(facetSize));
    }

    /// <summary>Number of documents matching the query in <c>[from, to)</c>.</summary>
    public int Count(QueryNode query, DateTimeOffset from, DateTimeOffset to)
    {
        var searcher = _searchers.Acquire();
        try
        {
            var collector = new TotalHitCountCollector();
            searcher.Search(Filtered(query, from, to), collector);
            return collector.TotalHits;
        }
        finally
        {
            _searchers.Release(searcher);
        }
    }

    /// <summary>The stored source of the document with <paramref name="id"/>, or null.</summary>
    public string? Get(string id)
    {
        var searcher = _searchers.Acquire();
        try
        {
            var top = searcher.Search(new TermQuery(new Term(LuceneFields.Id, id)), 1);
            return top.TotalHits == 0 ? null : searcher.Doc(top.ScoreDocs[0].Doc, SourceOnly).Get(LuceneFields.Source);
        }
        finally
        {
            _searchers.Release(searcher);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _searchers.Dispose();
        _writer.Dispose();
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

    private static BooleanQuery Filtered(QueryNode query, DateTimeOffset from, DateTimeOffset to) => new()
    {
        { LuceneQueryTranslator.Translate(query), Occur.MUST },
        { NumericRangeQuery.NewInt64Range(LuceneFields.Timestamp, from.ToUnixTimeMilliseconds(), to.ToUnixTimeMilliseconds(), true, false), Occur.MUST },
    };

    private static BooleanQuery Before(SearchCursor cursor) => new()
    {
        { NumericRangeQuery.NewInt64Range(LuceneFields.Timestamp, null, cursor.TimestampMs, true, false), Occur.SHOULD },
        {
            new BooleanQuery
            {
                { NumericRangeQuery.NewInt64Range(LuceneFields.Timestamp, cursor.TimestampMs, cursor.TimestampMs, true, true), Occur.MUST },
                { TermRangeQuery.NewStringRange(LuceneFields.Id, null, cursor.Id, true, false), Occur.MUST },
            },
            Occur.SHOULD
        },
    };

    private sealed class DocIdCollector : ICollector
    {
        private int _docBase;

        public List<int> DocIds { get; } = [];

        public bool AcceptsDocsOutOfOrder => true;

        public void Collect(int doc) => DocIds.Add(_docBase + doc);

        public void SetNextReader(AtomicReaderContext context) => _docBase = context.DocBase;

        public void SetScorer(Scorer scorer)
        {
        }
    }
}

/// <summary>A page of stored sources and the total number of hits.</summary>
public sealed record SearchPage(IReadOnlyList<string> Sources, int TotalHits);
