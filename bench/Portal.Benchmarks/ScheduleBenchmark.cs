using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data.Rules;
using Portal.Data.Tenancy;
using Portal.Detection.Content;
using Portal.Detection.Evaluation;
using Portal.Detection.Rules;
using Portal.Search;
using Portal.Testing;
using Portal.Web.Features.Detection;

namespace Portal.Benchmarks;

/// <summary>
/// Scheduled evaluation throughput: rule evaluations (one rule, one window, watermark and health stored) per minute of
/// CPU, through the real evaluator, its Lucene log store and SQLite, for 1,000 scheduled rules (the shipped rules that
/// are not real-time, repeated) over a tenant receiving the shared workload. Reported per core and for half a core.
/// </summary>
internal static class ScheduleBenchmark
{
    public static async Task RunAsync(bool quick)
    {
        var ruleCount = quick ? 200 : 1000;
        await using var portal = LoopbackPortal.Start("Production");
        var signUp = await portal.Services.GetRequiredService<TenantProvisioner>().SignUpAsync(new SignUpRequest("Bench", "bench", "bench@example.test", "Bench-Password-1"));
        var tenant = signUp.Tenant!.Id;
        var rules = portal.Services.GetRequiredService<RuleService>();
        var scheduled = OutOfTheBoxRules.LoadJson().Select(j => RuleJson.Parse(j).Rule!).Where(r => !RealTimeRules.IsRealTime(r)).ToList();
        var existing = (await rules.ListAsync(tenant)).Count(r => !RealTimeRules.IsRealTime(r));
        for (var i = existing; i < ruleCount; i++)
        {
            var rule = RuleJson.Clone(scheduled[i % scheduled.Count]);
            rule.Name = $"{rule.Name} #{i}";
            await rules.CreateAsync(tenant, RuleJson.Serialize(rule), userId: null);
        }

        // A minute of the workload, so that windows hold events to aggregate.
        var pool = Workload.Normalized(6_000);
        var now = DateTimeOffset.UtcNow;
        await Workload.AppendAsync(portal.Services.GetRequiredService<ILogStore>(), tenant, Workload.Restamped(pool, 0, pool.Count, i => now.AddMilliseconds(-60_000 + i * 10)));

        var evaluator = portal.Services.GetRequiredService<RuleEvaluator>();
        var process = Process.GetCurrentProcess();
        var evaluations = 0;
        var cpu = TimeSpan.Zero;
        var wall = Stopwatch.StartNew();
        for (var round = 0; round < (quick ? 2 : 3); round++)
        {
            await Task.Delay(TimeSpan.FromSeconds(2)); // a new window for every rule
            process.Refresh();
            var before = process.TotalProcessorTime;
            await evaluator.EvaluateTenantAsync(tenant, CancellationToken.None);
            process.Refresh();
            cpu += process.TotalProcessorTime - before;
            evaluations += ruleCount;
        }
        var perCpuMinute = evaluations / cpu.TotalMinutes;
        Console.Error.WriteLine($"{evaluations} evaluations in {cpu.TotalSeconds:0.0} s of CPU ({wall.Elapsed.TotalSeconds:0.0} s wall)");
        new Figure("schedule.evaluations_per_cpu_minute", perCpuMinute, "evaluations/min", 0).Print();
        new Figure("schedule.evaluations_per_minute_half_core", perCpuMinute / 2, "evaluations/min", 3500).Print();
    }
}
