using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Portal.Search;
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
        for (var attempt = 0; attempt < 100; attempt++)
        {
            using var response = await client.SendAsync(tenant.Request(HttpMethod.Post, "api/v2/logs/analytics/aggregate", JsonContent.Create(body)));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            result = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
            if (Points(result).Sum() == 7)
            {
                break;
            }
            await Task.Delay(100); // searchable within a second of the 202 (a loaded machine is given ten)
        }

        Assert.Equal(7, Points(result!).Sum());
        Assert.InRange(Points(result!).Count, 10, 11);
    }

    [Fact]
    public async Task Aggregate_TimeseriesGroupedByService_EachGroupHasOnlyItsOwnEvents()
    {
        var tenant = await portal.CreateTenantAsync();
        var other = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        var web = new JsonArray(Enumerable.Range(0, 3).Select(i => (JsonNode?)new JsonObject { ["service"] = "web", ["message"] = $"GET /{i}" }).ToArray());
        foreach (var (owner, payload) in new[] { (tenant, LogShipper.SshFailures("192.0.2.5", 5)), (tenant, web), (other, LogShipper.SshFailures("192.0.2.6", 40)) })
        {
            using var _ = await LogShipper.PostAsync(client, owner, payload);
        }
        var body = new JsonObject
        {
            ["compute"] = new JsonArray(
                new JsonObject { ["aggregation"] = "count", ["type"] = "timeseries", ["interval"] = "1m" },
                new JsonObject { ["aggregation"] = "count" },
                new JsonObject { ["aggregation"] = "count", ["type"] = "timeseries", ["interval"] = "5m" }),
            ["filter"] = new JsonObject { ["query"] = "*", ["from"] = "now-10m", ["to"] = "now" },
            ["group_by"] = new JsonArray(new JsonObject { ["facet"] = "service" }),
        };

        Dictionary<string, (long Sum, long Count, int Points)> groups = [];
        Dictionary<string, long> coarse = [];
        for (var attempt = 0; attempt < 100 && groups.GetValueOrDefault("web").Sum != 3; attempt++)
        {
            await Task.Delay(attempt == 0 ? 0 : 100); // searchable within a second of the 202 (a loaded machine is given ten)
            using var response = await client.SendAsync(tenant.Request(HttpMethod.Post, "api/v2/logs/analytics/aggregate", JsonContent.Create(body)));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            groups = (await response.Content.ReadFromJsonAsync<JsonObject>())!["data"]!["buckets"]!.AsArray().ToDictionary(
                b => b!["by"]!["service"]!.GetValue<string>(),
                b => (b!["computes"]!["c0"]!.AsArray().Sum(p => p!["value"]!.GetValue<long>()), b["computes"]!["c1"]!.GetValue<long>(), b["computes"]!["c0"]!.AsArray().Count));
        }
        // The 5-minute series of the same groups, from a pass of its own.
        using (var again = await client.SendAsync(tenant.Request(HttpMethod.Post, "api/v2/logs/analytics/aggregate", JsonContent.Create(body))))
        {
            coarse = (await again.Content.ReadFromJsonAsync<JsonObject>())!["data"]!["buckets"]!.AsArray().ToDictionary(
                b => b!["by"]!["service"]!.GetValue<string>(), b => b!["computes"]!["c2"]!.AsArray().Sum(p => p!["value"]!.GetValue<long>()));
        }

        Assert.Equal(["sshd", "web"], groups.Keys.Order());
        Assert.Equal((5L, 5L), (groups["sshd"].Sum, groups["sshd"].Count));
        Assert.Equal((3L, 3L), (groups["web"].Sum, groups["web"].Count));
        Assert.InRange(groups["web"].Points, 10, 11);
        Assert.Equal(5L, coarse["sshd"]);
        Assert.Equal(3L, coarse["web"]);
    }

    [Theory]
    [InlineData("""{"compute":[{"aggregation":"average","metric":"@duration"}]}""", "compute[0].aggregation: one of count, cardinality, sum")]
    [InlineData("""{"compute":[{"aggregation":"avg","metric":"host"}]}""", "compute[0].metric: avg needs a numeric attribute")]
    [InlineData("""{"compute":[{"aggregation":"count","type":"rate"}]}""", "compute[0].type")]
    [InlineData("""{"compute":[{"aggregation":"pc99"}]}""", "compute[0].metric")]
    [InlineData("""{"group_by":[{"facet":"message"}]}""", "group_by[0].facet")]
    [InlineData("""{"group_by":[{"facet":"service"},{"facet":"host","sort":{"type":"size"}}]}""", "group_by[1].sort.type")]
    [InlineData("""{"group_by":[{"facet":"service","sort":{"aggregation":"avg"}}]}""", "group_by[0].sort.metric")]
    [InlineData("""{"group_by":[{"facet":"service","missing":true}]}""", "group_by[0].missing")]
    [InlineData("""{"group_by":[{"facet":"service","total":{}}]}""", "group_by[0].total")]
    [InlineData("""{"group_by":[{"facet":"@duration","histogram":{"interval":1,"min":0,"max":1000}}]}""", "at most 100 bins")]
    [InlineData("""{"group_by":[{"facet":"host","histogram":{"interval":1,"min":0,"max":10}}]}""", "group_by[0].histogram")]
    [InlineData("""{"group_by":[{"facet":"env","limit":1000},{"facet":"host","limit":11}]}""", "product of the levels' limits")]
    [InlineData("""{"group_by":[{"facet":"a"},{"facet":"b"},{"facet":"c"},{"facet":"d"},{"facet":"e"}]}""", "at most 4 facets")]
    [InlineData("""{"page":{"cursor":"eyJhZnRlciI6e319"}}""", "page.cursor")]
    [InlineData("""{"compute":{"aggregation":"count"}}""", "compute: expected an array")]
    [InlineData("""{"group_by":{"facet":"service"}}""", "group_by: expected an array")]
    [InlineData("""{"compute":[{"aggregation":5}]}""", "compute[0].aggregation")]
    [InlineData("""{"compute":[{"aggregation":"count","type":1}]}""", "compute[0].type")]
    [InlineData("""{"compute":[7]}""", "compute[0]: expected an object")]
    [InlineData("""{"group_by":[{"facet":"service","sort":{"order":1}}]}""", "group_by[0].sort.order")]
    [InlineData("""{"group_by":[{"facet":"service","limit":2.5}]}""", "group_by[0].limit")]
    [InlineData("""{"page":1}""", "page are objects")]
    [InlineData("""{"group_by":[{"facet":"service","sort":{"type":1}}]}""", "group_by[0].sort.type")]
    [InlineData("""[{"compute":[]}]""", "The body")]
    [InlineData("""{"filter":"service:web"}""", "its filter")]
    [InlineData("""{"filter":{"query":5}}""", "filter.query: expected a string")]
    [InlineData("""{"filter":{"from":true}}""", "filter.from and filter.to")]
    [InlineData("""{"compute":[{"aggregation":"count","type":"timeseries","interval":60}]}""", "compute[0].interval")]
    [InlineData("""{"group_by":[{"facet":"service","missing":1e400}]}""", "group_by[0].missing")]
    [InlineData("""{"group_by":[{"facet":"@duration","histogram":{"interval":1e-300,"min":1e300,"max":1e300}}]}""", "group_by[0].histogram")]
    [InlineData("""{"filter":{"query":"(unclosed"}}""", "filter.query")]
    [InlineData("""{"filter":{},"filter":{}}""", "Malformed JSON")]
    [InlineData("""{"group_by":[{"facet":"service","limit":"5"}]}""", "group_by[0].limit")]
    [InlineData("""{"group_by":[{"facet":"service","limit":1e3}]}""", "group_by[0].limit")]
    [InlineData("""{"group_by":[{"facet":"service","limit":3000000000}]}""", "group_by[0].limit")]
    [InlineData("""{"compute":[{"aggregation":"count","type":"timeseries","interval":"99999999d"}]}""", "compute[0].interval")]
    [InlineData("""{"compute":[{"aggregation":"count","type":"timeseries","interval":"2147483647h"}]}""", "compute[0].interval")]
    [InlineData("""{"filter":{"from":"now-1d"},"compute":[{"aggregation":"count","type":"timeseries","interval":"1s"}]}""", "at most 10,000 points")]
    // 10,000 seconds and a bit, starting within a second: 10,001 buckets on whole seconds.
    [InlineData("""{"filter":{"from":"2026-01-01T00:00:00.900Z","to":"2026-01-01T02:46:40.400Z"},"compute":[{"aggregation":"count","type":"timeseries","interval":"1s"}]}""", "at most 10,000 points")]
    // 10,000 groups of 7,200 points each: 72 million points, built in memory before they were written.
    [InlineData("""{"filter":{"from":"now-2h"},"group_by":[{"facet":"host","limit":10000}],"compute":[{"aggregation":"count","type":"timeseries","interval":"1s"}]}""", "at most 5,000,000 points in all")]
    [InlineData("""{"filter":{"from":"now-2h"},"group_by":[{"facet":"@usr.name","limit":100},{"facet":"service","limit":100}],"compute":[{"aggregation":"count","type":"timeseries","interval":"10s"}]}""", "at most 5,000,000 points in all")]
    public async Task Aggregate_Unsupported_400SaysWhat(string json, string expected)
    {
        using var response = await SendAsNewOrganisationAsync(HttpMethod.Post, "api/v2/logs/analytics/aggregate", json);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary><c>sort=timestamp</c>: oldest first, page after page through <c>links.next</c>, every log once.</summary>
    [Fact]
    public async Task Search_SortTimestamp_OldestFirstAcrossPages()
    {
        var tenant = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        var now = DateTimeOffset.UtcNow;
        var logs = new JsonArray(Enumerable.Range(0, 7).Select(i => (JsonNode?)new JsonObject
        {
            ["service"] = "sorted", ["message"] = $"log {i}", ["timestamp"] = now.AddSeconds(-60 + i * 5).ToUnixTimeMilliseconds(),
        }).ToArray());
        using (var sent = await LogShipper.PostAsync(client, tenant, logs))
        {
            Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        }
        await portal.Services.GetRequiredService<ILogStore>().RefreshAsync(tenant.Id, CancellationToken.None);

        var messages = new List<string>();
        string? next = "api/v2/logs/events?filter[query]=service:sorted&filter[from]=now-5m&sort=timestamp&page[limit]=3";
        while (next is not null && messages.Count < 20)
        {
            using var response = await client.SendAsync(tenant.Request(HttpMethod.Get, next));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var page = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
            messages.AddRange(page["data"]!.AsArray().Select(e => e!["attributes"]!["message"]!.GetValue<string>()));
            next = page["links"]?["next"]?.GetValue<string>() is { } link ? new Uri(link).PathAndQuery.TrimStart('/') : null;
        }

        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"log {i}"), messages);
    }

    /// <summary>A log stamped exactly at the range's end is found by the search and counted by the aggregate alike (Datadog's "to" is inclusive).</summary>
    [Fact]
    public async Task SearchAndAggregate_LogAtTheRangesEnd_FoundAndCountedAlike()
    {
        var tenant = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        var at = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.AddMinutes(-2).ToUnixTimeMilliseconds());
        using (var sent = await LogShipper.PostAsync(client, tenant, new JsonArray(new JsonObject { ["service"] = "edge", ["message"] = "at the end", ["timestamp"] = at.ToUnixTimeMilliseconds() })))
        {
            Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        }
        await portal.Services.GetRequiredService<ILogStore>().RefreshAsync(tenant.Id, CancellationToken.None);
        var filter = new JsonObject { ["query"] = "service:edge", ["from"] = at.AddMinutes(-1).ToString("O"), ["to"] = at.ToString("O") };

        using var searched = await client.SendAsync(tenant.Request(HttpMethod.Post, "api/v2/logs/events/search", JsonContent.Create(new JsonObject { ["filter"] = filter.DeepClone() })));
        using var counted = await client.SendAsync(tenant.Request(HttpMethod.Post, "api/v2/logs/analytics/aggregate",
            JsonContent.Create(new JsonObject { ["filter"] = filter.DeepClone(), ["compute"] = new JsonArray(new JsonObject { ["aggregation"] = "count" }) })));

        Assert.Single((await searched.Content.ReadFromJsonAsync<JsonObject>())!["data"]!.AsArray());
        Assert.Equal(1, (await counted.Content.ReadFromJsonAsync<JsonObject>())!["data"]!["buckets"]![0]!["computes"]!["c0"]!.GetValue<int>());
    }

    /// <summary>Search parameters at fault are refused with a problem naming them, never answered with defaults or a 500.</summary>
    [Theory]
    [InlineData("GET", "api/v2/logs/events?page[limit]=abc", null, "page[limit]")]
    [InlineData("GET", "api/v2/logs/events?filter[from]=now-1h&filter[to]=now-2h", null, "must not be after")]
    [InlineData("POST", "api/v2/logs/events/search", """{"filter":{"query":"*"},""", "Malformed JSON at line 1")]
    [InlineData("POST", "api/v2/logs/events/search", """{"page":{"limit":"ten"}}""", "Malformed JSON at line 1")]
    [InlineData("POST", "api/v2/logs/events/search", """{"filter":{"from":"now-1h","to":"now-3h"}}""", "must not be after")]
    // A newest-first cursor ("1772546400000|e09") with the other order.
    [InlineData("GET", "api/v2/logs/events?sort=timestamp&page[cursor]=MTc3MjU0NjQwMDAwMHxlMDk", null, "other sort order")]
    [InlineData("GET", "api/v2/logs/events?page[cursor]=MjUzNDAyMzAwNzk5OTk5fHg", null, "page[cursor]")]
    public async Task Search_BadParameter_400NamesIt(string method, string path, string? json, string expected)
    {
        using var response = await SendAsNewOrganisationAsync(new HttpMethod(method), path, json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Search_BodyOverAMegabyte_413()
    {
        var json = "{\"filter\":{\"query\":\"" + new string('a', 1_100_000) + "\"}}";
        using var response = await SendAsNewOrganisationAsync(HttpMethod.Post, "api/v2/logs/events/search", json);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>Exactly 10,000 points on whole seconds are computed (the range's end is inclusive: its second is the last point).</summary>
    [Fact]
    public async Task Aggregate_TenThousandPoints_Computed()
    {
        const string json = """{"filter":{"from":"2026-01-01T00:00:00Z","to":"2026-01-01T02:46:39Z"},"compute":[{"aggregation":"count","type":"timeseries","interval":"1s"}]}""";
        using var response = await SendAsNewOrganisationAsync(HttpMethod.Post, "api/v2/logs/analytics/aggregate", json);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var points = (await response.Content.ReadFromJsonAsync<JsonObject>())!["data"]!["buckets"]![0]!["computes"]!["c0"]!.AsArray();
        Assert.Equal(10_000, points.Count);
    }

    /// <summary>The latest time there is as the end of a search, and a search without a body: answered, not a 500.</summary>
    [Theory]
    [InlineData("GET", "api/v2/logs/events?filter[to]=9999-12-31T23:59:59.9999999Z", null)]
    [InlineData("GET", "api/v2/logs/events?filter[to]=253402300799999", null)]
    [InlineData("POST", "api/v2/logs/events/search", null)]
    // The earliest time there is, with the default interval: the first bucket cannot start before it.
    [InlineData("POST", "api/v2/logs/analytics/aggregate", """{"filter":{"from":"0001-01-01T00:00:00Z","to":"0001-01-01T00:16:40Z"},"compute":[{"type":"timeseries"}]}""")]
    [InlineData("POST", "api/v2/logs/analytics/aggregate", """{"filter":{"from":"0001-01-01T00:00:00Z","to":"0001-01-01T00:16:40Z"},"compute":[{"aggregation":"max","metric":"@duration","type":"timeseries"}]}""")]
    public async Task Search_EdgeOfTimeOrNoBody_Answered(string method, string path, string? json)
    {
        using var response = await SendAsNewOrganisationAsync(new HttpMethod(method), path, json);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Aggregate_Cardinality_CountsDistinctValuesOverallAndPerGroup()
    {
        var tenant = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        foreach (var ip in new[] { "192.0.2.1", "192.0.2.2", "192.0.2.3" })
        {
            using var _ = await LogShipper.PostAsync(client, tenant, LogShipper.SshFailures(ip, 2));
        }
        var body = new JsonObject
        {
            ["compute"] = new JsonArray(
                new JsonObject { ["aggregation"] = "cardinality", ["metric"] = "@network.client.ip" },
                new JsonObject { ["aggregation"] = "count" }),
            ["filter"] = new JsonObject { ["query"] = "source:sshd", ["from"] = "now-10m", ["to"] = "now" },
            ["group_by"] = new JsonArray(new JsonObject { ["facet"] = "host" }),
        };

        JsonObject? bucket = null;
        for (var attempt = 0; attempt < 100 && bucket?["computes"]?["c1"]?.GetValue<long>() != 6; attempt++)
        {
            using var response = await client.SendAsync(tenant.Request(HttpMethod.Post, "api/v2/logs/analytics/aggregate", JsonContent.Create(body)));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            bucket = (await response.Content.ReadFromJsonAsync<JsonObject>())!["data"]!["buckets"]!.AsArray().FirstOrDefault()?.AsObject();
            await Task.Delay(100);
        }

        Assert.Equal(3, bucket!["computes"]!["c0"]!.GetValue<long>());
        Assert.Equal(6, bucket["computes"]!["c1"]!.GetValue<long>());
    }

    [Theory]
    [InlineData("""{"compute":[{"aggregation":"cardinality"}]}""", "compute[0].metric")]
    public async Task Aggregate_CardinalityWithoutField_400SaysWhy(string json, string expected)
    {
        using var response = await SendAsNewOrganisationAsync(HttpMethod.Post, "api/v2/logs/analytics/aggregate", json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>
    /// Measures of a numeric attribute grouped by an attribute and a tag, in the order asked, with a total group and a
    /// missing value, through the API as Datadog's clients send it; another organisation's logs never counted.
    /// </summary>
    [Fact]
    public async Task Aggregate_MeasuresGroupedByAttributeAndTag_OrderedWithTotalAndMissing()
    {
        var tenant = await portal.CreateTenantAsync();
        var other = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        JsonNode? Log(int status, double? duration, string? tags) => new JsonObject
        {
            ["service"] = "checkout", ["message"] = $"served {status}", ["ddtags"] = tags,
            ["http"] = new JsonObject { ["status_code"] = status }, ["duration"] = duration,
        };
        using (var _ = await LogShipper.PostAsync(client, tenant, new JsonArray(
            Log(200, 10, "team:pay"), Log(200, 30, "team:pay"), Log(200, 50, null), Log(500, 400, "team:pay"), Log(500, 600, "team:core"), Log(404, null, "team:core"))))
        {
        }
        using (var _ = await LogShipper.PostAsync(client, other, new JsonArray(Log(200, 99_999, "team:pay"))))
        {
        }
        await portal.Services.GetRequiredService<ILogStore>().RefreshAsync(tenant.Id, CancellationToken.None);
        const string json = """
            {
              "filter": {"query": "service:checkout", "from": "now-10m", "to": "now"},
              "compute": [{"aggregation": "avg", "metric": "@duration"}, {"aggregation": "count"}, {"aggregation": "max", "metric": "@duration", "type": "timeseries", "interval": "1h"}],
              "group_by": [
                {"facet": "@http.status_code", "sort": {"type": "measure", "aggregation": "avg", "metric": "@duration", "order": "desc"}, "limit": 2, "total": "all"},
                {"facet": "team", "missing": "none", "sort": {"type": "alphabetical"}}
              ]
            }
            """;

        using var response = await client.SendAsync(tenant.Request(HttpMethod.Post, "api/v2/logs/analytics/aggregate", new StringContent(json, System.Text.Encoding.UTF8, "application/json")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var buckets = (await response.Content.ReadFromJsonAsync<JsonObject>())!["data"]!["buckets"]!.AsArray();
        // 500 (avg 500) before 200 (avg 30); 404, without durations, beyond the limit of two; then the total group.
        Assert.Equal(
            ["500/core avg=600 n=1", "500/pay avg=400 n=1", "200/none avg=50 n=1", "200/pay avg=20 n=2", "all/core avg=600 n=2", "all/none avg=50 n=1", "all/pay avg=146.666667 n=3"],
            buckets.Select(b => $"{b!["by"]!["@http.status_code"]}/{b["by"]!["team"]} avg={Math.Round(b["computes"]!["c0"]!.GetValue<double>(), 6)} n={b["computes"]!["c1"]}"));
        var points = buckets[0]!["computes"]!["c2"]!.AsArray();
        Assert.Equal(600, points.Select(p => p!["value"]?.GetValue<double>()).Max());
        Assert.All(points, p => Assert.True(DateTimeOffset.TryParse(p!["time"]!.GetValue<string>(), out _)));

        // A sort that names no measure is alphabetical, as Datadog's; a time given as a number is epoch milliseconds.
        var from = DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeMilliseconds();
        var alphabetical = $$$"""{"filter":{"query":"service:checkout","from":{{{from}}}},"group_by":[{"facet":"@http.status_code","sort":{"order":"desc"}}]}""";
        using var sorted = await client.SendAsync(tenant.Request(HttpMethod.Post, "api/v2/logs/analytics/aggregate", new StringContent(alphabetical, System.Text.Encoding.UTF8, "application/json")));
        Assert.Equal(HttpStatusCode.OK, sorted.StatusCode);
        Assert.Equal(["500", "404", "200"], (await sorted.Content.ReadFromJsonAsync<JsonObject>())!["data"]!["buckets"]!.AsArray().Select(b => b!["by"]!["@http.status_code"]!.GetValue<string>()));
    }

    private static List<long> Points(JsonObject result) =>
        result["data"]!["buckets"]![0]!["computes"]!["c0"]!.AsArray().Select(p => p!["value"]!.GetValue<long>()).ToList();

    /// <summary>Sends <paramref name="json"/> (none when null) as a new organisation's member, with its application key.</summary>
    private async Task<HttpResponseMessage> SendAsNewOrganisationAsync(HttpMethod method, string path, string? json)
    {
        var tenant = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        return await client.SendAsync(tenant.Request(method, path, json is null ? null : new StringContent(json, System.Text.Encoding.UTF8, "application/json")));
    }
}
