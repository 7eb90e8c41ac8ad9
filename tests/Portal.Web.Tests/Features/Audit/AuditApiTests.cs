using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.Audit;

/// <summary>
/// Datadog's Audit Trail API over real HTTP: rule changes and signal triage appear with who, what, before and after;
/// the log query syntax filters them; cursors page them; another organisation sees none of them.
/// </summary>
[Collection("portal")]
public sealed class AuditApiTests(PortalFixture portal)
{
    [Fact]
    public async Task RuleUpdated_AppearsWithActorKeyAndBeforeAfter()
    {
        var tenant = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        using var rules = await client.SendAsync(tenant.Request(HttpMethod.Get, "api/v2/security_monitoring/rules"));
        var rule = (await rules.Content.ReadFromJsonAsync<JsonObject>())!["data"]![0]!;
        var id = rule["id"]!.GetValue<string>();

        using var updated = await client.SendAsync(tenant.Request(HttpMethod.Put, $"api/v2/security_monitoring/rules/{id}",
            new StringContent("""{"name":"Renamed by the audit test"}""", Encoding.UTF8, "application/json")));
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);

        var events = await SearchAsync(client, tenant, $"@evt.name:rule.updated @asset.id:{id}");
        var attributes = Assert.Single(events)!["attributes"]!["attributes"]!;
        Assert.Equal(tenant.Email, attributes["usr"]!["email"]!.GetValue<string>());
        Assert.Equal("application_key", attributes["usr"]!["type"]!.GetValue<string>());
        Assert.Equal(rule["name"]!.GetValue<string>(), attributes["before"]!["name"]!.GetValue<string>());
        Assert.Equal("Renamed by the audit test", attributes["after"]!["definition"]!["name"]!.GetValue<string>());
        Assert.Equal("127.0.0.1", attributes["network"]!["client"]!["ip"]!.GetValue<string>());
    }

    [Fact]
    public async Task SignalTriaged_RecordsTheStateChange()
    {
        var tenant = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        using (var _ = await LogShipper.PostAsync(client, tenant, LogShipper.SshFailures("192.0.2.77", 12)))
        {
        }
        await LogShipper.EvaluateAsync(portal, tenant);
        var signal = (await LogShipper.SearchSignalsAsync(client, tenant, "*"))["data"]![0]!["id"]!.GetValue<string>();

        using var triaged = await client.SendAsync(tenant.Request(HttpMethod.Patch, $"api/v2/security_monitoring/signals/{signal}/state",
            JsonContent.Create(new JsonObject { ["data"] = new JsonObject { ["attributes"] = new JsonObject { ["state"] = "under_review" } } })));
        Assert.Equal(HttpStatusCode.OK, triaged.StatusCode);

        var attributes = Assert.Single(await SearchAsync(client, tenant, "@evt.name:signal.triaged"))!["attributes"]!["attributes"]!;
        Assert.Equal(signal, attributes["asset"]!["id"]!.GetValue<string>());
        Assert.Equal("open", attributes["before"]!["state"]!.GetValue<string>());
        Assert.Equal("under_review", attributes["after"]!["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task Paging_CursorWalksEveryEntryOnce_AndBadParametersAreNamed()
    {
        var tenant = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        for (var i = 0; i < 3; i++)
        {
            using var _ = await client.SendAsync(tenant.Request(HttpMethod.Post, "api/v2/security_monitoring/configuration/suppressions",
                JsonContent.Create(new JsonObject
                {
                    ["data"] = new JsonObject { ["attributes"] = new JsonObject { ["name"] = $"paging {i}", ["rule_query"] = "*", ["suppression_query"] = $"host:lab-{i}" } },
                })));
        }

        async Task<(List<string> Seen, string? FirstCursor)> WalkAsync(string sort)
        {
            var seen = new List<string>();
            string? cursor = null, first = null;
            do
            {
                using var page = await client.SendAsync(tenant.Request(HttpMethod.Get,
                    $"api/v2/audit/events?filter[query]={Uri.EscapeDataString("@evt.name:suppression.created")}&filter[from]=now-1h&page[limit]=1{sort}"
                    + (cursor is null ? "" : $"&page[cursor]={cursor}")));
                var body = (await page.Content.ReadFromJsonAsync<JsonObject>())!;
                seen.AddRange(body["data"]!.AsArray().Select(e => e!["attributes"]!["attributes"]!["asset"]!["name"]!.GetValue<string>()));
                cursor = body["meta"]!["page"]!["after"]?.GetValue<string>();
                first ??= cursor;
            }
            while (cursor is not null && seen.Count < 10);
            return (seen, first);
        }

        var (newestFirst, newestCursor) = await WalkAsync("");
        Assert.Equal(["paging 2", "paging 1", "paging 0"], newestFirst);
        // links.next pages on over the same range: followed twice, its end has not moved (it grew a millisecond a page).
        async Task<string> NextOfAsync(string path)
        {
            using var page = await client.SendAsync(tenant.Request(HttpMethod.Get, path));
            return (await page.Content.ReadFromJsonAsync<JsonObject>())!["links"]!["next"]!.GetValue<string>();
        }
        var first = new Uri(await NextOfAsync($"api/v2/audit/events?filter[query]={Uri.EscapeDataString("@evt.name:suppression.created")}&filter[from]=now-1h&filter[to]=now&page[limit]=1"));
        var second = new Uri(await NextOfAsync(first.PathAndQuery.TrimStart('/')));
        Assert.StartsWith(portal.BaseAddress.ToString().TrimEnd('/') + "/api/v2/audit/events?", first.ToString(), StringComparison.Ordinal);
        string? EndOf(Uri link) => Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(link.Query)["filter[to]"];
        Assert.Equal(EndOf(first), EndOf(second));
        // Oldest first when asked, as Datadog's sort=timestamp; a cursor pages on only in the order that returned it.
        var (oldestFirst, _) = await WalkAsync("&sort=timestamp");
        Assert.Equal(["paging 0", "paging 1", "paging 2"], oldestFirst);
        using var otherOrder = await client.SendAsync(tenant.Request(HttpMethod.Get, $"api/v2/audit/events?sort=timestamp&page[cursor]={newestCursor}"));
        Assert.Equal(HttpStatusCode.BadRequest, otherOrder.StatusCode);
        Assert.Contains("other sort order", await otherOrder.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var badQuery = await client.SendAsync(tenant.Request(HttpMethod.Get, "api/v2/audit/events?filter[query]=" + Uri.EscapeDataString("@evt.name:(")));
        using var badCursor = await client.SendAsync(tenant.Request(HttpMethod.Get, "api/v2/audit/events?page[cursor]=not-a-cursor"));
        Assert.Equal(HttpStatusCode.BadRequest, badQuery.StatusCode);
        Assert.Contains("filter[query]", await badQuery.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, badCursor.StatusCode);
        Assert.Contains("page[cursor]", await badCursor.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OtherOrganisation_SeesNoneOfTheTrail_AndTheApiOffersNoWayToEditIt()
    {
        var a = await portal.CreateTenantAsync("Alpha Audit");
        var b = await portal.CreateTenantAsync("Bravo Audit");
        using var client = portal.CreateClient();
        using (var _ = await client.SendAsync(a.Request(HttpMethod.Post, "api/v2/security_monitoring/configuration/suppressions",
            JsonContent.Create(JsonNode.Parse("""{"data":{"attributes":{"name":"alpha-only-suppression","rule_query":"*","suppression_query":"host:x"}}}""")))))
        {
        }

        using var asB = await client.SendAsync(b.Request(HttpMethod.Get, "api/v2/audit/events?filter[from]=now-1h&page[limit]=1000"));
        Assert.Equal(HttpStatusCode.OK, asB.StatusCode);
        Assert.DoesNotContain("alpha-only-suppression", await asB.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var id = (await SearchAsync(client, a, "@evt.name:suppression.created"))[0]!["id"]!.GetValue<string>();
        foreach (var method in new[] { HttpMethod.Put, HttpMethod.Patch, HttpMethod.Delete })
        {
            using var edit = await client.SendAsync(a.Request(method, $"api/v2/audit/events/{id}", new StringContent("{}", Encoding.UTF8, "application/json")));
            Assert.True(edit.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed, $"{method} answered {(int)edit.StatusCode}");
        }
        Assert.Single(await SearchAsync(client, a, "@evt.name:suppression.created"));

        // A deletion is recorded too, with what was deleted.
        var suppression = (await SearchAsync(client, a, "@evt.name:suppression.created"))[0]!["attributes"]!["attributes"]!["asset"]!["id"]!.GetValue<string>();
        using var deleted = await client.SendAsync(a.Request(HttpMethod.Delete, $"api/v2/security_monitoring/configuration/suppressions/{suppression}"));
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        var deletion = Assert.Single(await SearchAsync(client, a, "@evt.name:suppression.deleted"))!["attributes"]!["attributes"]!;
        Assert.Equal("alpha-only-suppression", deletion["before"]!["name"]!.GetValue<string>());
    }

    private static async Task<JsonArray> SearchAsync(HttpClient client, TestTenant tenant, string query)
    {
        var body = new JsonObject { ["filter"] = new JsonObject { ["query"] = query, ["from"] = "now-1h", ["to"] = "now" }, ["page"] = new JsonObject { ["limit"] = 100 } };
        using var response = await client.SendAsync(tenant.Request(HttpMethod.Post, "api/v2/audit/events/search", JsonContent.Create(body)));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["data"]!.AsArray();
    }
}
