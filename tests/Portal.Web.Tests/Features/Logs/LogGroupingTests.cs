using Portal.Detection.Query;
using Portal.Search;
using Portal.Web.Components.Shared;
using Portal.Web.Features.Logs;

namespace Portal.Web.Tests.Features.Logs;

/// <summary>The top list's state as the address holds it: read back as written, and what cannot be read falls back.</summary>
public sealed class LogGroupingTests
{
    [Theory]
    [InlineData("service", null, null, "service|count||10")]
    [InlineData("@http.status_code", "pc95(@duration)", "25", "@http.status_code|pc95|@duration|25")]
    [InlineData("team", "cardinality(host)", "50", "team|cardinality|host|50")]
    // A function chosen before its field: kept, the page asks for the field.
    [InlineData("host", "avg()", null, "host|avg||10")]
    // A numeric measure of a reserved attribute, an unknown function, an unbalanced measure, a limit not offered: the count of ten groups.
    [InlineData("host", "avg(service)", "7", "host|count||10")]
    [InlineData("host", "mean(@duration)", null, "host|count||10")]
    [InlineData("host", "avg(@duration", null, "host|count||10")]
    public void Parse_ReadsOrFallsBack(string by, string? measure, string? top, string expected)
    {
        var grouping = LogGrouping.Parse(by, measure, top)!;

        Assert.Equal(expected, $"{grouping.By}|{AggregateMeasure.NameOf(grouping.Function)}|{grouping.Metric}|{grouping.Limit}");
        Assert.Equal(grouping, LogGrouping.Parse(grouping.By, grouping.Measure, grouping.Limit.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("message")]
    [InlineData("@")]
    [InlineData("not a field")]
    public void Parse_NoField_NoGrouping(string? by) => Assert.Null(LogGrouping.Parse(by, "count", "10"));

    [Fact]
    public void Request_MeasureThenCountLargestFirst()
    {
        var request = new LogGrouping("@usr.name", AggregateFunction.Max, "@duration", 25).Request(new MatchAllNode(0), DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddHours(1), TimeSpan.FromMinutes(1), TimeSpan.Zero);

        Assert.Equal([new AggregateMeasure(AggregateFunction.Max, new FieldRef(FieldKind.Attribute, "duration")), new AggregateMeasure(AggregateFunction.Count)], request.Computes);
        var level = Assert.Single(request.GroupBy);
        Assert.Equal((new FieldRef(FieldKind.Attribute, "usr.name"), 25, true, AggregateFunction.Max), (level.Facet, level.Limit, level.Sort.Descending, level.Sort.Measure!.Function));
    }

    /// <summary>A timeseries asks for the measure over the histogram's buckets too, on the clock's multiples.</summary>
    [Fact]
    public void Request_Timeseries_AddsTheMeasureOverTheBuckets()
    {
        var grouping = new LogGrouping("service", AggregateFunction.Avg, "@duration", View: LogGroupView.Timeseries);

        var request = grouping.Request(new MatchAllNode(0), DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddDays(1), TimeSpan.FromMinutes(30), TimeSpan.FromHours(5.5));

        var avg = new AggregateMeasure(AggregateFunction.Avg, new FieldRef(FieldKind.Attribute, "duration"));
        Assert.Equal([avg, new AggregateMeasure(AggregateFunction.Count), avg with { Interval = TimeSpan.FromMinutes(30) }], request.Computes);
        Assert.Equal(TimeSpan.FromHours(5.5), request.Offset);
        Assert.Equal(avg, Assert.Single(request.GroupBy).Sort.Measure);
    }

    /// <summary>The view in the address: <c>viz=timeseries</c> (Datadog's name), its own numbers of groups; anything else is the top list.</summary>
    [Theory]
    [InlineData("timeseries", "5", LogGroupView.Timeseries, 5)]
    [InlineData("timeseries", "25", LogGroupView.Timeseries, 10)]
    [InlineData("timeseries", null, LogGroupView.Timeseries, 10)]
    [InlineData("toplist", "25", LogGroupView.TopList, 25)]
    [InlineData(null, "5", LogGroupView.TopList, 10)]
    [InlineData("pie", "50", LogGroupView.TopList, 50)]
    public void Parse_View(string? viz, string? top, LogGroupView view, int limit)
    {
        var grouping = LogGrouping.Parse("service", null, top, viz)!;

        Assert.Equal((view, limit), (grouping.View, grouping.Limit));
        Assert.Equal(grouping, LogGrouping.Parse("service", null, top, grouping.ViewName));
    }

    /// <summary>A table's second field (<c>then</c>): read in a table only, never the first field again, a field or nothing.</summary>
    [Theory]
    [InlineData("table", "@http.method", "@http.method")]
    [InlineData("table", "host", "host")]
    [InlineData("table", "service", null)]
    [InlineData("table", "not a field", null)]
    [InlineData("table", null, null)]
    [InlineData("timeseries", "host", null)]
    [InlineData(null, "host", null)]
    public void Parse_Then(string? viz, string? then, string? expected)
    {
        var grouping = LogGrouping.Parse("service", "count", "25", viz, then)!;

        Assert.Equal(expected, grouping.Then);
        Assert.Equal(grouping, LogGrouping.Parse("service", "count", "25", grouping.ViewName, grouping.Then));
    }

    /// <summary>A table of two fields groups by both, the second's largest groups within each of the first's.</summary>
    [Fact]
    public void Request_TableOfTwoFields_TwoLevels()
    {
        var grouping = new LogGrouping("service", AggregateFunction.Sum, "@bytes", 25, LogGroupView.Table, Then: "env");

        var request = grouping.Request(new MatchAllNode(0), DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddHours(1), TimeSpan.FromMinutes(1), TimeSpan.Zero);

        Assert.Equal([(new FieldRef(FieldKind.Reserved, "service"), 25), (new FieldRef(FieldKind.Tag, "env"), LogGrouping.ThenLimit)], request.GroupBy.Select(g => (g.Facet, g.Limit)));
        Assert.All(request.GroupBy, g => Assert.Equal(new AggregateSort(Descending: true, new AggregateMeasure(AggregateFunction.Sum, new FieldRef(FieldKind.Attribute, "bytes"))), g.Sort));
        Assert.Equal([null, LogGrouping.NoValue], request.GroupBy.Select(g => g.Missing));
        Assert.Equal(2, request.Computes.Count);
        // Shown another way, the grouping forgets its second field.
        Assert.Null(grouping.In(LogGroupView.TopList).Then);
        Assert.Equal(["service"], grouping with { View = LogGroupView.TopList } is var list ? list.Levels : []);
    }

    /// <summary>Switching views keeps the number of groups where the other view offers it.</summary>
    [Fact]
    public void In_KeepsTheLimitTheViewOffers()
    {
        var fifty = new LogGrouping("host", Limit: 50);
        var five = new LogGrouping("host", Limit: 5, View: LogGroupView.Timeseries);

        Assert.Equal((LogGroupView.Timeseries, 10), (fifty.In(LogGroupView.Timeseries).View, fifty.In(LogGroupView.Timeseries).Limit));
        Assert.Equal((LogGroupView.TopList, 10), (five.In(LogGroupView.TopList).View, five.In(LogGroupView.TopList).Limit));
        Assert.Equal(10, new LogGrouping("host").In(LogGroupView.Timeseries).In(LogGroupView.TopList).Limit);
    }

    /// <summary>
    /// A group's terms: one level its value kept or excluded; a group within another its logs of that group (both values
    /// kept, or excluded together); "no value" the field absent (or present, excluded); a value no term can hold, none.
    /// </summary>
    [Theory]
    [InlineData("service=web", false, "service:web")]
    [InlineData("service=web", true, "-service:web")]
    [InlineData("@http.url=/a b", false, "@http.url:\"/a b\"")]
    [InlineData("service=web|@http.method=GET", false, "service:web|@http.method:GET")]
    [InlineData("service=web|@http.method=GET", true, "-(service:web @http.method:GET)")]
    [InlineData("service=web|env=", false, "service:web|-env:*")]
    [InlineData("service=web|@http.method=", true, "-(service:web -@http.method:*)")]
    [InlineData("status=", false, "-status:*")]
    [InlineData("status=", true, "status:*")]
    public void GroupCell_Terms(string levels, bool exclude, string expected)
    {
        var cell = new GroupCell([.. levels.Split('|').Select(l => l.Split('=')).Select(p => (p[0], p[1].Length == 0 ? null : (string?)p[1]))]);

        var terms = cell.Terms(exclude)!;

        Assert.Equal(expected, string.Join('|', terms));
        // Each narrows the query as it says: it parses on its own and all together.
        Assert.All(terms, t => Assert.True(QueryParser.TryParse(t, out _, out _), t));
    }

    [Fact]
    public void GroupCell_UnsearchableValue_NoTerms()
    {
        var tooLong = new string('a', QueryCompletion.MaxTermValue + 1);

        Assert.Null(new GroupCell([("service", "web"), ("@http.url", tooLong)]).Terms(exclude: false));
        Assert.Null(new GroupCell([("service", "web"), ("@http.url", tooLong)]).Terms(exclude: true));
        Assert.Null(new GroupCell([("@http.url", tooLong)]).Terms(exclude: true));
        Assert.Equal("service:web -@http.method:*", new GroupCell([("service", "web"), ("@http.method", null)]).Label);
    }
}
