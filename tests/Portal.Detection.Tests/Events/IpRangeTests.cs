using Portal.Detection.Events;

namespace Portal.Detection.Tests.Events;

public class IpRangeTests
{
    [Theory]
    [InlineData("10.0.0.0/8", "10.255.255.255", true)]
    [InlineData("10.0.0.0/8", "11.0.0.0", false)]
    [InlineData("10.1.2.3/8", "10.0.0.1", true)]
    [InlineData("192.168.1.7", "192.168.1.7", true)]
    [InlineData("192.168.1.7", "192.168.1.8", false)]
    [InlineData("0.0.0.0/0", "255.255.255.255", true)]
    [InlineData("0.0.0.0/0", "2001:db8::1", false)]
    [InlineData("::/0", "8.8.8.8", true)]
    [InlineData("2001:db8::/32", "2001:db8:ffff::1", true)]
    [InlineData("2001:db8::/32", "2001:db9::1", false)]
    [InlineData("10.0.0.0/8", "::ffff:10.0.0.1", true)]
    public void Contains_Address_IsWithinTheNetwork(string network, string address, bool expected)
    {
        Assert.True(IpRange.TryParse(network, out var range));
        Assert.True(IpText.TryParse(address, out var ip));

        Assert.Equal(expected, range.Contains(IpText.ToUInt128(ip)));
    }

    [Theory]
    [InlineData("10.0.0.0/33")]
    [InlineData("10.0.0/8")]
    [InlineData("10.0.0.0/-1")]
    [InlineData("10.0.0.0/")]
    [InlineData("2001:db8::/129")]
    [InlineData("host/8")]
    [InlineData("")]
    public void TryParse_NotANetwork_IsRejected(string text)
    {
        Assert.False(IpRange.TryParse(text, out _));
    }

    [Theory]
    [InlineData("10.1.2.3/8", "10.0.0.0/8")]
    [InlineData("192.168.1.7", "192.168.1.7/32")]
    [InlineData("0.0.0.0/0", "0.0.0.0/0")]
    [InlineData("::/0", "::/0")]
    [InlineData("2001:db8::1/32", "2001:db8::/32")]
    public void ToString_Network_IsCanonicalCidr(string text, string expected)
    {
        Assert.True(IpRange.TryParse(text, out var range));

        Assert.Equal(expected, range.ToString());
    }

    [Theory]
    [InlineData("1", false)]
    [InlineData("0x10", false)]
    [InlineData("1.2.3", false)]
    [InlineData("1.2.3.4.5", false)]
    [InlineData("1..2.3", false)]
    [InlineData("1234.1.1.1", false)]
    [InlineData("256.1.1.1", false)]
    [InlineData("user:42", false)]
    [InlineData("fe80::1%eth0", false)]
    [InlineData("10.10.1.011", false)]
    [InlineData("192.168.009.1", false)]
    [InlineData("00.1.2.3", false)]
    [InlineData("0.0.0.0", true)]
    [InlineData("10.0.100.1", true)]
    [InlineData("203.0.113.77", true)]
    [InlineData("::1", true)]
    [InlineData("::ffff:10.0.1.20", true)]
    public void TryParse_Text_AcceptsOnlyWrittenAddresses(string text, bool expected)
    {
        Assert.Equal(expected, IpText.TryParse(text, out _));
    }

    [Fact]
    public void SortKey_Addresses_OrderAsNumbers()
    {
        string[] ordered = ["0.0.0.1", "10.0.0.1", "10.0.0.2", "192.168.0.1", "2001:db8::1"];
        var keys = ordered.Select(a => IpText.TryParse(a, out var ip) ? IpText.SortKey(IpText.ToUInt128(ip)) : "").ToList();

        Assert.Equal(keys.Order(StringComparer.Ordinal), keys);
        Assert.All(keys, k => Assert.Equal(32, k.Length));
    }
}
