using System.Runtime.InteropServices;

namespace Portal.Search.Lucene;

/// <summary>
/// Lowers the CPU priority of the calling thread (Linux: its nice value), for background work that must yield to
/// requests: indexing and merging, when an intake burst competes with them for the cores.
/// </summary>
internal static partial class BackgroundPriority
{
    /// <summary>The nice value of background threads: a nice-0 thread gets about ten times their share of a busy core.</summary>
    public const int Nice = 10;

    /// <summary>Lowers the calling thread's priority; does nothing where that is not supported.</summary>
    public static void LowerCurrentThread()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        try
        {
            // On Linux, setpriority with a thread id sets that thread alone.
            _ = SetPriority(0, GetThreadId(), Nice);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
        }
    }

    [LibraryImport("libc", EntryPoint = "setpriority")]
    private static partial int SetPriority(int which, int who, int priority);

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetThreadId();
}

/// <summary>
/// Runs tasks on a few threads of lowered priority (<see cref="BackgroundPriority"/>), one per core: the tenants'
/// indexing loops, so that acknowledging intake requests and answering searches come first when the cores are busy,
/// and indexing takes whatever they leave (all of it when they are idle). A loop holds a thread only while it works.
/// </summary>
internal sealed class BackgroundScheduler : TaskScheduler
{
    /// <summary>The one instance: its threads live as long as the process.</summary>
    public static readonly BackgroundScheduler Instance = new(Math.Max(1, Environment.ProcessorCount));

    private readonly System.Collections.Concurrent.BlockingCollection<Task> _tasks = [];
    private readonly int _threads;

    [ThreadStatic]
    private static bool t_mine;

    private BackgroundScheduler(int threads)
    {
        _threads = threads;
        for (var i = 0; i < threads; i++)
        {
            new Thread(Work) { IsBackground = true, Name = "vigil-indexing" }.Start();
        }
    }

    /// <summary>Starts <paramref name="loop"/> on the background threads; its awaits come back to them.</summary>
    public static Task Run(Func<Task> loop) =>
        Task.Factory.StartNew(loop, CancellationToken.None, TaskCreationOptions.DenyChildAttach, Instance).Unwrap();

    /// <inheritdoc />
    public override int MaximumConcurrencyLevel => _threads;

    /// <inheritdoc />
    protected override void QueueTask(Task task) => _tasks.Add(task);

    /// <inheritdoc />
    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => t_mine && TryExecuteTask(task);

    /// <inheritdoc />
    protected override IEnumerable<Task> GetScheduledTasks() => _tasks.ToArray();

    private void Work()
    {
        t_mine = true;
        BackgroundPriority.LowerCurrentThread();
        foreach (var task in _tasks.GetConsumingEnumerable())
        {
            TryExecuteTask(task);
        }
    }
}

/// <summary>Lucene's concurrent merges, on threads of lowered priority (<see cref="BackgroundPriority"/>).</summary>
internal sealed class BackgroundMergeScheduler : global::Lucene.Net.Index.ConcurrentMergeScheduler
{
    /// <inheritdoc />
    protected override void DoMerge(global::Lucene.Net.Index.MergePolicy.OneMerge merge)
    {
        BackgroundPriority.LowerCurrentThread();
        base.DoMerge(merge);
    }
}
