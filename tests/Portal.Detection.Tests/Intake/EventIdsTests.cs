using Portal.Detection.Intake;

namespace Portal.Detection.Tests.Intake;

public class EventIdsTests
{
    private static readonly DateTimeOffset Instant = new(2026, 3, 3, 14, 5, 0, TimeSpan.Zero);

    [Fact]
    public void New_Always_Returns26CrockfordBase32Characters()
    {
        var id = EventIds.New(Instant);

        Assert.Equal(EventIds.Length, id.Length);
        Assert.Matches("^[0-9A-HJKMNP-TV-Z]{26}$", id);
    }

    [Fact]
    public void New_LaterMillisecond_SortsAfter()
    {
        var earlier = EventIds.New(Instant);
        var later = EventIds.New(Instant.AddMilliseconds(1));

        Assert.True(string.CompareOrdinal(earlier, later) < 0);
    }

    [Fact]
    public void New_SameMillisecond_IsUniqueAndSharesTimePrefix()
    {
        var ids = Enumerable.Range(0, 10_000).Select(_ => EventIds.New(Instant)).ToList();

        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Single(ids.Select(i => i[..10]).Distinct());
    }

    [Fact]
    public void New_BeforeUnixEpoch_DoesNotThrow()
    {
        var id = EventIds.New(DateTimeOffset.MinValue);

        Assert.StartsWith("0000000000", id);
    }
}
