namespace Portal.Web.Components.Shared;

/// <summary>
/// An explorer page's reads of its store: a read that throws (a disk fault, a store closing as the server stops) leaves
/// its fault for the page to show (<see cref="Error"/>) instead of ending the page's circuit, and is logged once until a
/// read succeeds again (live tail retries every few seconds).
/// </summary>
public sealed class GuardedReads(ILogger logger, string what)
{
    /// <summary>What the page says while the store does not answer; null once a read succeeded.</summary>
    public string? Error { get; private set; }

    /// <summary>
    /// Runs <paramref name="read"/>: false, <see cref="Error"/> set, when it threw; false without a fault when it stopped
    /// because <paramref name="cancellation"/> was cancelled (the page closed).
    /// </summary>
    public async Task<bool> RunAsync(Func<Task> read, Guid? tenantId, CancellationToken cancellation = default)
    {
        try
        {
            await read();
            Error = null;
            return true;
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            return false;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            if (Error is null)
            {
                logger.LogError(e, "{What} of organisation {Tenant} failed", what, tenantId);
            }
            Error = $"The {what} could not run: the store did not answer. Try again in a moment.";
            return false;
        }
    }
}
