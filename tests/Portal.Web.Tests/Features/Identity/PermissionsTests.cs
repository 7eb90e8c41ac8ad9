using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Data.Identity;
using Portal.Data.Keys;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.Identity;

/// <summary>
/// The permission matrix enforced on the API: each role and each application-key scope may do what docs/PERMISSIONS.md
/// says and nothing more; a refusal is a 403 problem naming what was missing, is audited, and changes nothing.
/// </summary>
[Collection("portal")]
public sealed class PermissionsTests(PortalFixture portal)
{
    private const string RulesPath = "api/v2/security_monitoring/rules";

    private static StringContent NewRule(string name) => new($$"""
        {"name":"{{name}}","queries":[{"query":"source:sshd","aggregation":"count"}],
         "cases":[{"status":"low","condition":"a > 100"}],"options":{"evaluationWindow":300,"keepAlive":3600,"maxSignalDuration":86400},"message":"m"}
        """, Encoding.UTF8, "application/json");

    [Fact]
    public async Task ReadOnlyMember_ReadsRulesButCannotWriteThem_RefusalIsExplainedAuditedAndChangesNothing()
    {
        var owner = await portal.CreateTenantAsync();
        var (reader, _) = await portal.AddMemberAsync(owner, VigilRoles.ReadOnly);
        using var client = portal.CreateClient();

        using var list = await client.SendAsync(reader.Request(HttpMethod.Get, RulesPath));
        using var create = await client.SendAsync(reader.Request(HttpMethod.Post, RulesPath, NewRule("Escalation attempt")));
        using var triage = await client.SendAsync(reader.Request(HttpMethod.Patch, "api/v2/security_monitoring/signals/any/state",
            JsonContent.Create(new JsonObject { ["data"] = new JsonObject { ["attributes"] = new JsonObject { ["state"] = "archived" } } })));

        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, create.StatusCode);
        var problem = (await create.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("The Read-only role does not allow changing detection rules and suppressions.", problem["detail"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Forbidden, triage.StatusCode);
        using var after = await client.SendAsync(owner.Request(HttpMethod.Get, RulesPath + "?page[size]=100"));
        Assert.DoesNotContain("Escalation attempt", await after.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var denied = await AuditAsync(client, owner, "@evt.outcome:denied");
        Assert.Contains(denied, e => e!["attributes"]!["attributes"]!["usr"]!["email"]!.GetValue<string>() == reader.Email
            && e["attributes"]!["attributes"]!["asset"]!["id"]!.GetValue<string>() == "POST /api/v2/security_monitoring/rules");
    }

    [Theory]
    [InlineData(VigilRoles.ReadOnly, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden)]
    [InlineData(VigilRoles.Standard, HttpStatusCode.OK, HttpStatusCode.Forbidden)]
    [InlineData(VigilRoles.Admin, HttpStatusCode.OK, HttpStatusCode.OK)]
    [InlineData(VigilRoles.Owner, HttpStatusCode.OK, HttpStatusCode.OK)]
    public async Task Role_RuleWritesAndAuditReads_AsTheMatrixSays(string role, HttpStatusCode writeRules, HttpStatusCode readAudit)
    {
        var owner = await portal.CreateTenantAsync();
        var (member, _) = await portal.AddMemberAsync(owner, role);
        using var client = portal.CreateClient();

        using var create = await client.SendAsync(member.Request(HttpMethod.Post, RulesPath, NewRule($"Rule by {role}")));
        using var audit = await client.SendAsync(member.Request(HttpMethod.Get, "api/v2/audit/events"));

        Assert.Equal(writeRules, create.StatusCode);
        Assert.Equal(readAudit, audit.StatusCode);
    }

    [Fact]
    public async Task ScopedApplicationKey_OnlyItsScopes_EvenForAnOwner()
    {
        var owner = await portal.CreateTenantAsync();
        var scoped = await ScopedMemberAsync(owner, VigilRoles.Owner, "security_monitoring_rules_read");
        using var client = portal.CreateClient();

        using var read = await client.SendAsync(scoped.Request(HttpMethod.Get, RulesPath));
        using var write = await client.SendAsync(scoped.Request(HttpMethod.Post, RulesPath, NewRule("Scoped write")));
        using var signals = await client.SendAsync(scoped.Request(HttpMethod.Get, "api/v2/security_monitoring/signals"));

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, write.StatusCode);
        Assert.Contains("security_monitoring_rules_write", (await write.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, signals.StatusCode);
    }

    [Fact]
    public async Task KeyHeaders_OnPagesAndAccountEndpoints_AuthenticateNobody()
    {
        var owner = await portal.CreateTenantAsync("Keys Are Not Sessions");
        var scoped = await ScopedMemberAsync(owner, VigilRoles.Owner, "logs_read");
        using var client = portal.CreateClient();

        foreach (var path in new[] { "signals", "rules", "settings/members", "account/security" })
        {
            using var response = await client.SendAsync(scoped.Request(HttpMethod.Get, path));
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Contains("/account/signin", response.Headers.Location!.ToString(), StringComparison.Ordinal);
        }
        using var passkey = await client.SendAsync(scoped.Request(HttpMethod.Post, "account/passkey/creation-options", new FormUrlEncodedContent([])));
        Assert.NotEqual(HttpStatusCode.OK, passkey.StatusCode);
        Assert.DoesNotContain("challenge", await passkey.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScopedKey_RoleStillLimits_AWriteScopeCannotLiftAReadOnlyRole()
    {
        var owner = await portal.CreateTenantAsync();
        var reader = await ScopedMemberAsync(owner, VigilRoles.ReadOnly, "security_monitoring_rules_write");
        using var client = portal.CreateClient();

        using var write = await client.SendAsync(reader.Request(HttpMethod.Post, RulesPath, NewRule("Lifted")));

        Assert.Equal(HttpStatusCode.Forbidden, write.StatusCode);
        Assert.Contains("Read-only role", (await write.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ForgedTenantIdInBody_RefusedNamingTheField_AuditedAndNothingCreated()
    {
        var a = await portal.CreateTenantAsync();
        var b = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        var body = JsonNode.Parse(await NewRule("Forged tenant").ReadAsStringAsync())!.AsObject();
        body["tenantId"] = a.Id.ToString();
        var triage = new JsonObject { ["data"] = new JsonObject { ["attributes"] = new JsonObject { ["state"] = "archived", ["tenant_id"] = a.Id.ToString() } } };

        using var created = await client.SendAsync(b.Request(HttpMethod.Post, RulesPath, JsonContent.Create(body)));
        using var triaged = await client.SendAsync(b.Request(HttpMethod.Patch, "api/v2/security_monitoring/signals/any/state", JsonContent.Create(triage)));

        Assert.Equal(HttpStatusCode.BadRequest, created.StatusCode);
        Assert.Equal("tenantId", (await created.Content.ReadFromJsonAsync<JsonObject>())!["field"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, triaged.StatusCode);
        Assert.Contains("data.attributes.tenant_id", await triaged.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        foreach (var tenant in new[] { a, b })
        {
            using var rules = await client.SendAsync(tenant.Request(HttpMethod.Get, RulesPath + "?page[size]=100"));
            Assert.DoesNotContain("Forged tenant", await rules.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        Assert.Equal(2, (await AuditAsync(client, b, "@evt.name:access.denied")).Count);
        Assert.Empty(await AuditAsync(client, a, "@evt.name:access.denied"));

        // Naming one's own organisation is not an attack.
        body["tenantId"] = b.Id.ToString();
        using var own = await client.SendAsync(b.Request(HttpMethod.Post, RulesPath, JsonContent.Create(body)));
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
    }

    [Fact]
    public async Task ScriptAndSqlInNames_StoredVerbatimAndRenderedInert()
    {
        var tenant = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        const string name = "<script>alert(1)</script> '; DROP TABLE \"Rules\";--";

        var body = JsonNode.Parse(await NewRule("x").ReadAsStringAsync())!.AsObject();
        body["name"] = name;

        using var created = await client.SendAsync(tenant.Request(HttpMethod.Post, RulesPath, JsonContent.Create(body)));
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);

        using var browser = portal.CreateClient();
        await Forms.SignInAsync(browser, tenant.Slug, tenant.Email, TestTenant.Password);
        var html = await browser.GetStringAsync("rules");
        Assert.DoesNotContain("<script>alert(1)</script>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);
        using var list = await client.SendAsync(tenant.Request(HttpMethod.Get, RulesPath));
        Assert.Contains(name, (await list.Content.ReadFromJsonAsync<JsonObject>())!["data"]!.AsArray().Select(r => r!["name"]!.GetValue<string>()));
    }

    /// <summary>A new member whose application key is restricted to <paramref name="scopes"/>.</summary>
    private async Task<TestTenant> ScopedMemberAsync(TestTenant tenant, string role, string scopes)
    {
        var (member, userId) = await portal.AddMemberAsync(tenant, role);
        await using var db = portal.Services.GetRequiredService<TenantDbFactory>().Create(tenant.Id);
        await db.ApiKeys.Where(k => k.UserId == userId && k.Kind == KeyKind.Application).ExecuteUpdateAsync(s => s.SetProperty(k => k.Scopes, scopes));
        return member;
    }

    private static async Task<JsonArray> AuditAsync(HttpClient client, TestTenant tenant, string query)
    {
        using var response = await client.SendAsync(tenant.Request(HttpMethod.Get, $"api/v2/audit/events?filter[query]={Uri.EscapeDataString(query)}&filter[from]=now-1h&page[limit]=100"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["data"]!.AsArray();
    }
}
