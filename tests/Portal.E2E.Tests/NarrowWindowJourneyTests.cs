using Microsoft.Extensions.DependencyInjection;
using Portal.Detection.Events;
using Portal.Detection.Signals;
using Portal.Search;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E.Tests;

/// <summary>
/// The explorers in a narrow window (a 1,024 px laptop, the navigation open): the signals list folds its Group column under
/// each signal's title, and its Triage and Events columns under the severity and the time, so that the title keeps its width
/// and nothing scrolls sideways; the facets panel can be hidden for the list, and the browser keeps that choice. The rules
/// list folds its Query column under each rule's name, and the logs list its host and service above each message.
/// </summary>
[Collection("browser")]
public sealed class NarrowWindowJourneyTests(BrowserPortalFixture portal)
{
    [Fact]
    public async Task NarrowWindow_SignalsFoldTheirColumns_AndTheFacetsCanBeHidden()
    {
        var tenant = await Journey.SignUpAsync(portal, "Narrow Journey", "narrow@journey.test");
        var now = DateTimeOffset.UtcNow;
        await portal.Services.GetRequiredService<ISignalStore>().UpsertAsync(tenant.Id,
        [
            Signal("narrow-ip", "SSH brute force from a single source IP", "@network.client.ip", "203.0.113.45", now.AddMinutes(-3)),
            Signal("narrow-arn", "CloudTrail logging stopped", "@userIdentity.arn", "arn:aws:iam::123456789012:user/deploy-pipeline-service", now.AddMinutes(-5)),
        ], CancellationToken.None);
        var logs = portal.Services.GetRequiredService<ILogStore>();
        await logs.AppendAsync(tenant.Id,
        [
            new LogEvent
            {
                Id = "narrow-log", Timestamp = now.AddMinutes(-2), Host = "bastion-1", Service = "sshd", Status = "warn",
                Message = "Failed password for invalid user admin from 203.0.113.45 port 50122 ssh2",
            },
        ], CancellationToken.None);
        await logs.RefreshAsync(tenant.Id, CancellationToken.None);
        var page = await Journey.SignInAsync(portal, tenant.Slug, "narrow@journey.test");
        await page.GotoAsync("signals");
        await Journey.WaitForCircuitAsync(page);
        var row = page.Locator("tr.signal-row", new() { HasText = "203.0.113.45" });
        await Expect(row).ToHaveCountAsync(1);

        // Wide (1,440 px): every column of its own.
        await Expect(page.Locator("#signal-table th.group-col")).ToBeVisibleAsync();
        await Expect(row.Locator("td.triage-col")).ToBeVisibleAsync();
        await Expect(row.Locator(".signal-group-inline")).ToBeHiddenAsync();

        // 1,024 px: the group under the title, the triage state under the severity, the events under the time.
        await page.SetViewportSizeAsync(1024, 800);
        await Expect(page.Locator("#signal-table th.group-col")).ToBeHiddenAsync();
        await Expect(row.Locator(".signal-group-inline")).ToBeVisibleAsync();
        await Expect(row.Locator(".signal-group-inline")).ToContainTextAsync("203.0.113.45");
        await Expect(row.Locator("td.triage-col")).ToBeHiddenAsync();
        await Expect(row.Locator(".signal-triage-inline")).ToHaveTextAsync("Open");
        await Expect(row.Locator(".signal-events-inline")).ToHaveTextAsync("12 events");
        Assert.True(await TitleWidthAsync(page) >= 220, "the signal's title keeps its width");
        Assert.False(await ScrollsSidewaysAsync(page), "the list does not scroll sideways");
        await page.ScreenshotAsync(new() { Path = Path.Combine(portal.ScreenshotDirectory, "03b-signals-1024.png") });

        // The facets hidden: the list gets their width, and the triage state its column again. (Another tab, opened before,
        // is there to change the theme afterwards.)
        var other = await page.Context.NewPageAsync();
        await other.GotoAsync("signals");
        await Journey.WaitForCircuitAsync(other);
        await Expect(page.Locator("#toggle-facets")).ToHaveAttributeAsync("aria-expanded", "true");
        await page.ClickAsync("#toggle-facets");
        await Expect(page.Locator("#signal-side")).ToHaveCountAsync(0);
        await Expect(page.Locator("#toggle-facets")).ToHaveAttributeAsync("aria-expanded", "false");
        await Expect(row.Locator("td.triage-col")).ToBeVisibleAsync();
        Assert.False(await ScrollsSidewaysAsync(page), "the list does not scroll sideways");
        // The other tab's theme changed, back and forth, after it: each tab's choice stays, the other's too.
        await other.ClickAsync("#toggle-theme");
        await Expect(other.Locator("#toggle-theme")).ToHaveAttributeAsync("aria-pressed", "true");
        await CookieSaysAsync(page, "dark", "nofacets");
        await other.ClickAsync("#toggle-theme");
        await Expect(other.Locator("#toggle-theme")).ToHaveAttributeAsync("aria-pressed", "false");
        await CookieSaysAsync(page, "nofacets");
        await other.CloseAsync();

        // Kept by the browser: the Logs page is drawn without them from its first paint, and shows them again when asked.
        var prerendered = await (await page.Context.APIRequest.GetAsync("logs")).TextAsync();
        Assert.DoesNotContain("id=\"log-side\"", prerendered, StringComparison.Ordinal);
        Assert.Contains("Show facets", prerendered, StringComparison.Ordinal);
        await page.GotoAsync("logs");
        await Journey.WaitForCircuitAsync(page);
        await Expect(page.Locator("#log-side")).ToHaveCountAsync(0);
        await page.ClickAsync("#toggle-facets");
        await Expect(page.Locator("#log-side .facets")).ToBeVisibleAsync();
        // Beside them the logs list folds its host and service above the message, and the day above the time.
        var log = page.Locator("tr.log-row", new() { HasText = "Failed password" });
        await Expect(page.Locator("#log-table th.col-host")).ToBeHiddenAsync();
        await Expect(log.Locator(".log-origin-inline")).ToHaveTextAsync("bastion-1 · sshd");
        Assert.True(await page.EvaluateAsync<double>("() => document.querySelector('#log-table .log-message').getBoundingClientRect().width") >= 200,
            "the message keeps its width");
        Assert.True(await page.EvaluateAsync<bool>(DayAndTime + "day.bottom <= time.top + 1; }"),
            "the day is above the time");
        Assert.False(await page.EvaluateAsync<bool>("() => { const list = document.querySelector('#log-table .mud-table-container'); return list.scrollWidth > list.clientWidth + 1; }"),
            "the logs list does not scroll sideways");
        await page.ScreenshotAsync(new() { Path = Path.Combine(portal.ScreenshotDirectory, "02g-logs-1024.png") });
        await page.GotoAsync("signals");
        await Expect(page.Locator("#signal-side")).ToBeVisibleAsync();

        // The rules list: each rule's query under its name (the Query column had a few characters a line), nothing sideways.
        await page.GotoAsync("rules");
        var rule = page.Locator("#rules-table tbody tr", new() { HasText = "SSH brute force from a single source IP" });
        await Expect(rule.Locator(".rule-query-inline")).ToBeVisibleAsync();
        await Expect(rule.Locator(".rule-query-inline")).ToContainTextAsync("source:");
        await Expect(page.Locator("#rules-table th.query-col")).ToBeHiddenAsync();
        Assert.False(await page.EvaluateAsync<bool>("() => { const list = document.querySelector('#rules-table .mud-table-container'); return list.scrollWidth > list.clientWidth + 1; }"),
            "the rules list does not scroll sideways");
        await page.ScreenshotAsync(new() { Path = Path.Combine(portal.ScreenshotDirectory, "04b-rules-1024.png") });
        await page.SetViewportSizeAsync(1440, 900);
        await Expect(page.Locator("#rules-table th.query-col")).ToBeVisibleAsync();
        await Expect(rule.Locator(".rule-query-inline")).ToBeHiddenAsync();
        await page.GotoAsync("logs");
        await Expect(log.Locator("td.col-host")).ToHaveTextAsync("bastion-1");
        await Expect(log.Locator(".log-origin-inline")).ToBeHiddenAsync();
        await Expect(log.Locator("button.log-open")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\w{3} \d{2} \d{2}:\d{2}:\d{2}\.\d{3}$"));
        Assert.True(await page.EvaluateAsync<bool>(DayAndTime + "Math.abs(day.top - time.top) < 2; }"),
            "the day and the time are on one line");
    }

    private static SecuritySignal Signal(string id, string title, string field, string value, DateTimeOffset at) => new()
    {
        Id = id, RuleId = "rule-narrow", RuleName = title, Title = title, Severity = "medium", Timestamp = at, FirstSeen = at.AddMinutes(-10), LastSeen = at,
        Tags = ["source:sshd", "tactic:TA0006-credential-access"], GroupKey = value, GroupBy = new() { [field] = value }, EventsMatched = 12,
    };

    /// <summary>Waits until the browser's console preferences cookie holds exactly <paramref name="words"/> (in any order).</summary>
    private static async Task CookieSaysAsync(Microsoft.Playwright.IPage page, params string[] words)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(Journey.Timeout);
        string[] kept;
        do
        {
            var cookie = (await page.Context.CookiesAsync()).SingleOrDefault(c => c.Name == "vigil.console");
            kept = cookie is null ? [] : [.. Uri.UnescapeDataString(cookie.Value).Split('.').Order(StringComparer.Ordinal)];
            if (kept.SequenceEqual(words.Order(StringComparer.Ordinal)))
            {
                return;
            }
            await Task.Delay(100);
        }
        while (DateTime.UtcNow < deadline);
        Assert.Equal(words.Order(StringComparer.Ordinal), kept);
    }

    /// <summary>The start of a script comparing the first log's day (<c>day</c>) and time (<c>time</c>) as laid out: the condition follows.</summary>
    private const string DayAndTime =
        "() => { const shown = document.querySelector('#log-table .log-day'); const day = shown.getBoundingClientRect(); const time = shown.nextElementSibling.getBoundingClientRect(); return ";

    /// <summary>The width of the signals list's title column, in CSS pixels.</summary>
    private static Task<double> TitleWidthAsync(Microsoft.Playwright.IPage page) =>
        page.EvaluateAsync<double>("() => document.querySelector('#signal-table button.row-open').closest('td').getBoundingClientRect().width");

    /// <summary>Whether the signals list is wider than its card (a scroll bar across it).</summary>
    private static Task<bool> ScrollsSidewaysAsync(Microsoft.Playwright.IPage page) =>
        page.EvaluateAsync<bool>("() => { const list = document.querySelector('#signal-table .mud-table-container'); return list.scrollWidth > list.clientWidth + 1; }");
}
