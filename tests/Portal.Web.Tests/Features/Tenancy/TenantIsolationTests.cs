using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.Tenancy;

/// <summary>Tenant B, with its own keys and session, never reaches tenant A's logs, rules or signals.</summary>
[Collection("portal")]
public sealed class TenantIsolationTests(PortalFixture portal)
{
    [Fact]
    public async Task TenantB_WithAsIds_GetsNotFoundAndNeverAsData()
    {
        var a = await portal.CreateTenantAsync("Alpha Isolation");
        var b = await portal.CreateTenantAsync("Bravo Isolation");
        using var client = portal.CreateClient();
        using (var _ = await LogShipper.PostAsync(client, a, LogShipper.SshFailures("192.0.2.201", 12)))
        {
        }
        await LogShipper.EvaluateAsync(portal, a);
        await LogShipper.EvaluateAsync(portal, b);

        var aSignal = Assert.Single((await LogShipper.SearchSignalsAsync(client, a, "*"))["data"]!.AsArray())!["id"]!.GetValue<string>();
        using var aRules = await client.SendAsync(a.Request(HttpMethod.Get, "api/v2/security_monitoring/rules"));
        var aRule = (await aRules.Content.ReadFromJsonAsync<JsonObject>())!["data"]![0]!["id"]!.GetValue<string>();

        // B's logs never fed B's rules, and B's searches find nothing of A's.
        Assert.Empty((await LogShipper.SearchSignalsAsync(client, b, "*"))["data"]!.AsArray());
        Assert.Empty((await LogShipper.SearchSignalsAsync(client, b, "@network.client.ip:192.0.2.201"))["data"]!.AsArray());

        foreach (var (method, path) in new[]
        {
            (HttpMethod.Get, $"api/v2/security_monitoring/signals/{aSignal}"),
            (HttpMethod.Get, $"api/v2/security_monitoring/rules/{aRule}"),
            (HttpMethod.Put, $"api/v2/security_monitoring/rules/{aRule}"),
            (HttpMethod.Delete, $"api/v2/security_monitoring/rules/{aRule}"),
            (HttpMethod.Patch, $"api/v2/security_monitoring/signals/{aSignal}/state"),
        })
        {
            var content = method == HttpMethod.Get || method == HttpMethod.Delete ? null
                : JsonContent.Create(new JsonObject { ["isEnabled"] = false, ["data"] = new JsonObject { ["attributes"] = new JsonObject { ["state"] = "archived" } } });
            using var response = await client.SendAsync(b.Request(method, path, content));
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{method} {path} as B returned {(int)response.StatusCode}");
        }

        // A's data is untouched by B's attempts.
        using var stillThere = await client.SendAsync(a.Request(HttpMethod.Get, $"api/v2/security_monitoring/rules/{aRule}"));
        Assert.True((await stillThere.Content.ReadFromJsonAsync<JsonObject>())!["isEnabled"]!.GetValue<bool>());
        Assert.Equal("open", (await LogShipper.SearchSignalsAsync(client, a, "*"))["data"]![0]!["attributes"]!["custom"]!["workflow"]!["triage"]!["state"]!.GetValue<string>());

        // Mixing A's API key with B's application key is refused.
        var mixed = new HttpRequestMessage(HttpMethod.Get, "api/v2/security_monitoring/rules");
        mixed.Headers.Add("DD-API-KEY", a.ApiKey);
        mixed.Headers.Add("DD-APPLICATION-KEY", b.ApplicationKey);
        using var mixedResponse = await client.SendAsync(mixed);
        Assert.Equal(HttpStatusCode.Forbidden, mixedResponse.StatusCode);

        // B's log search finds none of A's logs; A's finds them.
        Assert.Empty(await SearchLogsAsync(client, b, "@network.client.ip:192.0.2.201"));
        Assert.Equal(12, (await SearchLogsAsync(client, a, "@network.client.ip:192.0.2.201")).Count);

        // B's pages (server-rendered for B's session) show none of A's signals or logs.
        using var browser = portal.CreateClient();
        using var signedIn = await Forms.SignInAsync(browser, b.Slug, b.Email, TestTenant.Password);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        foreach (var page in new[] { "", "signals", "rules", "logs?q=%40network.client.ip%3A192.0.2.201&range=1d" })
        {
            var html = await browser.GetStringAsync(page);
            Assert.Contains("Bravo Isolation", html, StringComparison.Ordinal);
            Assert.DoesNotContain("Failed password for root from 192.0.2.201", html, StringComparison.Ordinal);
            Assert.DoesNotContain("@network.client.ip: 192.0.2.201", html, StringComparison.Ordinal);
            Assert.DoesNotContain("Alpha Isolation", html, StringComparison.Ordinal);
        }
    }

    private static async Task<JsonArray> SearchLogsAsync(HttpClient client, TestTenant tenant, string query)
    {
        var body = new JsonObject { ["filter"] = new JsonObject { ["query"] = query, ["from"] = "now-1h", ["to"] = "now" }, ["page"] = new JsonObject { ["limit"] = 100 } };
        using var response = await client.SendAsync(tenant.Request(HttpMethod.Post, "api/v2/logs/events/search", JsonContent.Create(body)));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["data"]!.AsArray();
    }
}
