using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data.Rules;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.Rules;

/// <summary>Datadog's rule CRUD with API + application keys, validation errors located by JSON path.</summary>
[Collection("portal")]
public sealed class RulesApiTests(PortalFixture portal)
{
    private const string Rule = """
        {
          "name": "Root shell from a new host",
          "isEnabled": true,
          "queries": [{ "query": "source:sshd @usr.name:root @evt.outcome:success", "aggregation": "count", "groupByFields": ["host"] }],
          "cases": [{ "name": "root", "status": "high", "condition": "a > 0" }],
          "options": { "detectionMethod": "threshold", "evaluationWindow": 300, "keepAlive": 3600, "maxSignalDuration": 86400 },
          "message": "Root logged in on {{host}}",
          "tags": ["tactic:TA0004-privilege-escalation"],
          "filters": [{ "action": "suppress", "query": "host:lab-*" }]
        }
        """;

    /// <summary>Every organisation starts with the out-of-the-box rules.</summary>
    private static readonly int Shipped = Portal.Detection.Content.OutOfTheBoxRules.LoadJson().Count;

    [Fact]
    public async Task CreateGetUpdateDelete_WithKeys_RoundTripsDatadogShape()
    {
        var tenant = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();

        using var created = await client.SendAsync(tenant.Request(HttpMethod.Post, "api/v2/security_monitoring/rules", Json(Rule)));
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        var rule = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        var id = rule["id"]!.GetValue<string>();
        Assert.Equal("a", rule["queries"]![0]!["name"]!.GetValue<string>());
        Assert.Equal("suppress", rule["filters"]![0]!["action"]!.GetValue<string>());
        Assert.Equal(1, rule["version"]!.GetValue<int>());

        using var list = await client.SendAsync(tenant.Request(HttpMethod.Get, "api/v2/security_monitoring/rules?page[size]=100"));
        Assert.Equal(Shipped + 1, (await list.Content.ReadFromJsonAsync<JsonObject>())!["data"]!.AsArray().Count);

        using var updated = await client.SendAsync(tenant.Request(HttpMethod.Put, $"api/v2/security_monitoring/rules/{id}", Json("""{"isEnabled": false, "name": "Root shell"}""")));
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        var after = (await updated.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.False(after["isEnabled"]!.GetValue<bool>());
        Assert.Equal("Root shell", after["name"]!.GetValue<string>());
        Assert.Equal(2, after["version"]!.GetValue<int>());
        Assert.Equal("high", after["cases"]![0]!["status"]!.GetValue<string>());

        using var deleted = await client.SendAsync(tenant.Request(HttpMethod.Delete, $"api/v2/security_monitoring/rules/{id}"));
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var gone = await client.SendAsync(tenant.Request(HttpMethod.Get, $"api/v2/security_monitoring/rules/{id}"));
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    /// <summary>
    /// An update naming the version it read is refused with a 409 once the rule moved past it (a switch on the rules page
    /// meanwhile), and changes nothing; one naming the current version is made.
    /// </summary>
    [Fact]
    public async Task Update_VersionReadIsNotTheStoredOne_409_NothingChanged()
    {
        var tenant = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        using var created = await client.SendAsync(tenant.Request(HttpMethod.Post, "api/v2/security_monitoring/rules", Json(Rule)));
        var id = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        Assert.NotNull((await portal.Services.GetRequiredService<RuleService>().SetEnabledAsync(tenant.Id, id, enabled: false)).Rule);

        using var stale = await client.SendAsync(tenant.Request(HttpMethod.Put, $"api/v2/security_monitoring/rules/{id}", Json("""{"version": 1, "name": "Renamed"}""")));
        // A version read written as text is no version: refused, not written over the change made since.
        using var text = await client.SendAsync(tenant.Request(HttpMethod.Put, $"api/v2/security_monitoring/rules/{id}", Json("""{"version": "1", "name": "Renamed"}""")));
        Assert.Equal(HttpStatusCode.BadRequest, text.StatusCode);
        Assert.NotNull((await text.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!["$.version"]);
        using var current = await client.SendAsync(tenant.Request(HttpMethod.Put, $"api/v2/security_monitoring/rules/{id}", Json("""{"version": 2, "name": "Renamed"}""")));

        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Equal("application/problem+json", stale.Content.Headers.ContentType!.MediaType);
        var problem = (await stale.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(2, problem["version"]!.GetValue<int>());
        Assert.Contains("version 1", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, current.StatusCode);
        var after = (await current.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(("Renamed", 3, false), (after["name"]!.GetValue<string>(), after["version"]!.GetValue<int>(), after["isEnabled"]!.GetValue<bool>()));
    }

    /// <summary>
    /// A stored rule that no longer passes validation is listed with its errors (Vigil's storedErrors), hides none of the
    /// others, and is corrected by an update of the part at fault.
    /// </summary>
    [Fact]
    public async Task StoredRuleNoLongerValid_ListedWithItsErrors_CorrectedByAnUpdate()
    {
        var tenant = await portal.CreateTenantAsync();
        var (id, name) = await StoredRules.OutdateAsync(portal, tenant.Id);
        using var client = portal.CreateClient();

        using var list = await client.SendAsync(tenant.Request(HttpMethod.Get, "api/v2/security_monitoring/rules?page[size]=100"));
        var rules = (await list.Content.ReadFromJsonAsync<JsonObject>())!["data"]!.AsArray();
        Assert.Equal(Shipped, rules.Count);
        var listed = rules.Single(r => r!["id"]!.GetValue<string>() == id)!;
        Assert.Equal(name, listed["name"]!.GetValue<string>());
        Assert.Equal("$.options.evaluationWindow", listed["storedErrors"]![0]!["path"]!.GetValue<string>());
        Assert.Single(rules, r => r!["storedErrors"] is not null);
        var options = listed["options"]!.DeepClone();
        options["evaluationWindow"] = 300;
        using var corrected = await client.SendAsync(tenant.Request(HttpMethod.Put, $"api/v2/security_monitoring/rules/{id}", Json(new JsonObject { ["options"] = options, ["storedErrors"] = listed["storedErrors"]!.DeepClone() }.ToJsonString())));

        Assert.Equal(HttpStatusCode.OK, corrected.StatusCode);
        using var read = await client.SendAsync(tenant.Request(HttpMethod.Get, $"api/v2/security_monitoring/rules/{id}"));
        var rule = (await read.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Null(rule["storedErrors"]);
        Assert.Equal(300, rule["options"]!["evaluationWindow"]!.GetValue<int>());
    }

    [Fact]
    public async Task Create_InvalidQueryAndWindow_400WithJsonPathsAndNothingStored()
    {
        var tenant = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        var invalid = Rule.Replace("@evt.outcome:success", "(@evt.outcome:success", StringComparison.Ordinal).Replace("\"evaluationWindow\": 300", "\"evaluationWindow\": 42", StringComparison.Ordinal);

        using var response = await client.SendAsync(tenant.Request(HttpMethod.Post, "api/v2/security_monitoring/rules", Json(invalid)));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject();
        Assert.Contains("position", errors["$.queries[0].query"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("not allowed", errors["$.options.evaluationWindow"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        using var list = await client.SendAsync(tenant.Request(HttpMethod.Get, "api/v2/security_monitoring/rules?page[size]=100"));
        Assert.Equal(Shipped, (await list.Content.ReadFromJsonAsync<JsonObject>())!["data"]!.AsArray().Count);
    }

    [Fact]
    public async Task Create_WrongType_400NamesTheField()
    {
        var tenant = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        using var response = await client.SendAsync(tenant.Request(HttpMethod.Post, "api/v2/security_monitoring/rules", Json(Rule.Replace("\"isEnabled\": true", "\"isEnabled\": \"yes\"", StringComparison.Ordinal))));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("$.isEnabled", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>A key given twice (in the rule, or in a log of its tests) is malformed JSON, a 400 with its place, on every write.</summary>
    [Fact]
    public async Task Writes_KeyGivenTwice_400WithItsPlace()
    {
        var tenant = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        var twice = Rule.Replace("\"isEnabled\": true", "\"isEnabled\": true, \"isEnabled\": false", StringComparison.Ordinal);
        using var created = await client.SendAsync(tenant.Request(HttpMethod.Post, "api/v2/security_monitoring/rules", Json(Rule)));
        var id = (string)(await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;

        foreach (var (method, path, body) in new[]
        {
            (HttpMethod.Post, "api/v2/security_monitoring/rules", twice),
            (HttpMethod.Put, $"api/v2/security_monitoring/rules/{id}", """{"name": "a", "name": "b"}"""),
            (HttpMethod.Post, "api/v2/security_monitoring/rules/test", $$"""{"rule": {{Rule}}, "rule": {{Rule}}}"""),
        })
        {
            using var response = await client.SendAsync(tenant.Request(method, path, Json(body)));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("Malformed JSON at line", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Create_NotJson_415()
    {
        var tenant = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        using var response = await client.SendAsync(tenant.Request(HttpMethod.Post, "api/v2/security_monitoring/rules", new StringContent(Rule, Encoding.UTF8, "text/plain")));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task Create_HugeCondition_400InsteadOfCrashingTheEvaluator()
    {
        var tenant = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        var condition = string.Join("&&", Enumerable.Repeat("a>0", 20_000));
        using var response = await client.SendAsync(tenant.Request(HttpMethod.Post, "api/v2/security_monitoring/rules", Json(Rule.Replace("a > 0", condition, StringComparison.Ordinal))));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("$.cases[0].condition", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>
    /// The list is paged as Datadog's (10 rules unless asked, page numbers from 0): pages asked in turn, as Datadog's clients
    /// do until a page is short, hold every rule of the organisation once and only its own; a page at fault is a 400 naming
    /// its parameter.
    /// </summary>
    [Fact]
    public async Task List_PagedAsDatadog_EveryRuleOnce()
    {
        var tenant = await portal.CreateTenantAsync();
        var other = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        using (var created = await client.SendAsync(other.Request(HttpMethod.Post, "api/v2/security_monitoring/rules", Json(Rule))))
        {
            Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        }
        async Task<JsonObject> PageAsync(string query)
        {
            using var response = await client.SendAsync(tenant.Request(HttpMethod.Get, $"api/v2/security_monitoring/rules{query}"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        }

        var first = await PageAsync("");
        Assert.Equal(10, first["data"]!.AsArray().Count);
        Assert.Equal(Shipped, first["meta"]!["page"]!["total_count"]!.GetValue<int>());
        var ids = new List<string>();
        for (var number = 0; ; number++)
        {
            var data = (await PageAsync($"?page[size]=7&page[number]={number}"))["data"]!.AsArray();
            ids.AddRange(data.Select(r => r!["id"]!.GetValue<string>()));
            if (data.Count < 7)
            {
                break;
            }
        }
        Assert.Equal(Shipped, ids.Count);
        Assert.Equal(Shipped, ids.Distinct().Count());
        Assert.DoesNotContain("Root shell from a new host", (await PageAsync("?page[size]=100"))["data"]!.AsArray().Select(r => r!["name"]!.GetValue<string>()));

        foreach (var (query, parameter) in new[] { ("?page[size]=0", "page[size]"), ("?page[size]=101", "page[size]"), ("?page[size]=ten", "page[size]"), ("?page[number]=-1", "page[number]") })
        {
            using var refused = await client.SendAsync(tenant.Request(HttpMethod.Get, $"api/v2/security_monitoring/rules{query}"));
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.StartsWith(parameter, (await refused.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Rules_WithoutApplicationKeyOrSession_Forbidden()
    {
        var tenant = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        var request = new HttpRequestMessage(HttpMethod.Get, "api/v2/security_monitoring/rules");
        request.Headers.Add("DD-API-KEY", tenant.ApiKey);
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        using var anonymous = await client.GetAsync("api/v2/security_monitoring/rules");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
