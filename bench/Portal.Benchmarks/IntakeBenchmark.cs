using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data.Keys;
using Portal.Data.Tenancy;
using Portal.Search;
using Portal.Search.Lucene;
using Portal.Testing;

namespace Portal.Benchmarks;

/// <summary>
/// Events per second accepted by <c>POST /api/v2/logs</c> over loopback HTTP (durable before the 202), with
/// gzip-compressed 1,000-event requests from 8 concurrent clients, and the latency of each request; against the
/// baseline of parsing the same payloads with System.Text.Json alone.
/// </summary>
internal static class IntakeBenchmark
{
    internal const int EventsPerRequest = 1000;
    private const int Concurrency = 8;
    private const int WarmUpPasses = 6;
    private static int _retries;

    public static async Task RunAsync(bool quick)
    {
        var requests = quick ? 40 : 300;
        var payloads = Enumerable.Range(0, requests).Select(Payload).ToList();
        var compressed = payloads.Select(Gzip).ToList();
        var baseline = Throughput.Measure(() => JsonNode.Parse(payloads[0]), EventsPerRequest, quick: true);

        // The per-tenant rate limit (4 MB/s by default) is lifted: the benchmark measures the intake, not the plan.
        await using var portal = LoopbackPortal.Start("Production", new Dictionary<string, string>
        {
            ["Vigil:Intake:BytesPerSecond"] = "10000000000",
            ["Vigil:Intake:BurstBytes"] = "10000000000",
        });
        var signUp = await portal.Services.GetRequiredService<TenantProvisioner>().SignUpAsync(new SignUpRequest("Bench", "bench", "bench@example.test", "Bench-Password-1"));
        var (_, apiKey) = await portal.Services.GetRequiredService<KeyService>().CreateAsync(signUp.Tenant!.Id, KeyKind.Api, "bench", null);

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Concurrency }) { BaseAddress = portal.BaseAddress };
        http.DefaultRequestHeaders.Add("DD-API-KEY", apiKey);
        // Warm-up, so that the bursts meet the code a running server has (JIT tiering, index creation, pools): every
        // request sent and indexed, six times. After one pass, whichever of the two measured runs came first was the
        // slower by up to 57 % whatever its number of clients. After two, 7 runs of 13 were slow at 8 clients (p99 33–129
        // ms against 15–18 ms); one measured with the JIT's counters had it compile 510 methods during the burst (366 ms
        // of compilation) while the requests ran the slower code of the lower tiers. Passes compile about 18,000–20,000,
        // 2,400–3,400, 770–1,900, 190–650, then 60–300 methods (session 19), which is where they stay.
        var store = portal.Services.GetRequiredService<ILogStore>();
        var journaled = portal.Services.GetRequiredService<TenantIndexes>().GetJournaled(signUp.Tenant.Id, LuceneLogStore.Kind);
        for (var pass = 1; pass <= WarmUpPasses; pass++)
        {
            var compiled = System.Runtime.JitInfo.GetCompiledMethodCount();
            await SendAllAsync(http, compressed, [], Concurrency);
            await store.RefreshAsync(signUp.Tenant.Id, CancellationToken.None);
            compiled = System.Runtime.JitInfo.GetCompiledMethodCount() - compiled;
            await Console.Error.WriteLineAsync($"warm-up pass {pass}: the JIT compiled {compiled} methods");
        }

        // The headline at 8 clients, then the same requests from 4: with every request on one core, latency is mostly
        // queueing (a client waits for the 7 requests ahead of it), so the pair shows the cost of concurrency.
        foreach (var clients in new[] { Concurrency, Concurrency / 2 })
        {
            var suffix = clients == Concurrency ? "" : $"_{clients}_clients";
            // Each burst meets a settled index, as the first requests of a burst do: what came before it indexed, merged and
            // committed (the periodic commit's fsyncs would otherwise land in the burst or not, run by run), collected.
            journaled.Index.WaitForMerges();
            await Task.Delay(JournaledEventIndex.CommitInterval * 2);
            GC.Collect();
            GC.WaitForPendingFinalizers();
            _retries = 0;
            var deferredBefore = journaled.Deferred;
            var syncsBefore = journaled.JournalSyncs;
            journaled.TakeLongestJournalSync();
            var latencies = new List<double>();
            var slowest = new List<(double At, double Ms)>();
            using var pauses = new GcPauses();
            pauses.Start();
            var share = CpuShare.Start();
            using var stalls = StallWatch.Start();
            var stopwatch = Stopwatch.StartNew();
            await SendAllAsync(http, compressed, latencies, clients, (slowest, stalls.Started));
            var acknowledged = stopwatch.Elapsed;
            await Console.Error.WriteLineAsync($"{clients} clients: collections during the requests: {pauses.Stop()}; {stalls.Stop()}; slowest requests {string.Join(", ", slowest.OrderByDescending(s => s.Ms).Take(8).Select(s => $"{s.Ms:F0} (from {s.At:F0})"))} ms; indexing deferred {(journaled.Deferred - deferredBefore).TotalMilliseconds:F0} ms; journal fsyncs {journaled.JournalSyncs.Count - syncsBefore.Count}, {(journaled.JournalSyncs.Total - syncsBefore.Total).TotalMilliseconds:F0} ms in all, longest {journaled.TakeLongestJournalSync().TotalMilliseconds:F1} ms; {share.Describe()}; threads: {share.Threads()}; {share.Runtime()}");
            await store.RefreshAsync(signUp.Tenant.Id, CancellationToken.None);
            var searchable = stopwatch.Elapsed;
            var events = compressed.Count * (double)EventsPerRequest;

            new Figure($"intake.events_per_second{suffix}", events / acknowledged.TotalSeconds, "events/s", baseline).Print();
            new Figure($"intake.request_p50_ms{suffix}", Throughput.Percentile(latencies, 0.50), "ms", 0).Print();
            new Figure($"intake.request_p99_ms{suffix}", Throughput.Percentile(latencies, 0.99), "ms", 0).Print();
            new Figure($"intake.searchable_events_per_second{suffix}", events / searchable.TotalSeconds, "events/s", baseline).Print();
            new Figure($"intake.busy_retries{suffix}", _retries, "responses", 0).Print();
        }
    }

    /// <summary>
    /// Sends every request once from <paramref name="clients"/> clients, adding each one's latency to <paramref name="latencies"/>
    /// and, when given, to a timeline with when it was sent (milliseconds from the timeline's origin, a <see cref="Stopwatch"/>
    /// timestamp).
    /// </summary>
    private static Task SendAllAsync(HttpClient http, List<byte[]> requests, List<double> latencies, int clients, (List<(double At, double Ms)> Requests, long Origin)? timeline = null)
    {
        var next = -1;
        return Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < requests.Count)
            {
                var started = Stopwatch.GetTimestamp();
                await SendAsync(http, requests[i]);
                var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                lock (latencies)
                {
                    latencies.Add(ms);
                    timeline?.Requests.Add((Stopwatch.GetElapsedTime(timeline.Value.Origin, started).TotalMilliseconds, ms));
                }
            }
        }));
    }

    /// <summary>One request body of the shared workload.</summary>
    internal static byte[] Payload(int seed) => Workload.Payload(seed, EventsPerRequest);

    private static byte[] Gzip(byte[] payload)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(payload);
        }
        return output.ToArray();
    }

    /// <summary>Sends one request as a well-behaved shipper does: on 503, wait for Retry-After and send it again.</summary>
    private static async Task SendAsync(HttpClient http, byte[] gzipped)
    {
        while (true)
        {
            using var content = new ByteArrayContent(gzipped);
            content.Headers.ContentType = new("application/json");
            content.Headers.ContentEncoding.Add("gzip");
            using var response = await http.PostAsync("api/v2/logs", content);
            if (response.StatusCode == HttpStatusCode.Accepted)
            {
                return;
            }
            if (response.StatusCode is not (HttpStatusCode.ServiceUnavailable or HttpStatusCode.TooManyRequests))
            {
                throw new InvalidOperationException($"Intake answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }
            Interlocked.Increment(ref _retries);
            await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1));
        }
    }
}
