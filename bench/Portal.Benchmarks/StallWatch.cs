using System.Diagnostics;

namespace Portal.Benchmarks;

/// <summary>
/// Tells apart the kinds of stall a measured stretch can hold, from a thread of its own that wakes every millisecond:
/// <list type="bullet">
/// <item>Its sleeper woke late: the process was not run (the machine paused it, or a collection stopped it:
/// <see cref="GcPauses"/> says when one ran), or its own threads held both cores (a thread's priority does nothing on
/// Linux).</item>
/// <item>The thread pool did not move: work waited in its queue while no work item completed, whether its threads were
/// blocked (an fsync, a lock) or busy with long items.</item>
/// </list>
/// A stall of neither kind while requests waited was in what they wait on outside the pool: a timer, a socket, the
/// journal's own thread.
/// </summary>
/// <remarks>
/// A stall is timed from the first wake that saw it, so it may be up to a wake (about a millisecond) longer than shown,
/// and one just above <see cref="Threshold"/> may go unreported. Times are milliseconds from <see cref="Started"/>.
/// </remarks>
internal sealed class StallWatch : IDisposable
{
    /// <summary>Gaps shorter than this are the scheduler's ordinary latency, not stalls.</summary>
    private static readonly TimeSpan Threshold = TimeSpan.FromMilliseconds(10);

    private readonly Thread _thread;
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

    /// <summary>When watching started (a <see cref="Stopwatch"/> timestamp): the origin of the times reported.</summary>
    public long Started { get; } = Stopwatch.GetTimestamp();

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
                _lateWakes.Add((Ms(Started, last), gap.TotalMilliseconds));
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
            _poolStalls.Add((Ms(Started, since), stalled.TotalMilliseconds));
        }
    }

    private static double Ms(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;

    /// <summary>Stops watching; one line: the sleeper's late wakes and the pool's stalls of <see cref="Threshold"/> or more, each at its time from <see cref="Started"/>.</summary>
    public string Stop()
    {
        _stopping = true;
        _thread.Join();
        return $"sleeper late {Describe(_lateWakes)}; pool stalled {Describe(_poolStalls)}";
    }

    private static string Describe(List<(double At, double Ms)> stalls) => stalls.Count == 0
        ? $"never (≥ {Threshold.TotalMilliseconds:F0} ms)"
        : $"{stalls.Count}× ({string.Join(", ", stalls.OrderByDescending(s => s.Ms).Take(4).Select(s => $"{s.Ms:F0} ms at {s.At:F0}"))})";

    /// <summary>Stops watching, unless <see cref="Stop"/> did.</summary>
    public void Dispose()
    {
        if (!_stopping)
        {
            Stop();
        }
    }
}
