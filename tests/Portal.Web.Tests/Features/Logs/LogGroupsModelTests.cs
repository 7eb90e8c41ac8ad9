using Portal.Detection.Events;
using Portal.Detection.Query;
using Portal.Search.Lucene;
using Portal.Web.Features.Logs;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.Logs;

/// <summary>The grouping card's state on a real Lucene store: only the latest computation shows, and only the organisation's own logs count.</summary>
public sealed class LogGroupsModelTests : IDisposable
{
    private static readonly Guid Tenant = Guid.NewGuid();
    private static readonly Guid OtherTenant = Guid.NewGuid();
    private readonly PortalDataDirectory _directory = new("log-groups-model");
    private readonly TenantIndexes _indexes;
    private readonly LuceneLogStore _store;

    public LogGroupsModelTests()
    {
        _indexes = new TenantIndexes(_directory.Path);
        _store = new LuceneLogStore(_indexes);
    }

    public void Dispose()
    {
        _indexes.Dispose();
        _directory.Dispose();
    }

    /// <summary>
    /// A changed grouping's computation overtaken by a search's is not shown, nor is it loading any more; a search's
    /// computation overtaken by a cleared card (a new view) is not shown either.
    /// </summary>
    [Fact]
    public async Task OnlyTheLatestComputation_IsShown()
    {
        var now = DateTimeOffset.UtcNow;
        LogEvent Log(string id, string service) => new() { Id = id, Timestamp = now.AddMinutes(-5), Service = service, Status = "info", Message = "GET /" };
        await _store.AppendAsync(Tenant, [Log("a1", "api"), Log("a2", "api"), Log("w1", "web")], CancellationToken.None);
        await _store.AppendAsync(OtherTenant, [Log("x1", "web"), Log("x2", "web"), Log("x3", "web")], CancellationToken.None);
        await _store.RefreshAsync(Tenant, CancellationToken.None);
        await _store.RefreshAsync(OtherTenant, CancellationToken.None);
        var model = new LogGroupsModel(_store, TimeProvider.System);
        model.Ask(new LogGrouping("service"), patterns: false);
        Task<LogGroupsModel.View> Compute() => model.ComputeAsync(Tenant, new MatchAllNode(0), now.AddHours(-1), now, TimeSpan.FromMinutes(1), TimeSpan.Zero);

        var changed = model.Start(loading: true);
        Assert.True(model.Loading);
        var stale = await Compute();
        var search = model.Start();
        Assert.False(model.Loading);
        model.Show(changed, stale);
        model.End(changed);
        Assert.Empty(model.Groups);

        model.Show(search, await Compute());
        Assert.Equal(["api 2", "web 1"], model.Groups.Select(g => $"{g.By[0]} {g.Computes[0].Total}"));

        var overtaken = model.Start();
        var view = await Compute();
        model.Clear();
        model.Show(overtaken, view);
        Assert.Empty(model.Groups);
        Assert.True(model.Asked);
        model.Ask(null, patterns: false);
        Assert.False(model.Asked);
        Assert.Same(LogGroupsModel.View.None, await Compute());
    }
}
