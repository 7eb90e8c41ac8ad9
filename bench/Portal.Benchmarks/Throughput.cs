using System.Diagnostics;

namespace Portal.Benchmarks;

/// <summary>Steady-state throughput: the work is repeated for a warm-up (JIT tiering, caches), then measured over a fixed time.</summary>
internal static class Throughput
{
    /// <summary>Items per second of <paramref name="work"/> (which handles <paramref name="itemsPerCall"/> items per call).</summary>
    public static double Measure(Action work, int itemsPerCall, bool quick)
    {
        var warmUp = TimeSpan.FromSeconds(quick ? 1 : 3);
        var measure = TimeSpan.FromSeconds(quick ? 2 : 8);
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed < warmUp)
        {
            work();
        }
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long calls = 0;
        var share = CpuShare.Start();
        stopwatch.Restart();
        while (stopwatch.Elapsed < measure)
        {
            work();
            calls++;
        }
        var rate = calls * (double)itemsPerCall / stopwatch.Elapsed.TotalSeconds;
        Console.Error.WriteLine($"{rate:N0} items/s; {share.Describe()}; {share.Runtime()}");
        return rate;
    }

    /// <summary>The value of a numeric command-line option (<c>--events 1000000</c>), or null.</summary>
    public static int? Option(string name)
    {
        var args = Environment.GetCommandLineArgs();
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out var value) ? value : null;
    }

    /// <summary>The <paramref name="p"/> quantile (0.95 for p95) of <paramref name="values"/>, by the nearest-rank method.</summary>
    public static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
    }
}
