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

    /// <summary>
    /// An id drawn from a seed is the same on every version (a batch replayed after a crash must get its ids again): the
    /// time's ten characters, then the random number's low 80 bits, five a character from the last, in Crockford's base 32.
    /// </summary>
    [Fact]
    public void New_FromRandomBits_SpellsTheirFiveBitGroups()
    {
        const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
        var random = new Random(20261205);
        for (var n = 0; n < 2_000; n++)
        {
            var bits = new UInt128((ulong)random.NextInt64() << 1 | (uint)random.Next(2), (ulong)random.NextInt64() << 1 | (uint)random.Next(2));
            var at = DateTimeOffset.FromUnixTimeMilliseconds(random.NextInt64(0, Math.Min(1L << 48, DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())));
            var expected = new char[EventIds.Length];
            var (time, rest) = ((ulong)at.ToUnixTimeMilliseconds(), bits);
            for (var i = EventIds.Length - 1; i >= 10; i--, rest >>= 5)
            {
                expected[i] = Alphabet[(int)(rest & 31)];
            }
            for (var i = 9; i >= 0; i--, time >>= 5)
            {
                expected[i] = Alphabet[(int)(time & 31)];
            }
            Assert.Equal(new string(expected), EventIds.New(at, bits));
        }
        Assert.Equal("0000000000" + "000000000000000Z", EventIds.New(DateTimeOffset.UnixEpoch, 31));
        Assert.Equal("0000000000" + "Z000000000000000", EventIds.New(DateTimeOffset.UnixEpoch, (UInt128)31 << 75));
    }
}
