using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.Detection;

/// <summary>
/// The intake enriches events whose addresses the instance's feed lists (<see cref="ThreatIntelFeedFile"/>), the
/// enrichment is stored and searchable, and the out-of-the-box rule raises its signal in the real-time stage.
/// </summary>
[Collection("portal")]
public sealed class ThreatIntelTests(PortalFixture portal)
{
    private const string Rule = "Request from a malicious IP address";
    private const string UnlistedIp = "203.0.113.251";

    [Fact]
    public async Task Intake_ClientIpInTheFeed_IsStoredEnrichedAndRaisesARealTimeSignal()
    {
        var tenant = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();

        using var accepted = await LogShipper.PostAsync(client, tenant, new JsonArray(Request(ThreatIntelFeedFile.MaliciousIp, "/wp-login.php"), Request(UnlistedIp, "/")));
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);

        var all = await WaitForLogsAsync(client, tenant, "service:shop-frontend", count: 2);
        var enriched = Assert.Single(await SearchLogsAsync(client, tenant, "@threat_intel.results.intention:malicious"));
        var threatIntel = enriched["attributes"]!["attributes"]!["threat_intel"]!;
        var result = Assert.Single(threatIntel["results"]!.AsArray())!;
        Assert.Equal("malware", result["category"]!.GetValue<string>());
        Assert.Equal(ThreatIntelFeedFile.SourceName, result["source"]!["name"]!.GetValue<string>());
        Assert.Equal(ThreatIntelFeedFile.MaliciousIp, result["ip"]!.GetValue<string>());
        Assert.Equal(ThreatIntelFeedFile.MaliciousIp, Assert.Single(threatIntel["indicators_matched"]!.AsArray())!.GetValue<string>());
        var unlisted = Assert.Single(all, l => l["attributes"]!["attributes"]!["network"]!["client"]!["ip"]!.GetValue<string>() == UnlistedIp);
        Assert.Null(unlisted["attributes"]!["attributes"]!["threat_intel"]);

        var signal = await WaitForSignalAsync(client, tenant, TimeSpan.FromSeconds(15));
        Assert.NotNull(signal);
        Assert.Equal("high", signal["attributes"]!["custom"]!["status"]!.GetValue<string>());
        Assert.Equal(ThreatIntelFeedFile.MaliciousIp, signal["attributes"]!["custom"]!["group_by"]!["@network.client.ip"]!.GetValue<string>());
        Assert.Contains($"listed as malware (malicious) by {ThreatIntelFeedFile.SourceName}", signal["attributes"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    private static JsonObject Request(string ip, string path) => new()
    {
        ["ddsource"] = "app",
        ["service"] = "shop-frontend",
        ["hostname"] = "web-1",
        ["message"] = $"GET {path} 200",
        ["network"] = new JsonObject { ["client"] = new JsonObject { ["ip"] = ip } },
    };

    private static async Task<List<JsonObject>> WaitForLogsAsync(HttpClient client, TestTenant tenant, string query, int count)
    {
        var found = new List<JsonObject>();
        for (var attempt = 0; attempt < 100 && found.Count < count; attempt++)
        {
            await Task.Delay(100); // searchable within a second of the 202
            found = await SearchLogsAsync(client, tenant, query);
        }
        Assert.Equal(count, found.Count);
        return found;
    }

    private static async Task<List<JsonObject>> SearchLogsAsync(HttpClient client, TestTenant tenant, string query)
    {
        var body = new JsonObject { ["filter"] = new JsonObject { ["query"] = query, ["from"] = "now-1h", ["to"] = "now" }, ["page"] = new JsonObject { ["limit"] = 100 } };
        using var response = await client.SendAsync(tenant.Request(HttpMethod.Post, "api/v2/logs/events/search", JsonContent.Create(body)));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["data"]!.AsArray().Select(l => l!.AsObject()).ToList();
    }

    private static async Task<JsonObject?> WaitForSignalAsync(HttpClient client, TestTenant tenant, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            var signals = (await LogShipper.SearchSignalsAsync(client, tenant, "*"))["data"]!.AsArray()
                .Select(s => s!.AsObject())
                .Where(s => s["attributes"]!["custom"]!["workflow"]!["rule"]!["name"]!.GetValue<string>() == Rule);
            if (signals.FirstOrDefault() is { } found)
            {
                return found;
            }
            await Task.Delay(100);
        }
        return null;
    }
}
