using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data.Identity;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.Settings;

/// <summary>
/// Datadog's key management API over real HTTP: API keys for admins and owners, application keys for everyone's own,
/// secrets shown once, rotation and revocation effective from the very next request, scopes enforced.
/// </summary>
[Collection("portal")]
public sealed class KeysApiTests(PortalFixture portal)
{
    private const string ApiKeys = "api/v2/api_keys";
    private const string OwnKeys = "api/v2/current_user/application_keys";
    private const string RulesPath = "api/v2/security_monitoring/rules";

    [Fact]
    public async Task ApiKey_CreateListRenameRotateRevoke_SecretShownOnceAndOldSecretsRefusedAtOnce()
    {
        var owner = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();

        using var created = await client.SendAsync(owner.Request(HttpMethod.Post, ApiKeys, Body("api_keys", new JsonObject { ["name"] = "shipper" })));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var key = (await created.Content.ReadFromJsonAsync<JsonObject>())!["data"]!;
        var id = key["id"]!.GetValue<string>();
        var secret = key["attributes"]!["key"]!.GetValue<string>();
        Assert.Matches("^[0-9a-f]{32}$", secret);
        Assert.Equal(("api_keys", "shipper"), (key["type"]!.GetValue<string>(), key["attributes"]!["name"]!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.Accepted, await IntakeAsync(client, secret));

        using var listed = await client.SendAsync(owner.Request(HttpMethod.Get, ApiKeys + "?filter=shipper"));
        var listText = await listed.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        Assert.Contains(id, listText, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, listText, StringComparison.Ordinal);
        Assert.DoesNotContain("\"key\"", listText, StringComparison.Ordinal);

        using var renamed = await client.SendAsync(owner.Request(HttpMethod.Patch, $"{ApiKeys}/{id}", Body("api_keys", new JsonObject { ["name"] = "edge shipper" }, id)));
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        using var fetched = await client.SendAsync(owner.Request(HttpMethod.Get, $"{ApiKeys}/{id}"));
        var fetchedText = await fetched.Content.ReadAsStringAsync();
        Assert.Contains("edge shipper", fetchedText, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, fetchedText, StringComparison.Ordinal);

        using var rotated = await client.SendAsync(owner.Request(HttpMethod.Post, $"{ApiKeys}/{id}/rotate"));
        Assert.Equal(HttpStatusCode.Created, rotated.StatusCode);
        var rotatedKey = (await rotated.Content.ReadFromJsonAsync<JsonObject>())!["data"]!;
        var newSecret = rotatedKey["attributes"]!["key"]!.GetValue<string>();
        Assert.Equal("edge shipper", rotatedKey["attributes"]!["name"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Forbidden, await IntakeAsync(client, secret));
        Assert.Equal(HttpStatusCode.Accepted, await IntakeAsync(client, newSecret));

        var newId = rotatedKey["id"]!.GetValue<string>();
        using var revoked = await client.SendAsync(owner.Request(HttpMethod.Delete, $"{ApiKeys}/{newId}"));
        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, await IntakeAsync(client, newSecret));
        using var gone = await client.SendAsync(owner.Request(HttpMethod.Get, $"{ApiKeys}/{newId}"));
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task ApplicationKey_Revoked_RefusedOnTheVeryNextRequest()
    {
        var owner = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        var (id, secret) = await CreateApplicationKeyAsync(client, owner, "dashboards", scopes: null);
        var viaKey = owner with { ApplicationKey = secret };
        using (var before = await client.SendAsync(viaKey.Request(HttpMethod.Get, RulesPath)))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        using var revoked = await client.SendAsync(owner.Request(HttpMethod.Delete, $"{OwnKeys}/{id}"));
        using var after = await client.SendAsync(viaKey.Request(HttpMethod.Get, RulesPath));

        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, after.StatusCode);
    }

    [Fact]
    public async Task ApplicationKey_RotatedOwnKey_OldSecretRefusedNewOneKeepsItsScopes()
    {
        var owner = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        var (id, secret) = await CreateApplicationKeyAsync(client, owner, "ci", ["security_monitoring_rules_read"]);

        using var rotated = await client.SendAsync(owner.Request(HttpMethod.Post, $"{OwnKeys}/{id}/rotate"));
        var data = (await rotated.Content.ReadFromJsonAsync<JsonObject>())!["data"]!;
        var newSecret = data["attributes"]!["key"]!.GetValue<string>();

        Assert.Equal(HttpStatusCode.Created, rotated.StatusCode);
        Assert.Equal(["security_monitoring_rules_read"], data["attributes"]!["scopes"]!.AsArray().Select(s => s!.GetValue<string>()));
        using var old = await client.SendAsync((owner with { ApplicationKey = secret }).Request(HttpMethod.Get, RulesPath));
        Assert.Equal(HttpStatusCode.Forbidden, old.StatusCode);
        using var fresh = await client.SendAsync((owner with { ApplicationKey = newSecret }).Request(HttpMethod.Get, RulesPath));
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
    }

    [Fact]
    public async Task ScopedReadKey_ReadsRules_WriteIsA403ProblemNamingTheScopes_AndItCannotMintKeys()
    {
        var owner = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        var (_, secret) = await CreateApplicationKeyAsync(client, owner, "read only robot", ["security_monitoring_rules_read"]);
        var robot = owner with { ApplicationKey = secret };

        using var read = await client.SendAsync(robot.Request(HttpMethod.Get, RulesPath));
        using var write = await client.SendAsync(robot.Request(HttpMethod.Post, RulesPath, new StringContent("""{"name":"x"}""", Encoding.UTF8, "application/json")));
        using var mint = await client.SendAsync(robot.Request(HttpMethod.Post, OwnKeys, Body("application_keys", new JsonObject { ["name"] = "escalate" })));

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, write.StatusCode);
        var problem = (await write.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Contains("security_monitoring_rules_write", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, mint.StatusCode);
    }

    [Fact]
    public async Task CreateApplicationKey_UnknownScope_400NamingTheScopeAndTheField()
    {
        var owner = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();

        using var response = await client.SendAsync(owner.Request(HttpMethod.Post, OwnKeys,
            Body("application_keys", new JsonObject { ["name"] = "ci", ["scopes"] = new JsonArray("logs_read", "billing_write") })));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Contains("'billing_write' is not a known scope", problem["errors"]!["$.data.attributes.scopes"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        using var listed = await client.SendAsync(owner.Request(HttpMethod.Get, OwnKeys));
        Assert.DoesNotContain("\"ci\"", await listed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateApiKey_WithoutName_400NamingTheField()
    {
        var owner = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();

        using var response = await client.SendAsync(owner.Request(HttpMethod.Post, ApiKeys, Body("api_keys", [])));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("$.data.attributes.name", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StandardMember_CannotManageApiKeys_ButManagesOwnApplicationKeysOnly()
    {
        var owner = await portal.CreateTenantAsync();
        var (member, _) = await portal.AddMemberAsync(owner, VigilRoles.Standard);
        using var client = portal.CreateClient();

        using var list = await client.SendAsync(member.Request(HttpMethod.Get, ApiKeys));
        using var create = await client.SendAsync(member.Request(HttpMethod.Post, ApiKeys, Body("api_keys", new JsonObject { ["name"] = "mine" })));
        Assert.Equal(HttpStatusCode.Forbidden, list.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, create.StatusCode);
        Assert.Contains("managing the organisation's keys", (await create.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.GetValue<string>(), StringComparison.Ordinal);

        var (ownerKeyId, _) = await CreateApplicationKeyAsync(client, owner, "owner's laptop", scopes: null);
        var (memberKeyId, _) = await CreateApplicationKeyAsync(client, member, "member's laptop", scopes: null);
        using var mine = await client.SendAsync(member.Request(HttpMethod.Get, OwnKeys));
        var mineText = await mine.Content.ReadAsStringAsync();
        Assert.Contains(memberKeyId, mineText, StringComparison.Ordinal);
        Assert.DoesNotContain(ownerKeyId, mineText, StringComparison.Ordinal);
        using var others = await client.SendAsync(member.Request(HttpMethod.Delete, $"{OwnKeys}/{ownerKeyId}"));
        Assert.Equal(HttpStatusCode.NotFound, others.StatusCode);
    }

    [Fact]
    public async Task Admin_RevokesAMembersApplicationKey_TheMemberIsRefusedAtOnce()
    {
        var owner = await portal.CreateTenantAsync();
        var (member, _) = await portal.AddMemberAsync(owner, VigilRoles.Standard);
        using var client = portal.CreateClient();
        var (id, secret) = await CreateApplicationKeyAsync(client, member, "forgotten", scopes: null);

        using var listed = await client.SendAsync(owner.Request(HttpMethod.Get, "api/v2/application_keys?page[size]=100"));
        Assert.Contains(id, await listed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var renamed = await client.SendAsync(owner.Request(HttpMethod.Patch, $"api/v2/application_keys/{id}", Body("application_keys", new JsonObject { ["name"] = "mine now" })));
        Assert.Equal(HttpStatusCode.Forbidden, renamed.StatusCode);
        using var revoked = await client.SendAsync(owner.Request(HttpMethod.Delete, $"api/v2/application_keys/{id}"));
        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);

        using var refused = await client.SendAsync((member with { ApplicationKey = secret }).Request(HttpMethod.Get, RulesPath));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Fact]
    public async Task AnotherOrganisationsKeyIds_NotFoundEverywhereAndTheKeysKeepWorking()
    {
        var a = await portal.CreateTenantAsync();
        var b = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        using var aKeys = await client.SendAsync(a.Request(HttpMethod.Get, ApiKeys));
        var aApiKey = (await aKeys.Content.ReadFromJsonAsync<JsonObject>())!["data"]![0]!["id"]!.GetValue<string>();
        var (aAppKey, _) = await CreateApplicationKeyAsync(client, a, "alpha", scopes: null);

        foreach (var (method, path) in new[]
        {
            (HttpMethod.Get, $"{ApiKeys}/{aApiKey}"), (HttpMethod.Patch, $"{ApiKeys}/{aApiKey}"), (HttpMethod.Delete, $"{ApiKeys}/{aApiKey}"),
            (HttpMethod.Post, $"{ApiKeys}/{aApiKey}/rotate"), (HttpMethod.Get, $"{OwnKeys}/{aAppKey}"), (HttpMethod.Delete, $"{OwnKeys}/{aAppKey}"),
            (HttpMethod.Post, $"{OwnKeys}/{aAppKey}/rotate"), (HttpMethod.Delete, $"api/v2/application_keys/{aAppKey}"), (HttpMethod.Get, $"{ApiKeys}/not-a-guid"),
        })
        {
            var body = method == HttpMethod.Patch ? Body("api_keys", new JsonObject { ["name"] = "taken over" }) : null;
            using var response = await client.SendAsync(b.Request(method, path, body));
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{method} {path} as B answered {(int)response.StatusCode}");
        }
        Assert.Equal(HttpStatusCode.Accepted, await IntakeAsync(client, a.ApiKey));
    }

    /// <summary>
    /// A signed-in session's API writes are refused when the browser says another site asked for them (a form on a sibling
    /// subdomain posting a rotate, which takes no body); the portal's own pages, clients with keys and the intake pass.
    /// </summary>
    [Fact]
    public async Task SessionWrite_AskedByAnotherSite_403AndNothingChanges()
    {
        var owner = await portal.CreateTenantAsync();
        using var browser = portal.CreateClient();
        Assert.Equal(HttpStatusCode.Redirect, (await Forms.SignInAsync(browser, owner.Slug, owner.Email, TestTenant.Password)).StatusCode);
        var keys = portal.Services.GetRequiredService<Portal.Data.Keys.KeyService>();
        var (key, secret) = await keys.CreateAsync(owner.Id, Portal.Data.Keys.KeyKind.Api, "edge", null);
        async Task<HttpStatusCode> RotateAsync(HttpClient client, string header, string value, TestTenant? withKeys = null)
        {
            using var request = withKeys is null ? new HttpRequestMessage(HttpMethod.Post, $"{ApiKeys}/{key.Id}/rotate") : withKeys.Request(HttpMethod.Post, $"{ApiKeys}/{key.Id}/rotate");
            request.Headers.Add(header, value);
            using var response = await client.SendAsync(request);
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.Forbidden, await RotateAsync(browser, "Sec-Fetch-Site", "same-site"));
        Assert.Equal(HttpStatusCode.Forbidden, await RotateAsync(browser, "Origin", "https://status.example.test"));
        Assert.Null((await keys.GetAsync(owner.Id, key.Id))!.RevokedAt);
        Assert.Equal(HttpStatusCode.Accepted, await IntakeAsync(browser, secret));

        Assert.Equal(HttpStatusCode.Created, await RotateAsync(browser, "Sec-Fetch-Site", "same-origin"));
        (key, _) = await keys.CreateAsync(owner.Id, Portal.Data.Keys.KeyKind.Api, "edge 2", null);
        using var anonymous = portal.CreateClient();
        Assert.Equal(HttpStatusCode.Created, await RotateAsync(anonymous, "Sec-Fetch-Site", "cross-site", withKeys: owner));
    }

    private static JsonContent Body(string type, JsonObject attributes, string? id = null)
    {
        var data = new JsonObject { ["type"] = type, ["attributes"] = attributes };
        if (id is not null)
        {
            data["id"] = id;
        }
        return JsonContent.Create(new JsonObject { ["data"] = data });
    }

    private static async Task<(string Id, string Secret)> CreateApplicationKeyAsync(HttpClient client, TestTenant tenant, string name, string[]? scopes)
    {
        var attributes = new JsonObject { ["name"] = name, ["scopes"] = scopes is null ? null : new JsonArray([.. scopes.Select(s => (JsonNode?)s)]) };
        using var response = await client.SendAsync(tenant.Request(HttpMethod.Post, OwnKeys, Body("application_keys", attributes)));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var data = (await response.Content.ReadFromJsonAsync<JsonObject>())!["data"]!;
        return (data["id"]!.GetValue<string>(), data["attributes"]!["key"]!.GetValue<string>());
    }

    private static async Task<HttpStatusCode> IntakeAsync(HttpClient client, string apiKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v2/logs") { Content = JsonContent.Create(new JsonObject { ["message"] = "hello", ["service"] = "keys-test" }) };
        request.Headers.Add("DD-API-KEY", apiKey);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }
}
