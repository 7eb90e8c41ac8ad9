using System.Collections.Concurrent;
using Portal.Data;

namespace Portal.Web.Features.Intake;

/// <summary>
/// Per-tenant token buckets over uncompressed intake bytes (Datadog's defaults: 4 MB/s sustained, 6 MB burst),
/// so one noisy organisation cannot starve the others. Configured by <c>Vigil:Intake:BytesPerSecond</c> and
/// <c>Vigil:Intake:BurstBytes</c>.
/// </summary>
public sealed class IntakeRateLimiter(VigilOptions options, TimeProvider clock)
{
    private readonly ConcurrentDictionary<Guid, Bucket> _buckets = new();

    /// <summary>Takes <paramref name="bytes"/> from the tenant's bucket; when it is short, returns how long to wait instead.</summary>
    public TimeSpan? TryAcquire(Guid tenantId, long bytes)
    {
        var (rate, burst, cost) = Cost(bytes);
        var bucket = _buckets.GetOrAdd(tenantId, _ => new Bucket(burst, clock.GetTimestamp()));
        lock (bucket)
        {
            var now = clock.GetTimestamp();
            bucket.Tokens = Math.Min(burst, bucket.Tokens + clock.GetElapsedTime(bucket.Updated, now).TotalSeconds * rate);
            bucket.Updated = now;
            if (bucket.Tokens >= cost)
            {
                bucket.Tokens -= cost;
                return null;
            }
            return TimeSpan.FromSeconds((cost - bucket.Tokens) / rate);
        }
    }

    /// <summary>
    /// Gives back what <see cref="TryAcquire"/> took for <paramref name="bytes"/> when the server then could not store the
    /// request (busy, or its disk at fault): the shipper sends the same bytes again and is charged for them then, not twice.
    /// A request refused for its own content (malformed, too large) stays charged: reading it took the capacity.
    /// </summary>
    public void Refund(Guid tenantId, long bytes)
    {
        var (_, burst, cost) = Cost(bytes);
        if (_buckets.TryGetValue(tenantId, out var bucket))
        {
            lock (bucket)
            {
                bucket.Tokens = Math.Min(burst, bucket.Tokens + cost);
            }
        }
    }

    /// <summary>The configured rate and burst, and what a request of <paramref name="bytes"/> costs: a request as large as the burst passes when the bucket is full.</summary>
    private (double Rate, double Burst, double Cost) Cost(long bytes)
    {
        var rate = Math.Max(1, options.Intake.BytesPerSecond);
        var burst = Math.Max(rate, options.Intake.BurstBytes);
        return (rate, burst, Math.Min(bytes, burst));
    }

    private sealed class Bucket(double tokens, long updated)
    {
        public double Tokens { get; set; } = tokens;

        public long Updated { get; set; } = updated;
    }
}
