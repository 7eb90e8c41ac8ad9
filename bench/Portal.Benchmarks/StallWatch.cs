using System.Diagnostics;

namespace Portal.Benchmarks;

/// <summary>
/// Tells apart the two kinds of stall a measured stretch can hold, from a thread of its own that wakes every millisecond:
/// <list type="bullet">
/// <item>The machine did not run the process: the sleeper itself woke late (a GC suspends it too; <see cref="GcPauses"/>
/// says when one ran).</item>
/// <item>The process ran, but its thread pool did not: work waited in the pool's queue while no work item completed.</item>
/// </list>
/// A stall of neither kind while requests waited was in the code they wait on (a lock, a timer, I/O).
/// </summary>
internal sealed class StallWatch : IDisposable
{
    /// <summary>Gaps shorter than this are the scheduler's ordinary latency, not stalls.</summary>
    private static readonly TimeSpan Threshold = TimeSpan.FromMilliseconds(10);

    private readonly Thread _thread;
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly List<(double At, double Ms)> _lateWakes = [];
    private readonly List<(double At, double Ms)> _poolStalls = [];
    private volatile bool _stopping;

    private StallWatch()
    {
        _thread = new Thread(Watch) { IsBackground = true, Name = "bench-stall-watch", Priority = ThreadPriority.Highest };
        _thread.Start();
    }

    /// <summary>Starts watching.</summary>
    public static StallWatch Start() => new();

    private void Watch()
    {
        var last = Stopwatch.GetTimestamp();
        var completed = ThreadPool.CompletedWorkItemCount;
        long? queuedSince = null;
        while (!_stopping)
        {
            Thread.Sleep(1);
            var now = Stopwatch.GetTimestamp();
            var gap = Stopwatch.GetElapsedTime(last, now);
            if (gap >= Threshold)
            {
                _lateWakes.Add((Ms(_started, last), gap.TotalMilliseconds));
            }
            last = now;

            // Work queued, none completed since the last wake: the pool is stuck from the first such wake on.
            var done = ThreadPool.CompletedWorkItemCount;
            if (ThreadPool.PendingWorkItemCount > 0 && done == completed)
            {
                queuedSince ??= now;
            }
            else if (queuedSince is { } since)
            {
                RecordPoolStall(since, now);
                queuedSince = null;
            }
            completed = done;
        }
        if (queuedSince is { } open)
        {
            RecordPoolStall(open, Stopwatch.GetTimestamp());
        }
    }

    private void RecordPoolStall(long since, long until)
    {
        var stalled = Stopwatch.GetElapsedTime(since, until);
        if (stalled >= Threshold)
        {
            _poolStalls.Add((Ms(_started, since), stalled.TotalMilliseconds));
        }
    }

    private static double Ms(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;

    /// <summary>Stops watching; one line: the sleeper's late wakes and the pool's stalls of 10 ms or more, each at its time from the start.</summary>
    public string Stop()
    {
        _stopping = true;
        _thread.Join();
        return $"sleeper late {Describe(_lateWakes)}; pool stalled {Describe(_poolStalls)}";
    }

    private static string Describe(List<(double At, double Ms)> stalls) => stalls.Count == 0
        ? "never (≥ 10 ms)"
        : $"{stalls.Count}× ({string.Join(", ", stalls.OrderByDescending(s => s.Ms).Take(4).Select(s => $"{s.Ms:F0} ms at {s.At:F0}"))})";

    public void Dispose()
    {
        if (!_stopping)
        {
            Stop();
        }
    }
}
