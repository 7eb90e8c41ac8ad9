using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.Logs;

/// <summary>Datadog's log search and aggregate endpoints: shapes, and clear refusals for what the store cannot compute.</summary>
[Collection("portal")]
public sealed class LogsApiTests(PortalFixture portal)
{
    [Fact]
    public async Task Aggregate_CountTimeseries_BucketsSumToTheMatches()
    {
        var tenant = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        using (var _ = await LogShipper.PostAsync(client, tenant, LogShipper.SshFailures("192.0.2.77", 7)))
        {
        }

        var body = new JsonObject
        {
            ["compute"] = new JsonArray(new JsonObject { ["aggregation"] = "count", ["type"] = "timeseries", ["interval"] = "1m" }),
            ["filter"] = new JsonObject { ["query"] = "@network.client.ip:192.0.2.77", ["from"] = "now-10m", ["to"] = "now" },
        };
        JsonObject? result = null;
        for (var attempt = 0; attempt < 20; attempt++)
        {
            using var response = await client.SendAsync(tenant.Request(HttpMethod.Post, "api/v2/logs/analytics/aggregate", JsonContent.Create(body)));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            result = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
            if (Points(result).Sum() == 7)
            {
                break;
            }
            await Task.Delay(100); // searchable within a second of the 202
        }

        Assert.Equal(7, Points(result!).Sum());
        Assert.InRange(Points(result!).Count, 10, 11);
    }

    [Theory]
    [InlineData("""{"compute":[{"aggregation":"avg","metric":"@duration"}]}""", "only 'count'")]
    [InlineData("""{"group_by":[{"facet":"@usr.name"}]}""", "group_by")]
    [InlineData("""{"filter":{"query":"(unclosed"}}""", "filter.query")]
    public async Task Aggregate_Unsupported_400SaysWhat(string json, string expected)
    {
        var tenant = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        using var response = await client.SendAsync(tenant.Request(HttpMethod.Post, "api/v2/logs/analytics/aggregate", new StringContent(json, System.Text.Encoding.UTF8, "application/json")));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static List<long> Points(JsonObject result) =>
        result["data"]!["buckets"]![0]!["computes"]!["c0"]!.AsArray().Select(p => p!["value"]!.GetValue<long>()).ToList();
}
