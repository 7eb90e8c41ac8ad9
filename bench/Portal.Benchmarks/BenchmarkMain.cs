namespace Portal.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project bench/Portal.Benchmarks -- &lt;name&gt; [--quick]</c>.
/// Prints one JSON line per figure: <c>{"name", "value", "unit", "baseline"}</c>.
/// (Not top-level statements: the portal's <c>Program</c> is referenced by the benchmarks.)
/// </summary>
internal static class BenchmarkMain
{
    private static readonly Dictionary<string, Func<bool, Task>> Benchmarks = new(StringComparer.OrdinalIgnoreCase)
    {
        ["parse"] = ParseBenchmark.RunAsync,
        ["parse-ab"] = ParseAbBenchmark.RunAsync,
        ["intake"] = IntakeBenchmark.RunAsync,
        ["ingest"] = IngestBenchmark.RunAsync,
        ["search"] = SearchBenchmark.RunAsync,
        ["intake-stages"] = IntakeStagesBenchmark.RunAsync,
        ["detect"] = DetectBenchmark.RunAsync,
        ["latency"] = LatencyBenchmark.RunAsync,
        ["schedule"] = ScheduleBenchmark.RunAsync,
    };

    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 0 || !Benchmarks.TryGetValue(args[0], out var run))
        {
            await Console.Error.WriteLineAsync($"usage: Portal.Benchmarks <{string.Join('|', Benchmarks.Keys)}> [--quick]");
            return 2;
        }
        await run(args.Contains("--quick"));
        return 0;
    }
}
