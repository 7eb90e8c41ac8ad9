using Portal.Search;
using Portal.Web.Features.Logs;

namespace Portal.Web.Tests.Features.Logs;

/// <summary>The facets a user adds to the Logs page's panel: as the address keeps them, and where the panel shows them.</summary>
public sealed class PinnedFacetsTests
{
    [Theory]
    [InlineData("@usr.name,env", "@usr.name,env")]
    [InlineData(" @usr.name , @usr.name,,env ", "@usr.name,env")]
    // Reserved facets are always shown; the message, a bare @, a name no tag key has: none can be added.
    [InlineData("host,@usr.name,message,@,not a key,@a b,@a:b", "@usr.name")]
    [InlineData("@a,@b,@c,@d,@e,@f,@g", "@a,@b,@c,@d,@e,@f")]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void Parse_ThenFormat_KeepsWhatCanBeAFacet(string? address, string? expected) =>
        Assert.Equal(expected, PinnedFacets.Format(PinnedFacets.Parse(address)));

    [Fact]
    public void Compose_ReservedThenPinnedThenTheRangesOwn()
    {
        var counted = new Dictionary<string, IReadOnlyList<FacetValue>>
        {
            ["status"] = [new("info", 9)],
            ["host"] = [],
            ["@network.client.ip"] = [new("203.0.113.7", 4)],
            ["@usr.name"] = [new("root", 3)],
        };
        var pinned = new Dictionary<string, IReadOnlyList<FacetValue>> { ["env"] = [new("prod", 9)] };

        var panel = PinnedFacets.Compose(counted, ["env", "@usr.name", "@evt.name"], pinned);

        // A pinned facet the range also counts keeps its place among the pinned, with the range's values until counted
        // itself; one without values yet is shown empty, and left out of what the query bar completes from.
        Assert.Equal(["status", "host", "env", "@usr.name", "@evt.name", "@network.client.ip"], panel.Keys);
        Assert.Equal("prod", panel["env"][0].Value);
        Assert.Equal("root", panel["@usr.name"][0].Value);
        Assert.Empty(panel["@evt.name"]);
        Assert.Equal(["status", "host", "env", "@usr.name", "@network.client.ip"], PinnedFacets.Compose(counted, ["env", "@usr.name", "@evt.name"], pinned, uncounted: false).Keys);
    }
}
