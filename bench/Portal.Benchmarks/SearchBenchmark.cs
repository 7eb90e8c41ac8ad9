using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data.Keys;
using Portal.Data.Tenancy;
using Portal.Detection.Events;
using Portal.Detection.Intake;
using Portal.Detection.Query;
using Portal.Search;
using Portal.Testing;
using Portal.Web.Features.Logs;

namespace Portal.Benchmarks;

/// <summary>
/// Search latency end to end through Datadog's API over loopback HTTP, over a tenant holding the workload's events
/// spread across the past 24 hours: a term over the whole day, a filtered 1-hour range, and a 1-hour histogram
/// grouped by a facet. Each figure's baseline is the same search run on the store in process (no HTTP, no JSON).
/// </summary>
internal static class SearchBenchmark
{
    private const int Batch = 1000;

    public static async Task RunAsync(bool quick)
    {
        var total = Throughput.Option("--events") ?? (quick ? 50_000 : 1_000_000);
        var iterations = Throughput.Option("--iterations") ?? (quick ? 30 : 200);
        await using var portal = LoopbackPortal.Start("Production");
        var signUp = await portal.Services.GetRequiredService<TenantProvisioner>().SignUpAsync(new SignUpRequest("Bench", "bench", "bench@example.test", "Bench-Password-1"));
        var tenant = signUp.Tenant!.Id;
        var keys = portal.Services.GetRequiredService<KeyService>();
        var (_, apiKey) = await keys.CreateAsync(tenant, KeyKind.Api, "bench", null);
        var (_, appKey) = await keys.CreateAsync(tenant, KeyKind.Application, "bench", signUp.Owner!.Id);
        var store = portal.Services.GetRequiredService<ILogStore>();

        var pool = Workload.Normalized(30_000);
        var now = DateTimeOffset.UtcNow;
        var loading = Stopwatch.StartNew();
        for (var sent = 0; sent < total; sent += Batch)
        {
            var events = Workload.Restamped(pool, sent, Math.Min(Batch, total - sent), i => now.AddDays(-1).AddMilliseconds(i * (86_400_000.0 / total)));
            await Workload.AppendAsync(store, tenant, events);
        }
        await store.RefreshAsync(tenant, CancellationToken.None);
        var loaded = loading.Elapsed;
        // Searches are measured on a settled index, as after a bulk load: background merges finished (on one core they
        // would otherwise compete with every search), and the journal trimmed by the next periodic commit.
        portal.Services.GetRequiredService<Portal.Search.Lucene.TenantIndexes>().GetJournaled(tenant, Portal.Search.Lucene.LuceneLogStore.Kind).Index.WaitForMerges();
        await Task.Delay(Portal.Search.Lucene.JournaledEventIndex.CommitInterval * 2);
        new Figure("search.events", total, "events", 0).Print();
        new Figure("search.load_seconds", loaded.TotalSeconds, "s", 0).Print();
        // Loading is ingest to searchable (through the store, one batch at a time): at --events 10000000 it is the
        // sustained figure over ten million events, and the tenant's log directory its bytes on disk.
        new Figure("search.load_events_per_second", total / loaded.TotalSeconds, "events/s", 0).Print();
        var logs = new DirectoryInfo(Path.Combine(portal.Services.GetRequiredService<Portal.Search.Lucene.TenantIndexes>().DirectoryOf(tenant), Portal.Search.Lucene.LuceneLogStore.Kind));
        var bytes = logs.Exists ? logs.EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length) : 0;
        new Figure("search.bytes_per_event", bytes / (double)total, "bytes", 0).Print();
        Console.Error.WriteLine("bytes per event by file type: " + IngestBenchmark.BytesByKind(logs.FullName, total));

        using var http = new HttpClient { BaseAddress = portal.BaseAddress };
        http.DefaultRequestHeaders.Add("DD-API-KEY", apiKey);
        http.DefaultRequestHeaders.Add("DD-APPLICATION-KEY", appKey);

        var term = "@usr.name:user7";
        var filtered = "service:sshd @evt.outcome:failure";
        await Report("search.term_p95_ms", iterations,
            () => PostAsync(http, "api/v2/logs/events/search", Search(term, "now-1d")),
            () => store.SearchAsync(tenant, new SearchRequest(QueryParser.Parse(term), DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow, 50), CancellationToken.None));
        await Report("search.range_1h_filtered_p95_ms", iterations,
            () => PostAsync(http, "api/v2/logs/events/search", Search(filtered, "now-1h")),
            () => store.SearchAsync(tenant, new SearchRequest(QueryParser.Parse(filtered), DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow, 50), CancellationToken.None));
        await Report("search.facets_histogram_1h_p95_ms", iterations,
            () => PostAsync(http, "api/v2/logs/analytics/aggregate", Aggregate()),
            () => ExplorerAnalysisAsync(store, tenant));

        // No target of its own: the general aggregation, measures of a number by an attribute's values over the hour
        // (every access line's bytes by status code: a third of the matches), its percentile as a timeseries too.
        await Report("search.measures_by_attribute_1h_p95_ms", iterations,
            () => PostAsync(http, "api/v2/logs/analytics/aggregate", Measures()),
            () => store.AggregateAsync(tenant, MeasuresRequest(), CancellationToken.None));

        // No target of its own: the Logs Explorer's patterns of the past hour (its latest matches read and grouped into
        // patterns, as the page does), beside the reading of those matches alone.
        var (hourAgo, hourEnd) = (DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow);
        var patterns = await P95Async(async () => LogPatterns.Find(await store.LinesAsync(tenant, new MatchAllNode(0), hourAgo, hourEnd, LogPatterns.SampleSize, CancellationToken.None)), iterations);
        var reading = await P95Async(() => store.LinesAsync(tenant, new MatchAllNode(0), hourAgo, hourEnd, LogPatterns.SampleSize, CancellationToken.None), iterations);
        new Figure("search.patterns_1h_p95_ms", patterns, "ms", reading).Print();

        // No target of its own: the query bar's completion of a field the facets did not count, as the page asks for it:
        // the past hour's 100 commonest values of the user names (some thousands of them) by count.
        var values = await P95Async(() => store.AggregateAsync(tenant, new AggregateRequest(new MatchAllNode(0), hourAgo, hourEnd,
            [new AggregateMeasure(AggregateFunction.Count)], [new AggregateGroupBy(new FieldRef(FieldKind.Attribute, "usr.name"), 100)]), CancellationToken.None), iterations);
        new Figure("search.field_values_1h_p95_ms", values, "ms", 0).Print();

        // No target of its own: logs read by id, as a shared link's detail (one) and a signal's drawer (its samples, up to
        // ten) read them, each id in its own day's partition; beside it, one id looked for in every partition.
        var ends = new List<string>();
        foreach (var oldestFirst in new[] { false, true })
        {
            var page = await store.SearchAsync(tenant, new SearchRequest(new MatchAllNode(0), DateTimeOffset.UtcNow.AddDays(-2), DateTimeOffset.UtcNow, 50, OldestFirst: oldestFirst), CancellationToken.None);
            ends.AddRange(page.Items.Select(e => e.Id));
        }
        var next = 0;
        var partitions = portal.Services.GetRequiredService<Portal.Search.Lucene.TenantIndexes>().GetJournaled(tenant, Portal.Search.Lucene.LuceneLogStore.Kind).Index;
        var one = await P95Async(() => store.FindAsync(tenant, [ends[next++ % ends.Count]], CancellationToken.None), iterations);
        var anywhere = await P95Async(() => Task.Run(() => partitions.Get(ends[next++ % ends.Count])), iterations);
        new Figure("search.find_by_id_p95_ms", one, "ms", anywhere).Print();
        var samples = await P95Async(() => store.FindAsync(tenant, [.. Enumerable.Range(0, 10).Select(_ => ends[next++ % ends.Count])], CancellationToken.None), iterations);
        new Figure("search.find_10_by_id_p95_ms", samples, "ms", 0).Print();

        // No targets of their own: a range over a number's two trie terms, and a negation, which the time range leads.
        foreach (var (name, query) in new[] { ("search.numeric_range_1h_p95_ms", "@network.bytes_written:[50000 TO 60000]"), ("search.negation_1h_p95_ms", "-service:sshd") })
        {
            await Report(name, iterations,
                () => PostAsync(http, "api/v2/logs/events/search", Search(query, "now-1h")),
                () => store.SearchAsync(tenant, new SearchRequest(QueryParser.Parse(query), DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow, 50), CancellationToken.None));
        }
    }

    /// <summary>
    /// What the Logs Explorer asks for over the past hour, as its page does: the histogram and facets (reserved and six
    /// attributes), the histogram stacked by status for its bars.
    /// </summary>
    private static Task ExplorerAnalysisAsync(ILogStore store, Guid tenant)
    {
        var (from, to) = (DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow);
        return store.AnalyzeAsync(
            tenant, new MatchAllNode(0), from, to, TimeSpan.FromMinutes(1), CancellationToken.None, attributeFacets: 6, stackBy: ReservedAttributes.Status, stackLimit: LogStatuses.BySeverity.Count);
    }

    private static async Task Report(string name, int iterations, Func<Task> api, Func<Task> inProcess)
    {
        var viaApi = await P95Async(api, iterations);
        var store = await P95Async(inProcess, iterations);
        new Figure(name, viaApi, "ms", store).Print();
    }

    private static async Task<double> P95Async(Func<Task> run, int iterations)
    {
        for (var i = 0; i < 5; i++)
        {
            await run();
        }
        var latencies = new List<double>(iterations);
        for (var i = 0; i < iterations; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await run();
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        return Throughput.Percentile(latencies, 0.95);
    }

    private static async Task PostAsync(HttpClient http, string path, JsonObject body)
    {
        using var response = await http.PostAsync(path, JsonContent.Create(body));
        response.EnsureSuccessStatusCode();
        await response.Content.ReadAsByteArrayAsync();
    }

    private static JsonObject Search(string query, string from) => new()
    {
        ["filter"] = new JsonObject { ["query"] = query, ["from"] = from, ["to"] = "now" },
        ["page"] = new JsonObject { ["limit"] = 50 },
        ["sort"] = "-timestamp",
    };

    private static JsonObject Measures() => new()
    {
        ["compute"] = new JsonArray(
            new JsonObject { ["aggregation"] = "count" },
            new JsonObject { ["aggregation"] = "avg", ["metric"] = "@network.bytes_written" },
            new JsonObject { ["aggregation"] = "pc95", ["metric"] = "@network.bytes_written", ["type"] = "timeseries", ["interval"] = "1m" }),
        ["filter"] = new JsonObject { ["query"] = "*", ["from"] = "now-1h", ["to"] = "now" },
        ["group_by"] = new JsonArray(new JsonObject
        {
            ["facet"] = "@http.status_code", ["sort"] = new JsonObject { ["aggregation"] = "pc95", ["metric"] = "@network.bytes_written", ["order"] = "desc" },
        }),
    };

    /// <summary><see cref="Measures"/> as the store is asked it.</summary>
    private static AggregateRequest MeasuresRequest()
    {
        var bytes = new FieldRef(FieldKind.Attribute, "network.bytes_written");
        return new AggregateRequest(new MatchAllNode(0), DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow,
            [new AggregateMeasure(AggregateFunction.Count), new AggregateMeasure(AggregateFunction.Avg, bytes), new AggregateMeasure(AggregateFunction.Pc95, bytes, TimeSpan.FromMinutes(1))],
            [new AggregateGroupBy(new FieldRef(FieldKind.Attribute, "http.status_code")) { Sort = new AggregateSort(Descending: true, new AggregateMeasure(AggregateFunction.Pc95, bytes)) }]);
    }

    private static JsonObject Aggregate() => new()
    {
        ["compute"] = new JsonArray(new JsonObject { ["aggregation"] = "count", ["type"] = "timeseries", ["interval"] = "1m" }),
        ["filter"] = new JsonObject { ["query"] = "*", ["from"] = "now-1h", ["to"] = "now" },
        ["group_by"] = new JsonArray(new JsonObject { ["facet"] = "service", ["limit"] = 10 }),
    };
}
