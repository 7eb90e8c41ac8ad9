using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.Detection;

/// <summary>Single-event rules raise their signals as the batch is indexed, without waiting for the scheduler.</summary>
[Collection("portal")]
public sealed class RealTimeDetectionTests(PortalFixture portal)
{
    private const string RootLogin = "SSH login as root";

    [Fact]
    public async Task Intake_RootPasswordLogin_SignalExistsSecondsLaterWithoutAScheduledRun()
    {
        var tenant = await portal.CreateTenantAsync();
        var other = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();

        using var accepted = await LogShipper.PostAsync(client, tenant, Login("root", "203.0.113.9"));
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);

        // The test host schedules no evaluation: a signal within the wait came from the real-time stage.
        var signal = await WaitForSignalAsync(client, tenant, RootLogin, TimeSpan.FromSeconds(60));
        Assert.NotNull(signal);
        Assert.Equal("high", signal["attributes"]!["custom"]!["status"]!.GetValue<string>());
        Assert.Equal("203.0.113.9", signal["attributes"]!["custom"]!["group_by"]!["@network.client.ip"]!.GetValue<string>());

        // The scheduler leaves single-event rules to the real-time stage: no second signal for the same login.
        await LogShipper.EvaluateAsync(portal, tenant);
        Assert.Single(await SignalsOfAsync(client, tenant, RootLogin));
        Assert.Empty(await SignalsOfAsync(client, other, RootLogin));
    }

    [Fact]
    public async Task Intake_UserLogin_RaisesNothing()
    {
        var tenant = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();

        await LogShipper.PostAsync(client, tenant, Login("alice", "203.0.113.10"));
        await LogShipper.PostAsync(client, tenant, Login("root", "203.0.113.11"));

        // The second batch's signal proves the first was judged (batches are judged in order).
        Assert.NotNull(await WaitForSignalAsync(client, tenant, RootLogin, TimeSpan.FromSeconds(60)));
        Assert.Single(await SignalsOfAsync(client, tenant, RootLogin));
    }

    /// <summary>
    /// A single-event rule that no longer passes validation judges nothing (it does not compile; the rules page says why); the organisation's
    /// other real-time rules judge the same batch.
    /// </summary>
    [Fact]
    public async Task Intake_RuleNoLongerValid_JudgesNothing_TheOthersJudgeTheBatch()
    {
        var tenant = await portal.CreateTenantAsync();
        await StoredRules.OutdateAsync(portal, tenant.Id, name: RootLogin, outdate: rule => rule["options"]!["keepAlive"] = 42);
        using var client = portal.CreateClient();
        var batch = Login("root", "203.0.113.12");
        batch.Add(new JsonObject
        {
            ["ddsource"] = "cloudtrail",
            ["message"] = new JsonObject
            {
                ["eventSource"] = "signin.amazonaws.com",
                ["eventName"] = "ConsoleLogin",
                ["sourceIPAddress"] = "203.0.113.12",
                ["userIdentity"] = new JsonObject { ["type"] = "IAMUser", ["arn"] = "arn:aws:iam::123456789012:user/alice", ["userName"] = "alice" },
                ["responseElements"] = new JsonObject { ["ConsoleLogin"] = "Success" },
                ["additionalEventData"] = new JsonObject { ["MFAUsed"] = "No" },
            }.ToJsonString(),
        });

        using var accepted = await LogShipper.PostAsync(client, tenant, batch);

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.NotNull(await WaitForSignalAsync(client, tenant, "AWS console login without MFA", TimeSpan.FromSeconds(60)));
        Assert.Empty(await SignalsOfAsync(client, tenant, RootLogin));
    }

    private static JsonArray Login(string user, string ip) =>
    [
        new JsonObject
        {
            ["ddsource"] = "sshd",
            ["hostname"] = "bastion-1",
            ["message"] = $"Accepted password for {user} from {ip} port 50022 ssh2",
        },
    ];

    private static async Task<JsonObject?> WaitForSignalAsync(HttpClient client, TestTenant tenant, string rule, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if ((await SignalsOfAsync(client, tenant, rule)).FirstOrDefault() is { } found)
            {
                return found;
            }
            await Task.Delay(100);
        }
        return null;
    }

    private static async Task<List<JsonObject>> SignalsOfAsync(HttpClient client, TestTenant tenant, string rule) =>
        (await LogShipper.SearchSignalsAsync(client, tenant, "*"))["data"]!.AsArray()
            .Select(s => s!.AsObject())
            .Where(s => s["attributes"]!["custom"]!["workflow"]!["rule"]!["name"]!.GetValue<string>() == rule)
            .ToList();
}
