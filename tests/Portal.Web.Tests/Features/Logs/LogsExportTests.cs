using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Portal.Search;
using Portal.Web.Features.Logs;
using Portal.Web.Tests.Features.Identity;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.Logs;

/// <summary>The Logs Explorer's CSV export: the page's view, its columns, one organisation's logs, clear refusals.</summary>
[Collection("portal")]
public sealed class LogsExportTests(PortalFixture portal)
{
    [Fact]
    public async Task Export_SignedInMember_DownloadsTheViewsLogsWithItsColumnsOfTheirOrganisationOnly()
    {
        var tenant = await portal.CreateTenantAsync();
        var other = await portal.CreateTenantAsync();
        var awkward = new JsonObject { ["ddsource"] = "app", ["service"] = "billing", ["hostname"] = "app-1", ["message"] = "=HYPERLINK(\"x\"); then\na second line", ["usr"] = new JsonObject { ["name"] = "o'brien, admin" } };
        await ShipAsync((tenant, LogShipper.SshFailures("192.0.2.41", 3)), (tenant, new JsonArray(awkward)), (other, LogShipper.SshFailures("192.0.2.41", 5)));
        using var browser = await SignInAsync(tenant);
        var now = DateTimeOffset.UtcNow;

        var lines = await ExportAsync(browser, LogsExport.Link("*", now.AddMinutes(-15), now.AddMinutes(1), ["network.client.ip", "usr.name"]));

        // The organisation's four events, not the other's five from the same address.
        Assert.Equal(5, lines.Length);
        Assert.Equal("date (UTC),status,host,service,network.client.ip,usr.name,message", lines[0]);
        // Newest first: the awkward event was sent last. Quotes doubled, commas, semicolons and the line break quoted, the formula kept as text.
        Assert.EndsWith(",info,app-1,billing,,\"o'brien, admin\",\"'=HYPERLINK(\"\"x\"\"); then\na second line\"", lines[1], StringComparison.Ordinal);
        Assert.All(lines[2..], l => Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z,info,bastion-1,sshd,192\.0\.2\.41,root,Failed password for root from 192\.0\.2\.41 port 4000\d ssh2$", l));
        // The query, a preset range, live tail's window, and the export in the organisation's audit trail.
        Assert.Equal(5, (await ExportAsync(browser, "logs/export?q=source%3Asshd%20OR%20service%3Abilling&range=1h")).Length);
        Assert.Equal(4, (await ExportAsync(browser, "logs/export?q=source%3Asshd&range=1h")).Length);
        Assert.Equal(5, (await ExportAsync(browser, "logs/export?live=true")).Length);
        Assert.Empty((await ExportAsync(browser, "logs/export?q=source%3Asshd&range=custom&from=now-2d&to=now-1d")).Skip(1));
        var audit = await SignInClient.AuditAsync(portal, tenant.Id, "logs.exported");
        Assert.Contains(audit, e => e.Message!.Contains("source:sshd OR service:billing", StringComparison.Ordinal));
        Assert.Empty(await SignInClient.AuditAsync(portal, other.Id, "logs.exported"));
    }

    /// <summary>Bounds written as the Logs page writes them, without an offset, are in the organisation's time zone.</summary>
    [Fact]
    public async Task Export_CustomBoundsWithoutAnOffset_AreInTheOrganisationsZone()
    {
        var tenant = await portal.CreateTenantAsync();
        Assert.Empty(await portal.Services.GetRequiredService<Portal.Data.Tenancy.OrganisationService>().UpdateAsync(tenant.Id, await portal.OwnerAsync(tenant),
            new Portal.Data.Tenancy.OrganisationSettings("Tokyo Org", tenant.Slug, "Asia/Tokyo", null, 7)));
        await ShipAsync((tenant, LogShipper.SshFailures("192.0.2.42", 2)));
        using var browser = await SignInAsync(tenant);
        var tokyo = TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo");
        string Local(DateTimeOffset t) => Uri.EscapeDataString(Portal.Web.Components.Shared.TimeRanges.Format(t, zone: tokyo));
        var now = DateTimeOffset.UtcNow;

        // The last ten minutes in Tokyo's time hold the logs; the same text read as UTC would be nine hours ahead.
        Assert.Equal(3, (await ExportAsync(browser, $"logs/export?range=custom&from={Local(now.AddMinutes(-10))}&to={Local(now.AddMinutes(1))}")).Length);
        Assert.Single(await ExportAsync(browser, $"logs/export?range=custom&from={Local(now.AddHours(-10))}&to={Local(now.AddHours(-9))}"));
    }

    [Fact]
    public async Task Export_MoreThanAPageOfLogs_PagesWithoutGapsOrRepeatsUpToTheLimit()
    {
        var tenant = await portal.CreateTenantAsync();
        var batches = Enumerable.Range(0, 3).Select(b => (tenant, new JsonArray(Enumerable.Range(b * 400, 400)
            .Select(i => (JsonNode?)new JsonObject { ["ddsource"] = "app", ["service"] = "batch", ["message"] = $"event {i}" }).ToArray()))).ToArray();
        await ShipAsync(batches);
        using var browser = await SignInAsync(tenant);

        var all = await ExportAsync(browser, "logs/export?q=service%3Abatch&range=15m");
        var limited = await ExportAsync(browser, $"logs/export?q=service%3Abatch&range=15m&limit={LogsExport.PageSize + 100}");

        Assert.Equal(1_200, all.Length - 1);
        Assert.Equal(Enumerable.Range(0, 1_200).Select(i => $"event {i}").Order(), all[1..].Select(l => l.Split(',')[^1]).Order());
        Assert.Equal(LogsExport.PageSize + 100, limited.Length - 1);
        Assert.Equal(LogsExport.PageSize + 100, limited[1..].Distinct().Count());
        // Newest first across the pages; oldest first, as a list sorted so, with sort=asc (its link says it).
        var dates = all[1..].Select(l => l.Split(',')[0]).ToList();
        Assert.Equal(dates.OrderDescending(StringComparer.Ordinal), dates);
        Assert.EndsWith("&sort=asc", LogsExport.Link("*", DateTimeOffset.UtcNow.AddMinutes(-15), DateTimeOffset.UtcNow, [], oldestFirst: true), StringComparison.Ordinal);
        var oldest = await ExportAsync(browser, $"logs/export?q=service%3Abatch&range=15m&sort=asc&limit={LogsExport.PageSize + 100}");
        Assert.Equal(dates.Order(StringComparer.Ordinal).Take(LogsExport.PageSize + 100), oldest[1..].Select(l => l.Split(',')[0]));
        Assert.Equal(LogsExport.PageSize + 100, oldest[1..].Distinct().Count());
    }

    [Theory]
    [InlineData("q=status%3A", "q")]
    [InlineData("range=2h", "range")]
    [InlineData("range=custom&from=yesterday", "from")]
    [InlineData("range=custom&from=now-1h&to=now-2h", "to")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=100001", "limit")]
    [InlineData("sort=oldest", "sort")]
    public async Task Export_BadParameter_ProblemNamesIt(string parameters, string parameter)
    {
        var tenant = await portal.CreateTenantAsync();
        using var browser = await SignInAsync(tenant);

        using var response = await browser.GetAsync("logs/export?" + parameters);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(parameter, (await response.Content.ReadFromJsonAsync<JsonObject>())!["parameter"]!.GetValue<string>());
    }

    [Fact]
    public async Task Export_WithoutASession_GoesToSignIn()
    {
        using var response = await portal.CreateClient().GetAsync("logs/export?q=*");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("account/signin", response.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Row_Fields_AreQuotedAndKeptAsTextOnlyWhenTheyMustBe()
    {
        Assert.Equal("a,,\"b,c\",\"say \"\"hi\"\"\",\"x\ny\",\"x;y\",-1,+2.5,'-2+3,'-Infinity,'@evil,'=1+1,\"'\tcmd\"\r\n",
            LogsExport.Row(["a", null, "b,c", "say \"hi\"", "x\ny", "x;y", "-1", "+2.5", "-2+3", "-Infinity", "@evil", "=1+1", "\tcmd"]));
    }

    /// <summary>Posts each payload with its organisation's key; returns once every event is searchable.</summary>
    private async Task ShipAsync(params (TestTenant Tenant, JsonArray Payload)[] batches)
    {
        using var shipper = portal.CreateClient();
        foreach (var (owner, payload) in batches)
        {
            using var posted = await LogShipper.PostAsync(shipper, owner, payload);
            Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        }
        var store = portal.Services.GetRequiredService<ILogStore>();
        foreach (var owner in batches.Select(b => b.Tenant).Distinct())
        {
            await store.RefreshAsync(owner.Id, CancellationToken.None);
        }
    }

    private async Task<HttpClient> SignInAsync(TestTenant tenant)
    {
        var browser = portal.CreateClient();
        using var signedIn = await Forms.SignInAsync(browser, tenant.Slug, tenant.Email, TestTenant.Password);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        return browser;
    }

    /// <summary>The export's lines: records end with CRLF, a line break inside a quoted field is a bare LF.</summary>
    private static async Task<string[]> ExportAsync(HttpClient browser, string link)
    {
        using var response = await browser.GetAsync(link);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("attachment; filename=\"vigil-logs-", response.Content.Headers.ContentDisposition?.ToString(), StringComparison.Ordinal);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal([0xEF, 0xBB, 0xBF], bytes[..3]);
        return System.Text.Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3).Split("\r\n")[..^1];
    }
}
