using System.Diagnostics;
using global::Lucene.Net.Analysis.Standard;
using global::Lucene.Net.Documents;
using global::Lucene.Net.Index;
using global::Lucene.Net.Store;
using global::Lucene.Net.Util;
using Portal.Detection.Events;
using Portal.Search.Lucene;

namespace Portal.Benchmarks;

/// <summary>
/// Ingest to searchable, sustained: normalised events appended to a tenant's embedded store (journal, then the
/// day-partitioned Lucene index) until all are searchable, against a naive Lucene.NET writer (standard analyzer,
/// every field a string field, one commit at the end) given the same events. Also the bytes on disk per event.
/// </summary>
internal static class IngestBenchmark
{
    private const int Batch = 1000;

    public static async Task RunAsync(bool quick)
    {
        var total = Throughput.Option("--events") ?? (quick ? 100_000 : 2_000_000);
        var pool = Workload.Normalized(30_000);
        new Figure("ingest.events", total, "events", 0).Print();

        // A warm-up of both writers, discarded, so that neither is measured while the JIT compiles Lucene's code (or this
        // store's): in a 300,000-event run it spent 14 % of the CPU compiling (perf, session 20), and the writer that ran
        // second found the Lucene code the first had warmed.
        var warmUp = Math.Min(total, quick ? 20_000 : 100_000);
        Console.Error.WriteLine($"warm-up on {warmUp:N0} events: naive {NaiveWriter(pool, warmUp):N0} events/s, store {await StoreAsync(pool, warmUp, report: false):N0} events/s");

        var naive = NaiveWriter(pool, total);
        var rate = await StoreAsync(pool, total, report: true);
        new Figure("ingest.searchable_events_per_second", rate, "events/s", naive).Print();
    }

    /// <summary>
    /// Events per second from the first append to all searchable in a fresh store; with <paramref name="report"/>, the
    /// store's bytes per event are printed too.
    /// </summary>
    private static async Task<double> StoreAsync(List<LogEvent> pool, int total, bool report)
    {
        var dir = Path.Combine(Path.GetTempPath(), "vigil-ingest-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var indexes = new TenantIndexes(dir);
            var store = new LuceneLogStore(indexes);
            var tenant = Guid.NewGuid();
            var start = DateTimeOffset.UtcNow.AddHours(-1);
            var share = CpuShare.Start();
            var stopwatch = Stopwatch.StartNew();
            var inFlight = new List<Task>();
            for (var sent = 0; sent < total; sent += Batch)
            {
                inFlight.Add(Workload.AppendAsync(store, tenant, Workload.Restamped(pool, sent, Math.Min(Batch, total - sent), i => start.AddMilliseconds(i % 3_600_000))));
                if (inFlight.Count >= 8)
                {
                    await Task.WhenAny(inFlight);
                    inFlight.RemoveAll(t => t.IsCompleted);
                }
            }
            await Task.WhenAll(inFlight);
            await store.RefreshAsync(tenant, CancellationToken.None);
            var rate = total / stopwatch.Elapsed.TotalSeconds;
            if (report)
            {
                Console.Error.WriteLine($"store: {rate:N0} events/s; {share.Describe()}; {share.Runtime()}; threads: {share.Threads(8)}");
            }
            return rate;
        }
        finally
        {
            if (report)
            {
                var bytes = DirectorySize(dir);
                new Figure("ingest.bytes_per_event", bytes / (double)total, "bytes", 0).Print();
                Console.Error.WriteLine("bytes per event by file type: " + BytesByKind(dir, total));
            }
            System.IO.Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>The baseline: what a straightforward Lucene.NET indexer of the same events achieves.</summary>
    private static double NaiveWriter(List<LogEvent> pool, int total)
    {
        var dir = Path.Combine(Path.GetTempPath(), "vigil-naive-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var directory = FSDirectory.Open(dir);
            using var writer = new IndexWriter(directory, new IndexWriterConfig(LuceneVersion.LUCENE_48, new StandardAnalyzer(LuceneVersion.LUCENE_48)));
            var start = DateTimeOffset.UtcNow.AddHours(-1);
            var stopwatch = Stopwatch.StartNew();
            for (var sent = 0; sent < total; sent += Batch)
            {
                foreach (var e in Workload.Restamped(pool, sent, Math.Min(Batch, total - sent), i => start.AddMilliseconds(i % 3_600_000)))
                {
                    var doc = new Document
                    {
                        new StringField("id", e.Id, Field.Store.YES),
                        new Int64Field("timestamp", e.Timestamp.ToUnixTimeMilliseconds(), Field.Store.YES),
                        new TextField("message", e.Message ?? "", Field.Store.YES),
                    };
                    foreach (var (name, value) in new[] { ("host", e.Host), ("service", e.Service), ("source", e.Source), ("status", e.Status) })
                    {
                        if (value is not null)
                        {
                            doc.Add(new StringField(name, value, Field.Store.YES));
                        }
                    }
                    foreach (var (path, value) in AttributePath.Flatten(e.Attributes))
                    {
                        doc.Add(new StringField(path, value.Text, Field.Store.YES));
                    }
                    writer.AddDocument(doc);
                }
            }
            writer.Commit();
            return total / stopwatch.Elapsed.TotalSeconds;
        }
        finally
        {
            System.IO.Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Where the bytes go: Lucene's files by extension (stored fields, postings, doc values...), and the journal.</summary>
    public static string BytesByKind(string dir, int total) =>
        !System.IO.Directory.Exists(dir) ? "" : string.Join(", ", new DirectoryInfo(dir).EnumerateFiles("*", SearchOption.AllDirectories)
            .GroupBy(f => f.FullName.Contains("journal", StringComparison.Ordinal) ? "journal" : f.Extension.TrimStart('.'))
            .Select(g => (Kind: g.Key, PerEvent: g.Sum(f => f.Length) / (double)total))
            .OrderByDescending(k => k.PerEvent)
            .Select(k => $"{k.Kind} {k.PerEvent:F1}"));

    private static long DirectorySize(string dir) =>
        System.IO.Directory.Exists(dir) ? new DirectoryInfo(dir).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length) : 0;
}
