using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.Rules;

/// <summary>Datadog's rule validation and test endpoints, and backtests over stored logs, per organisation.</summary>
[Collection("portal")]
public sealed class RuleTestingApiTests(PortalFixture portal)
{
    private const string BruteForce = """
        {
          "name": "SSH brute force",
          "queries": [{ "query": "source:sshd @evt.name:authentication @evt.outcome:failure", "groupByFields": ["@network.client.ip"] }],
          "cases": [{ "status": "medium", "condition": "a > 5" }],
          "options": { "evaluationWindow": 300, "keepAlive": 3600, "maxSignalDuration": 86400 },
          "message": "{{@network.client.ip}} guessed passwords",
          "tags": []
        }
        """;

    [Fact]
    public async Task Validation_ValidRule_204AndInvalidRule_400WithPaths()
    {
        var tenant = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();

        using var valid = await client.SendAsync(tenant.Request(HttpMethod.Post, "api/v2/security_monitoring/rules/validation", Json(BruteForce)));
        using var invalid = await client.SendAsync(tenant.Request(HttpMethod.Post, "api/v2/security_monitoring/rules/validation", Json(BruteForce.Replace("a > 5", "a >", StringComparison.Ordinal))));

        Assert.Equal(HttpStatusCode.NoContent, valid.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.NotNull((await invalid.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!["$.cases[0].condition"]);
    }

    [Fact]
    public async Task Test_PayloadsPerQuery_AnswersWhetherEachMatchedAsExpected()
    {
        var tenant = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        var body = new JsonObject
        {
            ["rule"] = JsonNode.Parse(BruteForce),
            ["ruleQueryPayloads"] = new JsonArray(
                Payload(expected: true, "Failed password for root from 203.0.113.77 port 41822 ssh2"),
                Payload(expected: true, "Accepted password for root from 203.0.113.77 port 41822 ssh2"),
                Payload(expected: false, "Accepted password for root from 203.0.113.77 port 41822 ssh2")),
        };
        body["rule"]!["tests"] = JsonNode.Parse("""
            [{ "name": "six failures", "logs": [{ "ddsource": "sshd", "message": "Failed password for root from 203.0.113.9 port 1 ssh2", "repeat": 6 }], "expect": [{ "eventsMatched": 6 }] },
             { "name": "wrong on purpose", "logs": [], "expect": [{ "severity": "high" }] }]
            """);

        using var response = await client.SendAsync(tenant.Request(HttpMethod.Post, "api/v2/security_monitoring/rules/test", JsonContent.Create(body)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal([true, false, true], json["results"]!.AsArray().Select(r => r!.GetValue<bool>()));
        Assert.Equal([true, false], json["tests"]!.AsArray().Select(t => t!["passed"]!.GetValue<bool>()));
        Assert.Equal("expected 1 signal(s), got 0", json["tests"]![1]!["failures"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task Test_PayloadForAMissingQuery_400NamesIt()
    {
        var tenant = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        var body = new JsonObject { ["rule"] = JsonNode.Parse(BruteForce), ["ruleQueryPayloads"] = new JsonArray(new JsonObject { ["index"] = 3, ["expectedResult"] = true, ["payload"] = new JsonObject { ["message"] = "x" } }) };

        using var response = await client.SendAsync(tenant.Request(HttpMethod.Post, "api/v2/security_monitoring/rules/test", JsonContent.Create(body)));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("the rule has no query 3", (await response.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!["$.ruleQueryPayloads[0].index"]![0]!.GetValue<string>());
    }

    /// <summary>A payload's index or expected result given as something else, or payloads not in an array, are 400s naming them (not query 0, expected to match nothing).</summary>
    [Theory]
    [InlineData("""[{"index": "1", "payload": {"message": "x"}}]""", "$.ruleQueryPayloads[0].index")]
    [InlineData("""[{"index": 0.5, "payload": {"message": "x"}}]""", "$.ruleQueryPayloads[0].index")]
    [InlineData("""[{"expectedResult": "true", "payload": {"message": "x"}}]""", "$.ruleQueryPayloads[0].expectedResult")]
    [InlineData("""{"index": 0, "payload": {"message": "x"}}""", "$.ruleQueryPayloads")]
    public async Task Test_PayloadFieldsOfAnotherKind_400NamesThem(string payloads, string path)
    {
        var tenant = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        var body = new JsonObject { ["rule"] = JsonNode.Parse(BruteForce), ["ruleQueryPayloads"] = JsonNode.Parse(payloads) };

        using var response = await client.SendAsync(tenant.Request(HttpMethod.Post, "api/v2/security_monitoring/rules/test", JsonContent.Create(body)));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull((await response.Content.ReadFromJsonAsync<JsonObject>())!["errors"]![path]);
    }

    [Fact]
    public async Task Backtest_OverStoredLogs_ReturnsWouldBeSignalsOfThisOrganisationOnlyAndStoresNothing()
    {
        var attacked = await portal.CreateTenantAsync();
        var other = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        Assert.Equal(HttpStatusCode.Accepted, (await LogShipper.PostAsync(client, attacked, LogShipper.SshFailures("203.0.113.77", 8))).StatusCode);
        var body = new JsonObject { ["rule"] = JsonNode.Parse(BruteForce), ["from"] = "now-1h", ["to"] = "now" };

        using var response = await client.SendAsync(attacked.Request(HttpMethod.Post, "api/v2/security_monitoring/rules/backtest", JsonContent.Create(body)));
        using var elsewhere = await client.SendAsync(other.Request(HttpMethod.Post, "api/v2/security_monitoring/rules/backtest", JsonContent.Create(body)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        var signal = Assert.Single(json["data"]!.AsArray())!;
        Assert.Equal("203.0.113.77", signal["attributes"]!["custom"]!["group_by"]!["@network.client.ip"]!.GetValue<string>());
        Assert.Equal(8, json["meta"]!["events_scanned"]!.GetValue<int>());
        Assert.Empty((await elsewhere.Content.ReadFromJsonAsync<JsonObject>())!["data"]!.AsArray());
        Assert.Empty((await LogShipper.SearchSignalsAsync(client, attacked, "*"))["data"]!.AsArray());
    }

    /// <summary>
    /// The organisation's suppressions active now apply to a backtest as to the rule's evaluation, and are said: a data
    /// exclusion leaves its logs out of the scan, a suppression query stops its group's signal; one of another rule, and
    /// another organisation's, change nothing.
    /// </summary>
    [Fact]
    public async Task Backtest_AppliesTheOrganisationsSuppressionsAndSaysWhichDidWhat()
    {
        var attacked = await portal.CreateTenantAsync();
        var other = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        foreach (var ip in new[] { "203.0.113.77", "198.51.100.5", "192.0.2.8" })
        {
            Assert.Equal(HttpStatusCode.Accepted, (await LogShipper.PostAsync(client, attacked, LogShipper.SshFailures(ip, 8))).StatusCode);
        }
        Task<string> SuppressAsync(Guid organisation, string name, string ruleQuery, string? exclusion = null, string? suppression = null) =>
            TestSuppressions.CreateAsync(portal, organisation, name, ruleQuery, exclusion, suppression);
        // By a word of the rule's name, and by every rule.
        var scanner = await SuppressAsync(attacked.Id, "Scanner", "brute", exclusion: "@network.client.ip:198.51.100.5");
        var penTest = await SuppressAsync(attacked.Id, "Pen test", "*", suppression: "@network.client.ip:203.0.113.77");
        await SuppressAsync(attacked.Id, "CloudTrail only", "source:cloudtrail", suppression: "@network.client.ip:192.0.2.8");
        await SuppressAsync(other.Id, "Theirs", "*", exclusion: "@network.client.ip:192.0.2.8", suppression: "@network.client.ip:192.0.2.8");
        var body = new JsonObject { ["rule"] = JsonNode.Parse(BruteForce), ["from"] = "now-1h", ["to"] = "now" };

        using var response = await client.SendAsync(attacked.Request(HttpMethod.Post, "api/v2/security_monitoring/rules/backtest", JsonContent.Create(body)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        var signal = Assert.Single(json["data"]!.AsArray())!;
        Assert.Equal("192.0.2.8", signal["attributes"]!["custom"]!["group_by"]!["@network.client.ip"]!.GetValue<string>());
        Assert.Equal(16, json["meta"]!["events_scanned"]!.GetValue<int>());
        Assert.Equal(
            [(scanner, "Scanner", true, false, 0), (penTest, "Pen test", false, true, 1)],
            json["meta"]!["suppressions"]!.AsArray().Select(a => (
                a!["id"]!.GetValue<string>(), a["name"]!.GetValue<string>(), a["data_exclusion"]!.GetValue<bool>(), a["suppresses_signals"]!.GetValue<bool>(),
                a["suppressed_groups"]!.GetValue<int>())));
    }

    [Theory]
    [InlineData("""{"from": "now-1h"}""", "$")]
    [InlineData("""{"ruleId": "none", "from": "now-1h"}""", "404")]
    [InlineData("""{"rule": {}, "from": "now-1h"}""", "$.rule.name")]
    [InlineData("""{"rule": RULE, "from": "yesterday"}""", "$.from")]
    [InlineData("""{"rule": RULE, "from": "now-40d"}""", "$.from")]
    [InlineData("""{"rule": RULE, "from": "now", "to": "now-1h"}""", "$.to")]
    public async Task Backtest_BadRequest_NamesTheFieldAtFault(string body, string field)
    {
        var tenant = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();

        using var response = await client.SendAsync(tenant.Request(HttpMethod.Post, "api/v2/security_monitoring/rules/backtest", Json(body.Replace("RULE", BruteForce, StringComparison.Ordinal))));

        if (field == "404")
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            return;
        }
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.True(field == "$" ? problem["detail"] is not null : problem["errors"]![field] is not null, problem.ToJsonString());
    }

    private static JsonObject Payload(bool expected, string message) => new()
    {
        ["index"] = 0,
        ["expectedResult"] = expected,
        ["payload"] = new JsonObject { ["ddsource"] = "sshd", ["hostname"] = "bastion-1", ["message"] = message },
    };

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
