using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data.Identity;
using Portal.Data.Views;
using Portal.Detection.Events;
using Portal.Search;
using Portal.Search.Lucene;
using Portal.Web.Features.Logs;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.Logs;

/// <summary>
/// bUnit specifications of the Logs Explorer's saved views, on the portal's real database and a real Lucene store: saved
/// from the page and opened again, by the list or a link, modified and saved again, reverted, renamed, deleted; a role that
/// may not save them; another organisation's views never listed nor opened.
/// </summary>
[Collection("portal")]
public sealed class LogsSavedViewsTests(PortalFixture portal) : IAsyncLifetime
{
    private readonly BunitContext _ctx = new();
    private readonly LogStoreDirectory _logs = new("logs-views");

    private LuceneLogStore Store => _logs.Store;

    private SavedViews Views => portal.Services.GetRequiredService<SavedViews>();

    public Task InitializeAsync()
    {
        BunitSession.AddPageServices(_ctx, portal);
        _ctx.Services.AddSingleton<ILogStore>(Store);
        _ctx.Services.AddSingleton(TimeProvider.System);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _ctx.DisposeAsync();
        _logs.Dispose();
    }

    [Fact]
    public async Task SaveAsView_OpensIt_ThenModifiedUntilItsChangesAreSaved()
    {
        var tenant = await OrganisationWithLogsAsync();
        var cut = Render(tenant, "logs?q=host:bastion&range=4h");
        Assert.Equal("3 logs", cut.Find("#log-count").TextContent);
        Assert.Empty(cut.FindAll("#saved-view-head"));

        cut.Find("#save-view").Click();
        cut.Settle();
        cut.WaitForElement("#save-view-name").Input("SSH brute force");
        cut.Find("#save-view-submit").Click();
        cut.Settle();

        cut.WaitForAssertion(() => Assert.Equal("SSH brute force", cut.Find("#saved-view-name").TextContent));
        var saved = Assert.Single(await Views.ListAsync(tenant.Id, SavedViews.LogsPage));
        Assert.Equal(("q=host%3Abastion&range=4h", "analyst@example.test"), (saved.State, saved.CreatedBy));
        Assert.Equal(saved.Id, Address("saved"));
        var row = cut.Find("#saved-views a.saved-view");
        Assert.Equal(("page", $"logs?q=host%3Abastion&range=4h&saved={saved.Id}"), (row.GetAttribute("aria-current"), row.GetAttribute("href")));
        Assert.Empty(cut.FindAll("#saved-view-modified"));

        cut.Find("#log-query").Input("host:web");
        cut.Find("#log-search").Click();
        cut.Settle();
        cut.WaitForAssertion(() => Assert.Equal("5 logs", cut.Find("#log-count").TextContent));
        Assert.NotEmpty(cut.FindAll("#saved-view-modified"));
        Assert.NotEmpty(cut.FindAll("#saved-views .saved-view-dot"));
        Assert.Equal(saved.Id, Address("saved"));
        Assert.Equal($"logs?q=host%3Abastion&range=4h&saved={saved.Id}", cut.Find("#saved-view-revert").GetAttribute("href"));

        cut.Find("#saved-view-update").Click();
        cut.Settle();
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("#saved-view-modified")));
        Assert.Equal("q=host%3Aweb&range=4h", (await Views.GetAsync(tenant.Id, saved.Id))!.State);
    }

    [Fact]
    public async Task SaveAsView_NameTaken_SaysSoInTheDialogAndSavesNothing()
    {
        var tenant = await OrganisationWithLogsAsync();
        await Views.CreateAsync(tenant.Id, SavedViews.LogsPage, "Web", "q=host%3Aweb&range=1h", null);
        var cut = Render(tenant, "logs?q=host:bastion");

        cut.Find("#save-view").Click();
        cut.Settle();
        cut.WaitForElement("#save-view-name").Input("WEB");
        cut.Find("#save-view-submit").Click();
        cut.Settle();

        cut.WaitForAssertion(() => Assert.Contains("A view named “Web” exists already", cut.Find(".mud-dialog").TextContent, StringComparison.Ordinal));
        Assert.Single(await Views.ListAsync(tenant.Id, SavedViews.LogsPage));
        Assert.Empty(cut.FindAll("#saved-view-head"));
        Assert.Null(Address("saved"));
    }

    [Fact]
    public async Task LinkToAViewAlone_TakesItsState_AndTheListOpensAnother()
    {
        var tenant = await OrganisationWithLogsAsync();
        var (bastion, _) = await Views.CreateAsync(tenant.Id, SavedViews.LogsPage, "Bastions", "q=host%3Abastion&range=4h&cols=%40usr.name", null);
        var (web, _) = await Views.CreateAsync(tenant.Id, SavedViews.LogsPage, "Web", "q=host%3Aweb&range=4h", null);

        var cut = Render(tenant, $"logs?saved={bastion!.Id}");

        cut.WaitForAssertion(() => Assert.Equal("3 logs", cut.Find("#log-count").TextContent));
        Assert.Equal("host:bastion", cut.Find("#log-query").GetAttribute("value"));
        Assert.Equal("Bastions", cut.Find("#saved-view-name").TextContent);
        Assert.Empty(cut.FindAll("#saved-view-modified"));
        Assert.Equal(("host:bastion", "4h", "@usr.name", bastion.Id), (Address("q"), Address("range"), Address("cols"), Address("saved")));
        Assert.Equal(["Bastions", "Web"], cut.FindAll("#saved-views a.saved-view").Select(a => a.TextContent.Trim()));

        await cut.InvokeAsync(() => Navigation.NavigateTo(cut.FindAll("#saved-views a.saved-view")[1].GetAttribute("href")!));
        cut.Settle();

        cut.WaitForAssertion(() => Assert.Equal("5 logs", cut.Find("#log-count").TextContent));
        Assert.Equal(("Web", "host:web"), (cut.Find("#saved-view-name").TextContent, cut.Find("#log-query").GetAttribute("value")));
        Assert.Equal(web!.Id, Address("saved"));
        Assert.Equal(web.Id, cut.Find("#saved-views a.saved-view[aria-current=page]").GetAttribute("href")![^12..]);
    }

    /// <summary>
    /// A link to a view that names a log too: the view's state, the log open in the detail; the view is not modified by
    /// the log open, nor saved with it.
    /// </summary>
    [Fact]
    public async Task LinkToAViewWithALog_TakesItsStateAndOpensTheLog()
    {
        var tenant = await OrganisationWithLogsAsync();
        var (bastion, _) = await Views.CreateAsync(tenant.Id, SavedViews.LogsPage, "Bastions", "q=host%3Abastion&range=4h", null);
        var logs = await Store.SearchAsync(tenant.Id, new SearchRequest(Portal.Detection.Query.QueryParser.Parse("host:bastion"), DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow), CancellationToken.None);
        var log = logs.Items[1];

        var cut = Render(tenant, $"logs?saved={bastion!.Id}&{LogsPage.EventParameter}={log.Id}");

        cut.WaitForAssertion(() => Assert.Equal("3 logs", cut.Find("#log-count").TextContent));
        cut.WaitForAssertion(() => Assert.Null(cut.Find("#log-detail").GetAttribute("inert")));
        Assert.Equal(log.Message, cut.Find("#log-message").TextContent);
        Assert.Equal(("host:bastion", bastion.Id, log.Id), (Address("q"), Address("saved"), Address(LogsPage.EventParameter)));
        Assert.Empty(cut.FindAll("#saved-view-modified"));
    }

    /// <summary>A state the page would write otherwise (a range it does not know, a column without its @) opens as the page reads it, unmodified.</summary>
    [Fact]
    public async Task ViewSavedOtherwise_OpensAsThePageReadsIt_NotModified()
    {
        var tenant = await OrganisationWithLogsAsync();
        var (view, _) = await Views.CreateAsync(tenant.Id, SavedViews.LogsPage, "Odd", "range=9y&cols=usr.name&q=host%3Aweb", null);

        var cut = Render(tenant, $"logs?saved={view!.Id}");

        cut.WaitForAssertion(() => Assert.Equal("5 logs", cut.Find("#log-count").TextContent));
        Assert.Equal(("1h", null), (Address("range"), Address("cols")));
        Assert.Empty(cut.FindAll("#saved-view-modified"));
    }

    /// <summary>A view keeps the list's order: saved oldest first, it opens so; saved in live tail, which shows the newest first, its order is dropped and it opens unmodified.</summary>
    [Fact]
    public async Task View_KeepsTheListsOrder_ExceptInLiveTail()
    {
        var tenant = await OrganisationWithLogsAsync();
        var (oldest, _) = await Views.CreateAsync(tenant.Id, SavedViews.LogsPage, "Oldest", "q=host%3Aweb&range=1h&sort=asc", null);
        var (live, _) = await Views.CreateAsync(tenant.Id, SavedViews.LogsPage, "Live", "q=host%3Aweb&live=true&sort=asc", null);

        var cut = Render(tenant, $"logs?saved={oldest!.Id}");
        Assert.Equal(["line 7", "line 6", "line 5", "line 4", "line 3"], cut.FindAll("tr.log-row .log-message").Select(m => m.TextContent));
        Assert.Equal("asc", Address("sort"));
        Assert.Empty(cut.FindAll("#saved-view-modified"));

        await cut.InvokeAsync(() => Navigation.NavigateTo($"logs?saved={live!.Id}"));
        cut.Settle();
        cut.WaitForAssertion(() => Assert.Equal("Live", cut.Find("#saved-view-name").TextContent));
        Assert.Equal(["line 3", "line 4", "line 5", "line 6", "line 7"], cut.FindAll("tr.log-row .log-message").Select(m => m.TextContent));
        Assert.Equal(("true", null), (Address("live"), Address("sort")));
        Assert.Empty(cut.FindAll("#saved-view-modified"));
    }

    /// <summary>The demo organisation's views: each opens, its query without fault, as saved (written as the page writes them).</summary>
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public async Task DemoView_OpensAsSaved(int index)
    {
        var tenant = await OrganisationWithLogsAsync();
        await Portal.Web.Features.Demo.DemoViews.SeedAsync(Views, tenant.Id, CancellationToken.None);
        var views = await Views.ListAsync(tenant.Id, SavedViews.LogsPage);
        Assert.Equal(Portal.Web.Features.Demo.DemoViews.All.Select(v => v.Name).Order(StringComparer.OrdinalIgnoreCase), views.Select(v => v.Name));
        var view = views.Single(v => v.Name == Portal.Web.Features.Demo.DemoViews.All[index].Name);

        var cut = Render(tenant, $"logs?saved={view.Id}");

        cut.WaitForAssertion(() => Assert.Equal(view.Name, cut.Find("#saved-view-name").TextContent));
        Assert.Empty(cut.FindAll("#saved-view-modified"));
        Assert.Empty(cut.FindAll(".mud-input-error, #log-search-error"));
        // Every part of the view as seeded is the page's: none dropped or read otherwise.
        var seeded = QueryHelpers.ParseQuery(view.State);
        Assert.Equal(seeded["q"].ToString(), cut.Find("#log-query").GetAttribute("value"));
        Assert.All(seeded, p => Assert.Equal(p.Value.ToString(), Address(p.Key)));
    }

    /// <summary>A link to the view open, alone (another tab's, a bookmark), shows it as saved even while it is modified.</summary>
    [Fact]
    public async Task LinkToTheOpenViewAlone_ShowsItAsSaved()
    {
        var tenant = await OrganisationWithLogsAsync();
        var (view, cut) = await OpenModifiedAsync(tenant);

        await cut.InvokeAsync(() => Navigation.NavigateTo($"logs?saved={view.Id}"));
        cut.Settle();

        cut.WaitForAssertion(() => Assert.Equal("3 logs", cut.Find("#log-count").TextContent));
        Assert.Equal(("host:bastion", "4h", view.Id), (cut.Find("#log-query").GetAttribute("value"), Address("range"), Address("saved")));
        Assert.Empty(cut.FindAll("#saved-view-modified"));
    }

    /// <summary>Saving changes to a view another member deleted meanwhile says so and closes it; the page keeps its logs.</summary>
    [Fact]
    public async Task SaveChanges_ToAViewDeletedMeanwhile_SaysSoAndClosesIt()
    {
        var tenant = await OrganisationWithLogsAsync();
        var (view, cut) = await OpenModifiedAsync(tenant);
        await Views.DeleteAsync(tenant.Id, view.Id);

        cut.Find("#saved-view-update").Click();
        cut.Settle();

        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("#saved-view-head")));
        Assert.Null(Address("saved"));
        Assert.Empty(cut.FindAll("#saved-views a.saved-view"));
        Assert.Equal(("8 logs", "*"), (cut.Find("#log-count").TextContent, Address("q")));
        Assert.Empty(await Views.ListAsync(tenant.Id, SavedViews.LogsPage));
    }

    [Fact]
    public async Task Revert_ShowsTheViewAsSaved()
    {
        var tenant = await OrganisationWithLogsAsync();
        var (_, cut) = await OpenModifiedAsync(tenant);

        await cut.InvokeAsync(() => Navigation.NavigateTo(cut.Find("#saved-view-revert").GetAttribute("href")!));
        cut.Settle();

        cut.WaitForAssertion(() => Assert.Equal("3 logs", cut.Find("#log-count").TextContent));
        Assert.Equal("host:bastion", cut.Find("#log-query").GetAttribute("value"));
        Assert.Empty(cut.FindAll("#saved-view-modified"));
    }

    [Fact]
    public async Task RenameAndDelete_TheOpenView()
    {
        var tenant = await OrganisationWithLogsAsync();
        var (view, _) = await Views.CreateAsync(tenant.Id, SavedViews.LogsPage, "Bastions", "q=host%3Abastion&range=4h", null);
        var cut = Render(tenant, $"logs?saved={view!.Id}");

        cut.Find("#saved-view-rename button, button#saved-view-rename").Click();
        cut.Settle();
        var name = cut.WaitForElement("#save-view-name");
        Assert.Equal("Bastions", name.GetAttribute("value"));
        name.Input("Jump hosts");
        cut.Find("#save-view-submit").Click();
        cut.Settle();
        cut.WaitForAssertion(() => Assert.Equal("Jump hosts", cut.Find("#saved-view-name").TextContent));
        Assert.Equal(("Jump hosts", "q=host%3Abastion&range=4h"), ((await Views.GetAsync(tenant.Id, view.Id))!.Name, (await Views.GetAsync(tenant.Id, view.Id))!.State));

        cut.Find("#saved-view-delete button, button#saved-view-delete").Click();
        cut.Settle();
        cut.WaitForAssertion(() => cut.FindAll(".mud-dialog button").Single(b => b.TextContent.Trim() == "Delete").Click());

        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("#saved-view-head")));
        Assert.Empty(await Views.ListAsync(tenant.Id, SavedViews.LogsPage));
        Assert.Empty(cut.FindAll("#saved-views a.saved-view"));
        Assert.Null(Address("saved"));
        // The page keeps showing what it showed.
        Assert.Equal(("3 logs", "host:bastion"), (cut.Find("#log-count").TextContent, Address("q")));
    }

    [Fact]
    public async Task ReadOnlyMember_OpensViewsButCannotSaveOrChangeThem()
    {
        var tenant = await OrganisationWithLogsAsync();

        var (_, cut) = await OpenModifiedAsync(tenant, VigilRoles.ReadOnly);

        Assert.Equal("Bastions", cut.Find("#saved-view-name").TextContent);
        Assert.True(cut.Find("#save-view").HasAttribute("disabled"));
        Assert.Empty(cut.FindAll("#saved-view-rename, #saved-view-delete, #saved-view-update"));
        Assert.NotEmpty(cut.FindAll("#saved-view-revert"));
    }

    [Fact]
    public async Task AnotherOrganisationsView_NeitherListedNorOpened()
    {
        var tenant = await OrganisationWithLogsAsync();
        var other = await portal.CreateTenantAsync();
        var (theirs, _) = await Views.CreateAsync(other.Id, SavedViews.LogsPage, "Their secrets", "q=host%3Abastion&range=4h", null);
        await Views.CreateAsync(tenant.Id, SavedViews.LogsPage, "Ours", "q=host%3Aweb&range=4h", null);

        var cut = Render(tenant, $"logs?saved={theirs!.Id}");

        cut.WaitForAssertion(() => Assert.Equal("The saved view in this address no longer exists.", cut.Find("#saved-view-note").TextContent));
        Assert.Empty(cut.FindAll("#saved-view-head"));
        Assert.Equal(["Ours"], cut.FindAll("#saved-views a.saved-view").Select(a => a.TextContent.Trim()));
        // The page's own search, over the past hour: not the other organisation's view's.
        Assert.Equal(("", "8 logs"), (cut.Find("#log-query").GetAttribute("value") ?? "", cut.Find("#log-count").TextContent));
        Assert.Null(Address("saved"));
    }

    /// <summary>Saves the view "Bastions" (3 of the 8 logs), opens it, and searches every log: modified.</summary>
    private async Task<(SavedView View, IRenderedComponent<WithDialogs<LogsPage>> Page)> OpenModifiedAsync(TestTenant tenant, string role = VigilRoles.Standard)
    {
        var (view, _) = await Views.CreateAsync(tenant.Id, SavedViews.LogsPage, "Bastions", "q=host%3Abastion&range=4h", null);
        var cut = Render(tenant, $"logs?saved={view!.Id}", role);
        cut.WaitForAssertion(() => Assert.Equal("3 logs", cut.Find("#log-count").TextContent));
        cut.Find("#log-query").Input("*");
        cut.Find("#log-search").Click();
        cut.Settle();
        cut.WaitForAssertion(() => Assert.Equal("8 logs", cut.Find("#log-count").TextContent));
        Assert.NotEmpty(cut.FindAll("#saved-view-modified"));
        return (view, cut);
    }

    private NavigationManager Navigation => _ctx.Services.GetRequiredService<NavigationManager>();

    private string? Address(string parameter) =>
        QueryHelpers.ParseQuery(new Uri(Navigation.Uri).Query).TryGetValue(parameter, out var value) ? value.ToString() : null;

    /// <summary>A new organisation with three bastion logs and five web logs a few minutes old.</summary>
    private async Task<TestTenant> OrganisationWithLogsAsync()
    {
        var tenant = await portal.CreateTenantAsync();
        var at = DateTimeOffset.UtcNow.AddMinutes(-5);
        var events = Enumerable.Range(0, 8)
            .Select(i => new LogEvent { Id = Guid.NewGuid().ToString("N"), Timestamp = at.AddMilliseconds(-i), Host = i < 3 ? "bastion" : "web", Service = "svc", Status = "info", Message = $"line {i}", })
            .ToList();
        await Store.AppendAsync(tenant.Id, events, CancellationToken.None);
        await Store.RefreshAsync(tenant.Id, CancellationToken.None);
        return tenant;
    }

    /// <summary>Signs in to <paramref name="tenant"/> and renders the page at <paramref name="address"/>, interactive, beside the dialogs.</summary>
    private IRenderedComponent<WithDialogs<LogsPage>> Render(TestTenant tenant, string address, string role = VigilRoles.Standard)
    {
        BunitSession.SignIn(_ctx, tenant.Id, tenant.Slug, Guid.NewGuid(), "analyst@example.test", role);
        _ctx.Renderer.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        Navigation.NavigateTo(address);
        return _ctx.Render<WithDialogs<LogsPage>>().Settle();
    }
}
