using Portal.Detection.Events;
using Portal.Detection.Query;
using Portal.Search;
using Portal.Search.Lucene;
using Portal.Web.Features.Logs;
using Portal.Web.Tests.Infrastructure;

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
        // Counted itself without values (too many to count), the range's own values stay.
        Assert.Equal("root", PinnedFacets.Compose(counted, ["@usr.name"], new Dictionary<string, IReadOnlyList<FacetValue>> { ["@usr.name"] = [] })["@usr.name"][0].Value);
    }

    /// <summary>
    /// Counted on a real store: a number's values and its least and greatest among the organisation's matches; text that
    /// reads as numbers (ids sent as strings) has no range; another organisation's logs never count.
    /// </summary>
    [Fact]
    public async Task CountAsync_NumbersHaveARange_TextDoesNot()
    {
        using var directory = new PortalDataDirectory("pinned-facets");
        using var indexes = new TenantIndexes(directory.Path);
        var store = new LuceneLogStore(indexes);
        var (tenant, other, now) = (Guid.NewGuid(), Guid.NewGuid(), DateTimeOffset.UtcNow);
        LogEvent Log(string id, double duration, string code) => new()
        {
            Id = id, Timestamp = now.AddMinutes(-1), Message = "m", Attributes = new System.Text.Json.Nodes.JsonObject { ["duration"] = duration, ["code"] = code },
            Tags = [$"port:{(int)duration}"],
        };
        await store.AppendAsync(tenant, [Log("a", 3, "007"), Log("b", 3, "42"), Log("c", 250.5, "42")], CancellationToken.None);
        await store.AppendAsync(other, [Log("x", 1, "1"), Log("y", 9000, "9")], CancellationToken.None);
        await store.RefreshAsync(tenant, CancellationToken.None);
        await store.RefreshAsync(other, CancellationToken.None);
        Task<FacetCount> Count(string field) => PinnedFacets.CountAsync(store, tenant, field, new MatchAllNode(0), now.AddHours(-1), now);

        var duration = await Count("@duration");
        Assert.Equal(["3 2", "250.5 1"], duration.Values.Select(v => $"{v.Value} {v.Count}"));
        Assert.Equal((3, 250.5), duration.Range);
        var code = await Count("@code");
        Assert.Equal(["42 2", "007 1"], code.Values.Select(v => $"{v.Value} {v.Count}"));
        Assert.Null(code.Range);
        // A tag key's values may read as numbers; ranges are of attributes only.
        var port = await Count("port");
        Assert.Equal(["3 2", "250 1"], port.Values.Select(v => $"{v.Value} {v.Count}"));
        Assert.Null(port.Range);
    }
}
