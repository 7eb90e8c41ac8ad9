namespace Portal.Search.Journal;

/// <summary>The store is behind (indexing cannot keep up): the caller should retry after <see cref="RetryAfter"/>.</summary>
public sealed class StoreBusyException(TimeSpan retryAfter)
    : Exception($"The event store is busy indexing; retry after {retryAfter.TotalSeconds:0} s.")
{
    /// <summary>How long to wait before retrying.</summary>
    public TimeSpan RetryAfter { get; } = retryAfter;
}
