using Bunit;
using Microsoft.AspNetCore.Components;

namespace Portal.Web.Tests.Features.Logs;

/// <summary>
/// The Logs Explorer's store answers on the thread pool (as a remote store would), so what a search shows comes after the
/// render or action that started it: tests wait for the page to say it is no longer busy.
/// </summary>
internal static class LogsPageSettling
{
    /// <summary>Waits until the page has read what it shows (its results region no longer <c>aria-busy</c>) and rendered it, and returns it.</summary>
    public static IRenderedComponent<T> Settle<T>(this IRenderedComponent<T> cut) where T : IComponent
    {
        cut.WaitForAssertion(() => Assert.Equal("false", cut.Find("#log-results").GetAttribute("aria-busy")), TimeSpan.FromSeconds(10));
        // And what that render set going on the renderer's thread (the list's virtualised rows render once more after it).
        cut.InvokeAsync(() => { }).GetAwaiter().GetResult();
        return cut;
    }
}
