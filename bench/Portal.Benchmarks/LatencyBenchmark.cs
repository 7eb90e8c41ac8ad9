using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data.Keys;
using Portal.Data.Rules;
using Portal.Data.Tenancy;
using Portal.Search;
using Portal.Testing;

namespace Portal.Benchmarks;

/// <summary>
/// Signal latency of single-event rules: the time from the intake's 202 for a root password login over loopback HTTP
/// to its signal being stored by the real-time stage, while background traffic (the shared workload, 1,000 events per
/// second in 200-event requests) keeps the tenant's indexing busy. Each sample uses a new source address, so each opens its own signal.
/// </summary>
internal static class LatencyBenchmark
{
    public static async Task RunAsync(bool quick)
    {
        var samples = quick ? 20 : 100;
        await using var portal = LoopbackPortal.Start("Production", new Dictionary<string, string>
        {
            ["Vigil:Intake:BytesPerSecond"] = "10000000000",
            ["Vigil:Intake:BurstBytes"] = "10000000000",
        });
        var signUp = await portal.Services.GetRequiredService<TenantProvisioner>().SignUpAsync(new SignUpRequest("Bench", "bench", "bench@example.test", "Bench-Password-1"));
        var tenant = signUp.Tenant!.Id;
        var (_, apiKey) = await portal.Services.GetRequiredService<KeyService>().CreateAsync(tenant, KeyKind.Api, "bench", null);
        var rule = (await portal.Services.GetRequiredService<RuleService>().ListAsync(tenant)).Single(r => r.Name == "SSH login as root");
        var signals = portal.Services.GetRequiredService<ISignalStore>();

        using var http = new HttpClient { BaseAddress = portal.BaseAddress };
        http.DefaultRequestHeaders.Add("DD-API-KEY", apiKey);
        using var stop = new CancellationTokenSource();
        var background = Task.Run(async () =>
        {
            for (var seed = 0; !stop.IsCancellationRequested; seed++)
            {
                using var content = new ByteArrayContent(Workload.Payload(seed, 200));
                content.Headers.ContentType = new("application/json");
                using var _ = await http.PostAsync("api/v2/logs", content);
                await Task.Delay(200);
            }
        });

        var latencies = new List<double>();
        var since = DateTimeOffset.UtcNow.AddMinutes(-1);
        for (var i = 0; i < samples; i++)
        {
            var ip = $"198.18.{i / 250}.{i % 250 + 1}";
            var login = new JsonArray(new JsonObject
            {
                ["ddsource"] = "sshd",
                ["hostname"] = "bastion-1",
                ["message"] = $"Accepted password for root from {ip} port 50022 ssh2",
            });
            using var response = await http.PostAsJsonAsync("api/v2/logs", login);
            if (response.StatusCode != HttpStatusCode.Accepted)
            {
                throw new InvalidOperationException($"intake answered {(int)response.StatusCode}");
            }
            var acknowledged = Stopwatch.StartNew();
            var key = $"bastion-1\u001f{ip}";
            while (!(await signals.LatestByGroupAsync(tenant, rule.Id!, since, CancellationToken.None)).ContainsKey(key))
            {
                if (acknowledged.Elapsed > TimeSpan.FromSeconds(60))
                {
                    throw new TimeoutException($"no signal for {ip} a minute after the 202");
                }
                await Task.Delay(10);
            }
            latencies.Add(acknowledged.Elapsed.TotalMilliseconds);
            await Task.Delay(200);
        }
        await stop.CancelAsync();
        await background;

        new Figure("latency.single_event_p50_ms", Throughput.Percentile(latencies, 0.50), "ms", 0).Print();
        new Figure("latency.single_event_p95_ms", Throughput.Percentile(latencies, 0.95), "ms", 0).Print();
        new Figure("latency.single_event_max_ms", latencies.Max(), "ms", 0).Print();
    }
}
