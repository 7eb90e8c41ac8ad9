using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Keys;
using Portal.Data.Tenancy;
using Portal.Detection.Query;
using Portal.Search;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.Signals;

/// <summary>The walking skeleton over real HTTP: sign-up → keys → intake → evaluation → signal → triage.</summary>
[Collection("portal")]
public sealed class SignUpToSignalTests(PortalFixture portal)
{
    [Fact]
    public async Task SignUp_SendSshBruteForce_SignalServedByApiAndTriaged()
    {
        using var browser = portal.CreateClient();
        var slug = "walk-" + Guid.NewGuid().ToString("N")[..8];
        using var signUp = await Forms.SubmitAsync(browser, "account/signup", "signup", new Dictionary<string, string>
        {
            ["Input.OrganizationName"] = "Walking Skeleton Ltd",
            ["Input.Slug"] = slug,
            ["Input.Email"] = "owner@walk.test",
            ["Input.Password"] = TestTenant.Password,
        });
        Assert.Equal(HttpStatusCode.Redirect, signUp.StatusCode);
        using var dashboard = await browser.GetAsync("");
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        Assert.Contains("Walking Skeleton Ltd", await dashboard.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var tenantRecord = await portal.Services.GetRequiredService<TenantProvisioner>().FindBySlugAsync(slug);
        Assert.NotNull(tenantRecord);
        var keys = portal.Services.GetRequiredService<KeyService>();
        var (_, apiKey) = await keys.CreateAsync(tenantRecord.Id, KeyKind.Api, "shipper", null);
        var owner = await OwnerIdAsync(browser, tenantRecord.Id);
        var (_, appKey) = await keys.CreateAsync(tenantRecord.Id, KeyKind.Application, "script", owner);
        var tenant = new TestTenant(tenantRecord.Id, slug, "owner@walk.test", apiKey, appKey);

        using var client = portal.CreateClient();
        using var accepted = await LogShipper.PostAsync(client, tenant, LogShipper.SshFailures("198.51.100.23", 14));
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);

        Assert.True(await LogShipper.EvaluateAsync(portal, tenant) >= 1);
        var afterFirst = await RunStatesAsync(tenant.Id);

        var found = await LogShipper.SearchSignalsAsync(client, tenant, "@network.client.ip:198.51.100.23");
        var signal = Assert.Single(found["data"]!.AsArray())!.AsObject();
        var custom = signal["attributes"]!["custom"]!;
        Assert.Equal("SSH brute force from a single source IP", custom["title"]!.GetValue<string>());
        Assert.Equal("medium", custom["status"]!.GetValue<string>());
        Assert.Equal(14, custom["events_matched"]!.GetValue<long>());
        Assert.Equal("open", custom["workflow"]!["triage"]!["state"]!.GetValue<string>());
        Assert.Contains("198.51.100.23", signal["attributes"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);

        // Sending more of the same attack updates the open signal rather than raising a second one.
        var beforeMore = DateTimeOffset.UtcNow;
        using var more = await LogShipper.PostAsync(client, tenant, LogShipper.SshFailures("198.51.100.23", 3));
        Assert.Equal(HttpStatusCode.Accepted, more.StatusCode);
        var afterMore = DateTimeOffset.UtcNow;
        var changed = await LogShipper.EvaluateAsync(portal, tenant);
        var again = await LogShipper.SearchSignalsAsync(client, tenant, "@network.client.ip:198.51.100.23");
        var updated = Assert.Single(again["data"]!.AsArray())!;
        var matched = updated["attributes"]!["custom"]!["events_matched"]!.GetValue<long>();
        if (matched != 17)
        {
            // Says why, for a failure seen only in clean-clone CI: the runs' watermarks and the events' times.
            Assert.Fail($"""
                events_matched {matched}, expected 17; second run changed {changed} signals.
                second POST sent after {beforeMore:O}, answered before {afterMore:O}
                rule states after the first run: {afterFirst}
                rule states after the second run: {await RunStatesAsync(tenant.Id, all: true)}
                {await StoredEventTimesAsync(tenant.Id, "@network.client.ip:198.51.100.23")}
                signal: {updated.ToJsonString()}
                """);
        }

        var id = signal["id"]!.GetValue<string>();
        var patch = new JsonObject { ["data"] = new JsonObject { ["type"] = "signal_metadata", ["attributes"] = new JsonObject { ["state"] = "archived", ["archive_reason"] = "testing_or_maintenance" } } };
        using var triaged = await client.SendAsync(tenant.Request(HttpMethod.Patch, $"api/v2/security_monitoring/signals/{id}/state", JsonContent.Create(patch)));
        Assert.Equal(HttpStatusCode.OK, triaged.StatusCode);
        var archived = await LogShipper.SearchSignalsAsync(client, tenant, "@workflow.triage.state:archived");
        Assert.Equal(id, Assert.Single(archived["data"]!.AsArray())!["id"]!.GetValue<string>());

        // The signed-in session reads the same API without keys.
        using var viaCookie = await browser.GetAsync("api/v2/security_monitoring/signals?filter%5Bfrom%5D=now-1h");
        Assert.Equal(HttpStatusCode.OK, viaCookie.StatusCode);
        Assert.Contains(id, await viaCookie.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListSignals_CursorPaging_ReturnsEverySignalOnce()
    {
        var tenant = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        for (var i = 0; i < 3; i++)
        {
            using var _ = await LogShipper.PostAsync(client, tenant, LogShipper.SshFailures($"203.0.113.{10 + i}", 11));
        }
        await LogShipper.EvaluateAsync(portal, tenant);

        var ids = new List<string>();
        var url = "api/v2/security_monitoring/signals?filter%5Bfrom%5D=now-1h&page%5Blimit%5D=2";
        while (url is not null)
        {
            using var response = await client.SendAsync(tenant.Request(HttpMethod.Get, url));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var page = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
            ids.AddRange(page["data"]!.AsArray().Select(s => s!["id"]!.GetValue<string>()));
            url = page["links"]?["next"]?.GetValue<string>();
        }
        if (ids.Count != 3)
        {
            Assert.Fail($"""
                {ids.Count} signals, expected 3.
                rule states: {await RunStatesAsync(tenant.Id, all: true)}
                {await StoredEventTimesAsync(tenant.Id, "source:sshd")}
                """);
        }
        Assert.Equal(3, ids.Distinct().Count());

        // Oldest first: the same signals in the reverse order, page after page.
        var oldestFirst = new List<string>();
        url = "api/v2/security_monitoring/signals?filter%5Bfrom%5D=now-1h&page%5Blimit%5D=2&sort=timestamp";
        while (url is not null)
        {
            using var response = await client.SendAsync(tenant.Request(HttpMethod.Get, url));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var page = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
            oldestFirst.AddRange(page["data"]!.AsArray().Select(s => s!["id"]!.GetValue<string>()));
            url = page["links"]?["next"]?.GetValue<string>();
        }
        Assert.Equal(Enumerable.Reverse(ids), oldestFirst);
        // The search body's parameters are named as the body writes them.
        using var bad = await client.SendAsync(tenant.Request(HttpMethod.Post, "api/v2/security_monitoring/signals/search",
            JsonContent.Create(new JsonObject { ["filter"] = new JsonObject { ["from"] = "yesterday-ish" } })));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("filter.from", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>The times of the tenant's stored events matching <paramref name="query"/> in the past hour, searched now.</summary>
    private async Task<string> StoredEventTimesAsync(Guid tenantId, string query)
    {
        var events = await portal.Services.GetRequiredService<ILogStore>().SearchAsync(tenantId, new SearchRequest(
            QueryParser.Parse(query), DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddMinutes(1), 100), CancellationToken.None);
        return $"events stored, searched now ({events.Items.Count}): {string.Join(", ", events.Items.Select(e => e.Timestamp.ToString("O")))}";
    }

    /// <summary>The rules' run states: those that read events or raised signals, or <paramref name="all"/> of them.</summary>
    private async Task<string> RunStatesAsync(Guid tenantId, bool all = false)
    {
        await using var db = portal.Services.GetRequiredService<TenantDbFactory>().Create(tenantId);
        var states = await db.RuleRunStates.Where(s => all || s.LastEventsScanned > 0 || s.LastSignals > 0).ToListAsync();
        return string.Join("; ", states.Select(s => $"{s.RuleId} watermark {s.Watermark:O} ran {s.LastRunAt:O} scanned {s.LastEventsScanned} signals {s.LastSignals}"));
    }

    private async Task<Guid> OwnerIdAsync(HttpClient browser, Guid tenantId)
    {
        // The session can use the API straight away; the owner is the organisation's only user.
        using var rules = await browser.GetAsync("api/v2/security_monitoring/rules?page[size]=100");
        Assert.Equal(HttpStatusCode.OK, rules.StatusCode);
        Assert.Equal(Portal.Detection.Content.OutOfTheBoxRules.LoadJson().Count, (await rules.Content.ReadFromJsonAsync<JsonObject>())!["data"]!.AsArray().Count);
        await using var db = portal.Services.GetRequiredService<TenantDbFactory>().Create(tenantId);
        return await db.Users.Select(u => u.Id).SingleAsync();
    }
}
