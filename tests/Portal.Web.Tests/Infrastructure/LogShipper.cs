using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Web.Features.Detection;

namespace Portal.Web.Tests.Infrastructure;

/// <summary>Realistic log payloads and helpers to send them and evaluate rules.</summary>
public static class LogShipper
{
    /// <summary>sshd "Failed password" lines from one source IP, as a shipper would send them.</summary>
    public static JsonArray SshFailures(string ip, int count, string user = "root") => new(Enumerable.Range(0, count)
        .Select(i => (JsonNode?)new JsonObject
        {
            ["ddsource"] = "sshd",
            ["service"] = "sshd",
            ["hostname"] = "bastion-1",
            ["message"] = $"Failed password for {user} from {ip} port {40000 + i} ssh2",
        }).ToArray());

    /// <summary>A new organisation with a brute-force signal from each of <paramref name="ips"/> (eleven failed SSH logins each, evaluated).</summary>
    public static async Task<TestTenant> TenantWithSignalsAsync(PortalFixture portal, params string[] ips)
    {
        var tenant = await portal.CreateTenantAsync();
        using (var client = portal.CreateClient())
        {
            foreach (var ip in ips)
            {
                using var _ = await PostAsync(client, tenant, SshFailures(ip, 11));
            }
        }
        await EvaluateAsync(portal, tenant);
        return tenant;
    }

    /// <summary>Posts logs with the tenant's API key.</summary>
    public static Task<HttpResponseMessage> PostAsync(HttpClient client, TestTenant tenant, JsonNode payload)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "api/v2/logs") { Content = JsonContent.Create(payload) };
        request.Headers.Add("DD-API-KEY", tenant.ApiKey);
        return client.SendAsync(request);
    }

    /// <summary>
    /// Runs the tenant's evaluation now, as "Evaluate now" does (the test host schedules none of its own), and fails with
    /// the rule's own error when a rule failed: a missing signal then says why. <paramref name="failing"/>: a rule whose error
    /// the test expects.
    /// </summary>
    public static async Task<int> EvaluateAsync(PortalFixture portal, TestTenant tenant, string? failing = null)
    {
        // A run reads the store up to its end in whole milliseconds, the store's unit of time ranges: events stamped in
        // the millisecond a run ends in are left to the next run, which starts from that millisecond (they are not lost).
        // The tests expect a run to judge what they sent just before, so it starts in a later millisecond.
        var sent = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        while (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() <= sent)
        {
            await Task.Delay(1);
        }
        var changed = await portal.Services.GetRequiredService<RuleEvaluator>().EvaluateTenantAsync(tenant.Id, CancellationToken.None, onDemand: true);
        await using var db = portal.Services.GetRequiredService<TenantDbFactory>().Create(tenant.Id);
        var failed = await db.RuleRunStates.Where(s => s.LastError != null && s.RuleId != failing).Select(s => s.RuleId + ": " + s.LastError).ToListAsync();
        Assert.True(failed.Count == 0, "rules failed: " + string.Join("; ", failed));
        return changed;
    }

    /// <summary>Searches signals through the API with the tenant's keys.</summary>
    public static async Task<JsonObject> SearchSignalsAsync(HttpClient client, TestTenant tenant, string query)
    {
        var body = new JsonObject { ["filter"] = new JsonObject { ["query"] = query, ["from"] = "now-1h", ["to"] = "now" }, ["page"] = new JsonObject { ["limit"] = 100 } };
        using var response = await client.SendAsync(tenant.Request(HttpMethod.Post, "api/v2/security_monitoring/signals/search", JsonContent.Create(body)));
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }
}
