using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Portal.Web.Features.Logs;
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
        using var shipper = portal.CreateClient();
        var awkward = new JsonObject { ["ddsource"] = "app", ["service"] = "billing", ["hostname"] = "app-1", ["message"] = "=HYPERLINK(\"x\"), then\na second line", ["usr"] = new JsonObject { ["name"] = "o'brien, admin" } };
        foreach (var (owner, payload) in new[] { (tenant, LogShipper.SshFailures("192.0.2.41", 3)), (tenant, new JsonArray(awkward)), (other, LogShipper.SshFailures("192.0.2.41", 5)) })
        {
            using var posted = await LogShipper.PostAsync(shipper, owner, payload);
            Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        }
        using var browser = portal.CreateClient();
        using (var signedIn = await Forms.SignInAsync(browser, tenant.Slug, tenant.Email, TestTenant.Password))
        {
            Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        }

        var link = LogsExport.Link("*", "15m", live: false, null, null, ["network.client.ip", "usr.name"]);
        var lines = await ExportAsync(browser, link, rows: 4);

        // The organisation's four events, not the other's five from the same address.
        Assert.Equal(5, lines.Length);
        Assert.Equal("date,status,host,service,network.client.ip,usr.name,message", lines[0]);
        // Newest first: the awkward event was sent last. Quotes doubled, commas and the line break quoted, the formula kept as text.
        Assert.EndsWith(",info,app-1,billing,,\"o'brien, admin\",\"'=HYPERLINK(\"\"x\"\"), then\na second line\"", lines[1], StringComparison.Ordinal);
        Assert.All(lines[2..], l => Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z,info,bastion-1,sshd,192\.0\.2\.41,root,Failed password for root from 192\.0\.2\.41 port 4000\d ssh2$", l));
        // The query, and the limit.
        Assert.Equal(3, (await ExportAsync(browser, LogsExport.Link("source:sshd", "1h", live: false, null, null, []), rows: 3)).Length - 1);
        Assert.Equal(2, (await ExportAsync(browser, LogsExport.Link("*", "1h", live: false, null, null, []) + "&limit=2", rows: 2)).Length - 1);
    }

    [Theory]
    [InlineData("q=status%3A", "q")]
    [InlineData("range=2h", "range")]
    [InlineData("range=custom&from=yesterday", "from")]
    [InlineData("range=custom&from=now-1h&to=now-2h", "to")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=100001", "limit")]
    public async Task Export_BadParameter_ProblemNamesIt(string parameters, string parameter)
    {
        var tenant = await portal.CreateTenantAsync();
        using var browser = portal.CreateClient();
        using (await Forms.SignInAsync(browser, tenant.Slug, tenant.Email, TestTenant.Password))
        {
        }

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
    public void Row_Fields_AreQuotedOnlyWhenTheyMustBe()
    {
        Assert.Equal("a,,\"b,c\",\"say \"\"hi\"\"\",\"x\ny\",'-1,'@evil,'+1\r\n", LogsExport.Row(["a", null, "b,c", "say \"hi\"", "x\ny", "-1", "@evil", "+1"]));
    }

    /// <summary>The export's lines once it holds <paramref name="rows"/> rows (logs are searchable within a second of the 202).</summary>
    private static async Task<string[]> ExportAsync(HttpClient browser, string link, int rows)
    {
        string[] lines = [];
        for (var attempt = 0; attempt < 30; attempt++)
        {
            using var response = await browser.GetAsync(link);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
            Assert.StartsWith("attachment; filename=\"vigil-logs-", response.Content.Headers.ContentDisposition?.ToString(), StringComparison.Ordinal);
            var text = await response.Content.ReadAsStringAsync();
            // Records end with CRLF; a line break inside a quoted field is a bare LF.
            lines = text.Split("\r\n")[..^1];
            if (lines.Length - 1 >= rows)
            {
                break;
            }
            await Task.Delay(100);
        }
        return lines;
    }
}
