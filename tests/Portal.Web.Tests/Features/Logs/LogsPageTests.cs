using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Portal.Data.Identity;
using Portal.Detection.Events;
using Portal.Search;
using Portal.Search.Lucene;
using Portal.Web.Features.Logs;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.Logs;

/// <summary>bUnit specifications of the Logs Explorer page on a real Lucene store: paging, the window it names, pausing live tail, a store that fails.</summary>
[Collection("portal")]
public sealed class LogsPageTests : IAsyncLifetime
{
    private static readonly Guid Tenant = Guid.NewGuid();
    private static readonly Guid OtherTenant = Guid.NewGuid();
    private readonly BunitContext _ctx = new();
    private readonly PortalDataDirectory _directory = new("logs-page");
    private readonly TenantIndexes _indexes;
    private readonly LuceneLogStore _store;
    private readonly FaultyLogStore _faulty;

    private readonly PortalFixture _portal;

    public LogsPageTests(PortalFixture portal)
    {
        _portal = portal;
        _indexes = new TenantIndexes(_directory.Path);
        _store = new LuceneLogStore(_indexes);
        _faulty = new FaultyLogStore(_store);
        BunitSession.AddPageServices(_ctx, portal);
        _ctx.Services.AddSingleton<ILogStore>(_faulty);
        _ctx.Services.AddSingleton(TimeProvider.System);
    }

    /// <summary>Signs in to <paramref name="tenant"/> (an organisation without settings by default, its times in UTC) and renders the page interactive, as in a circuit.</summary>
    private IRenderedComponent<LogsPage> Render(Guid? tenant = null)
    {
        SignIn(tenant);
        return _ctx.Render<LogsPage>().Settle();
    }

    /// <summary>The value of <paramref name="parameter"/> in the page's address, or null.</summary>
    private static string? Address(NavigationManager navigation, string parameter) =>
        Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri(navigation.Uri).Query).TryGetValue(parameter, out var value) ? value.ToString() : null;

    /// <summary>Signs in (once: before any of the context's services is read) and makes the renderer interactive (or, not <paramref name="interactive"/>, prerendering).</summary>
    private NavigationManager SignIn(Guid? tenant = null, bool interactive = true)
    {
        if (!_signedIn)
        {
            BunitSession.SignIn(_ctx, tenant ?? Tenant, "page-org", Guid.NewGuid(), "analyst@example.test", VigilRoles.Standard);
            // Interactive, as on the page (live tail starts only then).
            _ctx.Renderer.SetRendererInfo(new RendererInfo(interactive ? "Server" : "Static", isInteractive: interactive));
            _signedIn = true;
        }
        return _ctx.Services.GetRequiredService<NavigationManager>();
    }

    private bool _signedIn;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _ctx.DisposeAsync();
        _indexes.Dispose();
        _directory.Dispose();
    }

    /// <summary>A page exactly full has nothing more to load; one more log, and it has; another organisation's logs are never listed.</summary>
    [Fact]
    public async Task LoadMore_ShownOnlyWhenMoreLogsMatch()
    {
        await AppendAsync(Tenant, 100, "web-1");
        await AppendAsync(OtherTenant, 150, "web-1");
        var cut = Render();
        Assert.Equal("100 logs", cut.Find("#log-count").TextContent);
        Assert.Empty(cut.FindAll("#load-more-logs"));

        await AppendAsync(Tenant, 1, "web-1");
        cut.Find("#log-search").Click();
        cut.Settle();
        Assert.Equal("101 logs", cut.Find("#log-count").TextContent);
        cut.Find("#load-more-logs").Click();
        cut.Settle();
        Assert.Equal(101, cut.FindAll("tr.log-row").Count);
        Assert.Empty(cut.FindAll("#load-more-logs"));
    }

    /// <summary>
    /// The list stops growing at its cap (a month's search scrolled to its end filled the connection's memory), and says how
    /// to see the others; the detail's arrows stop at the last listed log.
    /// </summary>
    [Fact]
    public async Task LoadMore_StopsAtTheListsCap_AndSaysHowToSeeTheOthers()
    {
        await AppendAsync(Tenant, 350, "web-1");
        SignIn();
        var cut = _ctx.Render<LogsPage>(p => p.Add(x => x.MaxListed, 200)).Settle();

        // Counted as the list holds them (it draws only some of its rows).
        int Listed() => cut.FindComponent<LogList>().Instance.Items.Count;
        cut.Find("#load-more-logs").Click();
        cut.Settle();
        Assert.Equal(200, Listed());
        Assert.Empty(cut.FindAll("#load-more-logs"));
        Assert.Contains("The first 200 logs are listed", cut.Find("#logs-capped").TextContent, StringComparison.Ordinal);

        // Near the end, the list asks for no more.
        await cut.InvokeAsync(() => cut.FindComponent<LogList>().Instance.NearEndAsync());
        cut.Settle();
        Assert.Equal(200, Listed());
    }

    /// <summary>A new window while the query bar is at fault runs the last query that ran over it: the count is the window's the page names.</summary>
    [Fact]
    public async Task RangeChanged_WithAQueryAtFault_RunsTheLastQueryOverTheNewWindow()
    {
        await AppendAsync(Tenant, 3, "web-1", minutesAgo: 2);
        await AppendAsync(Tenant, 4, "web-1", minutesAgo: 150);
        var cut = Render();
        Assert.Equal("3 logs", cut.Find("#log-count").TextContent);

        cut.Find("#log-query").Input("host:(");
        cut.Find("#log-search").Click();
        cut.Settle();
        Assert.NotEmpty(cut.FindAll(".query-error, #log-query-error, .mud-input-error"));
        await cut.InvokeAsync(() => cut.FindComponent<MudSelect<string>>().Instance.ValueChanged.InvokeAsync("4h"));
        cut.Settle();

        Assert.Equal("7 logs", cut.Find("#log-count").TextContent);
        Assert.Equal("Past 4 hours", cut.Find("#log-window").TextContent);
        // A custom range starts from the window shown.
        await cut.InvokeAsync(() => cut.FindComponent<MudSelect<string>>().Instance.ValueChanged.InvokeAsync("custom"));
        cut.Settle();
        var from = DateTimeOffset.Parse(cut.Find("#log-from").GetAttribute("value") + "Z", System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(DateTimeOffset.UtcNow - from, TimeSpan.FromHours(4) - TimeSpan.FromMinutes(1), TimeSpan.FromHours(4) + TimeSpan.FromMinutes(1));
        Assert.Equal("7 logs", cut.Find("#log-count").TextContent);
        // ... each time: not the custom range shown before.
        await cut.InvokeAsync(() => cut.FindComponent<MudSelect<string>>().Instance.ValueChanged.InvokeAsync("1h"));
        cut.Settle();
        await cut.InvokeAsync(() => cut.FindComponent<MudSelect<string>>().Instance.ValueChanged.InvokeAsync("custom"));
        cut.Settle();
        from = DateTimeOffset.Parse(cut.Find("#log-from").GetAttribute("value") + "Z", System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(DateTimeOffset.UtcNow - from, TimeSpan.FromMinutes(59), TimeSpan.FromMinutes(61));
        Assert.Equal("3 logs", cut.Find("#log-count").TextContent);
    }

    /// <summary>
    /// The detail's link, over a custom window written relative to now, names the window as the page resolved it: written as
    /// now-1h, it would have moved past the log by the time the link was opened.
    /// </summary>
    [Fact]
    public async Task SharedLink_CustomWindowRelativeToNow_NamesItsResolvedBounds()
    {
        await AppendAsync(Tenant, 3, "web-1", minutesAgo: 2);
        SignIn().NavigateTo("logs?range=custom&from=now-1h&to=now");
        var cut = Render();

        cut.FindAll("button.log-open")[0].Click();
        cut.Settle();

        var linked = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri(cut.Find("#log-copy-link").GetAttribute("data-link")!).Query);
        Assert.Equal("custom", linked["range"].ToString());
        Assert.Matches(@"^\d{4}-\d\d-\d\d", linked["from"].ToString());
        Assert.Matches(@"^\d{4}-\d\d-\d\d", linked["to"].ToString());
    }

    /// <summary>
    /// A custom window typed as a time without a date keeps in the address the moment it was read (a link followed tomorrow
    /// shows today's window); date math stays as typed, meant to move with the clock.
    /// </summary>
    [Fact]
    public async Task CustomWindow_TimeWithoutDate_KeepsTheDayItWasReadInTheAddress()
    {
        await AppendAsync(Tenant, 1, "web-1", minutesAgo: 2);
        var navigation = SignIn();
        navigation.NavigateTo("logs?range=custom&from=now-1h&to=now");
        var cut = Render();
        Assert.Equal(("now-1h", "now"), (Address(navigation, "from"), Address(navigation, "to")));

        var before = DateTimeOffset.UtcNow;
        cut.Find("#log-from").Change("00:00");
        cut.Find("#log-search").Click();
        cut.Settle();
        var after = DateTimeOffset.UtcNow;

        Assert.Contains(Address(navigation, "from"), new[] { $"{before:yyyy-MM-dd} 00:00:00", $"{after:yyyy-MM-dd} 00:00:00" });
        Assert.Equal("now", Address(navigation, "to"));
        Assert.Equal("00:00", cut.Find("#log-from").GetAttribute("value"));
        // The range's select, which shows only its value, is named for assistive technology.
        Assert.Equal("Time range", cut.Find("#log-range").ParentElement!.QuerySelector("[role=combobox]")!.GetAttribute("aria-label"));
    }

    /// <summary>A hand-written live flag that is not "true" (live=1) opens the page as it would without it, instead of failing it.</summary>
    [Theory]
    [InlineData("logs?live=1", false)]
    [InlineData("logs?live=yes", false)]
    [InlineData("logs?live=TRUE", true)]
    public async Task AddressLiveFlag_OnlyTrueStartsTheTail_OthersOpenThePage(string address, bool live)
    {
        await AppendAsync(Tenant, 5, "web-1", minutesAgo: 1);
        SignIn().NavigateTo(address);
        var cut = Render();

        Assert.Equal("5 logs", cut.Find("#log-count").TextContent);
        Assert.Equal(live, cut.FindAll("#log-live-status").Count > 0);
    }

    /// <summary>Pausing live tail keeps the list it last read, its window named and in the URL as a custom range.</summary>
    [Fact]
    public async Task PauseLiveTail_KeepsTheListAndItsWindow()
    {
        await AppendAsync(Tenant, 5, "web-1", minutesAgo: 1);
        SignIn().NavigateTo("logs?live=true");
        var cut = Render();
        Assert.NotEmpty(cut.FindAll("#log-live-status"));
        Assert.Equal("5 logs", cut.Find("#log-count").TextContent);

        cut.Find("#log-live").Click();
        cut.Settle();
        Assert.Empty(cut.FindAll("#log-live-status"));
        Assert.Equal("5 logs", cut.Find("#log-count").TextContent);
        // Logs stamped after the window that was read (it ended a second past its last read).
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        await AppendAsync(Tenant, 2, "web-1", minutesAgo: 0);

        Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} → \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} UTC$", cut.Find("#log-window").TextContent);
        var url = _ctx.Services.GetRequiredService<NavigationManager>().Uri;
        Assert.Contains("range=custom", url, StringComparison.Ordinal);
        Assert.DoesNotContain("live=", url, StringComparison.Ordinal);
        // The window it names is the one it read: searching it again finds the same logs, not those sent since.
        cut.Find("#log-search").Click();
        cut.Settle();
        Assert.Equal("5 logs", cut.Find("#log-count").TextContent);
    }

    /// <summary>The address changing under the open page (the menu's link, a view pasted in the same tab) is shown; the page's own changes to it are not read back.</summary>
    [Fact]
    public async Task AddressChanged_ThePageShowsWhatItSays()
    {
        await AppendAsync(Tenant, 2, "web-1");
        await AppendAsync(Tenant, 3, "web-2");
        var navigation = SignIn();
        navigation.NavigateTo("logs?q=host%3Aweb-2");
        var cut = Render();
        Assert.Equal("3 logs", cut.Find("#log-count").TextContent);

        cut.Find("#log-query").Input("host:web-1");
        cut.Find("#log-search").Click();
        cut.Settle();
        Assert.Equal("2 logs", cut.Find("#log-count").TextContent);
        Assert.Contains("q=host%3Aweb-1", navigation.Uri, StringComparison.Ordinal);

        await cut.InvokeAsync(() => navigation.NavigateTo("logs"));
        cut.Settle();
        cut.WaitForAssertion(() => Assert.Equal("5 logs", cut.Find("#log-count").TextContent));
        Assert.Equal("", cut.Find("#log-query").GetAttribute("value") ?? "");
        await cut.InvokeAsync(() => navigation.NavigateTo("logs?q=host%3Aweb-2&range=4h"));
        cut.Settle();
        cut.WaitForAssertion(() => Assert.Equal("3 logs", cut.Find("#log-count").TextContent));
        Assert.Equal("Past 4 hours", cut.Find("#log-window").TextContent);
    }

    /// <summary>
    /// The log open in the detail is kept in the address (<c>event</c>) as it is opened, moved through and closed, so that
    /// the address shares it; an address naming a log opens it, from outside the search's window too, read by its id. A log
    /// of another organisation is never shown (the address drops it), and the detail's link opens the log within minutes of it.
    /// </summary>
    [Fact]
    public async Task SharedLog_OpensInTheDetail_AndTheAddressKeepsIt()
    {
        await AppendAsync(Tenant, 3, "web-1", minutesAgo: 2);
        var old = Logged(DateTimeOffset.UtcNow.AddDays(-3), "Accepted publickey for deploy");
        var theirs = Logged(DateTimeOffset.UtcNow.AddMinutes(-1), "Their secret");
        await _store.AppendAsync(Tenant, [old], CancellationToken.None);
        await _store.AppendAsync(OtherTenant, [theirs], CancellationToken.None);
        await _store.RefreshAsync(Tenant, CancellationToken.None);
        await _store.RefreshAsync(OtherTenant, CancellationToken.None);
        var navigation = SignIn();
        var cut = Render();
        string Rows(int row) => cut.FindAll("button.log-open")[row].GetAttribute("data-log-id")!;
        bool Shown() => cut.Find("#log-detail").GetAttribute("inert") is null;
        Assert.Null(Address(navigation, LogsPage.EventParameter));

        // A click is dispatched to the renderer, not awaited: the page is settled before what it changed is read.
        cut.FindAll("button.log-open")[0].Click();
        cut.Settle();
        Assert.Equal((true, Rows(0)), (Shown(), Address(navigation, LogsPage.EventParameter)));
        cut.Find("#log-next").Click();
        cut.Settle();
        Assert.Equal(Rows(1), Address(navigation, LogsPage.EventParameter));
        var link = new Uri(cut.Find("#log-copy-link").GetAttribute("data-link")!);
        cut.Find("#log-detail button[aria-label='Close']").Click();
        cut.Settle();
        Assert.Equal((false, null), (Shown(), Address(navigation, LogsPage.EventParameter)));
        // Closed, the detail gives the focus back to its log's button in the list.
        Assert.Equal(["data-log-id", Rows(1), false, 1], _ctx.JSInterop.VerifyInvoke("vigil.focusOpener").Arguments);

        // The detail's link: this view over minutes either side of the log (the past hour would have moved on), the log open.
        var linked = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(link.Query);
        Assert.Equal((Rows(1), "custom"), (linked[LogsPage.EventParameter].ToString(), linked["range"].ToString()));
        await cut.InvokeAsync(() => navigation.NavigateTo(link.PathAndQuery));
        cut.Settle();
        cut.WaitForAssertion(() => Assert.True(Shown()));
        Assert.Equal((3, Rows(1)), (cut.FindAll("tr.log-row").Count, cut.Find("#log-detail .mono.muted").TextContent.Replace("id ", "", StringComparison.Ordinal)));

        // A log outside the window (three days ago) is read by its id.
        await cut.InvokeAsync(() => navigation.NavigateTo($"logs?{LogsPage.EventParameter}={old.Id}"));
        cut.Settle();
        cut.WaitForAssertion(() => Assert.True(Shown()));
        Assert.Equal(("Accepted publickey for deploy", 3), (cut.Find("#log-message").TextContent, cut.FindAll("tr.log-row").Count));
        Assert.Equal(old.Id, Address(navigation, LogsPage.EventParameter));

        // Another organisation's log is not shown, and the address forgets it.
        await cut.InvokeAsync(() => navigation.NavigateTo($"logs?{LogsPage.EventParameter}={theirs.Id}"));
        cut.Settle();
        cut.WaitForAssertion(() => Assert.Null(Address(navigation, LogsPage.EventParameter)));
        Assert.False(Shown());
        Assert.DoesNotContain("Their secret", cut.Markup, StringComparison.Ordinal);

        // A log that cannot be read is missing alone: the search stands, and the address forgets it.
        _faulty.FailingFinds = true;
        await cut.InvokeAsync(() => navigation.NavigateTo($"logs?{LogsPage.EventParameter}={old.Id}"));
        cut.Settle();
        cut.WaitForAssertion(() => Assert.Null(Address(navigation, LogsPage.EventParameter)));
        Assert.Equal((false, 3), (Shown(), cut.FindAll("tr.log-row").Count));
        Assert.Empty(cut.FindAll("#log-search-error"));
    }

    /// <summary>
    /// A shared log further down its list than the first page (a busy window) is shown from the list, read down to it, so
    /// that the detail's arrows move on from it. A log the query does not list is read by its id, the list read no further
    /// than its time.
    /// </summary>
    [Fact]
    public async Task SharedLog_FurtherDownTheList_IsShownFromTheList()
    {
        await AppendAsync(Tenant, 250, "web-1", minutesAgo: 2);
        await AppendAsync(Tenant, 1, "web-2", minutesAgo: 1);
        var now = DateTimeOffset.UtcNow;
        var listed = (await _store.SearchAsync(Tenant, new SearchRequest(Portal.Detection.Query.QueryParser.Parse("host:web-1"), now.AddHours(-1), now.AddMinutes(1), 250), CancellationToken.None)).Items;
        var other = (await _store.SearchAsync(Tenant, new SearchRequest(Portal.Detection.Query.QueryParser.Parse("host:web-2"), now.AddHours(-1), now.AddMinutes(1), 1), CancellationToken.None)).Items.Single();
        Assert.Equal("GET /180", listed[180].Message);
        var navigation = SignIn();
        navigation.NavigateTo($"logs?q=host%3Aweb-1&{LogsPage.EventParameter}={listed[180].Id}");
        var cut = Render();
        bool Shown() => cut.Find("#log-detail").GetAttribute("inert") is null;

        cut.WaitForAssertion(() => Assert.True(Shown()));
        Assert.Equal("GET /180", cut.Find("#log-message").TextContent);
        Assert.Equal((false, false), (cut.Find("#log-previous").HasAttribute("disabled"), cut.Find("#log-next").HasAttribute("disabled")));
        cut.Find("#log-next").Click();
        cut.Settle();
        Assert.Equal(("GET /181", listed[181].Id), (cut.Find("#log-message").TextContent, Address(navigation, LogsPage.EventParameter)));

        // Oldest first, the list is read down the other way: the 70th newest is the 181st oldest.
        await cut.InvokeAsync(() => navigation.NavigateTo($"logs?q=host%3Aweb-1&{LogSort.Parameter}={LogSort.OldestFirst}&{LogsPage.EventParameter}={listed[69].Id}"));
        cut.Settle();
        cut.WaitForAssertion(() => Assert.Equal("GET /69", cut.Find("#log-message").TextContent));
        Assert.Equal((false, false), (cut.Find("#log-previous").HasAttribute("disabled"), cut.Find("#log-next").HasAttribute("disabled")));
        cut.Find("#log-next").Click();
        cut.Settle();
        Assert.Equal("GET /68", cut.Find("#log-message").TextContent);

        // Newer than every log the query lists: read by its id, no page read for it, the arrows without a list to move in.
        var searches = _faulty.Searches;
        await cut.InvokeAsync(() => navigation.NavigateTo($"logs?q=host%3Aweb-1&{LogsPage.EventParameter}={other.Id}"));
        cut.Settle();
        cut.WaitForAssertion(() => Assert.True(Shown()));
        Assert.Equal(("GET /0", searches + 1), (cut.Find("#log-message").TextContent, _faulty.Searches));
        Assert.True(cut.Find("#log-next").HasAttribute("disabled"));
    }

    /// <summary>
    /// The detail's arrows pressed while the next page is read are taken once it is, in turn (not dropped): from the
    /// first page's last log, down twice lands on the second page's second log.
    /// </summary>
    [Fact]
    public async Task DetailArrows_PressedWhileTheNextPageLoads_AreTakenInTurn()
    {
        await AppendAsync(Tenant, 103, "web-1", minutesAgo: 2);
        var cut = Render();
        cut.FindAll("button.log-open")[99].Click();
        cut.Settle();
        Assert.Equal("GET /99", cut.Find("#log-message").TextContent);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _faulty.SearchGate = gate.Task;

        cut.Find("#log-next").Click();
        cut.Find("#log-detail").KeyDown(new Microsoft.AspNetCore.Components.Web.KeyboardEventArgs { Key = "ArrowDown" });
        await cut.InvokeAsync(() => { });
        Assert.Equal("GET /99", cut.Find("#log-message").TextContent);
        _faulty.SearchGate = null;
        gate.SetResult();
        cut.Settle();

        cut.WaitForAssertion(() => Assert.Equal("GET /101", cut.Find("#log-message").TextContent));
        Assert.Equal(103, cut.FindAll("tr.log-row").Count);
    }

    /// <summary>A log as the intake makes it: its id names its millisecond (<see cref="Portal.Detection.Intake.EventIds"/>).</summary>
    private static LogEvent Logged(DateTimeOffset at, string message) => new()
    {
        Id = Portal.Detection.Intake.EventIds.New(at), Timestamp = at, Host = "bastion-1", Service = "sshd", Status = "info", Message = message,
    };

    /// <summary>
    /// The query bar completes the values of an attribute the facets do not count (six more common ones do), read from
    /// the last search's logs: the organisation's own, never another's.
    /// </summary>
    [Fact]
    public async Task QueryBar_CompletesValuesOfAnAttributeWithoutFacet()
    {
        var now = DateTimeOffset.UtcNow;
        LogEvent Log(string id, string? user)
        {
            var attributes = new System.Text.Json.Nodes.JsonObject();
            for (var i = 1; i <= 6; i++)
            {
                attributes[$"a{i}"] = "x";
            }
            if (user is not null)
            {
                attributes["usr"] = new System.Text.Json.Nodes.JsonObject { ["name"] = user };
            }
            return new() { Id = id, Timestamp = now.AddMinutes(-5), Service = "sshd", Status = "info", Message = "login", Attributes = attributes };
        }
        await _store.AppendAsync(Tenant, [Log("a", "root"), Log("b", "root"), Log("c", "deploy"), Log("d", null)], CancellationToken.None);
        await _store.AppendAsync(OtherTenant, [Log("x", "intruder"), Log("y", "intruder"), Log("z", "intruder")], CancellationToken.None);
        await _store.RefreshAsync(Tenant, CancellationToken.None);
        await _store.RefreshAsync(OtherTenant, CancellationToken.None);
        SignIn();
        var cut = Render();
        Assert.DoesNotContain("@usr.name", cut.FindAll(".facet-title").Select(t => t.TextContent));

        cut.Find("#log-query").Input("@usr.name:");

        cut.WaitForAssertion(() => Assert.Equal(["@usr.name:root", "@usr.name:deploy"], cut.FindAll(".query-suggestion .mono").Select(o => o.TextContent)));
        Assert.Equal(["2", "1"], cut.FindAll(".query-suggestion-detail").Select(o => o.TextContent));
    }

    /// <summary>
    /// Live tail finds the patterns again when they are <see cref="LogGroupsModel.LivePatternsInterval"/> old, not at each of its
    /// ticks: the list and count move on every tick, the patterns when due.
    /// </summary>
    [Fact]
    public async Task LiveTail_Patterns_FoundAgainWhenDue()
    {
        var clock = new ShiftedClock();
        _ctx.Services.AddSingleton<TimeProvider>(clock);
        await AppendAsync(Tenant, 2, "web-1", minutesAgo: 1);
        SignIn().NavigateTo("logs?live=true&viz=patterns");
        var cut = Render();
        Assert.Single(cut.FindAll("#pattern-table tbody tr"));
        Assert.Equal(1, _faulty.LinesRead);

        await _store.AppendAsync(Tenant, [new LogEvent { Id = "new", Timestamp = DateTimeOffset.UtcNow.AddMinutes(-1), Service = "sshd", Status = "info", Message = "Accepted publickey for deploy" }], CancellationToken.None);
        await _store.RefreshAsync(Tenant, CancellationToken.None);
        cut.WaitForAssertion(() => Assert.Equal("3 logs", cut.Find("#log-count").TextContent), TimeSpan.FromSeconds(10));
        Assert.Single(cut.FindAll("#pattern-table tbody tr"));
        Assert.Equal(1, _faulty.LinesRead);

        clock.Shift = LogGroupsModel.LivePatternsInterval;
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("#pattern-table tbody tr").Count), TimeSpan.FromSeconds(10));
        Assert.Equal(2, _faulty.LinesRead);
    }

    /// <summary>
    /// A facet added to the panel (an attribute six more common ones keep out of it) counts the organisation's matches
    /// only and stays in the address; removed, it leaves both.
    /// </summary>
    [Fact]
    public async Task Facets_AddedFromTheAddressAndThePanel_CountTheOrganisationsLogs()
    {
        var now = DateTimeOffset.UtcNow;
        LogEvent Log(string id, string? user, string? team = null)
        {
            var attributes = new System.Text.Json.Nodes.JsonObject();
            for (var i = 1; i <= 6; i++)
            {
                attributes[$"a{i}"] = "x";
            }
            if (user is not null)
            {
                attributes["usr"] = new System.Text.Json.Nodes.JsonObject { ["name"] = user };
            }
            return new() { Id = id, Timestamp = now.AddMinutes(-5), Service = "sshd", Status = "info", Message = "login", Attributes = attributes, Tags = team is null ? [] : [$"team:{team}"] };
        }
        await _store.AppendAsync(Tenant, [Log("a", "root", "red"), Log("b", "root"), Log("c", "deploy"), Log("d", null)], CancellationToken.None);
        await _store.AppendAsync(OtherTenant, [Log("x", "intruder", "blue"), Log("y", "intruder"), Log("z", "intruder")], CancellationToken.None);
        await _store.RefreshAsync(Tenant, CancellationToken.None);
        await _store.RefreshAsync(OtherTenant, CancellationToken.None);
        var navigation = SignIn();
        _faulty.TooLarge = "trace_id";
        navigation.NavigateTo("logs?facets=%40usr.name,%40trace_id");
        var cut = Render();
        string[] Values(string field) => [.. cut.FindAll(".facet").Where(f => f.QuerySelector(".facet-title")!.TextContent == field)
            .SelectMany(f => f.QuerySelectorAll(".facet-value")).Select(v => $"{v.QuerySelector(".facet-name")!.TextContent} {v.QuerySelector(".facet-count")!.TextContent}")];

        Assert.Equal(["root 2", "deploy 1"], Values("@usr.name"));
        Assert.Equal(["status", "service", "host", "source", "@usr.name", "@trace_id"], cut.FindAll(".facet-title").Select(t => t.TextContent).Take(6));
        // A facet with too many values to count says so; the search and the other facets are not at fault.
        Assert.Equal("4 logs", cut.Find("#log-count").TextContent);
        Assert.Equal("too many values to count: narrow the search", cut.FindAll(".facet")[5].QuerySelector(".facet-empty")!.TextContent);
        var analyses = _faulty.Analyses;

        // Added from the panel: counted alone, the search not run again (the address the page writes is its own).
        await cut.InvokeAsync(() => cut.FindComponent<LogFacets>().Instance.OnPin.InvokeAsync("team"));
        cut.Settle();
        cut.WaitForAssertion(() => Assert.Equal(["red 1"], Values("team")));
        Assert.Equal("@usr.name,@trace_id,team", Address(navigation, "facets"));
        Assert.Equal(analyses, _faulty.Analyses);

        cut.Find("button[aria-label='Remove the @usr.name facet']").Click();
        cut.Settle();
        cut.WaitForAssertion(() => Assert.Equal("@trace_id,team", Address(navigation, "facets")));
        cut.Find("button[aria-label='Remove the @trace_id facet']").Click();
        cut.Settle();
        cut.WaitForAssertion(() => Assert.Equal("team", Address(navigation, "facets")));
        Assert.Empty(Values("@usr.name"));
        Assert.Equal(analyses, _faulty.Analyses);
        // A new search counts the added facet again.
        cut.Find("#log-search").Click();
        cut.Settle();
        cut.WaitForAssertion(() => Assert.Equal(["red 1"], Values("team")));
    }

    /// <summary>
    /// An added facet of numbers gets a range filter starting from the matches' least and greatest (the organisation's
    /// own): bounds typed narrow the query, a range applied again takes the place of the first; a bound that is not a
    /// number is said so beside it, the query left as it was.
    /// </summary>
    [Fact]
    public async Task Facets_NumberAdded_FilterByRange()
    {
        var now = DateTimeOffset.UtcNow;
        LogEvent Log(string id, double duration) => new()
        {
            Id = id, Timestamp = now.AddMinutes(-5), Service = "api", Status = "info", Message = "GET /", Attributes = new System.Text.Json.Nodes.JsonObject { ["duration"] = duration },
        };
        await _store.AppendAsync(Tenant, [Log("a", 12), Log("b", 40), Log("c", 75.5), Log("d", 300)], CancellationToken.None);
        await _store.AppendAsync(OtherTenant, [Log("x", 1), Log("y", 9000)], CancellationToken.None);
        await _store.RefreshAsync(Tenant, CancellationToken.None);
        await _store.RefreshAsync(OtherTenant, CancellationToken.None);
        var navigation = SignIn();
        navigation.NavigateTo("logs?facets=%40duration");
        var cut = Render();

        Assert.Equal(["12", "300"], cut.FindAll(".facet-range-input").Select(i => i.GetAttribute("placeholder")));
        cut.Find("input[aria-label='@duration from']").Input("20");
        cut.Find("input[aria-label='@duration to']").Input("100");
        cut.Find(".facet-range").Submit();
        cut.Settle();
        cut.WaitForAssertion(() => Assert.Equal("2 logs", cut.Find("#log-count").TextContent));
        Assert.Equal("@duration:[20 TO 100]", Address(navigation, "q"));
        Assert.Equal(["40", "75.5"], cut.FindAll(".facet-range-input").Select(i => i.GetAttribute("placeholder")));

        cut.Find("input[aria-label='@duration to']").Input("");
        cut.Find(".facet-range").Submit();
        cut.Settle();
        cut.WaitForAssertion(() => Assert.Equal("3 logs", cut.Find("#log-count").TextContent));
        Assert.Equal("@duration:>=20", Address(navigation, "q"));

        cut.Find("input[aria-label='@duration from']").Input("twenty");
        cut.Find(".facet-range").Submit();
        cut.Settle();
        cut.WaitForAssertion(() => Assert.Equal("From: expected a number, such as 250 or 0.5.", cut.Find(".facet-range-error").TextContent));
        Assert.Equal("true", cut.Find("input[aria-label='@duration from']").GetAttribute("aria-invalid"));
        Assert.Equal("@duration:>=20", Address(navigation, "q"));
        cut.Find("input[aria-label='@duration from']").Input("20");
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll(".facet-range-error")));

        // A range no log is in: the filter stays, with the last range, to widen it again.
        cut.Find("input[aria-label='@duration from']").Input("500");
        cut.Find("input[aria-label='@duration to']").Input("600");
        cut.Find(".facet-range").Submit();
        cut.Settle();
        cut.WaitForAssertion(() => Assert.Equal("0 logs", cut.Find("#log-count").TextContent));
        Assert.Equal(["40", "300"], cut.FindAll(".facet-range-input").Select(i => i.GetAttribute("placeholder")));

        // A number with too many values to count keeps its range filter, and the values the range's own facets counted
        // (this one is among its commonest attributes) in place of its own.
        _faulty.TooLarge = "duration";
        cut.Find("input[aria-label='@duration from']").Input("");
        cut.Find("input[aria-label='@duration to']").Input("");
        cut.Find("#log-query").Input("");
        cut.Find("#log-search").Click();
        cut.Settle();
        cut.WaitForAssertion(() => Assert.Equal("4 logs", cut.Find("#log-count").TextContent));
        Assert.Equal(["12", "300"], cut.FindAll(".facet-range-input").Select(i => i.GetAttribute("placeholder")));
        Assert.Equal(["12", "300", "40", "75.5"],
            cut.FindAll(".facet").Single(f => f.QuerySelector(".facet-title")!.TextContent == "@duration").QuerySelectorAll(".facet-name").Select(n => n.TextContent).Order(StringComparer.Ordinal));
    }

    /// <summary>An address whose query is at fault runs nothing, live tail included, and keeps the query for the user to mend.</summary>
    [Fact]
    public async Task AddressWithAQueryAtFault_RunsNothingAndKeepsIt()
    {
        await AppendAsync(Tenant, 3, "web-1", minutesAgo: 1);
        var navigation = SignIn();
        navigation.NavigateTo("logs?q=host%3A%28&live=true");
        var cut = Render();

        cut.WaitForAssertion(() => Assert.Contains("correct the query", cut.Find("#no-logs").TextContent, StringComparison.Ordinal));
        Assert.Equal("0 logs", cut.Find("#log-count").TextContent);
        Assert.Equal("host:(", cut.Find("#log-query").GetAttribute("value"));
        Assert.NotNull(cut.Find("#create-rule-from-query").GetAttribute("disabled"));
        Assert.Contains("q=host%3A%28", navigation.Uri, StringComparison.Ordinal);

        cut.Find("#log-query").Input("host:web-1");
        cut.Find("#log-search").Click();
        cut.Settle();
        cut.WaitForAssertion(() => Assert.Equal("3 logs", cut.Find("#log-count").TextContent));
    }

    /// <summary>An address with a query at fault opened while the page is open: the old query's results go, and nothing runs until the query is mended; a custom range then starts from the window the page names, not the year 1.</summary>
    [Fact]
    public async Task AddressChangedToAQueryAtFault_ClearsTheResultsAndRunsNothing()
    {
        await AppendAsync(Tenant, 3, "web-1", minutesAgo: 1);
        var navigation = SignIn();
        var cut = Render();
        Assert.Equal("3 logs", cut.Find("#log-count").TextContent);

        await cut.InvokeAsync(() => navigation.NavigateTo("logs?q=host%3A%28&range=4h"));
        cut.Settle();
        cut.WaitForAssertion(() => Assert.Equal("0 logs", cut.Find("#log-count").TextContent));
        Assert.Empty(cut.FindAll("tr.log-row"));
        Assert.Contains("correct the query", cut.Find("#no-logs").TextContent, StringComparison.Ordinal);
        await cut.InvokeAsync(() => cut.FindComponent<MudSelect<string>>().Instance.ValueChanged.InvokeAsync("custom"));
        cut.Settle();
        var from = DateTimeOffset.Parse(cut.Find("#log-from").GetAttribute("value") + "Z", System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(DateTimeOffset.UtcNow - from, TimeSpan.FromHours(4) - TimeSpan.FromMinutes(1), TimeSpan.FromHours(4) + TimeSpan.FromMinutes(1));
    }

    /// <summary>An organisation's time zone: the list, detail, histogram and window show its times and name it; a custom range is typed and written in it.</summary>
    [Fact]
    public async Task OrganisationTimeZone_TimesShownAndTypedInIt()
    {
        var org = await _portal.CreateTenantAsync();
        Assert.Empty(await _portal.Services.GetRequiredService<Portal.Data.Tenancy.OrganisationService>().UpdateAsync(org.Id, await _portal.OwnerAsync(org),
            new Portal.Data.Tenancy.OrganisationSettings("Paris Org", org.Slug, "Europe/Paris", null, 7)));
        var at = new DateTimeOffset(2026, 1, 15, 9, 30, 0, 250, TimeSpan.Zero); // 10:30:00.250 in Paris (winter, UTC+1)
        await _store.AppendAsync(org.Id, [new LogEvent { Id = "paris-1", Timestamp = at, Host = "web-1", Status = "info", Message = "GET /" }], CancellationToken.None);
        await _store.RefreshAsync(org.Id, CancellationToken.None);
        SignIn(org.Id).NavigateTo("logs?range=custom&from=2026-01-15%2010%3A00&to=2026-01-15%2011%3A00");

        var cut = Render(org.Id);

        Assert.Equal("1 logs", cut.Find("#log-count").TextContent);
        Assert.Equal("Date (Europe/Paris)", cut.Find("th").TextContent.Trim());
        Assert.Equal("Jan 15 10:30:00.250", cut.Find("button.log-open").TextContent);
        Assert.Equal("2026-01-15 10:00:00 → 2026-01-15 11:00:00 Europe/Paris", cut.Find("#log-window").TextContent);
        Assert.Contains("From (Europe/Paris)", cut.Find("#log-custom-range").TextContent, StringComparison.Ordinal);
        Assert.EndsWith("Europe/Paris", cut.Find(".histogram-axis > span:last-child").TextContent, StringComparison.Ordinal);
        // The same hour typed with its offset holds it too; an hour later in Paris does not.
        var navigation = _ctx.Services.GetRequiredService<NavigationManager>();
        await cut.InvokeAsync(() => navigation.NavigateTo("logs?range=custom&from=2026-01-15T09%3A00Z&to=2026-01-15T10%3A00Z"));
        cut.Settle();
        cut.WaitForAssertion(() => Assert.Equal("2026-01-15 10:00:00 → 2026-01-15 11:00:00 Europe/Paris", cut.Find("#log-window").TextContent));
        Assert.Equal("1 logs", cut.Find("#log-count").TextContent);
        await cut.InvokeAsync(() => navigation.NavigateTo("logs?range=custom&from=2026-01-15T11%3A00%2B01%3A00&to=2026-01-15T12%3A00%2B01%3A00"));
        cut.Settle();
        cut.WaitForAssertion(() => Assert.Equal("2026-01-15 11:00:00 → 2026-01-15 12:00:00 Europe/Paris", cut.Find("#log-window").TextContent));
        Assert.Empty(cut.FindAll("#log-range-error"));
        Assert.Equal("0 logs", cut.Find("#log-count").TextContent);
        // Three days in three-hour bars, on multiples of three hours in Paris: the log's bar starts at 09:00 there (10:00
        // on UTC's multiples).
        await cut.InvokeAsync(() => navigation.NavigateTo("logs?range=custom&from=2026-01-13%2000%3A00&to=2026-01-16%2000%3A00"));
        cut.Settle();
        cut.WaitForAssertion(() => Assert.Equal("1 logs", cut.Find("#log-count").TextContent));
        Assert.Contains("09:00:00 Europe/Paris, 1 events", cut.Find(".histogram-bar.has-matches").GetAttribute("aria-label"), StringComparison.Ordinal);
        Assert.Equal(24, cut.FindAll(".histogram-bar").Count);
    }

    /// <summary>
    /// The top list: the search's logs grouped by the field the address names, largest first by its measure, kept in the
    /// address when changed; a group's value narrows the query; another organisation's logs are never counted.
    /// </summary>
    [Fact]
    public async Task GroupBy_TopListFromTheAddress_LargestFirstAndNarrowsOnPick()
    {
        var now = DateTimeOffset.UtcNow;
        LogEvent Log(string id, string service, double duration) => new()
        {
            Id = id, Timestamp = now.AddMinutes(-5), Service = service, Status = "info", Message = "GET /",
            Attributes = new System.Text.Json.Nodes.JsonObject { ["duration"] = duration },
        };
        await _store.AppendAsync(Tenant, [Log("a1", "api", 10), Log("a2", "api", 30), Log("w1", "web", 100)], CancellationToken.None);
        await _store.AppendAsync(OtherTenant, [Log("x1", "web", 1), Log("x2", "web", 1), Log("x3", "web", 1)], CancellationToken.None);
        await _store.RefreshAsync(Tenant, CancellationToken.None);
        await _store.RefreshAsync(OtherTenant, CancellationToken.None);
        var navigation = SignIn();
        navigation.NavigateTo("logs?by=service");

        var cut = Render();
        string[] Rows() => [.. cut.FindAll("#group-table tbody tr").Select(r => $"{r.QuerySelector(".group-value")!.TextContent} {r.QuerySelector(".group-measure")!.TextContent}")];

        Assert.Equal(["api 2", "web 1"], Rows());
        // One level: no row headers, one row group.
        Assert.Empty(cut.FindAll("#group-table tbody th"));
        Assert.Single(cut.FindAll("#group-table tbody"));
        await cut.InvokeAsync(() => cut.FindComponent<LogGroups>().Instance.OnChange.InvokeAsync(new LogGrouping("service", Portal.Search.AggregateFunction.Avg, "@duration")));
        cut.Settle();
        cut.WaitForAssertion(() => Assert.Equal(["web 100", "api 20"], Rows()));
        Assert.Equal(("service", "avg(@duration)"), (Address(navigation, "by"), Address(navigation, "measure")));
        Assert.Equal(["1", "2"], cut.FindAll("#group-table tbody tr td.groups-count").Select(c => c.TextContent));

        // Excluding a group, then keeping the one left: the query says each.
        cut.FindAll("#group-table .group-exclude")[1].Click();
        cut.Settle();
        cut.WaitForAssertion(() => Assert.Equal(["web 100"], Rows()));
        Assert.Equal("-service:api", Address(navigation, "q"));
        cut.FindAll("#group-table .group-value")[0].Click();
        cut.Settle();
        cut.WaitForAssertion(() => Assert.Equal("-service:api service:web", Address(navigation, "q")));
        Assert.Equal("1 logs", cut.Find("#log-count").TextContent);
        Assert.Equal(["web 100"], Rows());
        Assert.Equal("service", Address(navigation, "by"));
    }

    /// <summary>
    /// The timeseries: each group's count over the histogram's buckets, from the address (<c>viz=timeseries</c>), another
    /// organisation's logs never counted; switching to the top list and back is kept in the address.
    /// </summary>
    [Fact]
    public async Task GroupBy_TimeseriesFromTheAddress_EachGroupsCountByBucket()
    {
        var now = DateTimeOffset.UtcNow;
        LogEvent Log(string id, string service, int minutesAgo) => new() { Id = id, Timestamp = now.AddMinutes(-minutesAgo), Service = service, Status = "info", Message = "GET /" };
        await _store.AppendAsync(Tenant, [Log("a1", "api", 5), Log("a2", "api", 5), Log("a3", "api", 20), Log("w1", "web", 20)], CancellationToken.None);
        await _store.AppendAsync(OtherTenant, [Log("x1", "web", 20), Log("x2", "web", 20), Log("x3", "web", 20)], CancellationToken.None);
        await _store.RefreshAsync(Tenant, CancellationToken.None);
        await _store.RefreshAsync(OtherTenant, CancellationToken.None);
        var navigation = SignIn();
        navigation.NavigateTo("logs?by=service&viz=timeseries&top=5");

        var cut = Render();

        // A line a group, largest first, over the histogram's one-minute buckets of the past hour.
        Assert.Equal(2, cut.FindAll("#group-series polyline").Count);
        Assert.Equal(["series-line series-0", "series-line series-1"], cut.FindAll("#group-series polyline").Select(l => l.ClassName).Order());
        Assert.Equal(cut.FindAll(".histogram-bar").Count, cut.FindAll("#group-series rect.series-hover").Count);
        var tooltips = cut.FindAll("#group-series rect.series-hover title").Select(t => t.TextContent.Split('\n')[1..]).Where(v => v.Any(x => !x.EndsWith(": 0", StringComparison.Ordinal))).ToList();
        Assert.Equal([["api: 1", "web: 1"], ["api: 2", "web: 0"]], tooltips);
        Assert.Equal(["series-swatch series-0", "series-swatch series-1"], cut.FindAll("#group-table .series-swatch").Select(s => s.ClassName));
        Assert.Equal("count by service · 1 min buckets", cut.Find(".series-axis span:nth-child(2)").TextContent);

        cut.Find("#group-view-top-list").Click();
        cut.Settle();
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("#group-series")));
        Assert.Equal((null, "10"), (Address(navigation, "viz"), Address(navigation, "top") ?? "10"));
        Assert.Equal(["api", "web"], cut.FindAll("#group-table .group-value").Select(v => v.TextContent));
        cut.Find("#group-view-timeseries").Click();
        cut.Settle();
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("#group-series polyline").Count));
        Assert.Equal("timeseries", Address(navigation, "viz"));
        Assert.Equal("true", cut.Find("#group-view-timeseries").GetAttribute("aria-pressed"));

        // Patterns and back: the grouping as it was, out of the address meanwhile.
        cut.Find("#group-into-patterns").Click();
        cut.Settle();
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("#pattern-table")));
        Assert.Equal(("patterns", null), (Address(navigation, "viz"), Address(navigation, "by")));
        cut.Find("#group-into-fields").Click();
        cut.Settle();
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("#group-series polyline").Count));
        Assert.Equal(("timeseries", "service"), (Address(navigation, "viz"), Address(navigation, "by")));
    }

    /// <summary>
    /// While a search over a longer range runs, the timeseries still drawn is labelled with its own buckets' width, not
    /// the coming search's; once that search ends, with the new one's.
    /// </summary>
    [Fact]
    public async Task GroupBy_TimeseriesWhileANewerSearchRuns_LabelledWithItsOwnBuckets()
    {
        var now = DateTimeOffset.UtcNow;
        LogEvent Log(string id, string service, int minutesAgo) => new() { Id = id, Timestamp = now.AddMinutes(-minutesAgo), Service = service, Status = "info", Message = "GET /" };
        await _store.AppendAsync(Tenant, [Log("a1", "api", 5), Log("w1", "web", 20)], CancellationToken.None);
        await _store.RefreshAsync(Tenant, CancellationToken.None);
        SignIn().NavigateTo("logs?by=service&viz=timeseries");
        var cut = Render();
        string Axis() => cut.Find(".series-axis span:nth-child(2)").TextContent;
        Assert.Equal("count by service · 1 min buckets", Axis());

        _faulty.Hold = true;
        // Not awaited: the search it starts is held until a newer one cancels it.
        var held = cut.InvokeAsync(() => cut.FindComponent<MudSelect<string>>().Instance.ValueChanged.InvokeAsync("4h"));
        await _faulty.FirstHeldAsync();
        cut.Render();

        Assert.Equal("count by service · 1 min buckets", Axis());
        _faulty.Hold = false;
        await cut.InvokeAsync(() => cut.FindComponent<MudSelect<string>>().Instance.ValueChanged.InvokeAsync("1d"));
        await held.WaitAsync(TimeSpan.FromSeconds(30));
        cut.Settle();
        cut.WaitForAssertion(() => Assert.Equal("count by service · 30 min buckets", Axis()));
    }

    /// <summary>
    /// The table: each service's logs grouped by method within it, largest first at each level (logs without a method a
    /// group), a service named on its first row only, another organisation's logs never counted; the second field kept in the address, and dropped with the view.
    /// </summary>
    [Fact]
    public async Task GroupBy_TableFromTheAddress_TwoLevels()
    {
        var now = DateTimeOffset.UtcNow;
        LogEvent Log(string id, string service, string method) => new()
        {
            Id = id, Timestamp = now.AddMinutes(-5), Service = service, Status = "info", Message = "request",
            Attributes = new System.Text.Json.Nodes.JsonObject { ["http"] = new System.Text.Json.Nodes.JsonObject { ["method"] = method } },
        };
        LogEvent Bare(string id) => new() { Id = id, Timestamp = now.AddMinutes(-5), Service = "web", Status = "info", Message = "request" };
        await _store.AppendAsync(Tenant, [Log("a1", "api", "GET"), Log("a2", "api", "GET"), Log("a4", "api", "GET"), Log("a3", "api", "POST"), Log("w1", "web", "GET"), Bare("w2"), Bare("w3")], CancellationToken.None);
        await _store.AppendAsync(OtherTenant, [Log("x1", "web", "PUT"), Log("x2", "web", "PUT"), Log("x3", "web", "PUT")], CancellationToken.None);
        await _store.RefreshAsync(Tenant, CancellationToken.None);
        await _store.RefreshAsync(OtherTenant, CancellationToken.None);
        var navigation = SignIn();
        navigation.NavigateTo("logs?by=service&viz=table&then=%40http.method");

        var cut = Render();
        string[] Rows() => [.. cut.FindAll("#group-table tbody tr").Select(r => string.Join("|", r.Children.Select(c => c.TextContent.Trim())))];

        Assert.Equal(["service", "@http.method", "Logs"], cut.FindAll("#group-table thead th").Select(h => h.TextContent));
        // Web's logs without a method are a group of their own, so that its rows add up to its logs.
        // A service heads its rows (one cell spanning them).
        Assert.Equal(["api|GET|3", "POST|1", "web|no value|2", "GET|1"], Rows());
        Assert.Equal(["2", "2"], cut.FindAll("#group-table tbody th[scope=rowgroup]").Select(h => h.GetAttribute("rowspan")));
        Assert.Single(cut.FindAll("#group-then"));
        Assert.Equal("true", cut.Find("#group-view-table").GetAttribute("aria-pressed"));

        // A second-level value narrows the query to its logs of its first-level group: both values.
        Assert.Equal("Add service:api @http.method:POST to the query", cut.FindAll("#group-table .group-value")[2].GetAttribute("title"));
        cut.FindAll("#group-table .group-value")[2].Click();
        cut.Settle();
        cut.WaitForAssertion(() => Assert.Equal("service:api @http.method:POST", Address(navigation, "q")));
        cut.WaitForAssertion(() => Assert.Equal(["api|POST|1"], Rows()));
        Assert.Equal(("table", "@http.method"), (Address(navigation, "viz"), Address(navigation, "then")));

        cut.Find("#group-view-top-list").Click();
        cut.Settle();
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("#group-then")));
        Assert.Equal((null, null), (Address(navigation, "viz"), Address(navigation, "then")));
        Assert.Equal(["api|1"], Rows());

        // Excluding a second-level group drops its logs of its first-level group only (api's GET logs stay); its
        // "no value" group keeps the logs of its first-level group without the field.
        await cut.InvokeAsync(() => navigation.NavigateTo("logs?by=service&viz=table&then=%40http.method"));
        cut.Settle();
        cut.WaitForAssertion(() => Assert.Equal(["api|GET|3", "POST|1", "web|no value|2", "GET|1"], Rows()));
        cut.FindAll("#group-table .group-exclude")[5].Click();
        cut.Settle();
        cut.WaitForAssertion(() => Assert.Equal("-(service:web @http.method:GET)", Address(navigation, "q")));
        cut.WaitForAssertion(() => Assert.Equal(["api|GET|3", "POST|1", "web|no value|2"], Rows()));
        cut.FindAll("#group-table .group-value")[4].Click();
        cut.Settle();
        cut.WaitForAssertion(() => Assert.Equal("-(service:web @http.method:GET) service:web -@http.method:*", Address(navigation, "q")));
        cut.WaitForAssertion(() => Assert.Equal(["web|no value|2"], Rows()));
        Assert.Equal("2 logs", cut.Find("#log-count").TextContent);
    }

    /// <summary>
    /// Patterns: the search's latest logs grouped into the patterns of their messages, from the address
    /// (<c>viz=patterns</c>), another organisation's never among them; a pattern opens to show its messages, and its logs
    /// can be searched; fields again, and patterns again, kept in the address.
    /// </summary>
    [Fact]
    public async Task Patterns_FromTheAddress_GroupTheLatestLogsMessages()
    {
        var now = DateTimeOffset.UtcNow;
        LogEvent Log(string id, string message, string status = "info") => new() { Id = id, Timestamp = now.AddMinutes(-5), Service = "sshd", Status = status, Message = message };
        await _store.AppendAsync(Tenant,
        [
            Log("a", "Failed password for root from 203.0.113.7 port 40122 ssh2", "warn"),
            Log("b", "Failed password for root from 203.0.113.9 port 40130 ssh2", "warn"),
            Log("c", "Accepted publickey for deploy from 192.0.2.14 port 51000 ssh2"),
        ], CancellationToken.None);
        await _store.AppendAsync(OtherTenant, [Log("x", "Accepted publickey for deploy from 192.0.2.99 port 1 ssh2"), Log("y", "Secret of another organisation 1")], CancellationToken.None);
        await _store.RefreshAsync(Tenant, CancellationToken.None);
        await _store.RefreshAsync(OtherTenant, CancellationToken.None);
        var navigation = SignIn();
        navigation.NavigateTo("logs?viz=patterns&by=service");

        var cut = Render();
        string[] Rows() => [.. cut.FindAll("#pattern-table tbody tr").Select(r => $"{r.QuerySelector(".patterns-count .mono")!.TextContent} {r.QuerySelector(".log-status")?.TextContent} {r.QuerySelector(".pattern-text")!.TextContent.Trim()}")];

        Assert.Equal(["2 warn Failed password for root from * port * ssh*", "1 info Accepted publickey for deploy from * port * ssh*"], Rows());
        Assert.Equal("of the 3 logs", cut.Find("#pattern-sample").TextContent);
        Assert.Equal(3, cut.FindAll("#pattern-table tbody tr:first-child .pattern-wild").Count);
        Assert.Empty(cut.FindAll("#group-by"));
        cut.FindAll("#pattern-table .pattern-text")[1].Click();
        cut.Settle();
        Assert.Equal(["Accepted publickey for deploy from 192.0.2.14 port 51000 ssh2"], cut.FindAll(".pattern-examples li").Select(li => li.TextContent));

        // A pattern's logs searched: the query keeps them alone.
        cut.FindAll("#pattern-table .pattern-search")[0].Click();
        cut.Settle();
        cut.WaitForAssertion(() => Assert.Equal("\"Failed password for root from\" \"port\" ssh*", Address(navigation, "q")));
        cut.WaitForAssertion(() => Assert.Equal(["2 warn Failed password for root from * port * ssh*"], Rows()));
        Assert.Equal("2 logs", cut.Find("#log-count").TextContent);

        cut.Find("#group-into-fields").Click();
        cut.Settle();
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("#pattern-table")));
        Assert.Equal((null, null), (Address(navigation, "viz"), Address(navigation, "by")));
        Assert.Single(cut.FindAll("#group-by"));
        cut.Find("#group-into-patterns").Click();
        cut.Settle();
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("#pattern-table tbody tr")));
        Assert.Equal("patterns", Address(navigation, "viz"));
    }

    /// <summary>A store that fails (a disk fault) is said on the page, which stays usable; nothing stale is shown under the new search's name.</summary>
    [Fact]
    public async Task StoreFails_TheFaultIsShownAndThePageLives()
    {
        await AppendAsync(Tenant, 3, "web-1");
        var cut = Render();
        Assert.Equal("3 logs", cut.Find("#log-count").TextContent);
        Assert.Empty(cut.FindAll("#log-search-error"));

        _faulty.Failing = true;
        cut.Find("#log-search").Click();
        cut.Settle();

        Assert.Contains("could not run", cut.Find("#log-search-error").TextContent, StringComparison.Ordinal);
        Assert.Equal("0 logs", cut.Find("#log-count").TextContent);
        Assert.Empty(cut.FindAll("tr.log-row"));
        Assert.Contains("the search did not run", cut.Find("#no-logs").TextContent, StringComparison.Ordinal);
        Assert.NotNull(cut.Find("#export-logs").GetAttribute("disabled") ?? cut.Find("#export-logs").GetAttribute("aria-disabled"));
        // Still a live page: the query bar still answers.
        cut.Find("#log-query").Input("host:web-1");
        cut.Find("#log-search").Click();
        cut.Settle();
        Assert.NotEmpty(cut.FindAll("#log-search-error"));
        // Once the store answers again, so does the page.
        _faulty.Failing = false;
        cut.Find("#log-search").Click();
        cut.Settle();
        Assert.Empty(cut.FindAll("#log-search-error"));
        Assert.Equal("3 logs", cut.Find("#log-count").TextContent);
    }

    /// <summary>A search still running as the page closes stops: its reads' token is cancelled, and nothing is shown as a fault.</summary>
    [Fact]
    public async Task PageClosed_WhileASearchRuns_CancelsItsReads()
    {
        await AppendAsync(Tenant, 3, "web-1");
        var cut = Render();
        Assert.Equal("3 logs", cut.Find("#log-count").TextContent);
        _faulty.Hold = true;

        var navigation = _ctx.Services.GetRequiredService<NavigationManager>();
        var search = cut.Find("#log-search").ClickAsync(new Microsoft.AspNetCore.Components.Web.MouseEventArgs());
        var held = await _faulty.FirstHeldAsync();
        Assert.False(held.IsCancellationRequested);
        // The next page's address, which the closed page must leave alone.
        navigation.NavigateTo("signals");
        await cut.InvokeAsync(() => cut.Instance.DisposeAsync().AsTask());

        Assert.True(held.IsCancellationRequested);
        await search.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Empty(cut.FindAll("#log-search-error"));
        Assert.Equal("signals", navigation.ToBaseRelativePath(navigation.Uri));
    }

    /// <summary>
    /// The date's heading sorts the list oldest first: kept in the address and the export link, next pages continue in
    /// that order. Live tail shows the newest first (the heading does not sort, the address drops the order), and so does
    /// the list once paused; an address asking for the oldest first is shown so.
    /// </summary>
    [Fact]
    public async Task Sort_OldestFirst_KeptInTheAddressAndNextPagesFollowIt()
    {
        await AppendAsync(Tenant, 101, "web-1", minutesAgo: 2);
        var navigation = SignIn();
        var cut = Render();
        string First() => cut.FindAll("tr.log-row .log-message")[0].TextContent;
        string Order() => cut.Find("#log-table th").GetAttribute("aria-sort")!;
        Assert.Equal(("GET /0", "descending"), (First(), Order()));
        Assert.Empty(cut.FindAll("mark.search-hit"));

        // The list's messages mark the search's free text.
        cut.Find("#log-query").Input("get");
        cut.Find("#log-search").Click();
        cut.Settle();
        Assert.Equal("GET", cut.Find("tr.log-row .log-message mark.search-hit").TextContent);
        cut.Find("#log-query").Input("");
        cut.Find("#log-search").Click();
        cut.Settle();
        Assert.Empty(cut.FindAll("mark.search-hit"));

        cut.Find("#log-sort").Click();
        cut.Settle();
        Assert.Equal(("GET /100", "ascending", "asc"), (First(), Order(), Address(navigation, "sort")));
        Assert.EndsWith("&sort=asc", cut.Find("#export-logs").GetAttribute("href"), StringComparison.Ordinal);
        Assert.Contains("the oldest 5,000", cut.Find("#export-logs").GetAttribute("title"), StringComparison.Ordinal);
        cut.Find("#load-more-logs").Click();
        cut.Settle();
        Assert.Equal(101, cut.FindAll("tr.log-row").Count);
        Assert.Equal("GET /0", cut.FindAll("tr.log-row .log-message")[^1].TextContent);

        cut.Find("#log-live").Click();
        cut.Settle();
        Assert.Equal(("GET /0", "descending", null), (First(), Order(), Address(navigation, "sort")));
        Assert.Empty(cut.FindAll("#log-sort"));
        cut.Find("#log-live").Click();
        cut.Settle();
        Assert.Equal(("GET /0", "descending"), (First(), Order()));
        Assert.NotEmpty(cut.FindAll("#log-sort"));

        await cut.InvokeAsync(() => navigation.NavigateTo("logs?sort=asc&range=4h"));
        cut.Settle();
        cut.WaitForAssertion(() => Assert.Equal(("GET /100", "ascending"), (First(), Order())));

        // An order asked beside live tail is not kept: paused, the list read newest first says so.
        await cut.InvokeAsync(() => navigation.NavigateTo("logs?live=true&sort=asc"));
        cut.Settle();
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("#log-live-status")));
        cut.Find("#log-live").Click();
        cut.Settle();
        Assert.Equal(("GET /0", "descending", null), (First(), Order(), Address(navigation, "sort")));
        Assert.DoesNotContain("sort=", cut.Find("#export-logs").GetAttribute("href"), StringComparison.Ordinal);
        Assert.Contains("the newest 5,000", cut.Find("#export-logs").GetAttribute("title"), StringComparison.Ordinal);
    }

    /// <summary>
    /// A facet opened past its top ten lists the organisation's values (never another's), stays open for the next search
    /// with that search's values, and closes again to its top ten.
    /// </summary>
    [Fact]
    public async Task Facet_ShowMore_ListsTheOrganisationsValuesAndStaysOpenAcrossSearches()
    {
        for (var i = 1; i <= 12; i++)
        {
            await AppendAsync(Tenant, i == 1 ? 2 : 1, $"web-{i:D2}");
        }
        await AppendAsync(OtherTenant, 5, "intruder-1");
        SignIn();
        var cut = Render();
        string[] Hosts() => [.. cut.FindAll(".facet").Single(f => f.QuerySelector(".facet-title")!.TextContent == "host").QuerySelectorAll(".facet-name").Select(n => n.TextContent)];
        Assert.Equal(10, Hosts().Length);

        cut.Find("button[aria-label='Show more host values']").Click();
        cut.WaitForAssertion(() => Assert.Equal(12, Hosts().Length));
        Assert.Equal("web-01", Hosts()[0]);
        Assert.DoesNotContain("intruder-1", Hosts());

        cut.Find("#log-query").Input("-host:web-01");
        cut.Find("#log-search").Click();
        cut.Settle();
        Assert.Equal(11, Hosts().Length);
        Assert.DoesNotContain("web-01", Hosts());
        // An opened facet that cannot be listed says why; the search is not at fault.
        _faulty.TooLarge = "host";
        cut.Find("#log-search").Click();
        cut.Settle();
        Assert.Equal("too many values to list: narrow the search", cut.FindAll(".facet [role=status]")[2].TextContent);
        Assert.Equal("11 logs", cut.Find("#log-count").TextContent);
        Assert.Empty(cut.FindAll("#log-search-error"));
        _faulty.TooLarge = null;
        cut.Find("button[aria-label='Show fewer host values']").Click();
        Assert.Equal(10, Hosts().Length);
        cut.Find("#log-search").Click();
        cut.Settle();
        Assert.Equal("Show more host values", cut.FindAll("button.facet-more")[0].GetAttribute("aria-label"));
    }

    /// <summary>In live tail an opened facet's values are read again once they are as old as patterns may be, not at each tick.</summary>
    [Fact]
    public async Task LiveTail_OpenedFacet_ReadAgainWhenDue()
    {
        var clock = new ShiftedClock();
        _ctx.Services.AddSingleton<TimeProvider>(clock);
        for (var i = 1; i <= 11; i++)
        {
            await AppendAsync(Tenant, 1, $"web-{i:D2}", minutesAgo: 1);
        }
        SignIn().NavigateTo("logs?live=true");
        var cut = Render();
        string[] Hosts() => [.. cut.FindAll(".facet").Single(f => f.QuerySelector(".facet-title")!.TextContent == "host").QuerySelectorAll(".facet-name").Select(n => n.TextContent)];
        cut.Find("button[aria-label='Show more host values']").Click();
        cut.WaitForAssertion(() => Assert.Equal(11, Hosts().Length));
        // Read once by the click, or twice when a tick (every 2 s of real time) began as it was clicked and read it instead.
        var reads = _faulty.Aggregations;
        Assert.InRange(reads, 1, 2);

        await AppendAsync(Tenant, 1, "web-12", minutesAgo: 1);
        cut.WaitForAssertion(() => Assert.Equal("12 logs", cut.Find("#log-count").TextContent), TimeSpan.FromSeconds(10));
        Assert.Equal((11, reads), (Hosts().Length, _faulty.Aggregations));

        clock.Shift = LogGroupsModel.LivePatternsInterval;
        cut.WaitForAssertion(() => Assert.Equal(12, Hosts().Length), TimeSpan.FromSeconds(10));
        Assert.Equal(reads + 1, _faulty.Aggregations);
    }

    /// <summary>An address opened while the page's first search still runs is shown: that search stops, and the page searches what the address says.</summary>
    [Fact]
    public async Task AddressChanged_WhileTheFirstSearchRuns_IsShown()
    {
        await AppendAsync(Tenant, 3, "web-1");
        await AppendAsync(Tenant, 2, "web-2");
        var navigation = SignIn();
        _faulty.Hold = true;
        var cut = _ctx.Render<LogsPage>();
        var held = await _faulty.FirstHeldAsync();
        _faulty.Hold = false;

        await cut.InvokeAsync(() => navigation.NavigateTo("logs?q=host%3Aweb-2"));
        cut.Settle();

        Assert.True(held.IsCancellationRequested);
        Assert.Equal("2 logs", cut.Find("#log-count").TextContent);
        Assert.Equal("host:web-2", cut.Find("#log-query").GetAttribute("value"));
        Assert.Equal("host:web-2", Address(navigation, "q"));
    }

    /// <summary>
    /// The recent searches are the browser's, under a key naming the organisation and the member: read once the page is
    /// interactive and offered by the empty query bar; a search run is kept first (not the empty search).
    /// </summary>
    [Fact]
    public async Task RecentSearches_ReadFromTheBrowserAndKeptAsSearchesRun()
    {
        await AppendAsync(Tenant, 3, "web-1");
        var user = Guid.NewGuid();
        var key = $"vigil.logs.recent.{Tenant:N}.{user:N}";
        _ctx.JSInterop.Setup<string[]?>("vigil.recentQueries.read", i => (string)i.Arguments[0]! == key).SetResult(["host:web-9"]);
        _ctx.JSInterop.Setup<string[]?>("vigil.recentQueries.add", i => (string)i.Arguments[0]! == key).SetResult(["host:web-1", "host:web-9"]);
        BunitSession.SignIn(_ctx, Tenant, "page-org", user, "analyst@example.test", VigilRoles.Standard);
        _ctx.Renderer.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        _signedIn = true;
        var cut = Render();

        cut.WaitForAssertion(() => Assert.Single(_ctx.JSInterop.Invocations["vigil.recentQueries.read"]));
        Assert.Empty(_ctx.JSInterop.Invocations["vigil.recentQueries.add"]);
        cut.Find(".query-field").FocusIn();
        Assert.Equal(["host:web-9"], cut.FindAll(".query-suggestion .mono").Select(o => o.TextContent));

        cut.Find("#log-query").Input("host:web-1 ");
        cut.Find("#log-search").Click();
        cut.Settle();
        cut.WaitForAssertion(() => Assert.Single(_ctx.JSInterop.Invocations["vigil.recentQueries.add"]));
        Assert.Equal(["host:web-1", PageRecent()], _ctx.JSInterop.Invocations["vigil.recentQueries.add"][0].Arguments.Skip(1).Select(a => a!.ToString()));
        cut.Find("#log-query").Input("");
        Assert.Equal(["host:web-1", "host:web-9"], cut.FindAll(".query-suggestion .mono").Select(o => o.TextContent));
    }

    private static string PageRecent() => LogsPage.RecentSearches.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Prerendered (before the circuit is interactive), the page shows its frame and what its address asks, says it is
    /// searching, and reads nothing from the store: the circuit searches, once, instead of replacing a prerendered list.
    /// </summary>
    [Fact]
    public async Task Prerendered_SaysItIsSearching_AndReadsNothing()
    {
        await AppendAsync(Tenant, 3, "web-1");
        SignIn(interactive: false).NavigateTo("logs?q=host%3Aweb-1&range=4h");

        var cut = _ctx.Render<LogsPage>();

        Assert.Equal("host:web-1", cut.Find("#log-query").GetAttribute("value"));
        Assert.Equal("Past 4 hours", cut.Find("#log-window").TextContent);
        Assert.Equal("Searching…", cut.Find("#log-count").TextContent);
        Assert.Empty(cut.FindAll("#no-logs"));
        Assert.Equal("true", cut.Find("#log-results").GetAttribute("aria-busy"));
        Assert.Equal(0, _faulty.Searches);
        Assert.Empty(cut.FindAll("tr.log-row"));
    }

    /// <summary>
    /// A filter taken from the detail closes it for the results, and the focus, which was in the drawer (closed, inert), goes
    /// to the new list's row of the log it showed.
    /// </summary>
    [Fact]
    public async Task DetailFilter_TheFocusGoesToTheLogsRow()
    {
        await AppendAsync(Tenant, 2, "web-1");
        await AppendAsync(Tenant, 1, "web-2", minutesAgo: 3);
        var cut = Render();
        var row = cut.FindAll("tr.log-row").Single(r => r.TextContent.Contains("web-2", StringComparison.Ordinal));
        var id = row.QuerySelector("button.log-open")!.GetAttribute("data-log-id")!;
        row.QuerySelector("button.log-open")!.Click();
        cut.Settle();

        cut.Find("#log-host").Click();
        cut.Settle();

        Assert.Equal("host:web-2", cut.Find("#log-query").GetAttribute("value"));
        Assert.NotNull(cut.Find("#log-detail").GetAttribute("inert"));
        cut.WaitForAssertion(() => Assert.Equal(["data-log-id", id, true, 0], _ctx.JSInterop.VerifyInvoke("vigil.focusOpener").Arguments));
    }

    /// <summary>A shared custom range, prerendered (no search runs before the circuit), is named by its bounds as given.</summary>
    [Fact]
    public void Prerendered_CustomRange_NamedByItsBounds()
    {
        SignIn(interactive: false).NavigateTo("logs?q=host%3Aweb-1&range=custom&from=2026-12-07%2010%3A00&to=2026-12-07%2011%3A00");

        var cut = _ctx.Render<LogsPage>();

        Assert.Equal("2026-12-07 10:00 → 2026-12-07 11:00 UTC", cut.Find("#log-window").TextContent);
    }

    /// <summary>
    /// A bar clicked while a newer search over another range runs zooms to that bar's bucket, as the histogram shown
    /// counted it (the newer search's buckets and window are not the bars').
    /// </summary>
    [Fact]
    public async Task HistogramBar_ClickedWhileANewerSearchRuns_ZoomsToItsOwnBucket()
    {
        await AppendAsync(Tenant, 3, "web-1", minutesAgo: 240);
        var navigation = SignIn();
        navigation.NavigateTo("logs?range=7d");
        var cut = Render();
        Assert.Equal("3 logs", cut.Find("#log-count").TextContent);
        var bar = cut.Find("button.histogram-bar.has-matches").GetAttribute("aria-label")!;

        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _faulty.SearchGate = gate.Task;
        var narrowed = cut.InvokeAsync(() => cut.FindComponent<MudSelect<string>>().Instance.ValueChanged.InvokeAsync("15m"));
        cut.WaitForAssertion(() => Assert.Equal("Past 15 minutes", cut.Find("#log-window").TextContent));
        var zoomed = cut.InvokeAsync(() => cut.Find($"button.histogram-bar[aria-label='{bar}']").ClickAsync(new Microsoft.AspNetCore.Components.Web.MouseEventArgs()));
        _faulty.SearchGate = null;
        gate.SetResult();
        await Task.WhenAll(narrowed, zoomed);
        cut.Settle();

        Assert.Empty(cut.FindAll("#log-range-error"));
        Assert.Equal("custom", Address(navigation, "range"));
        cut.WaitForAssertion(() => Assert.Equal("3 logs", cut.Find("#log-count").TextContent));
        var (from, to) = (DateTimeOffset.Parse(Address(navigation, "from")!, System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.Parse(Address(navigation, "to")!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.InRange(to - from, TimeSpan.FromMinutes(30), TimeSpan.FromHours(24));
    }

    /// <summary>
    /// A search overtaken by a newer one stops: the page stays usable while it runs (busy, said to assistive technology),
    /// its reads' token is cancelled as the newer search starts, and the page shows the newer's results, no fault.
    /// </summary>
    [Fact]
    public async Task NewerSearch_CancelsTheReadsOfTheOneBefore()
    {
        await AppendAsync(Tenant, 3, "web-1");
        await AppendAsync(Tenant, 2, "web-2");
        var navigation = SignIn();
        var cut = Render();
        Assert.Equal("5 logs", cut.Find("#log-count").TextContent);
        _faulty.Hold = true;

        cut.Find("#log-query").Input("host:web-1");
        var first = cut.Find("#log-search").ClickAsync(new Microsoft.AspNetCore.Components.Web.MouseEventArgs());
        var held = await _faulty.FirstHeldAsync();
        cut.WaitForAssertion(() => Assert.Equal("true", cut.Find("#log-results").GetAttribute("aria-busy")));
        // Its list may come before its count: the last search's count is not said for it.
        cut.WaitForAssertion(() => Assert.Equal("Searching…", cut.Find("#log-count").TextContent));
        _faulty.Hold = false;
        cut.Find("#log-query").Input("host:web-2");
        cut.Find("#log-search").Click();
        cut.Settle();

        Assert.True(held.IsCancellationRequested);
        await first.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("2 logs", cut.Find("#log-count").TextContent);
        Assert.Equal(2, cut.FindAll("tr.log-row").Count);
        Assert.Empty(cut.FindAll("#log-search-error"));
        Assert.Equal("host:web-2", Address(navigation, "q"));
    }

    private async Task AppendAsync(Guid tenant, int count, string host, int minutesAgo = 5)
    {
        var at = DateTimeOffset.UtcNow.AddMinutes(-minutesAgo);
        var events = Enumerable.Range(0, count)
            .Select(i => new LogEvent { Id = Guid.NewGuid().ToString("N"), Timestamp = at.AddMilliseconds(-i), Host = host, Service = "web", Status = "info", Message = $"GET /{i}" })
            .ToList();
        await _store.AppendAsync(tenant, events, CancellationToken.None);
        await _store.RefreshAsync(tenant, CancellationToken.None);
    }

    /// <summary>A clock stopped when made, moved on only by <see cref="Shift"/>: a slow machine's seconds do not count.</summary>
    private sealed class ShiftedClock : TimeProvider
    {
        private readonly DateTimeOffset _stopped = TimeProvider.System.GetUtcNow();

        public TimeSpan Shift { get; set; }

        public override DateTimeOffset GetUtcNow() => _stopped + Shift;
    }
}
