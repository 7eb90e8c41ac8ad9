using System.Text.Json.Nodes;
using Bunit;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Data.Identity;
using Portal.Data.Rules;
using Portal.Data.Suppressions;
using Portal.Web.Features.Rules;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.Rules;

/// <summary>bUnit specifications of the Rules page on the portal's real rules.</summary>
[Collection("portal")]
public sealed class RulesPageTests(PortalFixture portal) : IAsyncLifetime
{
    private readonly BunitContext _ctx = new();

    public Task InitializeAsync()
    {
        BunitSession.AddPageServices(_ctx, portal);
        _ctx.Services.AddSingleton(portal.Services.GetRequiredService<RuleService>());
        _ctx.Services.AddSingleton(portal.Services.GetRequiredService<TenantDbFactory>());
        _ctx.Services.AddSingleton(portal.Services.GetRequiredService<IBackgroundJobClient>());
        _ctx.Services.AddSingleton(portal.Services.GetRequiredService<VigilOptions>());
        _ctx.Services.AddSingleton(portal.Services.GetRequiredService<SuppressionService>());
        _ctx.Services.AddSingleton(TimeProvider.System);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _ctx.DisposeAsync();

    /// <summary>
    /// A rule's row opens it in a drawer, as it judges: its query (a link to its logs), how it counts, its cases, and a link
    /// to its signals; closed, the drawer goes; the rule's name, a button, opens it from the keyboard. The drawer takes the
    /// focus as it opens and gives it back to the rule's button as it closes.
    /// </summary>
    [Fact]
    public async Task RuleRow_OpensTheRuleAsItJudges()
    {
        var tenant = await portal.CreateTenantAsync();
        BunitSession.SignIn(_ctx, tenant.Id, tenant.Slug, Guid.NewGuid(), tenant.Email, VigilRoles.Standard);
        _ctx.Renderer.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
        var cut = _ctx.Render<RulesPage>();
        const string Name = "SSH brute force from a single source IP";
        var rule = (await portal.Services.GetRequiredService<RuleService>().ListAsync(tenant.Id)).Single(r => r.Name == Name);

        cut.WaitForAssertion(() => cut.FindAll("#rules-table tbody tr").First(r => r.TextContent.Contains(Name, StringComparison.Ordinal)).Click());

        var drawer = cut.Find("#rule-drawer");
        Assert.Equal(Name, drawer.QuerySelector(".drawer-title")!.TextContent);
        var query = drawer.QuerySelector(".rule-query a")!;
        Assert.Equal("source:sshd @evt.name:authentication @evt.outcome:failure", query.TextContent);
        Assert.Equal("logs?range=1h&q=" + Uri.EscapeDataString(query.TextContent), query.GetAttribute("href"));
        Assert.Equal("count by @network.client.ip", drawer.QuerySelector(".rule-aggregation")!.TextContent);
        Assert.Contains("failed > 10", drawer.QuerySelector(".rule-case")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("medium", drawer.QuerySelector(".rule-case [data-severity]")!.GetAttribute("data-severity"));
        Assert.Equal("signals?range=30d&q=" + Uri.EscapeDataString($"@workflow.rule.id:{rule.Id}"), cut.Find("#rule-signals").GetAttribute("href"));

        _ctx.JSInterop.VerifyInvoke("vigil.focusSoon");
        cut.Find("#rule-drawer button[aria-label='Close']").Click();
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("#rule-drawer")));
        Assert.Equal(["data-rule-id", rule.Id], _ctx.JSInterop.VerifyInvoke("vigil.focusOpener").Arguments);
        Assert.Single(cut.FindAll($"#rules-table button.rule-open[data-rule-id='{rule.Id}']"));

        // The keyboard's way: the rule's name is a button.
        cut.FindAll("#rules-table button.rule-open").First(b => b.TextContent == "AWS root account console login").Click();
        cut.WaitForAssertion(() => Assert.Equal("AWS root account console login", cut.Find("#rule-drawer .drawer-title").TextContent));
        _ctx.JSInterop.VerifyInvoke("vigil.focusSoon", 2);
    }

    /// <summary>
    /// A rule's filters are shown, and its logs link reads the logs as the rule does (filters applied); a correlation names
    /// the rules whose signals it reads, each a link to them.
    /// </summary>
    [Fact]
    public async Task RuleDrawer_ShowsFiltersAndNamesTheRulesACorrelationReads()
    {
        var tenant = await portal.CreateTenantAsync();
        var rules = portal.Services.GetRequiredService<RuleService>();
        var bruteForce = (await rules.ListAsync(tenant.Id)).Single(r => r.Name == "SSH brute force from a single source IP");
        var filtered = new JsonObject
        {
            ["name"] = "Root logins off the bastion",
            ["queries"] = new JsonArray(new JsonObject { ["query"] = "source:sshd @usr.name:root", ["aggregation"] = "count", ["groupByFields"] = new JsonArray("@network.client.ip") }),
            ["filters"] = new JsonArray(new JsonObject { ["action"] = "require", ["query"] = "env:prod" }, new JsonObject { ["action"] = "suppress", ["query"] = "host:bastion-1" }),
            ["cases"] = new JsonArray(new JsonObject { ["status"] = "high", ["condition"] = "a > 0" }),
            ["options"] = new JsonObject { ["evaluationWindow"] = 300, ["keepAlive"] = 3600, ["maxSignalDuration"] = 86400 },
            ["message"] = "Root login.",
        };
        var correlation = new JsonObject
        {
            ["name"] = "Brute force then anything",
            ["type"] = "signal_correlation",
            ["queries"] = new JsonArray(new JsonObject { ["name"] = "guessing", ["ruleId"] = bruteForce.Id, ["aggregation"] = "event_count", ["correlatedByFields"] = new JsonArray("@network.client.ip") }),
            ["cases"] = new JsonArray(new JsonObject { ["status"] = "critical", ["condition"] = "guessing > 0" }),
            ["options"] = new JsonObject { ["evaluationWindow"] = 900, ["keepAlive"] = 3600, ["maxSignalDuration"] = 86400 },
            ["message"] = "Correlated.",
        };
        foreach (var json in new[] { filtered, correlation })
        {
            var (rule, errors) = await rules.CreateAsync(tenant.Id, json.ToJsonString(), null);
            Assert.True(rule is not null, string.Join("; ", errors.Select(e => e.ToString())));
        }
        BunitSession.SignIn(_ctx, tenant.Id, tenant.Slug, Guid.NewGuid(), tenant.Email, VigilRoles.Standard);
        _ctx.Renderer.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
        var cut = _ctx.Render<RulesPage>();

        cut.WaitForAssertion(() => cut.FindAll("#rules-table button.rule-open").First(b => b.TextContent == "Root logins off the bastion").Click());
        Assert.Equal(["require env:prod", "suppress host:bastion-1"], cut.FindAll("#rule-filters .rule-filter").Select(f => f.TextContent));
        Assert.Equal("logs?range=1h&q=" + Uri.EscapeDataString("(source:sshd @usr.name:root) (env:prod) -(host:bastion-1)"), cut.Find("#rule-drawer .rule-query a").GetAttribute("href"));

        cut.FindAll("#rules-table button.rule-open").First(b => b.TextContent == "Brute force then anything").Click();
        cut.WaitForAssertion(() => Assert.Equal("Brute force then anything", cut.Find("#rule-drawer .drawer-title").TextContent));
        var read = cut.Find("#rule-drawer .rule-query a");
        Assert.Equal("SSH brute force from a single source IP", read.TextContent);
        Assert.Equal("signals?range=30d&q=" + Uri.EscapeDataString($"@workflow.rule.id:{bruteForce.Id}"), read.GetAttribute("href"));
        Assert.Empty(cut.FindAll("#rule-filters"));
    }

    /// <summary>
    /// The drawer shows the suppressions active now that apply to the rule (what each excludes and stops, until when, what it
    /// has hidden), and the rule's logs link leaves out the logs their exclusions drop; a suppression of another rule, one
    /// expired, and another organisation's are not shown.
    /// </summary>
    [Fact]
    public async Task RuleDrawer_ShowsTheSuppressionsThatApplyAndLeavesTheirLogsOut()
    {
        var (tenant, other) = (await portal.CreateTenantAsync(), await portal.CreateTenantAsync());
        var rules = portal.Services.GetRequiredService<RuleService>();
        var (rule, errors) = await rules.CreateAsync(tenant.Id, new JsonObject
        {
            ["name"] = "Root logins off the bastion",
            ["queries"] = new JsonArray(new JsonObject { ["query"] = "source:sshd @usr.name:root", ["aggregation"] = "count" }),
            ["filters"] = new JsonArray(new JsonObject { ["action"] = "suppress", ["query"] = "host:bastion-1" }),
            ["cases"] = new JsonArray(new JsonObject { ["status"] = "high", ["condition"] = "a > 0" }),
            ["options"] = new JsonObject { ["evaluationWindow"] = 300, ["keepAlive"] = 3600, ["maxSignalDuration"] = 86400 },
            ["message"] = "Root login.",
            ["tags"] = new JsonArray("source:sshd"),
        }.ToJsonString(), null);
        Assert.True(rule is not null, string.Join("; ", errors.Select(e => e.ToString())));
        var end = new DateTimeOffset(2099, 1, 2, 3, 4, 0, TimeSpan.Zero);
        Task SuppressAsync(
            Guid organisation, string name, string ruleQuery, long? expires, string? exclusion = null, string? suppression = null, bool enabled = true, long? starts = null) =>
            TestSuppressions.CreateAsync(portal, organisation, name, ruleQuery, exclusion, suppression, expires, enabled, starts);
        await SuppressAsync(tenant.Id, "Backup jobs", $"ruleId:{rule!.Id}", end.ToUnixTimeMilliseconds(), exclusion: "@usr.name:svc-backup", suppression: "host:jump-1");
        await SuppressAsync(tenant.Id, "Another rule's", "ruleId:not-this-one", null, exclusion: "host:web-1");
        await SuppressAsync(tenant.Id, "Expired", $"ruleId:{rule.Id}", DateTimeOffset.UtcNow.AddDays(-1).ToUnixTimeMilliseconds(), exclusion: "host:old");
        await SuppressAsync(other.Id, "Theirs", "Root", null, exclusion: "host:theirs");
        // By the rule's source tag, stopping signals only; and two that would apply but do not now.
        await SuppressAsync(tenant.Id, "Pen test", "source:sshd", null, suppression: "@network.client.ip:198.51.100.7");
        await SuppressAsync(tenant.Id, "Disabled", $"ruleId:{rule.Id}", null, exclusion: "host:disabled", enabled: false);
        await SuppressAsync(tenant.Id, "Not yet", "Root logins", null, exclusion: "host:later", starts: DateTimeOffset.UtcNow.AddDays(1).ToUnixTimeMilliseconds());
        BunitSession.SignIn(_ctx, tenant.Id, tenant.Slug, Guid.NewGuid(), tenant.Email, VigilRoles.Standard);
        _ctx.Renderer.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
        var cut = _ctx.Render<RulesPage>();

        cut.WaitForAssertion(() => cut.FindAll("#rules-table button.rule-open").First(b => b.TextContent == "Root logins off the bastion").Click());
        Assert.Equal(["Backup jobs", "Pen test"], cut.FindAll("#rule-suppressions .rule-suppression-name").Select(n => n.TextContent));
        var shown = cut.FindAll("#rule-suppressions .rule-suppression")[0];
        Assert.Equal(["raises no signal on the logs @network.client.ip:198.51.100.7"], cut.FindAll("#rule-suppressions .rule-suppression")[1].QuerySelectorAll(".rule-filter").Select(f => f.TextContent));
        Assert.Contains("until 2099-01-02 03:04 UTC", shown.TextContent, StringComparison.Ordinal);
        Assert.Equal(["excludes the logs @usr.name:svc-backup", "raises no signal on the logs host:jump-1"], shown.QuerySelectorAll(".rule-filter").Select(f => f.TextContent));
        Assert.Contains("has stopped 0 signals and excluded 0 logs", shown.TextContent, StringComparison.Ordinal);
        Assert.Equal("logs?range=1h&q=" + Uri.EscapeDataString("(source:sshd @usr.name:root) -(host:bastion-1) -(@usr.name:svc-backup)"), cut.Find("#rule-drawer .rule-query a").GetAttribute("href"));

        // A rule no suppression applies to: none shown, its logs link its query alone.
        cut.FindAll("#rules-table button.rule-open").First(b => b.TextContent == "SSH brute force from a single source IP").Click();
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("#rule-suppressions")));
        Assert.Equal("logs?range=1h&q=" + Uri.EscapeDataString("source:sshd @evt.name:authentication @evt.outcome:failure"), cut.Find("#rule-drawer .rule-query a").GetAttribute("href"));
    }

    /// <summary>
    /// A rule's switch toggled twice before the first change was written ends as last set: the changes are written in the
    /// order they were made, and the page shows what was stored.
    /// </summary>
    [Fact]
    public async Task EnableSwitch_ToggledTwiceQuickly_EndsAsLastSet()
    {
        var tenant = await portal.CreateTenantAsync();
        var rules = portal.Services.GetRequiredService<RuleService>();
        const string Name = "SSH brute force from a single source IP";
        BunitSession.SignIn(_ctx, tenant.Id, tenant.Slug, Guid.NewGuid(), tenant.Email, VigilRoles.Standard);
        _ctx.Renderer.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
        var cut = _ctx.Render<RulesPage>();
        // The rule's switch: the list's switches are in the rows' order.
        IRenderedComponent<MudBlazor.MudSwitch<bool>> Switch() => cut.FindComponents<MudBlazor.MudSwitch<bool>>()[
            cut.FindAll("#rules-table tbody tr").ToList().FindIndex(r => r.QuerySelector("button.rule-open")?.TextContent == Name)];
        bool Checked() => ((AngleSharp.Html.Dom.IHtmlInputElement)Switch().Find("input")).IsChecked;
        cut.WaitForAssertion(() => Assert.True(Checked()));

        var changed = Switch().Instance.ValueChanged;
        // Both changes come before either is written (neither handler awaited before the next).
        await cut.InvokeAsync(() => Task.WhenAll(changed.InvokeAsync(false), changed.InvokeAsync(true)));

        var snackbar = _ctx.Services.GetRequiredService<MudBlazor.ISnackbar>();
        cut.WaitForAssertion(() => Assert.Equal([$"{Name} disabled.", $"{Name} enabled."], snackbar.ShownSnackbars.Select(b => b.Message)), TimeSpan.FromSeconds(15));
        Assert.True((await rules.ListAsync(tenant.Id)).Single(r => r.Name == Name).IsEnabled);
        cut.WaitForAssertion(() => Assert.True(Checked()));
    }

    /// <summary>
    /// A stored rule that no longer passes validation is listed as not evaluated, its drawer says what is at fault, and its
    /// switch turns it off but not on again (said, not silently).
    /// </summary>
    [Fact]
    public async Task StoredRuleNoLongerValid_ListedAsNotEvaluated_TurnedOffNotOn()
    {
        var tenant = await portal.CreateTenantAsync();
        var (id, name) = await StoredRules.OutdateAsync(portal, tenant.Id);
        BunitSession.SignIn(_ctx, tenant.Id, tenant.Slug, Guid.NewGuid(), tenant.Email, VigilRoles.Standard);
        _ctx.Renderer.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
        var cut = _ctx.Render<RulesPage>();
        AngleSharp.Dom.IElement Row() => cut.FindAll("#rules-table tbody tr").Single(r => r.QuerySelector("button.rule-open")?.GetAttribute("data-rule-id") == id);
        IRenderedComponent<MudBlazor.MudSwitch<bool>> Switch() => cut.FindComponents<MudBlazor.MudSwitch<bool>>()[cut.FindAll("#rules-table tbody tr").ToList().IndexOf(Row())];

        cut.WaitForAssertion(() => Assert.Equal("not evaluated", Row().QuerySelector(".rule-invalid")!.TextContent));
        Assert.Single(cut.FindAll("#rules-table .rule-invalid"));
        await cut.InvokeAsync(() => Row().QuerySelector("button.rule-open")!.Click());
        cut.WaitForAssertion(() => Assert.Contains("$.options.evaluationWindow", cut.Find("#rule-stored-errors").TextContent, StringComparison.Ordinal));

        await cut.InvokeAsync(() => Switch().Instance.ValueChanged.InvokeAsync(false));
        var snackbar = _ctx.Services.GetRequiredService<MudBlazor.ISnackbar>();
        cut.WaitForAssertion(() => Assert.Equal([$"{name} disabled."], snackbar.ShownSnackbars.Select(b => b.Message)), TimeSpan.FromSeconds(15));
        await cut.InvokeAsync(() => Switch().Instance.ValueChanged.InvokeAsync(true));

        cut.WaitForAssertion(() => Assert.StartsWith($"{name} was not enabled: it no longer passes validation ($.options.evaluationWindow: ",
            snackbar.ShownSnackbars.Last().Message, StringComparison.Ordinal), TimeSpan.FromSeconds(15));
        Assert.False((await portal.Services.GetRequiredService<RuleService>().GetAsync(tenant.Id, id))!.IsEnabled);
        cut.WaitForAssertion(() => Assert.False(((AngleSharp.Html.Dom.IHtmlInputElement)Switch().Find("input")).IsChecked));
    }

    /// <summary>Prerendered, the switches and "Evaluate now" wait for the page to be live: a click before would be lost.</summary>
    [Fact]
    public async Task Prerendered_TheSwitchesWaitForThePageToBeLive()
    {
        var tenant = await portal.CreateTenantAsync();
        BunitSession.SignIn(_ctx, tenant.Id, tenant.Slug, Guid.NewGuid(), tenant.Email, VigilRoles.Standard);
        _ctx.Renderer.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Static", isInteractive: false));

        var cut = _ctx.Render<RulesPage>();

        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("#rules-table input[type=checkbox]")));
        Assert.All(cut.FindAll("#rules-table input[type=checkbox]"), box => Assert.True(box.HasAttribute("disabled")));
        Assert.True(cut.Find("#evaluate-now").HasAttribute("disabled"));
    }

    /// <summary>
    /// The logs link's query reads the logs as the evaluation does: each part grouped (an OR stays within its filter), and an
    /// empty query or filter matching every log (an empty suppress filter leaves nothing).
    /// </summary>
    [Fact]
    public void Filtered_ReadsTheLogsAsTheRuleDoes()
    {
        static Portal.Detection.Rules.RuleFilter Filter(string action, string query) => new() { Action = action, Query = query };
        var (web, bastion1, bastion2, dev) = (Log("source:sshd", "web-1", "prod"), Log("source:sshd", "bastion-1", "prod"), Log("source:sshd", "bastion-2", "prod"), Log("source:sshd", "web-2", "dev"));
        bool Reads(string query, Portal.Detection.Events.LogEvent e) => Portal.Detection.Query.QueryMatcher.Matches(Portal.Detection.Query.QueryParser.Parse(query), e);

        var filtered = RuleDrawer.Filtered("source:sshd", [Filter("require", "env:prod"), Filter("suppress", "host:bastion-1 OR host:bastion-2")]);

        Assert.Equal("(source:sshd) (env:prod) -(host:bastion-1 OR host:bastion-2)", filtered);
        Assert.Equal([true, false, false, false], new[] { web, bastion1, bastion2, dev }.Select(e => Reads(filtered, e)));
        Assert.Equal("source:sshd", RuleDrawer.Filtered("source:sshd", []));
        Assert.Equal([true, true, true, false], new[] { web, bastion1, bastion2, dev }.Select(e => Reads(RuleDrawer.Filtered("", [Filter("require", "env:prod")]), e)));
        Assert.All(new[] { web, bastion1, bastion2, dev }, e => Assert.False(Reads(RuleDrawer.Filtered("source:sshd", [Filter("suppress", " ")]), e)));
        // The suppressions' data exclusions drop their logs too, with or without filters.
        var excluded = RuleDrawer.Filtered("source:sshd", [Filter("require", "env:prod")], ["host:web-1", "host:bastion-2"]);
        Assert.Equal("(source:sshd) (env:prod) -(host:web-1) -(host:bastion-2)", excluded);
        Assert.Equal([false, true, false, false], new[] { web, bastion1, bastion2, dev }.Select(e => Reads(excluded, e)));
        Assert.Equal([true, true, false, true], new[] { web, bastion1, bastion2, dev }.Select(e => Reads(RuleDrawer.Filtered("source:sshd", [], ["host:bastion-2"]), e)));
    }

    private static Portal.Detection.Events.LogEvent Log(string source, string host, string env) => new()
    {
        Id = host, Timestamp = DateTimeOffset.UtcNow, Source = source.Split(':')[1], Host = host, Message = "m", Tags = [$"env:{env}"],
    };
}
