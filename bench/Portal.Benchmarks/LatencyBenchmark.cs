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
/// Then the same for a windowed rule (SSH brute force) judged by the scheduled evaluation.
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
            while (!(await signals.LatestByGroupAsync(tenant, rule.Id!, since, null, CancellationToken.None)).ContainsKey(key))
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
        await WindowedAsync(quick);
    }

    /// <summary>
    /// Windowed rules: the time from the 202 of the batch that takes a brute force over its threshold to the signal being
    /// stored by the scheduled evaluation, which runs every <c>IntervalSeconds</c> and waits <c>DelaySeconds</c> for late
    /// events. The bound is the window's end (the run that can judge it) plus 5 s.
    /// </summary>
    private static async Task WindowedAsync(bool quick)
    {
        const int interval = 2, delay = 2;
        var samples = quick ? 5 : 20;
        await using var portal = LoopbackPortal.Start("Production", new Dictionary<string, string>
        {
            ["Vigil:Detection:IntervalSeconds"] = interval.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Vigil:Detection:DelaySeconds"] = delay.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        var signUp = await portal.Services.GetRequiredService<TenantProvisioner>().SignUpAsync(new SignUpRequest("Bench", "bench", "bench@example.test", "Bench-Password-1"));
        var tenant = signUp.Tenant!.Id;
        var (_, apiKey) = await portal.Services.GetRequiredService<KeyService>().CreateAsync(tenant, KeyKind.Api, "bench", null);
        var rule = (await portal.Services.GetRequiredService<RuleService>().ListAsync(tenant)).Single(r => r.Name == "SSH brute force from a single source IP");
        var signals = portal.Services.GetRequiredService<ISignalStore>();
        using var http = new HttpClient { BaseAddress = portal.BaseAddress };
        http.DefaultRequestHeaders.Add("DD-API-KEY", apiKey);

        var latencies = new List<double>();
        var since = DateTimeOffset.UtcNow.AddMinutes(-1);
        for (var i = 0; i < samples; i++)
        {
            var ip = $"198.19.{i / 250}.{i % 250 + 1}";
            var failures = new JsonArray([.. Enumerable.Range(0, 11).Select(n => (JsonNode?)new JsonObject
            {
                ["ddsource"] = "sshd",
                ["hostname"] = "bastion-1",
                ["message"] = $"Failed password for root from {ip} port {40000 + n} ssh2",
            })]);
            using var response = await http.PostAsJsonAsync("api/v2/logs", failures);
            var acknowledged = Stopwatch.StartNew();
            while (!(await signals.LatestByGroupAsync(tenant, rule.Id!, since, null, CancellationToken.None)).ContainsKey(ip))
            {
                if (acknowledged.Elapsed > TimeSpan.FromSeconds(120))
                {
                    throw new TimeoutException($"no brute-force signal for {ip} two minutes after the 202");
                }
                await Task.Delay(20);
            }
            latencies.Add(acknowledged.Elapsed.TotalMilliseconds);
            await Task.Delay(Random.Shared.Next(0, interval * 1000));
        }
        var bound = (delay + interval + 5) * 1000.0;
        Console.Error.WriteLine($"windowed: evaluation every {interval} s, {delay} s allowed for late events; the issue's bound is {bound / 1000:0} s after the 202 (the window can be judged once the delay has passed and a run comes, then 5 s)");
        new Figure("latency.windowed_p50_ms", Throughput.Percentile(latencies, 0.50), "ms", 0).Print();
        new Figure("latency.windowed_p95_ms", Throughput.Percentile(latencies, 0.95), "ms", 0).Print();
    }
}
