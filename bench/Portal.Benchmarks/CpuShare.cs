using System.Diagnostics;

namespace Portal.Benchmarks;

/// <summary>
/// What the machine gave a measured stretch: the share of its CPU time the hypervisor gave to other guests (steal, from
/// <c>/proc/stat</c>) and the CPU this process used. The reference machine is a virtual one whose speed varies by the
/// hour; a slow run that shows steal was slowed by its host (one that shows none may still have been: its slow hours do
/// not always show as steal, so the JIT's work and each thread's CPU are shown too).
/// </summary>
internal readonly struct CpuShare
{
    private readonly long _steal;
    private readonly long _total;
    private readonly TimeSpan _process;
    private readonly long _started;
    private readonly Dictionary<int, (string Name, long Ticks)> _threads;
    private readonly long _jitted;
    private readonly TimeSpan _jitTime;
    private readonly int _poolThreads;
    private readonly int _collections;
    private readonly TimeSpan _paused;

    private CpuShare(long steal, long total, TimeSpan process, long started, Dictionary<int, (string Name, long Ticks)> threads) =>
        (_steal, _total, _process, _started, _threads, _jitted, _jitTime, _poolThreads, _collections, _paused) =
            (steal, total, process, started, threads, System.Runtime.JitInfo.GetCompiledMethodCount(), System.Runtime.JitInfo.GetCompilationTime(), ThreadPool.ThreadCount,
                GC.CollectionCount(0), GC.GetTotalPauseDuration());

    /// <summary>
    /// Methods the JIT compiled in the stretch (tiering up included) and the time it took, the thread pool's threads before and
    /// after, and the collections the garbage collector made and the time it paused the process.
    /// </summary>
    public string Runtime() =>
        $"JIT {System.Runtime.JitInfo.GetCompiledMethodCount() - _jitted} methods in {(System.Runtime.JitInfo.GetCompilationTime() - _jitTime).TotalMilliseconds:F0} ms, thread pool {_poolThreads} → {ThreadPool.ThreadCount} threads, "
        + $"{GC.CollectionCount(0) - _collections} collections pausing {(GC.GetTotalPauseDuration() - _paused).TotalMilliseconds:F0} ms";

    /// <summary>Starts a stretch.</summary>
    public static CpuShare Start()
    {
        var (steal, total) = ReadStat();
        return new CpuShare(steal, total, ProcessorTime(), Stopwatch.GetTimestamp(), ReadThreads());
    }

    private static TimeSpan ProcessorTime()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    /// <summary>
    /// The CPU this process's threads used in the stretch, by thread name (<c>vigil-indexing</c>, the thread pool's workers,
    /// the JIT's tiering thread...), the busiest first, in milliseconds (the kernel counts in 10 ms ticks).
    /// </summary>
    /// <param name="top">How many thread names to show.</param>
    public string Threads(int top = 6)
    {
        var before = _threads ?? [];
        return string.Join(", ", ReadThreads()
            .Select(t => (t.Value.Name, Ticks: t.Value.Ticks - (before.TryGetValue(t.Key, out var b) && b.Name == t.Value.Name ? b.Ticks : 0)))
            .GroupBy(t => t.Name)
            .Select(g => (Name: g.Key, Count: g.Count(t => t.Ticks > 0), Ticks: g.Sum(t => t.Ticks)))
            .Where(g => g.Ticks > 0)
            .OrderByDescending(g => g.Ticks)
            .Take(top)
            .Select(g => $"{g.Name} ×{g.Count} {g.Ticks * 10} ms"));
    }

    /// <summary>Each thread of this process: its name and its user and system time in ticks; none where /proc is not.</summary>
    private static Dictionary<int, (string Name, long Ticks)> ReadThreads()
    {
        var threads = new Dictionary<int, (string Name, long Ticks)>();
        try
        {
            foreach (var dir in Directory.EnumerateDirectories("/proc/self/task"))
            {
                try
                {
                    var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                    var open = stat.IndexOf('(');
                    var close = stat.LastIndexOf(')');
                    // After the name come fields 3 (state) onwards: utime and stime are fields 14 and 15 (proc(5)), here 11 and 12.
                    var fields = stat[(close + 2)..].Split(' ');
                    threads[int.Parse(Path.GetFileName(dir))] = (stat[(open + 1)..close], long.Parse(fields[11]) + long.Parse(fields[12]));
                }
                catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
                {
                    // The thread ended, or its line was not what proc(5) describes.
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // No /proc here.
        }
        return threads;
    }

    /// <summary>One phrase for the stretch so far: steal as a share of all CPUs' time, and this process's CPU per second of wall time.</summary>
    public string Describe()
    {
        var (steal, total) = ReadStat();
        var wall = Stopwatch.GetElapsedTime(_started);
        var process = ProcessorTime() - _process;
        var stolen = total > _total ? 100.0 * (steal - _steal) / (total - _total) : double.NaN;
        return $"steal {stolen:F0} % of the machine's CPU time, this process {process.TotalSeconds / wall.TotalSeconds:F2} CPU-seconds per second";
    }

    /// <summary>The first line of <c>/proc/stat</c>: steal and the sum of user, nice, system, idle, iowait, irq, softirq and steal, in ticks; zeros where there is none.</summary>
    private static (long Steal, long Total) ReadStat()
    {
        try
        {
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 9 || fields[0] != "cpu")
            {
                return (0, 0);
            }
            var ticks = fields.Skip(1).Take(8).Select(long.Parse).ToArray();
            return (ticks[7], ticks.Sum());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or OverflowException)
        {
            return (0, 0);
        }
    }
}
