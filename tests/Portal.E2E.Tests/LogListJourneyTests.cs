using Microsoft.Extensions.DependencyInjection;
using Portal.Detection.Events;
using Portal.Search;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E.Tests;

/// <summary>The Logs page's list in a real browser: it loads its next page as it is scrolled, as Datadog's does.</summary>
[Collection("browser")]
public sealed class LogListJourneyTests(BrowserPortalFixture portal)
{
    [Fact]
    public async Task LogList_ScrolledNearItsEnd_LoadsItsNextPage()
    {
        var tenant = await Journey.SignUpAsync(portal, "Scroll Journey", "scroll@journey.test");
        var now = DateTimeOffset.UtcNow;
        var logs = portal.Services.GetRequiredService<ILogStore>();
        await logs.AppendAsync(tenant.Id,
            [.. Enumerable.Range(0, 250).Select(i => new LogEvent { Id = $"scroll-{i:D3}", Timestamp = now.AddSeconds(-i), Host = "web-1", Service = "scroller", Status = "info", Message = $"GET /page/{i}" })],
            CancellationToken.None);
        await logs.RefreshAsync(tenant.Id, CancellationToken.None);
        var page = await Journey.SignInAsync(portal, tenant.Slug, "scroll@journey.test");
        await page.GotoAsync("logs?q=service%3Ascroller");
        await Journey.WaitForCircuitAsync(page);
        await Expect(page.Locator("#log-count")).ToHaveTextAsync("250 logs");

        // Scrolled to its end, the list loads its next page: 100 logs, then 200, then all 250, whose last row then shows
        // at the end (each wait scrolls to the end again as it polls). The button, kept for the keyboard, goes with the last page.
        await Expect(page.Locator("#load-more-logs")).ToBeVisibleAsync();
        foreach (var last in new[] { "scroll-199", "scroll-249" })
        {
            await page.WaitForFunctionAsync(
                "last => { const list = document.querySelector('#log-table .mud-table-container'); list.scrollTop = list.scrollHeight; return !!list.querySelector(`button.log-open[data-log-id='${last}']`); }",
                last);
        }
        await Expect(page.Locator("#load-more-logs")).ToHaveCountAsync(0);
        await Expect(page.Locator("#log-table button.log-open[data-log-id='scroll-249']")).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(portal.ScreenshotDirectory, "02f-logs-scrolled.png") });
    }
}
