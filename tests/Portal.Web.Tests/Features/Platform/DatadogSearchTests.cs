using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Portal.Detection.Query;
using Portal.Search;
using Portal.Web.Features.Platform;

namespace Portal.Web.Tests.Features.Platform;

/// <summary>The next page's link of Datadog's search responses: reachable by the client that asked, wherever Vigil is served.</summary>
public class DatadogSearchTests
{
    private static readonly SearchRequest Request = new(QueryParser.Parse("*"), DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddHours(1), 10);

    private static HttpRequest Asked(string? publicUrl, string pathBase = "")
    {
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Vigil:PublicUrl"] = publicUrl }).Build())
            .BuildServiceProvider();
        var http = new DefaultHttpContext { RequestServices = services };
        (http.Request.Scheme, http.Request.Host, http.Request.PathBase) = ("http", new HostString("10.0.0.5:8080"), new PathString(pathBase));
        return http.Request;
    }

    [Theory]
    [InlineData(null, "", "http://10.0.0.5:8080/api/v2/logs/events?")]
    [InlineData(null, "/vigil", "http://10.0.0.5:8080/vigil/api/v2/logs/events?")]
    [InlineData("https://siem.example.com/", "", "https://siem.example.com/api/v2/logs/events?")]
    [InlineData("https://example.com/vigil", "/ignored", "https://example.com/vigil/api/v2/logs/events?")]
    public void NextLink_UnderThePublicUrl_ElseTheRequestsOwnRoot(string? publicUrl, string pathBase, string expected)
    {
        var link = DatadogSearch.NextLink(Asked(publicUrl, pathBase), "/api/v2/logs/events", "service:web", Request, SearchCursor.After(DateTimeOffset.UnixEpoch, "id-1"));

        Assert.StartsWith(expected, link, StringComparison.Ordinal);
        Assert.Contains("filter[query]=service%3Aweb", link, StringComparison.Ordinal);
    }
}
