using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data.Keys;
using Portal.Data.Tenancy;
using Portal.Search;
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
        await SendAsync(http, compressed[0]); // warm-up: JIT, index creation

        var next = 0;
        var latencies = new List<double>();
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < compressed.Count)
            {
                var started = Stopwatch.GetTimestamp();
                await SendAsync(http, compressed[i]);
                lock (latencies)
                {
                    latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
            }
        }));
        var acknowledged = stopwatch.Elapsed;
        await portal.Services.GetRequiredService<ILogStore>().RefreshAsync(signUp.Tenant.Id, CancellationToken.None);
        var searchable = stopwatch.Elapsed;
        var events = (compressed.Count - 1) * (double)EventsPerRequest;

        new Figure("intake.events_per_second", events / acknowledged.TotalSeconds, "events/s", baseline).Print();
        new Figure("intake.request_p50_ms", Throughput.Percentile(latencies, 0.50), "ms", 0).Print();
        new Figure("intake.request_p99_ms", Throughput.Percentile(latencies, 0.99), "ms", 0).Print();
        new Figure("intake.searchable_events_per_second", events / searchable.TotalSeconds, "events/s", baseline).Print();
        new Figure("intake.busy_retries", _retries, "responses", 0).Print();
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
