using Portal.Data;
using Portal.Web.Features.Intake;

namespace Portal.Web.Tests.Features.Intake;

/// <summary>The per-organisation token bucket, on a clock that moves only when told.</summary>
public sealed class IntakeRateLimiterTests
{
    private readonly ManualClock _clock = new();
    private readonly IntakeRateLimiter _limiter;

    public IntakeRateLimiterTests() =>
        _limiter = new IntakeRateLimiter(new VigilOptions { Intake = new IntakeOptions { BytesPerSecond = 1000, BurstBytes = 2000 } }, _clock);

    [Fact]
    public void TryAcquire_BeyondTheBurst_WaitUntilRefilled()
    {
        var tenant = Guid.NewGuid();

        Assert.Null(_limiter.TryAcquire(tenant, 1500));
        Assert.Equal(TimeSpan.FromSeconds(1), _limiter.TryAcquire(tenant, 1500));
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(_limiter.TryAcquire(tenant, 1500));
        // Another organisation has its own bucket.
        Assert.Null(_limiter.TryAcquire(Guid.NewGuid(), 2000));
    }

    /// <summary>A refunded request (the server could not store it) leaves the bucket as if it had not been sent, never beyond the burst.</summary>
    [Fact]
    public void Refund_GivesBackWhatWasTaken_UpToTheBurst()
    {
        var tenant = Guid.NewGuid();
        Assert.Null(_limiter.TryAcquire(tenant, 1900));

        _limiter.Refund(tenant, 1900);

        Assert.Null(_limiter.TryAcquire(tenant, 1900));
        _limiter.Refund(tenant, 1900);
        _limiter.Refund(tenant, 1900);
        Assert.Null(_limiter.TryAcquire(tenant, 2000));
        Assert.NotNull(_limiter.TryAcquire(tenant, 1));
    }

    private sealed class ManualClock : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
