using System.Text.Json.Nodes;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data.Identity;
using Portal.Data.Rules;
using Portal.Data.Suppressions;
using Portal.Detection.Events;
using Portal.Search;
using Portal.Web.Features.Logs;
using Portal.Web.Features.Rules;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.Logs;

/// <summary>
/// bUnit specifications of the Logs Explorer's "Create rule from query", on the portal's real database and a real Lucene
/// store: the rule previewed over the range shown (the signals it would have raised there, of the organisation's logs only),
/// the preview forgotten as a setting changes, what is wrong with the rule said beneath its field, and the rule created.
/// </summary>
[Collection("portal")]
public sealed class LogsCreateRuleTests(PortalFixture portal) : IAsyncLifetime
{
    private readonly BunitContext _ctx = new();
    private readonly LogStoreDirectory _logs = new("logs-create-rule");
    private FaultyLogStore _faulty = default!;

    public Task InitializeAsync()
    {
        BunitSession.AddPageServices(_ctx, portal);
        _faulty = new FaultyLogStore(_logs.Store);
        _ctx.Services.AddSingleton<ILogStore>(_faulty);
        _ctx.Services.AddSingleton<RuleBacktests>();
        _ctx.Services.AddSingleton(TimeProvider.System);
        _ctx.Services.AddSingleton(portal.Services.GetRequiredService<RuleService>());
        _ctx.Services.AddSingleton(portal.Services.GetRequiredService<SuppressionService>());
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _ctx.DisposeAsync();
        _logs.Dispose();
    }

    [Fact]
    public async Task CreateRule_PreviewedOverTheRangeShown_ThenCreated()
    {
        var (cut, tenant, other) = await OpenDialogAsync();
        string Preview() => cut.Find("#rule-preview-result").TextContent.Trim();
        void Type(string id, string value) => Enter(cut, id, value);

        Type("rule-group-by", "@network.client.ip");
        Type("rule-threshold", "10");
        cut.Find("#preview-rule").Click();
        cut.WaitForAssertion(() => Assert.StartsWith("1 signal over", Preview(), StringComparison.Ordinal));
        Assert.Contains("(14 logs read):", Preview(), StringComparison.Ordinal);
        var signal = Assert.Single(cut.FindAll(".rule-preview-signals li"));
        Assert.Equal("203.0.113.9", signal.QuerySelector(".rule-preview-group")!.TextContent);
        Assert.Equal("@network.client.ip:203.0.113.9", signal.QuerySelector(".rule-preview-group")!.GetAttribute("title"));
        Assert.Contains("12 logs", signal.TextContent, StringComparison.Ordinal);
        Assert.Equal("medium", signal.QuerySelector(".severity-chip")!.GetAttribute("data-severity"));

        // A setting changed: the preview shown was of others.
        Type("rule-threshold", "1");
        cut.WaitForAssertion(() => Assert.StartsWith("What it would have raised", Preview(), StringComparison.Ordinal));
        cut.Find("#preview-rule").Click();
        cut.WaitForAssertion(() => Assert.StartsWith("2 signals over", Preview(), StringComparison.Ordinal));
        Type("rule-threshold", "100");
        cut.Find("#preview-rule").Click();
        cut.WaitForAssertion(() => Assert.StartsWith("No signal over", Preview(), StringComparison.Ordinal));

        // What is wrong is said beneath its field, and nothing is created.
        Type("rule-group-by", "@network.client.");
        cut.Find("#create-rule").Click();
        cut.WaitForAssertion(() => Assert.Contains("is required", FieldError(cut, "rule-name"), StringComparison.Ordinal));
        Assert.Contains("'@network.client.' is not a field name", FieldError(cut, "rule-group-by"), StringComparison.Ordinal);
        var rules = portal.Services.GetRequiredService<RuleService>();
        Assert.DoesNotContain(await rules.ListAsync(tenant.Id), r => r.Name == "SSH failures by address");

        Type("rule-name", "SSH failures by address");
        Type("rule-group-by", "@network.client.ip");
        cut.Find("#create-rule").Click();
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("#rule-preview")));
        var created = Assert.Single(await rules.ListAsync(tenant.Id), r => r.Name == "SSH failures by address");
        Assert.Equal(["@network.client.ip"], created.Queries[0].GroupByFields);
        Assert.Equal("a > 100", created.Cases[0].Condition);
        Assert.DoesNotContain(await rules.ListAsync(other.Id), r => r.Name == "SSH failures by address");
    }

    /// <summary>
    /// A write the database refuses is said in the dialog, which keeps what was typed: the dialog is drawn outside the
    /// page's failure panel, and the fault ended the member's whole connection.
    /// </summary>
    [Fact]
    public async Task CreateRule_TheDatabaseRefusesTheWrite_SaidInTheDialog_NothingLost()
    {
        var (cut, tenant, _) = await OpenDialogAsync();
        const string Name = "Refused by the database";
        await SqlAsync($"CREATE TRIGGER refuse_rule_write BEFORE INSERT ON Rules WHEN NEW.Name = '{Name}' BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END;");
        try
        {
            Enter(cut, "rule-name", Name);
            cut.Find("#create-rule").Click();

            cut.WaitForAssertion(() => Assert.Contains("could not be saved: try again", cut.Find(".rule-error").TextContent, StringComparison.Ordinal));
            Assert.Equal(Name, cut.Find("input#rule-name, #rule-name input").GetAttribute("value"));
            Assert.DoesNotContain(await portal.Services.GetRequiredService<RuleService>().ListAsync(tenant.Id), r => r.Name == Name);
        }
        finally
        {
            await SqlAsync("DROP TRIGGER refuse_rule_write;");
        }
    }

    private async Task SqlAsync(string sql)
    {
        await using var db = portal.Services.GetRequiredService<Portal.Data.TenantDbFactory>().Create(null);
        await Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions.ExecuteSqlRawAsync(db.Database, sql);
    }

    /// <summary>
    /// The organisation's suppressions apply to the preview as they will to the rule, and are said beneath it: one whose
    /// suppression query matches the brute force's address stopped its signal; another organisation's is not read.
    /// </summary>
    [Fact]
    public async Task Preview_SaysTheSuppressionsThatApply()
    {
        var (cut, tenant, other) = await OpenDialogAsync();
        string Preview() => cut.Find("#rule-preview-result").TextContent.Trim();
        Task SuppressAsync(Guid organisation, string name, string? exclusion = null, string? suppression = null) =>
            TestSuppressions.CreateAsync(portal, organisation, name, "*", exclusion, suppression);
        await SuppressAsync(tenant.Id, "Pen test", suppression: "@network.client.ip:203.0.113.9");
        await SuppressAsync(other.Id, "Theirs", exclusion: "source:sshd");
        Enter(cut, "rule-group-by", "@network.client.ip");
        Enter(cut, "rule-threshold", "10");

        cut.Find("#preview-rule").Click();

        cut.WaitForAssertion(() => Assert.StartsWith("No signal over", Preview(), StringComparison.Ordinal));
        Assert.Contains("(14 logs read).", Preview(), StringComparison.Ordinal);
        Assert.Equal(
            ["Suppression “Pen test” applies: it stopped the signals of 1 group."],
            cut.FindAll(".rule-preview-suppression").Select(s => s.TextContent.Trim()));

        // A data exclusion too: its logs are not read.
        await SuppressAsync(tenant.Id, "Quiet address", exclusion: "@network.client.ip:198.51.100.4");
        Enter(cut, "rule-threshold", "1");
        cut.Find("#preview-rule").Click();
        cut.WaitForAssertion(() => Assert.Contains("(12 logs read).", Preview(), StringComparison.Ordinal));
        Assert.Equal(
            ["Suppression “Quiet address” applies: the logs it excludes were not read.", "Suppression “Pen test” applies: it stopped the signals of 1 group."],
            cut.FindAll(".rule-preview-suppression").Select(s => s.TextContent.Trim()));
    }

    /// <summary>
    /// A preview still running when a setting changes is not shown (it was of the settings before), and the dialog answers
    /// meanwhile: the button says it previews, then, the setting changed, offers a new preview.
    /// </summary>
    [Fact]
    public async Task Preview_SettingChangedWhileItRuns_IsNotShown()
    {
        var (cut, _, _) = await OpenDialogAsync();
        string Preview() => cut.Find("#rule-preview-result").TextContent.Trim();
        Enter(cut, "rule-group-by", "@network.client.ip");
        var release = new TaskCompletionSource();
        _faulty.RefreshGate = release.Task;

        cut.Find("#preview-rule").Click();
        cut.WaitForAssertion(() => Assert.Equal("Previewing…", cut.Find("#preview-rule").TextContent.Trim()));
        Enter(cut, "rule-threshold", "10");
        cut.WaitForAssertion(() => Assert.Equal("Preview", cut.Find("#preview-rule").TextContent.Trim()));
        _faulty.RefreshGate = null;
        release.SetResult();
        // The held preview answers (cancelled), then its page's continuation runs before this one.
        for (var waited = 0; _faulty.GatedRefreshesAnswered == 0; waited += 10)
        {
            Assert.True(waited < 15_000, "The held refresh never answered.");
            await Task.Delay(10);
        }
        await Task.Delay(100);
        await cut.InvokeAsync(() => { });
        Assert.StartsWith("What it would have raised", Preview(), StringComparison.Ordinal);
        Assert.Equal("Preview", cut.Find("#preview-rule").TextContent.Trim());

        cut.Find("#preview-rule").Click();
        cut.WaitForAssertion(() => Assert.StartsWith("1 signal over", Preview(), StringComparison.Ordinal));
    }

    /// <summary>
    /// An organisation whose sshd logs hold a brute force (12 failures from one address, 2 from another) beside another
    /// organisation's (30 failures), a member of the first signed in, the Logs page searching <c>source:sshd</c>, and the
    /// "Create rule from query" dialog open.
    /// </summary>
    private async Task<(IRenderedComponent<WithDialogs<LogsPage>> Page, TestTenant Tenant, TestTenant Other)> OpenDialogAsync()
    {
        var (tenant, other) = (await portal.CreateTenantAsync(), await portal.CreateTenantAsync());
        var at = DateTimeOffset.UtcNow.AddMinutes(-20);
        await AppendAsync(tenant.Id, [.. Failures("203.0.113.9", 12, at), .. Failures("198.51.100.4", 2, at)]);
        // Another organisation's brute force matches the same query: never read.
        await AppendAsync(other.Id, Failures("192.0.2.1", 30, at));
        BunitSession.SignIn(_ctx, tenant.Id, tenant.Slug, Guid.NewGuid(), "analyst@example.test", VigilRoles.Standard);
        _ctx.Renderer.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        _ctx.Services.GetRequiredService<NavigationManager>().NavigateTo("logs?q=source:sshd");
        var cut = _ctx.Render<WithDialogs<LogsPage>>();
        cut.WaitForAssertion(() => Assert.Equal("14 logs", cut.Find("#log-count").TextContent));
        cut.Find("#create-rule-from-query").Click();
        cut.WaitForElement("#preview-rule");
        return (cut, tenant, other);
    }

    /// <summary>Types <paramref name="value"/> into the dialog's field <paramref name="id"/>, as its change event sets it.</summary>
    private static void Enter(IRenderedComponent<WithDialogs<LogsPage>> cut, string id, string value) => cut.Find($"input#{id}, #{id} input").Change(value);

    /// <summary>The message said beneath a field of the dialog (MudBlazor's helper text of an input in error).</summary>
    private static string FieldError(IRenderedComponent<WithDialogs<LogsPage>> cut, string id) =>
        cut.Find($"input#{id}, #{id} input").Closest(".mud-input-control")?.QuerySelector(".mud-input-helper-text.mud-input-error")?.TextContent ?? "";

    private async Task AppendAsync(Guid tenant, IReadOnlyList<LogEvent> events)
    {
        await _logs.Store.AppendAsync(tenant, events, CancellationToken.None);
        await _logs.Store.RefreshAsync(tenant, CancellationToken.None);
    }

    /// <summary><paramref name="count"/> failed sshd logins from <paramref name="ip"/>, a second apart from <paramref name="at"/>.</summary>
    private static List<LogEvent> Failures(string ip, int count, DateTimeOffset at) => [.. Enumerable.Range(0, count).Select(i => new LogEvent
    {
        Id = Guid.NewGuid().ToString("N"),
        Timestamp = at.AddSeconds(i),
        Host = "bastion",
        Service = "sshd",
        Source = "sshd",
        Status = "info",
        Message = $"Failed password for root from {ip} port 4{i:000} ssh2",
        Attributes = new JsonObject { ["network"] = new JsonObject { ["client"] = new JsonObject { ["ip"] = ip } }, ["evt"] = new JsonObject { ["outcome"] = "failure" } },
    })];
}
