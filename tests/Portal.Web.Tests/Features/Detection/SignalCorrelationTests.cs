using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.Detection;

/// <summary>Signal correlation rules judge the organisation's stored signals in the scheduled evaluation.</summary>
[Collection("portal")]
public sealed class SignalCorrelationTests(PortalFixture portal)
{
    [Fact]
    public async Task Evaluation_BruteForceAndRootLoginFromOneAddress_RaisesTheCorrelatedSignal()
    {
        var tenant = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        using var list = await client.SendAsync(tenant.Request(HttpMethod.Get, "api/v2/security_monitoring/rules?page[size]=100"));
        var rules = (await list.Content.ReadFromJsonAsync<JsonObject>())!["data"]!.AsArray();
        string IdOf(string name) => rules.Single(r => r!["name"]!.GetValue<string>() == name)!["id"]!.GetValue<string>();
        var correlation = new JsonObject
        {
            ["name"] = "Brute force then root login",
            ["type"] = "signal_correlation",
            ["queries"] = new JsonArray(
                new JsonObject { ["name"] = "guessing", ["ruleId"] = IdOf("SSH brute force from a single source IP"), ["aggregation"] = "event_count", ["correlatedByFields"] = new JsonArray("@network.client.ip") },
                new JsonObject { ["name"] = "root", ["ruleId"] = IdOf("SSH login as root"), ["aggregation"] = "event_count", ["correlatedByFields"] = new JsonArray("@network.client.ip") }),
            ["cases"] = new JsonArray(new JsonObject { ["status"] = "critical", ["condition"] = "guessing > 0 && root > 0" }),
            ["options"] = new JsonObject { ["evaluationWindow"] = 900, ["keepAlive"] = 3600, ["maxSignalDuration"] = 86400 },
            ["message"] = "{{@network.client.ip}} guessed passwords, then logged in as root.",
            ["tags"] = new JsonArray(),
        };
        using var created = await client.SendAsync(tenant.Request(HttpMethod.Post, "api/v2/security_monitoring/rules", JsonContent.Create(correlation)));
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);

        await LogShipper.PostAsync(client, tenant, LogShipper.SshFailures("203.0.113.77", 14));
        await LogShipper.PostAsync(client, tenant, LogShipper.SshFailures("198.51.100.23", 14));
        await LogShipper.PostAsync(client, tenant, new JsonArray(new JsonObject { ["ddsource"] = "sshd", ["hostname"] = "bastion-1", ["message"] = "Accepted password for root from 203.0.113.77 port 50022 ssh2" }));
        var deadline = Stopwatch.StartNew();
        while ((await RuleSignalsAsync(client, tenant, "SSH login as root")).Count == 0 && deadline.Elapsed < TimeSpan.FromSeconds(15))
        {
            await Task.Delay(100);
        }
        // A signal raised at the end of a run's window is judged by correlation rules in the next run.
        await LogShipper.EvaluateAsync(portal, tenant);
        await LogShipper.EvaluateAsync(portal, tenant);

        var takeover = Assert.Single(await RuleSignalsAsync(client, tenant, "Brute force then root login"));
        Assert.Equal("critical", takeover["attributes"]!["custom"]!["status"]!.GetValue<string>());
        Assert.Equal("203.0.113.77", takeover["attributes"]!["custom"]!["group_by"]!["@network.client.ip"]!.GetValue<string>());
    }

    private static async Task<List<JsonObject>> RuleSignalsAsync(HttpClient client, TestTenant tenant, string rule) =>
        (await LogShipper.SearchSignalsAsync(client, tenant, "*"))["data"]!.AsArray()
            .Select(s => s!.AsObject())
            .Where(s => s["attributes"]!["custom"]!["workflow"]!["rule"]!["name"]!.GetValue<string>() == rule)
            .ToList();
}
