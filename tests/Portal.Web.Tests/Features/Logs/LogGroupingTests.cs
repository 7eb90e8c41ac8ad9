using Portal.Detection.Query;
using Portal.Search;
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
        var request = new LogGrouping("@usr.name", AggregateFunction.Max, "@duration", 25).Request(new MatchAllNode(0), DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddHours(1));

        Assert.Equal([new AggregateMeasure(AggregateFunction.Max, new FieldRef(FieldKind.Attribute, "duration")), new AggregateMeasure(AggregateFunction.Count)], request.Computes);
        var level = Assert.Single(request.GroupBy);
        Assert.Equal((new FieldRef(FieldKind.Attribute, "usr.name"), 25, true, AggregateFunction.Max), (level.Facet, level.Limit, level.Sort.Descending, level.Sort.Measure!.Function));
    }
}
