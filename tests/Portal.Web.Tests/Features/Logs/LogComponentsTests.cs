using Bunit;
using MudBlazor.Services;
using Portal.Search;
using Portal.Web.Features.Logs;

namespace Portal.Web.Tests.Features.Logs;

/// <summary>bUnit specifications of the Logs Explorer's facet panel and histogram.</summary>
public sealed class LogComponentsTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 10, 0, 0, TimeSpan.Zero);
    private readonly BunitContext _ctx = new();

    public LogComponentsTests()
    {
        _ctx.Services.AddMudServices();
        _ctx.JSInterop.Mode = JSRuntimeMode.Loose;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _ctx.DisposeAsync();

    [Fact]
    public void LogFacets_ClickValue_RaisesFieldAndValue()
    {
        (string, string)? picked = null;
        var facets = new Dictionary<string, IReadOnlyList<FacetValue>>
        {
            ["host"] = [new("bastion-1", 1200), new("web-2", 3)],
            ["service"] = [],
        };
        var cut = _ctx.Render<LogFacets>(p => p.Add(x => x.Facets, facets).Add(x => x.OnPick, pick => picked = pick));

        Assert.Contains("1,200", cut.Find(".facet-value").TextContent, StringComparison.Ordinal);
        Assert.Equal("no values", cut.Find(".facet-empty").TextContent);
        cut.FindAll(".facet-value")[1].Click();
        Assert.Equal(("host", "web-2"), picked);
    }

    [Fact]
    public void LogsHistogram_BarsScaleToTheLargestBucket()
    {
        var buckets = new[] { new HistogramBucket(T0, 10), new HistogramBucket(T0.AddMinutes(1), 0), new HistogramBucket(T0.AddMinutes(2), 5) };
        var cut = _ctx.Render<LogsHistogram>(p => p.Add(x => x.Buckets, buckets).Add(x => x.Interval, TimeSpan.FromMinutes(1)));

        var bars = cut.FindAll(".histogram-bar span");
        Assert.Equal(["height:100%", "height:0%", "height:50%"], bars.Select(b => b.GetAttribute("style")));
        Assert.Contains("15 events · 1 min buckets", cut.Find(".histogram-axis").TextContent, StringComparison.Ordinal);
    }
}
