using System.Runtime.ExceptionServices;

namespace Portal.Search.Lucene;

/// <summary>
/// A loop over items shared between the calling thread and, when one is free, a helper on another background thread
/// (<see cref="BackgroundScheduler"/>): Lucene's writer takes documents from several threads at once, each into a
/// segment of its own, and inverting, compressing and flushing them is most of indexing's work. The caller never waits
/// for a helper that has not started (the background threads may all be busy with other tenants' loops): it takes every
/// item left itself, and a helper that starts late finds none.
/// </summary>
internal sealed class SharedWork
{
    /// <summary>Items claimed at a time by default: few enough that the two threads finish together, enough to claim rarely.</summary>
    public const int DefaultChunk = 16;

    private const int NotStarted = 0;
    private const int Running = 1;
    private const int Over = 2;

    private readonly int _count;
    private readonly int _chunk;
    private readonly Action<int> _body;
    private readonly TaskCompletionSource _helped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _next;
    private int _helper;
    private Exception? _failure;

    private SharedWork(int count, int chunk, Action<int> body) => (_count, _chunk, _body) = (count, chunk, body);

    /// <summary>
    /// Runs <paramref name="body"/> for each index below <paramref name="count"/>, in no particular order, the threads
    /// claiming <paramref name="chunk"/> items at a time, and returns when all are done; rethrows the first failure (items
    /// not yet started are then skipped).
    /// </summary>
    public static void For(int count, Action<int> body, int chunk = DefaultChunk)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunk, 1);
        var work = new SharedWork(count, chunk, body);
        if (count > chunk && BackgroundScheduler.Instance.MaximumConcurrencyLevel > 1)
        {
            Task.Factory.StartNew(static w => ((SharedWork)w!).Help(), work, CancellationToken.None, TaskCreationOptions.DenyChildAttach, BackgroundScheduler.Instance);
        }
        try
        {
            work.Take();
        }
        catch (Exception e)
        {
            work.Fail(e);
        }
        // A helper that has not started never will do anything; one that has is waited for.
        if (Interlocked.CompareExchange(ref work._helper, Over, NotStarted) == Running)
        {
            work._helped.Task.Wait();
        }
        if (Volatile.Read(ref work._failure) is { } failure)
        {
            ExceptionDispatchInfo.Throw(failure);
        }
    }

    private void Help()
    {
        if (Interlocked.CompareExchange(ref _helper, Running, NotStarted) != NotStarted)
        {
            return;
        }
        try
        {
            Take();
        }
        catch (Exception e)
        {
            Fail(e);
        }
        finally
        {
            Volatile.Write(ref _helper, Over);
            _helped.SetResult();
        }
    }

    private void Take()
    {
        int first;
        while ((first = Interlocked.Add(ref _next, _chunk) - _chunk) < _count)
        {
            var end = Math.Min(first + _chunk, _count);
            for (var i = first; i < end; i++)
            {
                _body(i);
            }
        }
    }

    private void Fail(Exception e)
    {
        Interlocked.CompareExchange(ref _failure, e, null);
        // The other thread stops at its next claim.
        Interlocked.Exchange(ref _next, _count);
    }
}
