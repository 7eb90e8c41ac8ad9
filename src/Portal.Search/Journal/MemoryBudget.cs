namespace Portal.Search.Journal;

/// <summary>
/// Bytes that several holders may keep in memory in all: each takes what it keeps (<see cref="TryTake"/>) and gives it back
/// when it lets go of it (<see cref="Give"/>). A budget may draw on a <c>parent</c> as well: each journaled index has one of
/// its own, drawn on the one every organisation's indexes share, so that the pending batches they keep in memory stay
/// within both bounds however many organisations send at once; what does not fit is read back from the journal.
/// </summary>
public sealed class MemoryBudget(long limit, MemoryBudget? parent = null)
{
    private long _taken;

    /// <summary>The most that may be taken at once.</summary>
    public long Limit { get; } = limit;

    /// <summary>What is taken now.</summary>
    public long Taken => Interlocked.Read(ref _taken);

    /// <summary>
    /// Takes <paramref name="bytes"/> when they fit beside what is taken, here and in the parent; false, taking nothing, when
    /// they do not.
    /// </summary>
    public bool TryTake(long bytes)
    {
        if (Interlocked.Add(ref _taken, bytes) <= Limit && (parent is null || parent.TryTake(bytes)))
        {
            return true;
        }
        Interlocked.Add(ref _taken, -bytes);
        return false;
    }

    /// <summary>Gives back <paramref name="bytes"/> taken before, here and in the parent.</summary>
    public void Give(long bytes)
    {
        if (bytes != 0)
        {
            Interlocked.Add(ref _taken, -bytes);
            parent?.Give(bytes);
        }
    }
}
