using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;
using Portal.Detection.Signals;
using Portal.Web.Features.Signals;

namespace Portal.Web.Tests.Features.Signals;

/// <summary>bUnit specifications of the signal list and the triage drawer.</summary>
public sealed class SignalComponentsTests : IAsyncLifetime
{
    private readonly BunitContext _ctx = new();

    public SignalComponentsTests()
    {
        _ctx.Services.AddMudServices();
        _ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        _ctx.Renderer.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _ctx.DisposeAsync();

    [Fact]
    public void SignalList_RendersRowsWithSeverityChipsAndSelectsOnClick()
    {
        SecuritySignal? selected = null;
        var signals = new[] { Signal("s1", "critical", "Root console login"), Signal("s2", "low", "Scanner") };
        var cut = _ctx.Render<SignalList>(p => p
            .Add(x => x.Items, signals)
            .Add(x => x.OnSelect, s => selected = s));

        var rows = cut.FindAll("tr.signal-row");
        Assert.Equal(2, rows.Count);
        Assert.Equal("critical", cut.FindAll("[data-severity]")[0].GetAttribute("data-severity"));
        Assert.Contains("Root console login", rows[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("@network.client.ip: 203.0.113.9", rows[0].TextContent, StringComparison.Ordinal);

        rows[1].Click();
        Assert.Equal("s2", selected?.Id);
        // The keyboard's way: the signal's name is a button.
        cut.FindAll("tr.signal-row button.row-open")[0].Click();
        Assert.Equal("s1", selected?.Id);
    }

    [Fact]
    public void SignalList_Empty_ShowsEmptyState()
    {
        var cut = _ctx.Render<SignalList>(p => p.Add(x => x.Items, Array.Empty<SecuritySignal>()));
        Assert.NotNull(cut.Find("#no-signals"));
    }

    [Fact]
    public async Task SignalDrawer_ChangeStateToArchived_RaisesTriageWithReason()
    {
        (string State, string? Reason)? triaged = null;
        var cut = _ctx.Render<SignalDrawer>(p => p
            .Add(x => x.Signal, Signal("s1", "high", "Brute force"))
            .Add(x => x.OnTriage, change => triaged = change));

        Assert.Contains("Brute force", cut.Find(".drawer-title").TextContent, StringComparison.Ordinal);
        Assert.True(cut.Find("#triage-save").HasAttribute("disabled"));

        var select = cut.FindComponent<MudSelect<string>>();
        await cut.InvokeAsync(() => select.Instance.ValueChanged.InvokeAsync(TriageStates.Archived));
        // MudSelect re-renders asynchronously: wait for the drawer to see the new state.
        cut.WaitForAssertion(() => Assert.False(cut.Find("#triage-save").HasAttribute("disabled")));
        cut.Find("#triage-save").Click();

        cut.WaitForAssertion(() => Assert.Equal((TriageStates.Archived, "none"), triaged));
    }

    [Fact]
    public void SignalDrawer_AttributeValue_FiltersTheSignals()
    {
        var signal = Signal("s1", "high", "Brute force");
        signal.Attributes["network"] = new System.Text.Json.Nodes.JsonObject { ["client"] = new System.Text.Json.Nodes.JsonObject { ["ip"] = "203.0.113.9" } };
        string? term = null;
        var cut = _ctx.Render<SignalDrawer>(p => p.Add(x => x.Signal, signal).Add(x => x.OnFilter, t => term = t));

        var ip = cut.Find("#signal-attributes .attr-leaf[title='@network.client.ip']");
        ip.QuerySelector(".attr-filter")!.Click();
        Assert.Equal("@network.client.ip:203.0.113.9", term);
    }

    /// <summary>
    /// A signal's tags filter the signals by them, or exclude them: its <c>source:</c> tag too, which the store searches as
    /// that tag (SignalDocument.Query); a tag named status (the severity's name) or without a key is only shown.
    /// </summary>
    [Fact]
    public void SignalDrawer_Tags_FilterTheSignals()
    {
        var signal = Signal("s1", "high", "Brute force");
        signal.Tags = ["source:sshd", "technique:T1110", "status:weird", "bare"];
        var terms = new List<string>();
        var cut = _ctx.Render<SignalDrawer>(p => p.Add(x => x.Signal, signal).Add(x => x.OnFilter, t => terms.Add(t)));

        Assert.Equal(["source:sshd", "technique:T1110"], cut.FindAll("#signal-tags .tag-filter").Select(c => c.TextContent.Trim()));
        cut.FindAll("#signal-tags .tag-filter")[0].Click();
        cut.FindAll("#signal-tags .tag-exclude")[1].Click();
        Assert.Equal(["source:sshd", "-technique:T1110"], terms);
        Assert.Equal(4, cut.FindAll("#signal-tags .mud-chip").Count);
    }

    [Fact]
    public void SignalDrawer_NoSignal_RendersNothing()
    {
        var cut = _ctx.Render<SignalDrawer>();
        Assert.Empty(cut.Markup.Trim());
    }

    private static SecuritySignal Signal(string id, string severity, string title) => new()
    {
        Id = id,
        RuleId = "abc-def-ghi",
        RuleName = title,
        Title = title,
        Severity = severity,
        Message = "Investigate.",
        GroupBy = new() { ["@network.client.ip"] = "203.0.113.9" },
        Tags = ["source:sshd"],
        FirstSeen = DateTimeOffset.UtcNow.AddMinutes(-5),
        LastSeen = DateTimeOffset.UtcNow,
        Timestamp = DateTimeOffset.UtcNow,
        EventsMatched = 12,
    };
}
