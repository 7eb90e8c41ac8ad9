namespace Portal.Web.Features.Intake;

/// <summary>
/// Each organisation's intake requests that have been received but not yet answered, by the time they were received: the
/// time their events without one of their own are stamped with. A scheduled evaluation judges only up to the oldest of
/// them (<see cref="Bound"/>). Otherwise a request received before a run's end, but acknowledged only after the run had
/// made the store searchable, would have its events fall behind the run's watermark and never be judged.
/// </summary>
public sealed class IntakeInFlight(TimeProvider clock)
{
    private readonly Lock _lock = new();

    /// <summary>Receipt times (UTC ticks) of the requests in flight, per organisation; a few entries each.</summary>
    private readonly Dictionary<Guid, List<long>> _received = [];

    /// <summary>
    /// Registers a request of <paramref name="tenantId"/> received now; the receipt's time is the request's arrival time.
    /// Dispose the receipt once the request is answered, accepted or not.
    /// </summary>
    public Receipt Receive(Guid tenantId)
    {
        lock (_lock)
        {
            // Read under the lock: a run that bounds itself before this sees the clock no later than this request does.
            var now = clock.GetUtcNow();
            if (!_received.TryGetValue(tenantId, out var times))
            {
                _received[tenantId] = times = [];
            }
            times.Add(now.UtcTicks);
            return new Receipt(this, tenantId, now);
        }
    }

    /// <summary>
    /// The end a run of <paramref name="tenantId"/>'s rules may judge to: now less <paramref name="delay"/>, or the arrival of
    /// its oldest request still in flight if that is earlier. Windows end before their end time, so that request's events
    /// fall in the next run; every request received later arrives at or after the returned time.
    /// (Times come from the clock the server is given, assumed not to step backwards.)
    /// </summary>
    public DateTimeOffset Bound(Guid tenantId, TimeSpan delay)
    {
        lock (_lock)
        {
            var until = clock.GetUtcNow() - delay;
            if (_received.TryGetValue(tenantId, out var times))
            {
                foreach (var ticks in times)
                {
                    if (ticks < until.UtcTicks)
                    {
                        until = new DateTimeOffset(ticks, TimeSpan.Zero);
                    }
                }
            }
            return until;
        }
    }

    private void Answered(Guid tenantId, long ticks)
    {
        lock (_lock)
        {
            var times = _received[tenantId];
            times.Remove(ticks);
            if (times.Count == 0)
            {
                _received.Remove(tenantId);
            }
        }
    }

    /// <summary>One request in flight; disposing it marks the request answered (once).</summary>
    public sealed class Receipt(IntakeInFlight owner, Guid tenantId, DateTimeOffset receivedAt) : IDisposable
    {
        private int _answered;

        /// <summary>When the request was received.</summary>
        public DateTimeOffset ReceivedAt { get; } = receivedAt;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _answered, 1) == 0)
            {
                owner.Answered(tenantId, ReceivedAt.UtcTicks);
            }
        }
    }
}
