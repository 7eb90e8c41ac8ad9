using Portal.Search.Lucene;

namespace Portal.Search.Tests.Lucene;

/// <summary>
/// An indexing batch shared with a helper thread: every item once, failures surface, and the caller never waits for a
/// helper that cannot start because the background threads are busy. Not run beside other tests: these hold the
/// background threads that other classes' stores index on.
/// </summary>
[Collection(nameof(SharedWorkTests))]
[CollectionDefinition(nameof(SharedWorkTests), DisableParallelization = true)]
public sealed class SharedWorkTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(17)]
    [InlineData(5_000)]
    public void For_RunsEveryItemExactlyOnce(int count)
    {
        var runs = new int[count];
        SharedWork.For(count, i => Interlocked.Increment(ref runs[i]));
        Assert.All(runs, r => Assert.Equal(1, r));
    }

    [Fact]
    public void For_SharesABatchWithAFreeBackgroundThread()
    {
        if (BackgroundScheduler.Instance.MaximumConcurrencyLevel < 2)
        {
            return; // one core: there is no second background thread to share with
        }
        var threads = new System.Collections.Concurrent.ConcurrentDictionary<int, byte>();
        // Slow items, so that the helper, once started, takes some of them; tried again in case other tests' indexing
        // loops held the background threads the whole time.
        for (var attempt = 0; attempt < 10 && threads.Count < 2; attempt++)
        {
            threads.Clear();
            SharedWork.For(1_000, _ =>
            {
                threads.TryAdd(Environment.CurrentManagedThreadId, 0);
                Thread.Sleep(1);
            });
        }
        Assert.Equal(2, threads.Count);
    }

    [Fact]
    public void For_AFailingItem_ThrowsItsExceptionAfterTheCallerStopped()
    {
        if (BackgroundScheduler.Instance.MaximumConcurrencyLevel < 2)
        {
            return; // one core: no helper, so no helper's failure
        }
        var caller = Environment.CurrentManagedThreadId;
        // Tried again in the unlikely case that the helper did not start within the caller's wait.
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var helperStarted = new ManualResetEventSlim();
            var ran = 0;
            var failure = Record.Exception(() => SharedWork.For(10_000, i =>
            {
                if (Environment.CurrentManagedThreadId != caller)
                {
                    helperStarted.Set();
                    throw new InvalidOperationException("the helper's item");
                }
                // The caller's first item waits for the helper, so that the helper fails first; its items are slow, as
                // documents are, so that the failure (a thrown exception takes a while) stops it well before the end.
                helperStarted.Wait(TimeSpan.FromSeconds(5));
                Thread.Sleep(1);
                Interlocked.Increment(ref ran);
            }));
            if (!helperStarted.IsSet)
            {
                Assert.Null(failure);
                continue;
            }
            Assert.Equal("the helper's item", Assert.IsType<InvalidOperationException>(failure).Message);
            // The caller stopped at its next claim instead of doing the rest, all but the helper's chunk (at about a
            // millisecond an item, a helper held off the processor for a second or more after its failure still leaves
            // most of them undone).
            Assert.True(ran < 9_000, $"{ran} items ran: the rest were not skipped after the failure");
            return;
        }
        Assert.Fail("the helper never started");
    }

    [Fact]
    public void For_AFailingItemOfTheCaller_Throws()
    {
        var failure = Assert.Throws<InvalidOperationException>(() => SharedWork.For(100, i => throw new InvalidOperationException("item " + i)));
        Assert.StartsWith("item ", failure.Message);
    }

    [Fact]
    public async Task For_EveryBackgroundThreadBusy_TheCallerDoesEveryItemWithoutWaiting()
    {
        var release = new ManualResetEventSlim();
        var busy = new CountdownEvent(BackgroundScheduler.Instance.MaximumConcurrencyLevel);
        var blockers = Enumerable.Range(0, BackgroundScheduler.Instance.MaximumConcurrencyLevel)
            .Select(_ => BackgroundScheduler.Run(() =>
            {
                busy.Signal();
                release.Wait();
                return Task.CompletedTask;
            }))
            .ToList();
        try
        {
            Assert.True(busy.Wait(TimeSpan.FromSeconds(10)), "the background threads did not start");
            var runs = new int[1_000];
            var work = Task.Run(() => SharedWork.For(runs.Length, i => Interlocked.Increment(ref runs[i])));
            Assert.Same(work, await Task.WhenAny(work, Task.Delay(TimeSpan.FromSeconds(10))));
            Assert.All(runs, r => Assert.Equal(1, r));
        }
        finally
        {
            release.Set();
            await Task.WhenAll(blockers);
        }
    }
}
