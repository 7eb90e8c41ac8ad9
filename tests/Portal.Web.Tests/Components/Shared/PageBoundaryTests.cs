using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using Portal.Web.Components.Shared;

namespace Portal.Web.Tests.Components.Shared;

/// <summary>
/// A page that throws (its database down as it loads, or as it acts) shows the console's failure panel inside the layout
/// rather than ending the circuit; "Try again" draws it again, and another address leaves the failure behind.
/// </summary>
public sealed class PageBoundaryTests : IAsyncDisposable
{
    private readonly BunitContext _ctx = new();

    public PageBoundaryTests()
    {
        _ctx.Services.AddMudServices();
        _ctx.JSInterop.Mode = JSRuntimeMode.Loose;
    }

    public async ValueTask DisposeAsync() => await _ctx.DisposeAsync();

    [Fact]
    public void PageFailingAsItLoads_ThePanel_TryAgainDrawsItAgain()
    {
        var database = new Database { Down = true };
        var cut = _ctx.Render<PageBoundary>(p => p.Add(b => b.ChildContent, Page(database)));

        cut.WaitForAssertion(() => Assert.Contains("This page failed", cut.Find("#page-failed").TextContent, StringComparison.Ordinal));
        Assert.Empty(cut.FindAll("#page-content"));
        Assert.DoesNotContain("database down", cut.Markup, StringComparison.Ordinal);

        database.Down = false;
        cut.Find("#page-retry").Click();

        cut.WaitForAssertion(() => Assert.Equal("loaded", cut.Find("#page-content").TextContent));
        Assert.Empty(cut.FindAll("#page-failed"));
    }

    [Fact]
    public void PageFailingAsItActs_ThePanel_AnotherAddressLeavesIt()
    {
        var database = new Database();
        var cut = _ctx.Render<PageBoundary>(p => p.Add(b => b.ChildContent, Page(database)));
        cut.WaitForAssertion(() => Assert.Equal("loaded", cut.Find("#page-content").TextContent));

        database.Down = true;
        cut.Find("#page-act").Click();

        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("#page-failed")));
        database.Down = false;
        _ctx.Services.GetRequiredService<NavigationManager>().NavigateTo("/elsewhere");
        cut.WaitForAssertion(() => Assert.Equal("loaded", cut.Find("#page-content").TextContent));
    }

    private static RenderFragment Page(Database database) => builder =>
    {
        builder.OpenComponent<FailingPage>(0);
        builder.AddAttribute(1, nameof(FailingPage.Database), database);
        builder.CloseComponent();
    };

    private sealed class Database
    {
        public bool Down { get; set; }

        public async Task ReadAsync()
        {
            await Task.Yield();
            if (Down)
            {
                throw new InvalidOperationException("database down");
            }
        }
    }

    private sealed class FailingPage : ComponentBase
    {
        private bool _loaded;

        [Parameter] public Database Database { get; set; } = default!;

        protected override async Task OnInitializedAsync()
        {
            await Database.ReadAsync();
            _loaded = true;
        }

        protected override void BuildRenderTree(RenderTreeBuilder builder)
        {
            builder.OpenElement(0, "div");
            builder.AddAttribute(1, "id", "page-content");
            builder.AddContent(2, _loaded ? "loaded" : "loading");
            builder.CloseElement();
            builder.OpenElement(3, "button");
            builder.AddAttribute(4, "id", "page-act");
            builder.AddAttribute(5, "onclick", EventCallback.Factory.Create(this, Database.ReadAsync));
            builder.CloseElement();
        }
    }
}
