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
        stopwatch.Restart();
        while (stopwatch.Elapsed < measure)
        {
            work();
            calls++;
        }
        return calls * (double)itemsPerCall / stopwatch.Elapsed.TotalSeconds;
    }
}
