using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.Rules;

/// <summary>Datadog's suppressions: stored per organisation, applied by the scheduled evaluation, counting what they hid.</summary>
[Collection("portal")]
public sealed class SuppressionsApiTests(PortalFixture portal)
{
    private const string Path = "api/v2/security_monitoring/configuration/suppressions";

    [Fact]
    public async Task CreateGetPatchDelete_RoundTripsDatadogShape()
    {
        var tenant = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();

        var created = await CreateAsync(client, tenant, new JsonObject
        {
            ["name"] = "Pentest week",
            ["rule_query"] = "source:ssh",
            ["suppression_query"] = "@network.client.ip:203.0.113.77",
            ["expiration_date"] = DateTimeOffset.UtcNow.AddDays(7).ToUnixTimeMilliseconds(),
        });
        var id = created["id"]!.GetValue<string>();
        Assert.Equal("suppressions", created["type"]!.GetValue<string>());
        Assert.Equal(1, created["attributes"]!["version"]!.GetValue<int>());
        Assert.True(created["attributes"]!["enabled"]!.GetValue<bool>());

        using var patched = await client.SendAsync(tenant.Request(HttpMethod.Patch, $"{Path}/{id}", JsonContent.Create(Data(new JsonObject { ["enabled"] = false }))));
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var after = (await patched.Content.ReadFromJsonAsync<JsonObject>())!["data"]!["attributes"]!;
        Assert.False(after["enabled"]!.GetValue<bool>());
        Assert.Equal("Pentest week", after["name"]!.GetValue<string>());
        Assert.Equal(2, after["version"]!.GetValue<int>());

        using var list = await client.SendAsync(tenant.Request(HttpMethod.Get, Path));
        Assert.Single((await list.Content.ReadFromJsonAsync<JsonObject>())!["data"]!.AsArray());
        using var deleted = await client.SendAsync(tenant.Request(HttpMethod.Delete, $"{Path}/{id}"));
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var gone = await client.SendAsync(tenant.Request(HttpMethod.Get, $"{Path}/{id}"));
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task Create_Invalid_400NamesEveryFieldAtFault()
    {
        var tenant = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        var body = Data(new JsonObject { ["name"] = "", ["rule_query"] = "(source:ssh", ["start_date"] = 2000, ["expiration_date"] = 1000 });

        using var response = await client.SendAsync(tenant.Request(HttpMethod.Post, Path, JsonContent.Create(body)));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject();
        Assert.Equal(
            ["$.data.attributes.expiration_date", "$.data.attributes.name", "$.data.attributes.rule_query", "$.data.attributes.suppression_query"],
            errors.Select(e => e.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Evaluation_SuppressionQuery_StopsMatchingSignalsAndCountsThem()
    {
        var tenant = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        var id = (await CreateAsync(client, tenant, new JsonObject
        {
            ["name"] = "Our scanner",
            ["rule_query"] = "source:ssh",
            ["suppression_query"] = "@network.client.ip:203.0.113.77",
        }))["id"]!.GetValue<string>();
        using var x = await LogShipper.PostAsync(client, tenant, LogShipper.SshFailures("203.0.113.77", 14));
        using var y = await LogShipper.PostAsync(client, tenant, LogShipper.SshFailures("198.51.100.23", 14));
        Assert.Equal((HttpStatusCode.Accepted, HttpStatusCode.Accepted), (x.StatusCode, y.StatusCode));

        await LogShipper.EvaluateAsync(portal, tenant);

        Assert.Empty((await LogShipper.SearchSignalsAsync(client, tenant, "@network.client.ip:203.0.113.77"))["data"]!.AsArray());
        var all = await LogShipper.SearchSignalsAsync(client, tenant, "*");
        using var logs = await client.SendAsync(tenant.Request(HttpMethod.Post, "api/v2/logs/events/search", JsonContent.Create(new JsonObject { ["filter"] = new JsonObject { ["query"] = "source:sshd", ["from"] = "now-1h" }, ["page"] = new JsonObject { ["limit"] = 1 } })));
        Assert.True(
            (await LogShipper.SearchSignalsAsync(client, tenant, "@network.client.ip:198.51.100.23"))["data"]!.AsArray().Count > 0,
            $"signals: {all.ToJsonString()[..Math.Min(3000, all.ToJsonString().Length)]} logs: {(await logs.Content.ReadAsStringAsync())[..200]}");
        Assert.True((await GetAsync(client, tenant, id))["suppressed_signals"]!.GetValue<long>() >= 1);
    }

    [Fact]
    public async Task Evaluation_DataExclusion_DropsEventsBeforeCountingAndCountsThem()
    {
        var tenant = await portal.CreateTenantAsync();
        var neighbour = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        var id = (await CreateAsync(client, tenant, new JsonObject
        {
            ["name"] = "Health checks",
            ["rule_query"] = "ruleId:* source:ssh",
            ["data_exclusion_query"] = "@usr.name:healthcheck",
        }))["id"]!.GetValue<string>();
        foreach (var org in new[] { tenant, neighbour })
        {
            await LogShipper.PostAsync(client, org, LogShipper.SshFailures("192.0.2.10", 14, user: "healthcheck"));
            await LogShipper.EvaluateAsync(portal, org);
        }

        Assert.Empty((await LogShipper.SearchSignalsAsync(client, tenant, "*"))["data"]!.AsArray());
        Assert.NotEmpty((await LogShipper.SearchSignalsAsync(client, neighbour, "*"))["data"]!.AsArray());
        Assert.True((await GetAsync(client, tenant, id))["excluded_events"]!.GetValue<long>() >= 14);
    }

    [Fact]
    public async Task OtherOrganisation_CannotSeeChangeOrDeleteIt()
    {
        var owner = await portal.CreateTenantAsync();
        var other = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        var id = (await CreateAsync(client, owner, new JsonObject { ["name"] = "Mine", ["rule_query"] = "*", ["suppression_query"] = "host:lab" }))["id"]!.GetValue<string>();

        using var get = await client.SendAsync(other.Request(HttpMethod.Get, $"{Path}/{id}"));
        using var patch = await client.SendAsync(other.Request(HttpMethod.Patch, $"{Path}/{id}", JsonContent.Create(Data(new JsonObject { ["enabled"] = false }))));
        using var delete = await client.SendAsync(other.Request(HttpMethod.Delete, $"{Path}/{id}"));
        using var list = await client.SendAsync(other.Request(HttpMethod.Get, Path));

        Assert.Equal([HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound], new[] { get.StatusCode, patch.StatusCode, delete.StatusCode });
        Assert.Empty((await list.Content.ReadFromJsonAsync<JsonObject>())!["data"]!.AsArray());
        Assert.True((await GetAsync(client, owner, id))["enabled"]!.GetValue<bool>());
    }

    private static async Task<JsonObject> CreateAsync(HttpClient client, TestTenant tenant, JsonObject attributes)
    {
        using var response = await client.SendAsync(tenant.Request(HttpMethod.Post, Path, JsonContent.Create(Data(attributes))));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["data"]!.AsObject();
    }

    private static async Task<JsonObject> GetAsync(HttpClient client, TestTenant tenant, string id)
    {
        using var response = await client.SendAsync(tenant.Request(HttpMethod.Get, $"{Path}/{id}"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["data"]!["attributes"]!.AsObject();
    }

    private static JsonObject Data(JsonObject attributes) => new() { ["data"] = new JsonObject { ["type"] = "suppressions", ["attributes"] = attributes } };
}
