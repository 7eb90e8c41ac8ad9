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
    /// because <paramref name="cancellation"/> was cancelled (a newer search, the page closed).
    /// </summary>
    /// <remarks>
    /// A read overtaken by a newer one (<paramref name="cancellation"/> cancelled, or <paramref name="current"/> false when it
    /// ends) changes nothing the page says: its fault is not the page's, which shows the newer read, and its success does not
    /// hide the newer read's fault.
    /// </remarks>
    public async Task<bool> RunAsync(Func<Task> read, Guid? tenantId, Func<bool>? current = null, CancellationToken cancellation = default)
    {
        try
        {
            await read();
            if (!Overtaken(current, cancellation))
            {
                Error = null;
            }
            return true;
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            return false;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            if (Overtaken(current, cancellation))
            {
                logger.LogWarning(e, "{What} of organisation {Tenant} failed once overtaken (a newer read, the page closed)", what, tenantId);
                return false;
            }
            if (Error is null)
            {
                logger.LogError(e, "{What} of organisation {Tenant} failed", what, tenantId);
            }
            Error = $"The {what} could not run: the store did not answer. Try again in a moment.";
            return false;
        }
    }

    private static bool Overtaken(Func<bool>? current, CancellationToken cancellation) => cancellation.IsCancellationRequested || current?.Invoke() == false;
}
