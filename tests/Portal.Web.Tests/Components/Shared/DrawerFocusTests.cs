using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using Portal.Web.Components.Shared;

namespace Portal.Web.Tests.Components.Shared;

public sealed class DrawerFocusTests
{
    /// <summary>
    /// A drawer closed and reopened on the same item before its close's render was applied (the after-render of an interactive
    /// server page waits for the browser) takes the focus again; rendered again with the same item, it does not.
    /// </summary>
    [Fact]
    public async Task ClosedAndReopenedBeforeTheAfterRender_TakesTheFocusAgain()
    {
        var (js, focus, drawer) = (new CountingJs(), new DrawerFocus(), default(ElementReference));
        focus.Shown(open: true, "a");
        await focus.AfterRenderAsync(js, drawer, interactive: true);

        focus.Shown(open: false, "a");
        focus.Shown(open: true, "a");
        await focus.AfterRenderAsync(js, drawer, interactive: true);
        await focus.AfterRenderAsync(js, drawer, interactive: true);
        focus.Shown(open: true, "a");
        await focus.AfterRenderAsync(js, drawer, interactive: true);

        Assert.Equal(2, js.Calls.Count(c => c == "vigil.focusSoon"));
        // Another item shown takes it; a drawer closed before its after-render does not.
        focus.Shown(open: true, "b");
        focus.Shown(open: false, "b");
        await focus.AfterRenderAsync(js, drawer, interactive: true);
        Assert.Equal(2, js.Calls.Count);
    }

    private sealed class CountingJs : IJSRuntime
    {
        public List<string> Calls { get; } = [];

        public ValueTask<TValue> InvokeAsync<TValue>(string identifier, object?[]? args)
        {
            Calls.Add(identifier);
            return ValueTask.FromResult(default(TValue)!);
        }

        public ValueTask<TValue> InvokeAsync<TValue>(string identifier, CancellationToken cancellationToken, object?[]? args) => InvokeAsync<TValue>(identifier, args);
    }
}
