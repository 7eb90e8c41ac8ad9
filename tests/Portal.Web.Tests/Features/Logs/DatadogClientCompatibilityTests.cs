using System.Diagnostics;
using System.Text.Json.Nodes;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.Logs;

/// <summary>
/// Datadog's official TypeScript client (npm <c>@datadog/datadog-api-client</c>), configured only with Vigil's base
/// URL and keys, submits logs, finds them again through both log search endpoints and its own paginator, counts them by
/// service and measures them by an attribute, and searches and triages the organisation's signals.
/// </summary>
[Collection("portal")]
public sealed class DatadogClientCompatibilityTests(PortalFixture portal)
{
    [Fact]
    public async Task OfficialClient_SubmitListAndAggregateLogs_WorkAgainstVigil()
    {
        var tenant = await LogShipper.TenantWithSignalsAsync(portal, "203.0.113.97");
        var script = FindScript();

        var start = new ProcessStartInfo("node", [script, portal.BaseAddress.ToString().TrimEnd('/'), tenant.ApiKey, tenant.ApplicationKey])
        {
            WorkingDirectory = Path.GetDirectoryName(script)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var node = Process.Start(start)!;
        var output = node.StandardOutput.ReadToEndAsync();
        var errors = node.StandardError.ReadToEndAsync();
        await node.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(node.ExitCode == 0, $"The Datadog client failed: {await errors}{await output}");
        var seen = JsonNode.Parse((await output).Trim().Split('\n')[^1])!;
        Assert.Equal("{}", seen["submitted"]!.ToJsonString());
        Assert.Equal(2, seen["listed"]!.GetValue<int>());
        Assert.True(seen["timestampIsDate"]!.GetValue<bool>());
        Assert.Equal("198.51.100.99", seen["parsedIp"]!.GetValue<string>());
        Assert.Equal(1, seen["gotByGet"]!.GetValue<int>());
        Assert.StartsWith("hello compat", seen["gotMessage"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(1, seen["byService"]!["compat"]!.GetValue<int>());
        Assert.Equal(1, seen["byService"]!["sshd"]!.GetValue<int>());
        // [value, count, distinct hosts, the timeseries' sum] per group: alphabetical, descending, the total group last.
        Assert.Equal("""[["none",1,1,1],["198.51.100.99",1,1,1],["all",2,2,2]]""", seen["byAddress"]!.ToJsonString());
        // Each log once, then the paginator stops: on the last page meta.page.after is absent (a null sent it back to the first).
        Assert.Equal(2, seen["paged"]!.GetValue<int>());
        Assert.Equal(1, seen["signals"]!.GetValue<int>());
        Assert.Equal("SSH brute force from a single source IP", seen["signalTitle"]!.GetValue<string>());
        Assert.Equal("""["archived","true_positive_benign",0]""", seen["triaged"]!.ToJsonString());
    }

    /// <summary><c>tests/compat/datadog-client.js</c>, whose packages the README's test command installs.</summary>
    private static string FindScript()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var script = Path.Combine(dir.FullName, "tests", "compat", "datadog-client.js");
            if (File.Exists(script))
            {
                Assert.True(Directory.Exists(Path.Combine(dir.FullName, "tests", "compat", "node_modules", "@datadog")),
                    "Run the README's test command (bash tests/run.sh): it installs the Datadog client with npm ci in tests/compat.");
                return script;
            }
        }
        throw new FileNotFoundException("tests/compat/datadog-client.js was not found above the test assembly.");
    }
}
