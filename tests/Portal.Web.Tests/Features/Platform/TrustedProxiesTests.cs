using Microsoft.Extensions.Configuration;
using Portal.Web.Features.Platform;

namespace Portal.Web.Tests.Features.Platform;

public class TrustedProxiesTests
{
    [Theory]
    [InlineData("Vigil:TrustedProxies", "10.0.0.0/8, 192.168.1.5,fd00::/8")]
    [InlineData("Vigil:TrustedProxies:0", "10.0.0.0/8")]
    public void TrustedProxies_AddressesAndNetworks_AsAListOrSeparatedByCommas(string key, string value)
    {
        var settings = new Dictionary<string, string?> { [key] = value };
        if (key.EndsWith(":0", StringComparison.Ordinal))
        {
            settings["Vigil:TrustedProxies:1"] = "192.168.1.5";
            settings["Vigil:TrustedProxies:2"] = "fd00::/8";
        }

        var proxies = PlatformSetup.TrustedProxies(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());

        Assert.Equal(["10.0.0.0/8", "192.168.1.5/32", "fd00::/8"], proxies.Select(p => p.ToString()));
    }

    [Fact]
    public void TrustedProxies_NeitherAddressNorNetwork_RefusedNamingIt()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Vigil:TrustedProxies"] = "10.0.0.0/8,proxy.internal" }).Build();

        var error = Assert.Throws<InvalidOperationException>(() => PlatformSetup.TrustedProxies(configuration));
        Assert.Contains("'proxy.internal'", error.Message, StringComparison.Ordinal);
    }
}
