using Portal.Detection.Events;
using Portal.Detection.ThreatIntel;

namespace Portal.Detection.Tests.ThreatIntel;

public class ThreatIndicatorSetTests
{
    private static readonly ThreatIndicatorSet Set = new(
    [
        Indicator("203.0.113.0/24", "scanner"),
        Indicator("203.0.113.128/25", "malware"),
        Indicator("203.0.113.200", "tor"),
        Indicator("198.51.100.7", "malware"),
        Indicator("2001:db8::/32", "hosting_proxy"),
        Indicator("2001:db8:1::/48", "malware"),
    ]);

    [Theory]
    [InlineData("203.0.113.0", "scanner")]
    [InlineData("203.0.113.127", "scanner")]
    [InlineData("203.0.113.128", "scanner,malware")]
    [InlineData("203.0.113.200", "scanner,malware,tor")]
    [InlineData("203.0.113.201", "scanner,malware")]
    [InlineData("203.0.113.255", "scanner,malware")]
    [InlineData("203.0.114.0", "")]
    [InlineData("203.0.112.255", "")]
    [InlineData("198.51.100.7", "malware")]
    [InlineData("198.51.100.6", "")]
    [InlineData("198.51.100.8", "")]
    [InlineData("2001:db8::1", "hosting_proxy")]
    [InlineData("2001:db8:1:ffff::1", "hosting_proxy,malware")]
    [InlineData("2001:db9::1", "")]
    [InlineData("::ffff:203.0.113.200", "scanner,malware,tor")]
    [InlineData("0.0.0.0", "")]
    [InlineData("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "")]
    public void Match_Address_FindsEveryCoveringIndicatorInFeedOrder(string address, string categories)
    {
        Assert.Equal(categories, string.Join(",", Set.Match(address).Select(i => i.Category)));
    }

    [Fact]
    public void Match_NotAnAddress_FindsNothing()
    {
        Assert.Empty(Set.Match("ec2.amazonaws.com"));
        Assert.Empty(Set.Match(""));
    }

    [Fact]
    public void Match_RangeReachingTheTopOfTheAddressSpace_CoversItsLastAddress()
    {
        var set = new ThreatIndicatorSet([Indicator("::/0", "any"), Indicator("ffff::/16", "top")]);

        Assert.Equal(["any", "top"], set.Match("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff").Select(i => i.Category));
        Assert.Equal(["any"], set.Match("192.0.2.1").Select(i => i.Category));
    }

    [Fact]
    public void Constructor_DuplicatedIndicators_CountOnce()
    {
        var set = new ThreatIndicatorSet([Indicator("192.0.2.1", "malware"), Indicator("192.0.2.1", "malware"), Indicator("192.0.2.1", "scanner")]);

        Assert.Equal(2, set.Count);
        Assert.Equal(["malware", "scanner"], set.Match("192.0.2.1").Select(i => i.Category));
    }

    [Fact]
    public void Match_ManyDisjointRanges_FindsEachOnlyInsideItsOwn()
    {
        var indicators = Enumerable.Range(0, 50_000).Select(i => Indicator($"10.{i >> 8 & 255}.{i & 255}.0/25", i.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToList();
        var set = new ThreatIndicatorSet(indicators);

        Assert.Equal("12345", Assert.Single(set.Match("10.48.57.100")).Category);
        Assert.Empty(set.Match("10.48.57.200"));
        Assert.Empty(ThreatIndicatorSet.Empty.Match("10.48.57.100"));
    }

    private static ThreatIndicator Indicator(string network, string category) =>
        new(IpRange.TryParse(network, out var range) ? range : throw new ArgumentException(network, nameof(network)), category, ThreatIntentions.Malicious, "test");
}
