using Microsoft.Extensions.DependencyInjection;
using Portal.Detection.Events;
using Portal.Search;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E.Tests;

/// <summary>
/// The Logs page's list and facets in a real browser: the list loads its next page as it is scrolled, as Datadog's does;
/// an attribute is added to the facet panel through its control; a saved view is saved, opened again and changed.
/// </summary>
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
            [.. Enumerable.Range(0, 250).Select(i => new LogEvent
            {
                Id = $"scroll-{i:D3}", Timestamp = now.AddSeconds(-i), Host = "web-1", Service = "scroller", Status = "info", Message = $"GET /page/{i}",
                Attributes = new System.Text.Json.Nodes.JsonObject
                {
                    ["http"] = new System.Text.Json.Nodes.JsonObject { ["method"] = "GET", ["status_code"] = 200, ["url"] = $"/page/{i}", ["version"] = "1.1" },
                    ["network"] = new System.Text.Json.Nodes.JsonObject { ["client"] = new System.Text.Json.Nodes.JsonObject { ["ip"] = "192.0.2.1" }, ["bytes_written"] = 512 },
                    ["duration"] = i,
                    // Fewer logs carry a user than the six commonest attributes: not a facet of the panel's own.
                    ["usr"] = i % 5 == 0 ? new System.Text.Json.Nodes.JsonObject { ["name"] = i % 10 == 0 ? "alice" : "bob" } : null,
                },
            })],
            CancellationToken.None);
        await logs.RefreshAsync(tenant.Id, CancellationToken.None);
        var page = await Journey.SignInAsync(portal, tenant.Slug, "scroll@journey.test");
        await page.GotoAsync("logs?q=service%3Ascroller");
        await Journey.WaitForCircuitAsync(page);
        await Expect(page.Locator("#log-count")).ToHaveTextAsync("250 logs");

        // Scrolled to its end, the list loads its next pages (100 logs a page) until all 250 are read, whose last row then
        // shows at the end (the wait scrolls to the end again as it polls); pages that come while it is still at the end
        // are followed by the next. The button, kept for the keyboard, goes with the last page.
        await Expect(page.Locator("#load-more-logs")).ToBeVisibleAsync();
        await page.WaitForFunctionAsync(
            "() => { const list = document.querySelector('#log-table .mud-table-container'); list.scrollTop = list.scrollHeight; return !!list.querySelector(\"button.log-open[data-log-id='scroll-249']\"); }");
        await Expect(page.Locator("#load-more-logs")).ToHaveCountAsync(0);
        await Expect(page.Locator("#log-table button.log-open[data-log-id='scroll-249']")).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(portal.ScreenshotDirectory, "02f-logs-scrolled.png") });

        // The detail moved by its arrows past the rows the list draws (it draws those near its scroll), then closed: the
        // focus goes to that log's row, scrolled to, not to the first row drawn.
        await page.EvaluateAsync("() => document.querySelector('#log-table .mud-table-container').scrollTop = 0");
        await page.Locator("#log-table button.log-open[data-log-id='scroll-000']").ClickAsync();
        await Expect(page.Locator("#log-detail")).ToBeFocusedAsync();
        // Ten presses at a time, each ten taken before the next (on a loaded machine a burst of 60 once ended at 39).
        for (var i = 1; i <= 60; i++)
        {
            await page.Keyboard.PressAsync("ArrowDown");
            if (i % 10 == 0)
            {
                await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"event=scroll-{i:D3}"));
            }
        }
        Assert.Equal(0, await page.Locator("#log-table button.log-open[data-log-id='scroll-060']").CountAsync());
        await page.ClickAsync("#log-detail button[aria-label='Close']");
        await page.WaitForFunctionAsync("() => document.activeElement?.dataset?.logId === 'scroll-060'", null, new() { Timeout = Journey.Timeout });

        // An attribute the panel does not show, added as a facet through its control: its values counted, kept in the URL.
        Assert.Equal(0, await page.Locator(".facet-title", new() { HasText = "@usr.name" }).CountAsync());
        await page.GetByRole(Microsoft.Playwright.AriaRole.Combobox, new() { Name = "Add a facet" }).ClickAsync();
        await page.GetByRole(Microsoft.Playwright.AriaRole.Option, new() { Name = "@usr.name", Exact = true }).ClickAsync();
        var facet = page.Locator(".facet", new() { Has = page.Locator(".facet-title", new() { HasText = "@usr.name" }) });
        await Expect(facet.Locator(".facet-value")).ToHaveCountAsync(2);
        await Expect(facet.Locator(".facet-value").First).ToContainTextAsync("alice");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("facets=%40usr.name"));
        await facet.Locator(".facet-value").First.ClickAsync();
        await Expect(page.Locator("#log-count")).ToHaveTextAsync("25 logs");

        // A number added as a facet: a range typed in its filter, applied with Enter, narrows the query.
        await page.GetByRole(Microsoft.Playwright.AriaRole.Combobox, new() { Name = "Add a facet" }).ClickAsync();
        await page.GetByRole(Microsoft.Playwright.AriaRole.Option, new() { Name = "@duration", Exact = true }).ClickAsync();
        var from = page.GetByRole(Microsoft.Playwright.AriaRole.Textbox, new() { Name = "@duration from" });
        await Expect(from).ToHaveAttributeAsync("placeholder", "0");
        await Expect(page.GetByRole(Microsoft.Playwright.AriaRole.Textbox, new() { Name = "@duration to" })).ToHaveAttributeAsync("placeholder", "240");
        await from.FillAsync("100");
        await from.PressAsync("Enter");
        await Expect(page.Locator("#log-count")).ToHaveTextAsync("15 logs");
        await Expect(page.Locator("#log-query")).ToHaveValueAsync("service:scroller @usr.name:alice @duration:>=100");
        await page.ScreenshotAsync(new() { Path = Path.Combine(portal.ScreenshotDirectory, "02g-logs-facets-added.png") });
    }

    /// <summary>
    /// A log opened is named in the address, so a reload shows it again; its detail copies a link (to the clipboard) that
    /// opens it among the logs minutes either side; an address naming a log outside the search's window opens it too.
    /// "/" goes to the search, unless the detail is open.
    /// </summary>
    [Fact]
    public async Task SharedLog_LinkCopiedOpensTheLogInTheDetail()
    {
        var tenant = await Journey.SignUpAsync(portal, "Share Journey", "share@journey.test");
        var now = DateTimeOffset.UtcNow;
        LogEvent Logged(DateTimeOffset at, string message) => new()
        {
            Id = Portal.Detection.Intake.EventIds.New(at), Timestamp = at, Host = "bastion-1", Service = "sshd", Source = "sshd", Status = "warn", Message = message,
            Attributes = new System.Text.Json.Nodes.JsonObject { ["usr"] = new System.Text.Json.Nodes.JsonObject { ["name"] = "deploy" } },
        };
        var recent = Enumerable.Range(0, 5).Select(i => Logged(now.AddMinutes(-10 - i), $"Failed password for deploy from 203.0.113.{i} port 4022{i} ssh2")).ToList();
        var old = Logged(now.AddDays(-2), "Accepted publickey for deploy from 198.51.100.7 port 50122 ssh2");
        var logs = portal.Services.GetRequiredService<ILogStore>();
        await logs.AppendAsync(tenant.Id, [.. recent, old], CancellationToken.None);
        await logs.RefreshAsync(tenant.Id, CancellationToken.None);
        var page = await Journey.SignInAsync(portal, tenant.Slug, "share@journey.test");
        await page.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"]);
        await page.GotoAsync("logs?q=service%3Asshd");
        await Journey.WaitForCircuitAsync(page);
        await Expect(page.Locator("#log-count")).ToHaveTextAsync("5 logs");
        // "/" outside a field goes to the search, typing nothing there.
        await page.Locator("#log-count").ClickAsync();
        await page.Keyboard.PressAsync("/");
        await Expect(page.Locator("#log-query")).ToBeFocusedAsync();
        await Expect(page.Locator("#log-query")).ToHaveValueAsync("service:sshd");

        await page.Locator($"button.log-open[data-log-id='{recent[2].Id}']").ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"event={recent[2].Id}"));
        await page.ReloadAsync();
        await Journey.WaitForCircuitAsync(page);
        await Expect(page.Locator("#log-message")).ToHaveTextAsync(recent[2].Message!);
        // Not while the detail is open over the page.
        await page.Keyboard.PressAsync("/");
        await Expect(page.Locator("#log-query")).Not.ToBeFocusedAsync();

        await page.Locator("#log-copy-link").ClickAsync();
        await Expect(page.Locator(".mud-snackbar", new() { HasText = "Link to this log copied." })).ToBeVisibleAsync();
        var link = await page.EvaluateAsync<string>("() => navigator.clipboard.readText()");
        Assert.Equal(await page.Locator("#log-copy-link").GetAttributeAsync("data-link"), link);
        Assert.Contains("range=custom", link, StringComparison.Ordinal);
        await page.GotoAsync(link);
        await Journey.WaitForCircuitAsync(page);
        await Expect(page.Locator("#log-message")).ToHaveTextAsync(recent[2].Message!);
        await Expect(page.Locator("#log-count")).ToHaveTextAsync("5 logs");
        // The drawer slid in whole.
        await Expect(page.Locator("#log-detail button[aria-label='Close']")).ToBeInViewportAsync(new() { Ratio = 1 });
        await page.ScreenshotAsync(new() { Path = Path.Combine(portal.ScreenshotDirectory, "02j-logs-shared-log.png") });

        // Two days ago, outside the past hour the page shows: read by its id.
        await page.GotoAsync($"logs?event={old.Id}");
        await Journey.WaitForCircuitAsync(page);
        await Expect(page.Locator("#log-message")).ToHaveTextAsync(old.Message!);
        await page.Locator("#log-copy-json").ClickAsync();
        await Expect(page.Locator(".mud-snackbar", new() { HasText = "This log copied as JSON." })).ToBeVisibleAsync();
        Assert.Contains($"\"id\": \"{old.Id}\"", await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SavedView_SavedOpenedFromTheListModifiedAndSavedAgain()
    {
        var tenant = await Journey.SignUpAsync(portal, "Views Journey", "views@journey.test");
        var now = DateTimeOffset.UtcNow;
        var logs = portal.Services.GetRequiredService<ILogStore>();
        await logs.AppendAsync(tenant.Id,
            [.. Enumerable.Range(0, 30).Select(i => new LogEvent
            {
                Id = $"view-{i:D2}", Timestamp = now.AddMinutes(-i), Host = "web-1", Service = i < 12 ? "api" : "web", Status = i % 3 == 0 ? "error" : "info", Message = $"GET /{i}",
            })],
            CancellationToken.None);
        await logs.RefreshAsync(tenant.Id, CancellationToken.None);
        var page = await Journey.SignInAsync(portal, tenant.Slug, "views@journey.test");
        await page.GotoAsync("logs?q=service%3Aapi&range=4h");
        await Journey.WaitForCircuitAsync(page);
        await Expect(page.Locator("#log-count")).ToHaveTextAsync("12 logs");

        await page.Locator("#save-view").ClickAsync();
        await page.Locator("#save-view-name").FillAsync("API requests");
        await page.Locator("#save-view-submit").ClickAsync();
        await Expect(page.Locator("#saved-view-name")).ToHaveTextAsync("API requests");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("saved=[0-9a-f]{12}"));

        // The Logs page opened afresh (the menu's link) lists the view; opened from the list, it shows what was saved.
        await page.GotoAsync("logs");
        await Journey.WaitForCircuitAsync(page);
        await Expect(page.Locator("#log-count")).ToHaveTextAsync("30 logs");
        await page.Locator("#saved-views a.saved-view", new() { HasText = "API requests" }).ClickAsync();
        await Expect(page.Locator("#log-count")).ToHaveTextAsync("12 logs");
        await Expect(page.Locator("#log-query")).ToHaveValueAsync("service:api");
        await Expect(page.Locator("#saved-view-name")).ToHaveTextAsync("API requests");
        await Expect(page.Locator("#saved-view-modified")).ToHaveCountAsync(0);

        // Narrowed, it says it is modified until its changes are saved; opened again by its link, it holds them.
        await page.Locator("#log-query").FillAsync("service:api status:error");
        await page.Locator("#log-search").ClickAsync();
        await Expect(page.Locator("#log-count")).ToHaveTextAsync("4 logs");
        await Expect(page.Locator("#saved-view-modified")).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(portal.ScreenshotDirectory, "02h-logs-saved-view-modified.png") });
        await page.Locator("#saved-view-update").ClickAsync();
        await Expect(page.Locator("#saved-view-modified")).ToHaveCountAsync(0);
        var id = new System.Text.RegularExpressions.Regex("saved=([0-9a-f]{12})").Match(page.Url).Groups[1].Value;
        await page.GotoAsync($"logs?saved={id}");
        await Journey.WaitForCircuitAsync(page);
        await Expect(page.Locator("#log-count")).ToHaveTextAsync("4 logs");
        await Expect(page.Locator("#log-query")).ToHaveValueAsync("service:api status:error");
        await Expect(page.Locator("#saved-view-modified")).ToHaveCountAsync(0);

        // The searches run are kept in the browser: the Logs page opened afresh offers them as its empty query bar takes
        // the focus, and one chosen runs again.
        await page.GotoAsync("logs");
        await Journey.WaitForCircuitAsync(page);
        await Expect(page.Locator("#log-count")).ToHaveTextAsync("30 logs");
        await page.Locator("#log-query").FocusAsync();
        var recent = page.Locator("#log-query-suggestions .query-suggestion .mono");
        await Expect(recent).ToHaveTextAsync(["service:api status:error", "service:api"]);
        await page.ScreenshotAsync(new() { Path = Path.Combine(portal.ScreenshotDirectory, "02i-logs-recent-searches.png") });
        await recent.Nth(1).ClickAsync();
        await Expect(page.Locator("#log-count")).ToHaveTextAsync("12 logs");
        await Expect(page.Locator("#log-query")).ToHaveValueAsync("service:api");

        // Signing out leaves no recent search in the browser.
        const string Kept = "() => Object.keys(localStorage).filter(k => k.startsWith('vigil.logs.recent.')).length";
        Assert.Equal(1, await page.EvaluateAsync<int>(Kept));
        await page.Locator("#user-menu .vigil-user-chip").ClickAsync();
        await page.Locator("#sign-out").ClickAsync();
        await Expect(page.Locator("#signin-submit")).ToBeVisibleAsync();
        Assert.Equal(0, await page.EvaluateAsync<int>(Kept));
    }
}
