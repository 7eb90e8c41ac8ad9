using System.Text.Json.Nodes;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;
using Portal.Search;
using Portal.Web.Components.Shared;
using Portal.Web.Features.Logs;

namespace Portal.Web.Tests.Features.Logs;

/// <summary>bUnit specifications of the Logs Explorer's facet panel, histogram and attribute tree.</summary>
public sealed class LogComponentsTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 10, 0, 0, TimeSpan.Zero);
    private readonly BunitContext _ctx = new();

    public LogComponentsTests()
    {
        _ctx.Services.AddMudServices();
        _ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        // The log detail takes the focus once interactive, as on the page.
        _ctx.Renderer.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _ctx.DisposeAsync();

    /// <summary>
    /// The timeseries chart: a line a group in its colour, broken where the group has no value (an average without logs), a
    /// lone value drawn as a dash; the scale's top the largest value rounded up; each bucket's tooltip says every group's value.
    /// </summary>
    [Fact]
    public void LogSeriesChart_LinesBrokenWhereNoValue_ScaleAndTooltips()
    {
        static AggregateBucket Group(string name, params double?[] values) => new(
            [GroupKey.Of(name)],
            [new AggregateValue(values.Max()), new AggregateValue(values.Length), new AggregateValue(null, [.. values.Select((v, i) => new AggregatePoint(T0.AddMinutes(i), v))])]);

        var cut = _ctx.Render<LogSeriesChart>(p => p
            .Add(x => x.Rows, [Group("api", 120, null, 40, 60, null), Group("web", null, null, 8, null, null)])
            .Add(x => x.Function, AggregateFunction.Avg)
            .Add(x => x.Title, "avg(@duration) by service"));

        // Five buckets 200 units wide; 0-200 (120 rounded up) over 149 units from the bottom line (149.5).
        Assert.Equal(["97,60.1 103,60.1", "500,119.7 700,104.8"], cut.FindAll("polyline.series-0").Select(l => l.GetAttribute("points")));
        Assert.Equal(["497,143.54 503,143.54"], cut.FindAll("polyline.series-1").Select(l => l.GetAttribute("points")));
        Assert.Equal(["200", "100", "0"], cut.FindAll(".series-scale span").Select(s => s.TextContent));
        Assert.Equal("Nov 27 10:02:00 UTC\napi: 40\nweb: 8", cut.FindAll("rect.series-hover title")[2].TextContent);
        Assert.Equal("Nov 27 10:01:00 UTC", cut.FindAll("rect.series-hover title")[1].TextContent);
        Assert.Equal("avg(@duration) by service", cut.Find("svg").GetAttribute("aria-label"));
        // The same values in a table for screen readers: a bucket a row, a group a column.
        Assert.Equal(["Time (UTC)", "api", "web"], cut.FindAll("#group-series-values thead th").Select(h => h.TextContent));
        Assert.Equal(["Nov 27 10:02:00", "40", "8"], cut.FindAll("#group-series-values tbody tr")[2].Children.Select(c => c.TextContent));
        Assert.Equal(["Nov 27 10:01:00", "", ""], cut.FindAll("#group-series-values tbody tr")[1].Children.Select(c => c.TextContent));
    }

    /// <summary>Negative values: the scale reaches below zero, to the least rounded down; a count's half-way mark keeps its decimal.</summary>
    [Fact]
    public void LogSeriesChart_NegativeValues_ScaleBelowZero()
    {
        static AggregateBucket Group(string name, params double?[] values) => new(
            [GroupKey.Of(name)],
            [new AggregateValue(values.Min()), new AggregateValue(values.Length), new AggregateValue(null, [.. values.Select((v, i) => new AggregatePoint(T0.AddMinutes(i), v))])]);

        var negative = _ctx.Render<LogSeriesChart>(p => p.Add(x => x.Rows, [Group("drift", -3, 4)]).Add(x => x.Function, AggregateFunction.Min));
        var count = _ctx.Render<LogSeriesChart>(p => p.Add(x => x.Rows, [Group("api", 0, 1)]).Add(x => x.Function, AggregateFunction.Count));

        // -5 to 5 over 149 units: -3 at 119.7, 4 at 15.4.
        Assert.Equal(["5", "0", "-5"], negative.FindAll(".series-scale span").Select(s => s.TextContent));
        Assert.Equal("250,119.7 750,15.4", negative.Find("polyline").GetAttribute("points"));
        Assert.Equal(["1", "0.5", "0"], count.FindAll(".series-scale span").Select(s => s.TextContent));
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    [InlineData(3, 5)]
    [InlineData(7, 10)]
    [InlineData(120, 200)]
    [InlineData(2000, 2000)]
    [InlineData(0.03, 0.05)]
    public void LogSeriesChart_ScaleTop(double largest, double top) => Assert.Equal(top, LogSeriesChart.NiceCeiling(largest), 12);

    [Fact]
    public void LogFacets_ClickValue_RaisesFieldAndValue()
    {
        (string, string)? picked = null;
        var facets = new Dictionary<string, IReadOnlyList<FacetValue>>
        {
            ["host"] = [new("bastion-1", 1200), new("web-2", 3)],
            ["service"] = [],
            ["@http.method"] = [],
            ["@usr.name"] = [new("root", 7)],
        };
        var cut = _ctx.Render<LogFacets>(p => p.Add(x => x.Facets, facets).Add(x => x.OnPick, pick => picked = pick));

        Assert.Contains("1,200", cut.Find(".facet-value").TextContent, StringComparison.Ordinal);
        Assert.Equal("no values", cut.Find(".facet-empty").TextContent);
        // An attribute no match carries is no facet of these results; a reserved one stays, empty.
        Assert.Equal(["host", "service", "@usr.name"], cut.FindAll(".facet-title").Select(t => t.TextContent));
        cut.FindAll(".facet-value")[1].Click();
        Assert.Equal(("host", "web-2"), picked);
        // Without an exclude handler, values have no exclude button; with one, each does.
        Assert.Empty(cut.FindAll(".facet-exclude"));
        (string, string)? excluded = null;
        cut.Render(p => p.Add(x => x.OnExclude, pick => excluded = pick));
        cut.FindAll(".facet-exclude")[2].Click();
        Assert.Equal(("@usr.name", "root"), excluded);
        Assert.Equal("Exclude @usr.name:root", cut.FindAll(".facet-exclude")[2].GetAttribute("aria-label"));
    }

    [Fact]
    public void LogsHistogram_BarsWithMatches_ZoomInToTheirBucket()
    {
        var buckets = new[] { new HistogramBucket(T0, 10), new HistogramBucket(T0.AddMinutes(1), 0), new HistogramBucket(T0.AddMinutes(2), 5) };
        var zoomed = new List<DateTimeOffset>();
        var cut = _ctx.Render<LogsHistogram>(p => p.Add(x => x.Buckets, buckets).Add(x => x.OnZoom, start => zoomed.Add(start)));

        // Bars with matches are buttons (Enter and Space as the browser has them), the empty one is not.
        var bars = cut.FindAll(".histogram-bar.has-matches");
        Assert.Equal(["BUTTON", "BUTTON"], bars.Select(b => b.TagName));
        Assert.Equal(["10", "5"], bars.Select(b => b.GetAttribute("data-count")));
        bars[1].Click();
        cut.FindAll(".histogram-bar.has-matches")[0].Click();
        Assert.Equal([T0.AddMinutes(2), T0], zoomed);
        // Without a handler, no bar is a button.
        Assert.Empty(_ctx.Render<LogsHistogram>(p => p.Add(x => x.Buckets, buckets)).FindAll("button"));
    }

    /// <summary>The bars are one stop of the tab order, the newest first: the arrows, Home and End move the focus between those with matches.</summary>
    [Fact]
    public void LogsHistogram_Bars_AreOneTabStopMovedByArrows()
    {
        var buckets = new[] { new HistogramBucket(T0, 10), new HistogramBucket(T0.AddMinutes(1), 0), new HistogramBucket(T0.AddMinutes(2), 5), new HistogramBucket(T0.AddMinutes(3), 0) };
        var cut = _ctx.Render<LogsHistogram>(p => p.Add(x => x.Buckets, buckets).Add(x => x.OnZoom, _ => { }));
        string[] TabIndexes() => [.. cut.FindAll(".histogram-bar.has-matches").Select(b => b.GetAttribute("tabindex")!)];

        Assert.Equal(["-1", "0"], TabIndexes());
        cut.FindAll(".histogram-bar.has-matches")[1].KeyDown(new Microsoft.AspNetCore.Components.Web.KeyboardEventArgs { Key = "ArrowLeft" });
        Assert.Equal(["0", "-1"], TabIndexes());
        cut.FindAll(".histogram-bar.has-matches")[0].KeyDown(new Microsoft.AspNetCore.Components.Web.KeyboardEventArgs { Key = "ArrowLeft" });
        Assert.Equal(["0", "-1"], TabIndexes());
        cut.FindAll(".histogram-bar.has-matches")[0].KeyDown(new Microsoft.AspNetCore.Components.Web.KeyboardEventArgs { Key = "End" });
        Assert.Equal(["-1", "0"], TabIndexes());
        Assert.Equal(2, _ctx.JSInterop.Invocations.Count(i => i.Identifier == "Blazor._internal.domWrapper.focus"));
        // Focused by a click or Tab, a bar is the one in the tab order.
        cut.FindAll(".histogram-bar.has-matches")[0].Focus();
        Assert.Equal(["0", "-1"], TabIndexes());
        // One bucket more (a live window moving on): the bars kept are still reachable by the arrows.
        cut.Render(p => p.Add(x => x.Buckets, [.. buckets, new HistogramBucket(T0.AddMinutes(4), 2)]));
        cut.FindAll(".histogram-bar.has-matches")[2].Focus();
        cut.FindAll(".histogram-bar.has-matches")[2].KeyDown(new Microsoft.AspNetCore.Components.Web.KeyboardEventArgs { Key = "ArrowLeft" });
        Assert.Equal(["-1", "0", "-1"], TabIndexes());
        Assert.Equal(3, _ctx.JSInterop.Invocations.Count(i => i.Identifier == "Blazor._internal.domWrapper.focus"));
        // The window moving on (the oldest bucket gone): the bar in the tab order is still the same minute's.
        cut.Render(p => p.Add(x => x.Buckets, [.. buckets.Skip(1), new HistogramBucket(T0.AddMinutes(4), 2)]));
        Assert.Equal(["0", "-1"], TabIndexes());
        Assert.StartsWith("Zoom in to Nov 27 10:02:00 UTC", cut.Find(".histogram-bar.has-matches[tabindex='0']").GetAttribute("aria-label"), StringComparison.Ordinal);
    }

    [Fact]
    public void LogsHistogram_BarsScaleToTheLargestBucket()
    {
        var buckets = new[] { new HistogramBucket(T0, 10), new HistogramBucket(T0.AddMinutes(1), 0), new HistogramBucket(T0.AddMinutes(2), 5) };
        var cut = _ctx.Render<LogsHistogram>(p => p.Add(x => x.Buckets, buckets).Add(x => x.Interval, TimeSpan.FromMinutes(1)));

        var bars = cut.FindAll(".histogram-stack");
        Assert.Equal(["height:100%", "height:0%", "height:50%"], bars.Select(b => b.GetAttribute("style")));
        Assert.Contains("15 events · 1 min buckets", cut.Find(".histogram-axis").TextContent, StringComparison.Ordinal);
        // Without counts by status, one segment of one colour a bar with matches.
        Assert.Equal(2, cut.FindAll(".histogram-seg").Count);
        Assert.All(cut.FindAll(".histogram-seg"), s => Assert.Contains("seg-all", s.ClassName, StringComparison.Ordinal));
    }

    [Fact]
    public void LogsHistogram_ByStatus_StacksEachBarFromTheLeastSevere()
    {
        var buckets = new[] { new HistogramBucket(T0, 10), new HistogramBucket(T0.AddMinutes(1), 4) };
        SeriesGroup Group(string status, long first, long second) =>
            new(status, first + second, [new HistogramBucket(T0, first), new HistogramBucket(T0.AddMinutes(1), second)]);
        var cut = _ctx.Render<LogsHistogram>(p => p
            .Add(x => x.Buckets, buckets)
            .Add(x => x.ByStatus, [Group("info", 6, 4), Group("error", 1, 0), Group("warn", 2, 0)])
            .Add(x => x.Interval, TimeSpan.FromMinutes(1)));

        // Bottom to top (the stack is drawn in reverse): what no group counts, then info, warn, error.
        var first = cut.FindAll(".histogram-stack")[0].QuerySelectorAll(".histogram-seg");
        Assert.Equal(["seg-all:1", "seg-info:6", "seg-warn:2", "seg-error:1"],
            first.Select(s => $"{s.ClassList.First(c => c.StartsWith("seg-", StringComparison.Ordinal))}:{s.GetAttribute("style")!["flex-grow:".Length..]}"));
        Assert.Equal("seg-info", cut.FindAll(".histogram-stack")[1].QuerySelector(".histogram-seg")!.ClassList.Last());
        Assert.EndsWith("10 events: 1 error, 2 warn, 6 info, 1 other", cut.FindAll(".histogram-bar")[0].GetAttribute("title"), StringComparison.Ordinal);
        Assert.Contains("error 1", cut.Find(".histogram-axis").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void AttributeTree_NestsFoldsAndFiltersByAValue()
    {
        var attributes = new JsonObject
        {
            ["network"] = new JsonObject { ["client"] = new JsonObject { ["ip"] = "203.0.113.7", ["port"] = 52114 } },
            ["usr"] = new JsonObject { ["name"] = "John Doe" },
            ["tags"] = new JsonArray("a", "b"),
        };
        var terms = new List<string>();
        var cut = _ctx.Render<AttributeTree>(p => p.Add(x => x.Attributes, attributes).Add(x => x.OnFilter, term => terms.Add(term)));

        // Objects and arrays are rows of their own, their keys nested under them, each leaf titled with its full path.
        Assert.Equal(["network{1}", "client{2}", "usr{1}", "tags[2]"], cut.FindAll(".attr-branch").Select(b => b.QuerySelector(".attr-key")!.TextContent + b.QuerySelector(".attr-size")!.TextContent));
        Assert.Equal(["@network.client.ip", "@network.client.port", "@usr.name", "@tags", "@tags"], cut.FindAll(".attr-leaf").Select(l => l.GetAttribute("title")));
        Assert.Equal("52114", cut.FindAll(".attr-leaf")[1].QuerySelector(".attr-number")!.TextContent);

        cut.FindAll(".attr-leaf")[2].QuerySelector(".attr-filter")!.Click();
        cut.FindAll(".attr-leaf")[0].QuerySelector(".attr-exclude")!.Click();
        Assert.Equal(["@usr.name:\"John Doe\"", "-@network.client.ip:203.0.113.7"], terms);

        // Folding "network" hides everything below it, and unfolding shows it again.
        cut.Find(".attr-branch .attr-toggle").Click();
        Assert.Equal(3, cut.FindAll(".attr-leaf").Count);
        Assert.Equal("false", cut.Find(".attr-branch .attr-toggle").GetAttribute("aria-expanded"));
        cut.Find(".attr-branch .attr-toggle").Click();
        Assert.Equal(5, cut.FindAll(".attr-leaf").Count);

        // Another event starts unfolded; a key the query language cannot name shows its value without buttons.
        cut.Find(".attr-branch .attr-toggle").Click();
        cut.Render(p => p.Add(x => x.Attributes, new JsonObject { ["network"] = new JsonObject { ["Logon Type"] = 3 } }));
        Assert.Equal("true", cut.Find(".attr-branch .attr-toggle").GetAttribute("aria-expanded"));
        Assert.Equal("3", cut.Find(".attr-leaf .attr-value").TextContent);
        Assert.Empty(cut.FindAll(".attr-actions"));
    }

    [Fact]
    public void AttributeTree_ItemsOfAnArray_FoldApart()
    {
        var attributes = new JsonObject
        {
            ["resources"] = new JsonArray(new JsonObject { ["tags"] = new JsonObject { ["a"] = "1" } }, new JsonObject { ["tags"] = new JsonObject { ["a"] = "2" } }),
        };
        var cut = _ctx.Render<AttributeTree>(p => p.Add(x => x.Attributes, attributes));

        // resources, 0, tags, 1, tags: folding the first item's tags leaves the second's open (both are @resources.tags).
        cut.FindAll(".attr-branch .attr-toggle")[2].Click();
        Assert.Equal(["2"], cut.FindAll(".attr-leaf .attr-value").Select(v => v.TextContent));
    }

    [Fact]
    public void LogDetail_HostValuesAndTags_FilterTheSearch()
    {
        var e = new Portal.Detection.Events.LogEvent
        {
            Id = "e1", Timestamp = T0, Host = "web 1", Service = "web-store", Message = "GET /", Tags = ["env:prod", "bare", "source:nginx"],
            Attributes = new JsonObject { ["http"] = new JsonObject { ["method"] = "GET" } },
        };
        var terms = new List<string>();
        var cut = _ctx.Render<LogDetail>(p => p.Add(x => x.Event, e).Add(x => x.OnFilter, term => terms.Add(term)));

        cut.Find("#log-host").Click();
        cut.Find("#log-attributes .attr-leaf .attr-filter").Click();
        cut.Find(".tag-filter").Click();
        cut.Find(".tag-exclude").Click();
        Assert.Equal(["host:\"web 1\"", "@http.method:GET", "env:prod", "-env:prod"], terms);
        // A log's source: is its own, not the tag: that tag is only shown.
        Assert.Single(cut.FindAll(".tag-filter"));
        // No source: nothing to filter by, nothing shown.
        Assert.Empty(cut.FindAll("#log-source"));
    }

    [Fact]
    public void AttributeTree_ColumnButton_ShowsOrRemovesTheValuesAttributeAsAColumn()
    {
        var attributes = new JsonObject
        {
            ["network"] = new JsonObject { ["client"] = new JsonObject { ["ip"] = "203.0.113.7" } },
            ["usr"] = new JsonObject { ["name"] = "root" },
            ["odd,key"] = "x",
            ["gone"] = null,
        };
        var toggled = new List<string>();
        var cut = _ctx.Render<AttributeTree>(p => p.Add(x => x.Attributes, attributes).Add(x => x.OnToggleColumn, path => toggled.Add(path)).Add(x => x.Columns, ["usr.name"]));

        var buttons = cut.FindAll(".attr-column");
        // No column for a key the URL's list cannot hold, nor for a null.
        Assert.Equal(2, buttons.Count);
        Assert.Equal(["Show @network.client.ip as a column", "Remove the @usr.name column"], buttons.Select(b => b.GetAttribute("title")));
        Assert.Equal(["false", "true"], buttons.Select(b => b.GetAttribute("aria-pressed")));
        buttons[0].Click();
        cut.FindAll(".attr-column")[1].Click();
        Assert.Equal(["network.client.ip", "usr.name"], toggled);
        // Without a filter handler, the column button alone.
        Assert.Empty(cut.FindAll(".attr-filter"));
    }

    [Fact]
    public void LogList_AttributeColumns_ShowEachEventsValuesAndCanBeRemoved()
    {
        Portal.Detection.Events.LogEvent Event(string id, JsonObject attributes) => new() { Id = id, Timestamp = T0, Status = "info", Message = "m", Attributes = attributes };
        var items = new[]
        {
            Event("a", new JsonObject { ["usr"] = new JsonObject { ["name"] = "root" }, ["ids"] = new JsonArray(1, 2) }),
            Event("b", new JsonObject { ["http"] = new JsonObject { ["method"] = "GET" } }),
        };
        var removed = new List<string>();
        var cut = _ctx.Render<LogList>(p => p.Add(x => x.Items, items).Add(x => x.Columns, ["usr.name", "ids"]).Add(x => x.OnRemoveColumn, path => removed.Add(path)));

        Assert.Equal(["@usr.name", "@ids"], cut.FindAll(".attr-column-name").Select(h => h.TextContent));
        Assert.Equal(["root", "1, 2", "", ""], cut.FindAll(".log-column").Select(c => c.TextContent));
        cut.FindAll(".attr-column-remove")[1].Click();
        Assert.Equal(["ids"], removed);
    }

    /// <summary>The query field is a combobox: its completions' list, expanded state and highlighted option are named for assistive technology.</summary>
    [Fact]
    public void QueryBar_Completions_AreAnAccessibleCombobox()
    {
        var facets = new Dictionary<string, IReadOnlyList<FacetValue>> { ["status"] = [new("error", 3), new("warn", 2)] };
        var cut = _ctx.Render<QueryBar>(p => p.Add(x => x.Facets, facets).Add(x => x.Id, "q"));
        var input = cut.Find("#q");
        Assert.Equal(("combobox", "false"), (input.GetAttribute("role"), input.GetAttribute("aria-expanded")));

        input.Input("status:");
        input = cut.Find("#q");
        Assert.Equal(("true", "q-suggestions"), (input.GetAttribute("aria-expanded"), input.GetAttribute("aria-controls")));
        Assert.Null(input.GetAttribute("aria-activedescendant"));
        input.KeyDown(new Microsoft.AspNetCore.Components.Web.KeyboardEventArgs { Key = "ArrowDown" });
        Assert.Equal("q-option-0", cut.Find("#q").GetAttribute("aria-activedescendant"));
        Assert.Equal("true", cut.Find("#q-option-0").GetAttribute("aria-selected"));
        Assert.Equal("listbox", cut.Find("#q-suggestions").GetAttribute("role"));
        cut.Find("#q").KeyDown(new Microsoft.AspNetCore.Components.Web.KeyboardEventArgs { Key = "Escape" });
        Assert.Equal("false", cut.Find("#q").GetAttribute("aria-expanded"));
    }

    /// <summary>
    /// The empty field offers the recent searches as it takes the focus (or is emptied), named as such; one chosen is
    /// written into the field and run. Typing offers completions instead; without recent searches nothing opens.
    /// </summary>
    [Fact]
    public void QueryBar_Empty_OffersTheRecentSearchesAndRunsTheOneChosen()
    {
        var (value, submitted) = ("", 0);
        var cut = _ctx.Render<QueryBar>(p => p.Add(x => x.Recent, ["service:web status:error", "@usr.name:root"]).Add(x => x.Id, "q")
            .Add(x => x.ValueChanged, v => value = v).Add(x => x.OnSubmit, () => submitted++));
        string[] Shown() => [.. cut.FindAll(".query-suggestion .mono").Select(o => o.TextContent)];

        cut.Find(".query-field").FocusIn();
        Assert.Equal(["service:web status:error", "@usr.name:root"], Shown());
        Assert.Equal("Recent searches", cut.Find("#q-suggestions").GetAttribute("aria-label"));
        Assert.All(cut.FindAll(".query-suggestion-detail"), d => Assert.Equal("recent", d.TextContent));
        cut.Find("#q").Input("serv");
        Assert.DoesNotContain("service:web status:error", Shown());
        Assert.Equal("Completions", cut.Find("#q-suggestions").GetAttribute("aria-label"));
        cut.Find("#q").Input("");
        Assert.Equal(2, Shown().Length);

        cut.Find("#q").KeyDown(new Microsoft.AspNetCore.Components.Web.KeyboardEventArgs { Key = "ArrowDown" });
        cut.Find("#q").KeyDown(new Microsoft.AspNetCore.Components.Web.KeyboardEventArgs { Key = "ArrowDown" });
        cut.Find("#q").KeyDown(new Microsoft.AspNetCore.Components.Web.KeyboardEventArgs { Key = "Enter" });
        Assert.Equal(("@usr.name:root", 1), (value, submitted));
        Assert.Equal("false", cut.Find("#q").GetAttribute("aria-expanded"));

        var none = _ctx.Render<QueryBar>(p => p.Add(x => x.Id, "n"));
        none.Find(".query-field").FocusIn();
        Assert.Equal("false", none.Find("#n").GetAttribute("aria-expanded"));
    }

    /// <summary>
    /// An added facet is shown without values too, all its values, and with a button removing it; the add control offers
    /// the range's fields not added (the panel's own attributes too), Vigil's own flags, reserved facets and tag keys
    /// written like attributes left out.
    /// </summary>
    [Fact]
    public void LogFacets_Pinned_ShownWithARemoveButtonAndOfferedOnce()
    {
        var facets = new Dictionary<string, IReadOnlyList<FacetValue>>
        {
            ["status"] = [new("info", 9)],
            ["@usr.name"] = [],
            ["@http.url"] = [.. Enumerable.Range(0, 7).Select(i => new FacetValue($"/p{i}", 7 - i))],
            ["@network.client.ip"] = [.. Enumerable.Range(0, 7).Select(i => new FacetValue($"10.0.0.{i}", 7 - i))],
        };
        var fields = new[] { "usr.name", "http.url", "network.client.ip", "evt.name", "vigil.truncated" }.Select(n => new FieldSummary(Portal.Detection.Query.FieldKind.Attribute, n, 5))
            .Append(new FieldSummary(Portal.Detection.Query.FieldKind.Tag, "env", 3)).Append(new FieldSummary(Portal.Detection.Query.FieldKind.Tag, "@odd", 2)).ToList();
        var unpinned = new List<string>();
        var cut = _ctx.Render<LogFacets>(p => p.Add(x => x.Facets, facets).Add(x => x.Pinned, ["@usr.name", "@http.url"]).Add(x => x.Fields, fields)
            .Add(x => x.OnPin, _ => { }).Add(x => x.OnUnpin, f => unpinned.Add(f)));

        Assert.Equal(["status", "@usr.name", "@http.url", "@network.client.ip"], cut.FindAll(".facet-title").Select(t => t.TextContent));
        Assert.Equal("no values", cut.FindAll(".facet")[1].QuerySelector(".facet-empty")!.TextContent);
        // Added: every value counted; the panel's own attribute: its five commonest.
        Assert.Equal([7, 5], cut.FindAll(".facet").Skip(2).Select(f => f.QuerySelectorAll(".facet-value").Length));
        Assert.Equal(2, cut.FindAll(".facet-unpin").Count);
        cut.Find("button[aria-label='Remove the @http.url facet']").Click();
        Assert.Equal(["@http.url"], unpinned);
        Assert.Equal(["@network.client.ip", "@evt.name", "env"], cut.FindComponent<MudBlazor.MudSelect<string>>().FindComponents<MudBlazor.MudSelectItem<string>>().Select(i => i.Instance.Value));
    }

    /// <summary>
    /// Values of a field no facet counted are asked for as its value is typed, once a field (a field without values too)
    /// until the facets change; the facets' own values are never asked for.
    /// </summary>
    [Fact]
    public async Task QueryBar_FieldWithoutFacet_AsksItsValuesOnce()
    {
        var facets = new Dictionary<string, IReadOnlyList<FacetValue>> { ["status"] = [new("error", 3)] };
        var asked = new List<string>();
        Task<IReadOnlyList<FacetValue>> ValuesOf(string field)
        {
            asked.Add(field);
            return Task.FromResult<IReadOnlyList<FacetValue>>(field == "@usr.name" ? [new("root", 7), new("deploy", 2)] : []);
        }
        var cut = _ctx.Render<QueryBar>(p => p.Add(x => x.Facets, facets).Add(x => x.ValuesOf, ValuesOf).Add(x => x.Id, "q"));
        string[] Shown() => [.. cut.FindAll(".query-suggestion .mono").Select(o => o.TextContent)];

        cut.Find("#q").Input("status:");
        Assert.Equal(["status:error"], Shown());
        cut.Find("#q").Input("status:error @usr.name:");
        Assert.Equal(["@usr.name:root", "@usr.name:deploy"], Shown());
        cut.Find("#q").Input("status:error @usr.name:d");
        Assert.Equal(["@usr.name:deploy"], Shown());
        cut.Find("#q").Input("@nothing:a");
        cut.Find("#q").Input("@nothing:ab");
        Assert.Empty(Shown());
        Assert.Equal(["@usr.name", "@nothing"], asked);

        // An answer that comes after the list was closed does not open it again.
        var late = new TaskCompletionSource<IReadOnlyList<FacetValue>>();
        cut.Render(p => p.Add(x => x.ValuesOf, _ => late.Task));
        cut.Find("#q").Input("@late:");
        cut.Find("#q").KeyDown(new Microsoft.AspNetCore.Components.Web.KeyboardEventArgs { Key = "Escape" });
        await cut.InvokeAsync(() => late.SetResult([new("soon", 1)]));
        Assert.Equal("false", cut.Find("#q").GetAttribute("aria-expanded"));
        cut.Render(p => p.Add(x => x.ValuesOf, ValuesOf));

        // New facets (a new search): asked again.
        cut.Render(p => p.Add(x => x.Facets, new Dictionary<string, IReadOnlyList<FacetValue>>(facets)));
        cut.Find("#q").Input("@usr.name:r");
        Assert.Equal(["@usr.name:root"], Shown());
        Assert.Equal(["@usr.name", "@nothing", "@usr.name"], asked);

        // Within a scope (live tail's query and minute), new facets do not ask again; a new scope does.
        cut.Render(p => p.Add(x => x.ValuesScope, "live|a"));
        cut.Find("#q").Input("@usr.name:");
        cut.Render(p => p.Add(x => x.Facets, new Dictionary<string, IReadOnlyList<FacetValue>>(facets)));
        cut.Find("#q").Input("@usr.name:d");
        Assert.Equal(["@usr.name:deploy"], Shown());
        Assert.Equal(4, asked.Count);
        cut.Render(p => p.Add(x => x.ValuesScope, "live|b"));
        cut.Find("#q").Input("@usr.name:");
        Assert.Equal(5, asked.Count);
    }

    /// <summary>A row opens from the keyboard: its time is a button (in the tab order), whose click is the row's.</summary>
    [Fact]
    public void LogList_TimeButton_OpensItsLog()
    {
        var items = new[] { new Portal.Detection.Events.LogEvent { Id = "a", Timestamp = T0, Message = "one" }, new Portal.Detection.Events.LogEvent { Id = "b", Timestamp = T0, Message = "two" } };
        var opened = new List<string>();
        var cut = _ctx.Render<LogList>(p => p.Add(x => x.Items, items).Add(x => x.OnSelect, e => opened.Add(e.Id)));

        var buttons = cut.FindAll("button.log-open");
        Assert.Equal("Nov 27 10:00:00.000 UTC: open this log", buttons[1].GetAttribute("aria-label"));
        buttons[1].Click();
        Assert.Equal(["b"], opened);
    }

    /// <summary>
    /// A facet that may hold more values than it shows (its top ten, an attribute's top five shown) offers more; opened, it
    /// shows the values read for it, filterable past ten, and closes again; while they are read it says so. A facet with
    /// fewer values offers nothing.
    /// </summary>
    [Fact]
    public void LogFacets_ShowMore_OpensPastTheTopValuesFilterableAndCloses()
    {
        IReadOnlyList<FacetValue> Hosts(int count) => [.. Enumerable.Range(1, count).Select(i => new FacetValue($"web-{i:D2}", 100 - i))];
        var facets = new Dictionary<string, IReadOnlyList<FacetValue>> { ["host"] = Hosts(10), ["service"] = [new("api", 3)], ["@usr.name"] = Hosts(7) };
        var (asked, closed) = (new List<string>(), new List<string>());
        var cut = _ctx.Render<LogFacets>(p => p.Add(x => x.Facets, facets).Add(x => x.OnMore, f => asked.Add(f)).Add(x => x.OnLess, f => closed.Add(f)));
        string[] Values(string field) => [.. cut.FindAll(".facet").Single(f => f.QuerySelector(".facet-title")!.TextContent == field).QuerySelectorAll(".facet-name").Select(n => n.TextContent)];

        Assert.Equal(["Show more host values", "Show more @usr.name values"], cut.FindAll("button.facet-more").Select(b => b.GetAttribute("aria-label")));
        Assert.Equal(5, Values("@usr.name").Length);
        cut.Find("button[aria-label='Show more host values']").Click();
        Assert.Equal(["host"], asked);

        // Opened, it says it reads them (in a status region every such facet keeps), then shows them; its button turns.
        var opened = new HashSet<string> { "host" };
        cut.Render(p => p.Add(x => x.Opened, opened));
        Assert.Equal("Reading more values…", cut.FindAll(".facet [role=status]")[0].TextContent);
        Assert.Equal("true", cut.Find("button[aria-label='Show fewer host values']").GetAttribute("aria-expanded"));
        cut.Render(p => p.Add(x => x.More, new Dictionary<string, IReadOnlyList<FacetValue>> { ["host"] = Hosts(14) }));
        Assert.Equal(14, Values("host").Length);
        Assert.Equal("", cut.FindAll(".facet [role=status]")[0].TextContent);
        cut.Find("input[aria-label='Filter the host values']").Input("WEB-1");
        Assert.Equal(["web-10", "web-11", "web-12", "web-13", "web-14"], Values("host"));
        cut.Find("button[aria-label='Show fewer host values']").Click();
        Assert.Equal(["host"], closed);
        // Why an opened facet has none past its top values is said.
        cut.Render(p => p.Add(x => x.More, new Dictionary<string, IReadOnlyList<FacetValue>>())
            .Add(x => x.MoreNotes, new Dictionary<string, string> { ["host"] = "too many values to list: narrow the search" }));
        Assert.Equal("too many values to list: narrow the search", cut.FindAll(".facet [role=status]")[0].TextContent);
        Assert.Equal(10, Values("host").Length);

        cut.Render(p => p.Add(x => x.Opened, new HashSet<string>()));
        Assert.Equal(10, Values("host").Length);
        Assert.Empty(cut.FindAll(".facet-filter"));
        Assert.Equal("false", cut.Find("button[aria-label='Show more host values']").GetAttribute("aria-expanded"));
    }

    /// <summary>The search's free text is marked where the list's and the detail's messages hold it; the rest of the message is left as it is.</summary>
    [Fact]
    public void LogListAndDetail_MarkTheSearchsFreeText()
    {
        var failed = new Portal.Detection.Events.LogEvent { Id = "a", Timestamp = T0, Message = "Failed password for <root> from 203.0.113.9" };
        var accepted = new Portal.Detection.Events.LogEvent { Id = "b", Timestamp = T0, Message = "Accepted publickey for deploy" };
        var terms = Portal.Detection.Query.TextHighlights.Terms(Portal.Detection.Query.QueryParser.Parse("\"failed password\" OR publickey -service:web"));

        var list = _ctx.Render<LogList>(p => p.Add(x => x.Items, [failed, accepted]).Add(x => x.Highlights, terms));
        var detail = _ctx.Render<LogDetail>(p => p.Add(x => x.Event, failed).Add(x => x.Highlights, terms));

        Assert.Equal(["Failed password", "publickey"], list.FindAll("mark.search-hit").Select(m => m.TextContent));
        Assert.Equal("Failed password for <root> from 203.0.113.9", list.FindAll(".log-message")[0].TextContent);
        Assert.Equal(["Failed password"], detail.FindAll("#log-message mark.search-hit").Select(m => m.TextContent));
        Assert.Empty(_ctx.Render<LogList>(p => p.Add(x => x.Items, [failed])).FindAll("mark"));
    }

    /// <summary>Every time on the page is UTC, as the range form reads them and the export writes them, whatever the offset an event was sent with.</summary>
    [Fact]
    public void LogListDetailAndHistogram_ShowTimesInUtc()
    {
        var sent = new DateTimeOffset(2026, 11, 27, 15, 30, 1, 250, TimeSpan.FromHours(5.5));
        var e = new Portal.Detection.Events.LogEvent { Id = "e1", Timestamp = sent, Status = "info", Message = "m" };

        var list = _ctx.Render<LogList>(p => p.Add(x => x.Items, [e]));
        Assert.Equal("Date (UTC)", list.Find("th").TextContent.Trim());
        Assert.Equal("Nov 27 10:00:01.250", list.Find(".log-row .log-open").TextContent);
        Assert.Equal("2026-11-27 10:00:01.250 UTC", _ctx.Render<LogDetail>(p => p.Add(x => x.Event, e)).Find("#log-time").TextContent);
        var histogram = _ctx.Render<LogsHistogram>(p => p.Add(x => x.Buckets, [new HistogramBucket(sent, 3), new HistogramBucket(sent.AddMinutes(1), 0)])
            .Add(x => x.Interval, TimeSpan.FromMinutes(1)).Add(x => x.OnZoom, _ => { }));
        Assert.Equal(["Nov 27 10:00", "Nov 27 10:01 UTC"], histogram.FindAll(".histogram-axis > span").Select(s => s.TextContent).Where((_, i) => i != 1));
        Assert.StartsWith("Nov 27 10:00:01 UTC · 3 events", histogram.Find(".histogram-bar").GetAttribute("title"), StringComparison.Ordinal);
        Assert.StartsWith("Zoom in to Nov 27 10:00:01 UTC,", histogram.Find(".histogram-bar").GetAttribute("aria-label"), StringComparison.Ordinal);
    }

    [Fact]
    public void LogDetail_ArrowsAndButtons_MoveThroughTheListAndContextAsksForTheLogsAround()
    {
        var e = new Portal.Detection.Events.LogEvent { Id = "e1", Timestamp = T0, Host = "web-1", Message = "GET /" };
        var moves = new List<string>();
        Portal.Detection.Events.LogEvent? context = null;
        var cut = _ctx.Render<LogDetail>(p => p.Add(x => x.Event, e).Add(x => x.HasPrevious, false).Add(x => x.HasNext, true)
            .Add(x => x.OnPrevious, () => moves.Add("newer")).Add(x => x.OnNext, () => moves.Add("older")).Add(x => x.OnContext, shown => context = shown));

        Assert.True(cut.Find("#log-previous").HasAttribute("disabled"));
        Assert.Equal(("Newer log", "Older log"), (cut.Find("#log-previous").GetAttribute("aria-label"), cut.Find("#log-next").GetAttribute("aria-label")));
        cut.Find("#log-next").Click();
        cut.Find("#log-detail").KeyDown(new Microsoft.AspNetCore.Components.Web.KeyboardEventArgs { Key = "ArrowDown" });
        // No newer log: the up arrow does nothing.
        cut.Find("#log-detail").KeyDown(new Microsoft.AspNetCore.Components.Web.KeyboardEventArgs { Key = "ArrowUp" });
        cut.Render(p => p.Add(x => x.HasPrevious, true));
        cut.Find("#log-detail").KeyDown(new Microsoft.AspNetCore.Components.Web.KeyboardEventArgs { Key = "ArrowUp" });
        cut.Find("#log-context").Click();

        Assert.Equal(["older", "older", "newer"], moves);
        Assert.Same(e, context);
        // The detail took the focus for the arrows; closed, it takes no keys (its drawer is only slid away).
        _ctx.JSInterop.VerifyInvoke("vigil.focusSoon");
        cut.Render(p => p.Add(x => x.Open, false));
        cut.Find("#log-detail").KeyDown(new Microsoft.AspNetCore.Components.Web.KeyboardEventArgs { Key = "ArrowDown" });
        Assert.True(cut.Find("#log-detail").HasAttribute("inert"));
        Assert.Equal(3, moves.Count);
        // Reopened on the same log, it takes the focus again.
        cut.Render(p => p.Add(x => x.Open, true));
        _ctx.JSInterop.VerifyInvoke("vigil.focusSoon", 2);
        // A list shown oldest first: the log above is an older one, and the buttons say so.
        cut.Render(p => p.Add(x => x.OldestFirst, true));
        Assert.Equal(("Older log (↑)", "Newer log (↓)"), (cut.Find("#log-previous").GetAttribute("title"), cut.Find("#log-next").GetAttribute("title")));
        // Rendered again on the same log, it does not take the focus again (the member may have moved it).
        _ctx.JSInterop.VerifyInvoke("vigil.focusSoon", 2);
        // Without handlers, no such buttons.
        Assert.Empty(_ctx.Render<LogDetail>(p => p.Add(x => x.Event, e)).FindAll("#log-context, #log-previous, #log-next"));
        // A log with no host, service or source has no context to show.
        var bare = new Portal.Detection.Events.LogEvent { Id = "e2", Timestamp = T0, Message = "GET /" };
        Assert.Empty(_ctx.Render<LogDetail>(p => p.Add(x => x.Event, bare).Add(x => x.OnContext, _ => { })).FindAll("#log-context"));
    }

    /// <summary>The detail shows the attributes as a tree or as JSON (as stored, nested), the choice kept as it moves to another log.</summary>
    [Fact]
    public void LogDetail_AttributesAsJson_ShowsThemAsStored()
    {
        Portal.Detection.Events.LogEvent Log(string id, int status) => new()
        {
            Id = id, Timestamp = T0, Host = "web-1", Message = "GET /",
            Attributes = new JsonObject { ["http"] = new JsonObject { ["status_code"] = status, ["url"] = "/é" } },
        };
        var cut = _ctx.Render<LogDetail>(p => p.Add(x => x.Event, Log("e1", 200)));
        Assert.Empty(cut.FindAll("#log-json"));
        Assert.NotEmpty(cut.FindAll("#log-attributes"));

        cut.Find("#log-attributes-json").Click();

        var json = JsonNode.Parse(cut.Find("#log-json").TextContent)!;
        Assert.Equal((200, "/é"), ((int?)json["http"]!["status_code"], (string?)json["http"]!["url"]));
        Assert.Empty(cut.FindAll("#log-attributes"));
        Assert.Equal("true", cut.Find("#log-attributes-json").GetAttribute("aria-pressed"));
        cut.Render(p => p.Add(x => x.Event, Log("e2", 503)));
        Assert.Equal(503, (int?)JsonNode.Parse(cut.Find("#log-json").TextContent)!["http"]!["status_code"]);
        cut.Find("#log-attributes-tree").Click();
        Assert.Empty(cut.FindAll("#log-json"));
        Assert.NotEmpty(cut.FindAll("#log-attributes"));
    }

    /// <summary>
    /// The detail copies a link to the log and the log as JSON (its stored form, indented) to the clipboard, and says so; a
    /// browser that refuses the clipboard is told, not failed. Without a link, no link button.
    /// </summary>
    [Fact]
    public void LogDetail_CopyLinkAndJson_PutThemOnTheClipboard()
    {
        var e = new Portal.Detection.Events.LogEvent
        {
            Id = "e1", Timestamp = T0, Host = "web-1", Message = "GET /", Tags = ["env:prod"], Attributes = new JsonObject { ["http"] = new JsonObject { ["status_code"] = 200 } },
        };
        const string Link = "https://vigil.example/logs?range=custom&event=e1";
        var copies = _ctx.JSInterop.Setup<bool>("vigil.copyText", _ => true);
        copies.SetResult(true);
        var cut = _ctx.Render<LogDetail>(p => p.Add(x => x.Event, e).Add(x => x.Link, Link));

        cut.Find("#log-copy-link").Click();
        cut.Find("#log-copy-json").Click();

        var copied = copies.Invocations.Select(i => (string)i.Arguments[0]!).ToList();
        Assert.Equal(Link, copied[0]);
        var json = JsonNode.Parse(copied[1])!;
        Assert.Equal(("e1", "GET /", "web-1", "env:prod", 200), ((string?)json["id"], (string?)json["message"], (string?)json["host"], (string?)json["tags"]![0], (int?)json["attributes"]!["http"]!["status_code"]));
        Assert.Contains("\n  \"", copied[1], StringComparison.Ordinal);
        var snackbar = _ctx.Services.GetRequiredService<ISnackbar>();
        Assert.Equal(["Link to this log copied.", "This log copied as JSON."], snackbar.ShownSnackbars.Select(s => s.Message));
        snackbar.Clear();

        // As deep as the intake accepts (64 levels, its attributes one more in the stored form), past the serializer's default.
        var nested = new JsonObject { ["leaf"] = "deepest" };
        for (var level = 0; level < 70; level++)
        {
            nested = new JsonObject { ["n"] = nested };
        }
        var deep = _ctx.Render<LogDetail>(p => p.Add(x => x.Event, new Portal.Detection.Events.LogEvent { Id = "deep", Timestamp = T0, Attributes = nested }));
        deep.Find("#log-copy-json").Click();
        Assert.Contains("\"leaf\": \"deepest\"", (string)copies.Invocations.Last().Arguments[0]!, StringComparison.Ordinal);

        copies.SetResult(false);
        cut.Find("#log-copy-json").Click();
        Assert.Equal("Nothing was copied: the browser refused the clipboard.", snackbar.ShownSnackbars.Last().Message);
        Assert.Empty(_ctx.Render<LogDetail>(p => p.Add(x => x.Event, e)).FindAll("#log-copy-link"));
        Assert.Empty(cut.FindAll("#log-no-tags"));
        var untagged = new Portal.Detection.Events.LogEvent { Id = "e2", Timestamp = T0, Message = "GET /" };
        Assert.Equal("No tags", _ctx.Render<LogDetail>(p => p.Add(x => x.Event, untagged)).Find("#log-no-tags").TextContent);
    }

    [Fact]
    public void AttributeTree_WithoutAHandler_ShowsValuesWithoutButtons()
    {
        var cut = _ctx.Render<AttributeTree>(p => p.Add(x => x.Attributes, new JsonObject { ["a"] = "b", ["n"] = null }));

        Assert.Empty(cut.FindAll(".attr-actions"));
        Assert.Equal("null", cut.Find(".attr-null").TextContent);
        Assert.Equal("No attributes", _ctx.Render<AttributeTree>().Find(".attr-empty").TextContent);
    }
}
