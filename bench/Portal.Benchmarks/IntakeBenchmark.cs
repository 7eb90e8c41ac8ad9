using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data.Keys;
using Portal.Data.Tenancy;
using Portal.Search;
using Portal.Testing;

namespace Portal.Benchmarks;

/// <summary>
/// Events per second accepted by <c>POST /api/v2/logs</c> over loopback HTTP (durable before the 202),
/// against the baseline of parsing the same payloads with System.Text.Json alone.
/// </summary>
internal static class IntakeBenchmark
{
    internal const int EventsPerRequest = 500;
    private const int Concurrency = 8;

    public static async Task RunAsync(bool quick)
    {
        var requests = quick ? 40 : 400;
        var payloads = Enumerable.Range(0, requests).Select(Payload).ToList();
        var totalEvents = (double)requests * EventsPerRequest;

        var baseline = MeasureParse(payloads, totalEvents);

        await using var portal = LoopbackPortal.Start("Production");
        var signUp = await portal.Services.GetRequiredService<TenantProvisioner>().SignUpAsync(new SignUpRequest("Bench", "bench", "bench@example.test", "Bench-Password-1"));
        var (_, apiKey) = await portal.Services.GetRequiredService<KeyService>().CreateAsync(signUp.Tenant!.Id, KeyKind.Api, "bench", null);

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Concurrency }) { BaseAddress = portal.BaseAddress };
        http.DefaultRequestHeaders.Add("DD-API-KEY", apiKey);
        await SendAsync(http, payloads[0]); // warm-up: JIT, index creation

        var next = 0;
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < payloads.Count)
            {
                await SendAsync(http, payloads[i]);
            }
        }));
        var acknowledged = stopwatch.Elapsed;
        await portal.Services.GetRequiredService<ILogStore>().RefreshAsync(signUp.Tenant.Id, CancellationToken.None);
        var searchable = stopwatch.Elapsed;
        var events = (payloads.Count - 1) * (double)EventsPerRequest;

        new Figure("intake.events_per_second", events / acknowledged.TotalSeconds, "events/s", baseline).Print();
        new Figure("intake.searchable_events_per_second", events / searchable.TotalSeconds, "events/s", baseline).Print();
        new Figure("intake.busy_retries", _retries, "responses", 0).Print();
    }

    private static double MeasureParse(List<byte[]> payloads, double totalEvents)
    {
        foreach (var payload in payloads.Take(5))
        {
            _ = JsonNode.Parse(payload);
        }
        var stopwatch = Stopwatch.StartNew();
        foreach (var payload in payloads)
        {
            _ = JsonNode.Parse(payload);
        }
        return totalEvents / stopwatch.Elapsed.TotalSeconds;
    }

    private static int _retries;

    /// <summary>Sends one request as a well-behaved shipper does: on 503, wait for Retry-After and send it again.</summary>
    private static async Task SendAsync(HttpClient http, byte[] payload)
    {
        while (true)
        {
            using var content = new ByteArrayContent(payload);
            content.Headers.ContentType = new("application/json");
            using var response = await http.PostAsync("api/v2/logs", content);
            if (response.StatusCode == HttpStatusCode.Accepted)
            {
                return;
            }
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable)
            {
                throw new InvalidOperationException($"Intake answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }
            Interlocked.Increment(ref _retries);
            await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1));
        }
    }

    /// <summary>A realistic mixed batch: sshd syslog lines, nginx access lines and JSON application logs.</summary>
    internal static byte[] Payload(int seed)
    {
        var random = new Random(seed);
        var events = new JsonArray();
        for (var i = 0; i < EventsPerRequest; i++)
        {
            var ip = $"203.0.113.{random.Next(1, 255)}";
            events.Add(random.Next(3) switch
            {
                0 => new JsonObject
                {
                    ["ddsource"] = "sshd", ["service"] = "sshd", ["hostname"] = $"bastion-{random.Next(1, 4)}", ["ddtags"] = "env:prod,team:infra",
                    ["message"] = $"Failed password for invalid user admin{random.Next(100)} from {ip} port {random.Next(1024, 65535)} ssh2",
                },
                1 => new JsonObject
                {
                    ["ddsource"] = "nginx", ["service"] = "web-store", ["hostname"] = $"web-{random.Next(1, 4)}", ["ddtags"] = "env:prod",
                    ["message"] = $"{ip} - - [27/Nov/2026:10:05:03 +0000] \"GET /products/{random.Next(1000)}?ref=mail HTTP/1.1\" {(random.Next(10) == 0 ? 500 : 200)} {random.Next(200, 90000)} \"https://shop.example.test/\" \"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36\"",
                },
                _ => new JsonObject
                {
                    ["ddsource"] = "python", ["service"] = "checkout", ["hostname"] = "app-1", ["status"] = random.Next(5) == 0 ? "error" : "info",
                    ["message"] = "payment authorised", ["usr"] = new JsonObject { ["id"] = $"u{random.Next(5000)}" },
                    ["http"] = new JsonObject { ["status_code"] = 200, ["duration_ms"] = random.Next(5, 900) }, ["network"] = new JsonObject { ["client"] = new JsonObject { ["ip"] = ip } },
                },
            });
        }
        return Encoding.UTF8.GetBytes(events.ToJsonString());
    }
}
