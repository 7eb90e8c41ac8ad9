using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E.Tests;

/// <summary>A newcomer's first journey, in a real browser: sign up, create an API key, send logs, see and triage the signal.</summary>
[Collection("browser")]
public sealed class SignUpToSignalJourneyTests(BrowserPortalFixture portal)
{
    private const float Timeout = 30_000;

    [Fact]
    public async Task Newcomer_SignsUpSendsLogsAndTriagesTheSignal()
    {
        await using var context = await portal.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 1440, Height = 900 }, BaseURL = portal.BaseAddress.ToString() });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(Timeout);
        var blocked = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                blocked.Add(message.Text);
            }
        };

        await page.GotoAsync("account/signup");
        await page.FillAsync("#org", "Northwind Security");
        await Expect(page.Locator("#slug")).ToHaveValueAsync("northwind-security");
        await page.FillAsync("#email", "alice@northwind.test");
        await page.FillAsync("#password", "Northwind-Pass-1");
        await page.ScreenshotAsync(new() { Path = Shot("01-sign-up.png") });
        await page.ClickAsync("#signup-submit");
        await Expect(page.Locator("#org-name")).ToHaveTextAsync("Northwind Security");
        await WaitForCircuitAsync(page);
        await Expect(page.Locator("#severity-counts")).ToBeVisibleAsync();

        await page.GotoAsync("settings/keys");
        await WaitForCircuitAsync(page);
        await page.Locator("input#api-key-name, #api-key-name input").First.FillAsync("laptop shipper");
        await page.ClickAsync("#create-api-key");
        var secret = (await page.Locator("#new-key-secret").InnerTextAsync()).Trim();
        Assert.Matches("^[0-9a-f]{32}$", secret);
        await Expect(page.Locator("#api-key-table")).ToContainTextAsync("laptop shipper");

        using (var http = new HttpClient { BaseAddress = portal.BaseAddress })
        {
            // Thirteen failures from one address, and a colleague's login from another, so that narrowing the search
            // to the address changes the count.
            var logs = new JsonArray(Enumerable.Range(0, 13).Select(i => (JsonNode?)new JsonObject
            {
                ["ddsource"] = "sshd", ["hostname"] = "bastion-1", ["service"] = "sshd",
                ["message"] = $"Failed password for invalid user admin from 198.51.100.77 port {41000 + i} ssh2",
            }).Append(new JsonObject
            {
                ["ddsource"] = "sshd", ["hostname"] = "bastion-1", ["service"] = "sshd",
                ["message"] = "Accepted publickey for deploy from 192.0.2.14 port 50022 ssh2",
            }).ToArray());
            using var request = new HttpRequestMessage(HttpMethod.Post, "api/v2/logs") { Content = JsonContent.Create(logs) };
            request.Headers.Add("DD-API-KEY", secret);
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        await page.GotoAsync("logs?q=source%3Asshd&range=1h");
        await WaitForCircuitAsync(page);
        // Logs are searchable within a second of the 202; search again until they show, as a user would.
        var count = page.Locator("#log-count");
        for (var attempt = 0; attempt < 20 && await count.InnerTextAsync() != "14 logs"; attempt++)
        {
            await page.WaitForTimeoutAsync(500);
            await page.ClickAsync("#log-search");
        }
        await Expect(count).ToHaveTextAsync("14 logs");
        // The past hour in one-minute bars (its window reaches a second past now, which must not coarsen them).
        await Expect(page.Locator(".histogram-axis")).ToContainTextAsync("14 events · 1 min buckets");
        await Expect(page.Locator("#logs-facets")).ToContainTextAsync("bastion-1");
        await Expect(page.Locator("#logs-facets")).ToContainTextAsync("@network.client.ip");

        // The top list: the logs grouped by an attribute, then the list alone again.
        await page.GetByRole(AriaRole.Combobox, new() { Name = "Group the logs by" }).ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "@network.client.ip", Exact = true }).ClickAsync();
        await Expect(page.Locator("#group-table")).ToContainTextAsync("198.51.100.77");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("by=%40network.client.ip"));
        await page.ScreenshotAsync(new() { Path = Shot("02a-logs-top-list.png") });
        // The same groups over time: a line a group in the browser's drawing.
        await page.ClickAsync("#group-view-timeseries");
        await Expect(page.Locator("#group-series polyline").First).ToBeVisibleAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("viz=timeseries"));
        await page.ScreenshotAsync(new() { Path = Shot("02b-logs-timeseries.png") });
        // A table of two levels: each address's logs by their outcome.
        await page.ClickAsync("#group-view-table");
        await page.GetByRole(AriaRole.Combobox, new() { Name = "Then group each group by" }).ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "@evt.outcome", Exact = true }).ClickAsync();
        await Expect(page.Locator("#group-table thead th")).ToHaveCountAsync(3);
        await Expect(page.Locator("#group-table")).ToContainTextAsync("failure");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("then=%40evt.outcome"));
        await page.ScreenshotAsync(new() { Path = Shot("02d-logs-table.png") });
        await page.GetByRole(AriaRole.Combobox, new() { Name = "Group the logs by" }).ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "nothing: list the logs", Exact = true }).ClickAsync();
        await Expect(page.Locator("#group-table")).ToHaveCountAsync(0);
        // The logs grouped into the patterns of their messages, then into fields again.
        await page.ClickAsync("#group-into-patterns");
        await Expect(page.Locator("#pattern-table")).ToContainTextAsync("Failed password for invalid user");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("viz=patterns"));
        await page.ScreenshotAsync(new() { Path = Shot("02c-logs-patterns.png") });
        await page.ClickAsync("#group-into-fields");
        await Expect(page.Locator("#pattern-table")).ToHaveCountAsync(0);

        // Completion: an attribute name, then one of its values, then search with Enter.
        var query = page.Locator("#log-query");
        await query.ClickAsync();
        await query.PressAsync("End");
        await query.PressSequentiallyAsync(" @net");
        await Expect(page.Locator("#log-query-suggestions")).ToContainTextAsync("@network.client.ip:");
        await page.ScreenshotAsync(new() { Path = Shot("02-logs.png") });
        // The arrows move through the completions, not the caret: it stays at the end of what was typed.
        await query.PressAsync("ArrowUp");
        Assert.Equal(await query.EvaluateAsync<int>("e => e.value.length"), await query.EvaluateAsync<int>("e => e.selectionStart"));
        await query.PressAsync("ArrowDown");
        await query.PressAsync("Enter"); // the first completion, highlighted by going round
        await Expect(query).ToHaveValueAsync("source:sshd @network.client.ip:");
        await query.PressSequentiallyAsync("198");
        await Expect(page.Locator("#log-query-suggestions")).ToContainTextAsync("198.51.100.77");
        await query.PressAsync("ArrowDown");
        await query.PressAsync("Enter");
        await Expect(query).ToHaveValueAsync("source:sshd @network.client.ip:198.51.100.77");
        await query.PressAsync("Enter");
        // The URL first: the count on screen is still the previous query's until the new search has run.
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("q=source%3Asshd%20%40network.client.ip%3A198.51.100.77"));
        await Expect(count).ToHaveTextAsync("13 logs");

        // Live tail: new logs appear without searching again.
        await page.ClickAsync("#log-live");
        await Expect(page.Locator("#log-live-status")).ToBeVisibleAsync();
        async Task SendFailureAsync(int port)
        {
            using var http = new HttpClient { BaseAddress = portal.BaseAddress };
            var more = new JsonArray(new JsonObject
            {
                ["ddsource"] = "sshd", ["hostname"] = "bastion-1", ["service"] = "sshd",
                ["message"] = $"Failed password for invalid user admin from 198.51.100.77 port {port} ssh2",
            });
            using var request = new HttpRequestMessage(HttpMethod.Post, "api/v2/logs") { Content = JsonContent.Create(more) };
            request.Headers.Add("DD-API-KEY", secret);
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }
        await SendFailureAsync(42000);
        await Expect(count).ToHaveTextAsync("14 logs");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("live=true"));
        await page.ScreenshotAsync(new() { Path = Shot("02b-logs-live.png") });
        // The detail moves through the list while live tail reads it afresh (the same logs, read again every 2 s).
        await page.Locator("#log-table tr.log-row").First.ClickAsync();
        await Expect(page.Locator("#log-detail")).ToBeFocusedAsync(); // the detail takes the focus as it opens
        var livePort = page.Locator("#log-attributes .attr-leaf[title='@network.client.port'] .attr-value");
        var shownPort = await livePort.InnerTextAsync();
        await page.WaitForTimeoutAsync(2_500);
        await page.Keyboard.PressAsync("ArrowDown");
        await Expect(livePort).Not.ToHaveTextAsync(shownPort);
        await page.Locator("#log-detail [aria-label='Close']").ClickAsync();
        // Closed, it gives the focus back to the row of the log it showed, which keeps it as live tail lists a new log
        // above it: the logs listed again keep their rows.
        var shownId = await page.Locator("#log-table tr.log-row").Nth(1).Locator("button.log-open").GetAttributeAsync("data-log-id");
        var opener = page.Locator($"#log-table button.log-open[data-log-id='{shownId}']");
        await Expect(opener).ToBeFocusedAsync();
        await SendFailureAsync(42001);
        await Expect(count).ToHaveTextAsync("15 logs");
        await Expect(page.Locator("#log-table tr.log-row").Nth(2).Locator("button.log-open")).ToHaveAttributeAsync("data-log-id", shownId!);
        Assert.True(await opener.EvaluateAsync<bool>("b => b === document.activeElement"), "live tail's read took the focus from the list");
        await page.ClickAsync("#log-live");

        // Custom range: starts from the window shown; a bound that is not a time is named inline.
        await page.Locator(".query-bar div.mud-select").First.ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item", new() { HasText = "Custom range" }).ClickAsync();
        await Expect(page.Locator("#log-from")).Not.ToHaveValueAsync("");
        await page.Locator("#log-from").FillAsync("sometime yesterday");
        await page.Locator("#log-from").PressAsync("Enter");
        await Expect(page.Locator("#log-range-error")).ToContainTextAsync("From: expected a time");
        var pausedWindow = await page.Locator("#log-window").InnerTextAsync();
        await page.Locator("#log-from").FillAsync("now-1h");
        await page.Locator("#log-from").PressAsync("Enter");
        await Expect(page.Locator("#log-range-error")).ToHaveCountAsync(0);
        await Expect(count).ToHaveTextAsync("15 logs");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("range=custom"));
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("from=now-1h"));
        // The search's last render, not only its address (written before it) and its count (15 before it too): its rows, new
        // elements, would otherwise come in place of the row focused below, and Enter would reach none.
        await Expect(page.Locator("#log-window")).Not.ToHaveTextAsync(pausedWindow);
        await Expect(page.Locator("#log-results")).ToHaveAttributeAsync("aria-busy", "false");
        // The event's detail, opened by keyboard (a row's time is its button): its attributes as a tree, each value able to
        // narrow the search (here, excluded).
        await page.Locator("#log-table tr.log-row").First.Locator("button.log-open").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#log-detail")).ToBeFocusedAsync(); // the detail takes the focus as it opens
        await Expect(page.Locator("#log-attributes .attr-leaf[title='@network.client.ip']")).ToContainTextAsync("198.51.100.77");
        await page.WaitForTimeoutAsync(400); // for the screenshot only: the drawer slides in
        await page.ScreenshotAsync(new() { Path = Shot("02d-log-detail.png") });
        // Closed, the detail gives the focus back to its row, from which Enter opens it again.
        await page.Locator("#log-detail [aria-label='Close']").ClickAsync();
        await Expect(page.Locator("#log-table tr.log-row").First.Locator("button.log-open")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#log-detail")).ToBeFocusedAsync();
        var port = page.Locator("#log-attributes .attr-leaf[title='@network.client.port']");
        var portValue = await port.Locator(".attr-value").InnerTextAsync();
        // By keyboard: the value's buttons are in the tab order, shown when focused.
        await port.Locator(".attr-exclude").FocusAsync();
        await Expect(port.Locator(".attr-actions")).ToHaveCSSAsync("opacity", "1");
        await page.Keyboard.PressAsync("Enter");
        await Expect(query).ToHaveValueAsync($"source:sshd @network.client.ip:198.51.100.77 -@network.client.port:{portValue}");
        await Expect(count).ToHaveTextAsync("14 logs");
        // An attribute shown as a column of the list (the detail stays open), kept in the URL across a reload, then removed.
        await page.Locator("#log-table tr.log-row").First.ClickAsync();
        await Expect(page.Locator("#log-detail")).ToBeFocusedAsync(); // the detail takes the focus as it opens
        var ip = page.Locator("#log-attributes .attr-leaf[title='@network.client.ip']");
        await ip.Locator(".attr-column").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(ip.Locator(".attr-column")).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(page.Locator("#log-table .attr-column-name")).ToHaveTextAsync("@network.client.ip");
        await Expect(page.Locator("#log-table tr.log-row").First.Locator(".log-column")).ToHaveTextAsync("198.51.100.77");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("cols=%40network.client.ip"));
        await page.ReloadAsync();
        await WaitForCircuitAsync(page);
        await Expect(count).ToHaveTextAsync("14 logs");
        await Expect(page.Locator("#log-table .attr-column-name")).ToHaveTextAsync("@network.client.ip");
        // The log open is in the address too: the reload shows it again, until it is closed.
        await Expect(page.Locator("#log-attributes .attr-leaf[title='@network.client.ip']")).ToContainTextAsync("198.51.100.77");
        await page.Locator("#log-detail [aria-label='Close']").ClickAsync();
        await Expect(page).Not.ToHaveURLAsync(new System.Text.RegularExpressions.Regex("event="));
        await page.ScreenshotAsync(new() { Path = Shot("02e-log-columns.png") });
        // The view as CSV: the list's rows and columns, downloaded by the browser (the page leaves the link to it).
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#export-logs"));
        var csv = (await File.ReadAllTextAsync((await download.PathAsync())!)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("date (UTC),status,host,service,network.client.ip,message", csv[0]);
        Assert.Equal(14, csv.Length - 1);
        Assert.All(csv[1..], row => Assert.Contains(",198.51.100.77,", row, StringComparison.Ordinal));
        await page.Locator("#log-table .attr-column-remove").ClickAsync();
        await Expect(page.Locator("#log-table .attr-column-name")).ToHaveCountAsync(0);
        await Expect(page).Not.ToHaveURLAsync(new System.Text.RegularExpressions.Regex("cols="));
        // The detail moves down the list by keyboard, then shows the logs around the one it holds.
        await page.Locator("#log-table tr.log-row").First.ClickAsync();
        await Expect(page.Locator("#log-detail")).ToBeFocusedAsync(); // the detail takes the focus as it opens
        var firstPort = await page.Locator("#log-attributes .attr-leaf[title='@network.client.port'] .attr-value").InnerTextAsync();
        await page.Keyboard.PressAsync("ArrowDown");
        await Expect(page.Locator("#log-attributes .attr-leaf[title='@network.client.port'] .attr-value")).Not.ToHaveTextAsync(firstPort);
        await page.ClickAsync("#log-previous");
        await Expect(page.Locator("#log-attributes .attr-leaf[title='@network.client.port'] .attr-value")).ToHaveTextAsync(firstPort);
        var shown = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri(page.Url).Query)["event"].ToString();
        await page.ClickAsync("#log-context");
        await Expect(query).ToHaveValueAsync("host:bastion-1 service:sshd");
        // The detail closed for them, the keyboard goes on from the list's row of that log (the drawer it was in is inert).
        await page.WaitForFunctionAsync("id => document.activeElement?.matches('#log-table button.log-open') && document.activeElement.dataset.logId === id", shown, new() { Timeout = Journey.Timeout });
        // Every sshd log of bastion-1 was sent within the minutes around it, the accepted login's and live tail's included.
        await Expect(count).ToHaveTextAsync("16 logs");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("range=custom"));
        await query.FillAsync($"source:sshd @network.client.ip:198.51.100.77 -@network.client.port:{portValue}");
        await page.ClickAsync("#log-search");
        await Expect(count).ToHaveTextAsync("14 logs");
        // A bar of the histogram zooms in to its bucket, whose bounds are exact: the list holds the bar's count.
        var bar = page.Locator("#logs-histogram .histogram-bar.has-matches").Last;
        var barEvents = (await bar.GetAttributeAsync("data-count"))!;
        var windowBefore = await page.Locator("#log-window").InnerTextAsync();
        await bar.ClickAsync();
        await Expect(page.Locator("#log-window")).Not.ToHaveTextAsync(windowBefore);
        await Expect(count).ToHaveTextAsync($"{barEvents} logs");
        await page.ClickAsync("#create-rule-from-query");
        await page.Locator("input#rule-name, #rule-name input").First.FillAsync("Any sshd activity");
        await page.ClickAsync("#create-rule");
        await Expect(page.Locator(".mud-snackbar")).ToContainTextAsync("Any sshd activity");

        await page.GotoAsync("rules");
        await WaitForCircuitAsync(page);
        await Expect(page.Locator("#rules-table")).ToContainTextAsync("SSH brute force from a single source IP");
        await Expect(page.Locator("#rules-table")).ToContainTextAsync("Any sshd activity");
        await Expect(page.Locator("#rules-table")).ToContainTextAsync("Impossible travel");
        await Expect(page.Locator("#rules-table")).ToContainTextAsync("Single event · real time");
        await page.ScreenshotAsync(new() { Path = Shot("02c-rules.png") });
        // A rule's enable switch does not open it; its row (or name) opens it in a drawer, which takes the focus and, closed,
        // gives it back to the rule's name.
        var travel = page.Locator("#rules-table tbody tr", new() { HasText = "Okta sign-ins from impossibly distant places" });
        var travelEnabled = travel.Locator("input[type=checkbox]");
        await Expect(travelEnabled).ToBeCheckedAsync();
        await travel.Locator(".mud-switch").ClickAsync();
        await Expect(page.Locator(".mud-snackbar", new() { HasText = "Okta sign-ins from impossibly distant places disabled." })).ToHaveCountAsync(1);
        await Expect(travelEnabled).Not.ToBeCheckedAsync();
        await travel.Locator(".mud-switch").ClickAsync();
        await Expect(page.Locator(".mud-snackbar", new() { HasText = "Okta sign-ins from impossibly distant places enabled." })).ToHaveCountAsync(1);
        await Expect(travelEnabled).ToBeCheckedAsync();
        var ruleDrawer = page.Locator("#rule-drawer");
        await Expect(ruleDrawer).ToHaveCountAsync(0);
        await travel.Locator("button.rule-open").ClickAsync();
        await Expect(ruleDrawer.Locator(".drawer-title")).ToHaveTextAsync("Okta sign-ins from impossibly distant places");
        await Expect(ruleDrawer).ToBeFocusedAsync();
        await ruleDrawer.Locator("[aria-label='Close']").ClickAsync();
        await Expect(ruleDrawer).ToHaveCountAsync(0);
        await Expect(travel.Locator("button.rule-open")).ToBeFocusedAsync();
        await page.ClickAsync("#evaluate-now");
        // The click reaches the server over the circuit; leaving the page before it answers could drop it with the circuit.
        await Expect(page.Locator(".mud-snackbar", new() { HasText = "Evaluation queued" })).ToHaveCountAsync(1);

        await page.GotoAsync("signals");
        await WaitForCircuitAsync(page);
        var row = page.Locator("tr.signal-row", new() { HasText = "SSH brute force" });
        // The evaluation runs as a background job: the worker may first be busy with other organisations' jobs.
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (await row.CountAsync() == 0 && DateTime.UtcNow < deadline)
        {
            await page.WaitForTimeoutAsync(500);
            await page.ClickAsync("#refresh-signals");
        }
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row).ToContainTextAsync("198.51.100.77");
        await page.ScreenshotAsync(new() { Path = Shot("03-signals.png") });
        // A signal's box checks it without opening it (the row's click opens it), for triaging several together.
        await row.Locator("input.signal-check").ClickAsync();
        await Expect(page.Locator("#signal-bulk-count")).ToHaveTextAsync("1 selected");
        await Expect(page.Locator("#signal-drawer")).ToHaveCountAsync(0);
        await row.Locator("input.signal-check").ClickAsync();
        await Expect(page.Locator("#signal-bulk")).ToHaveCountAsync(0);

        await row.ClickAsync();
        var drawer = page.Locator("#signal-drawer");
        await Expect(drawer).ToContainTextAsync("198.51.100.77 failed to authenticate");
        await Expect(drawer).ToBeFocusedAsync(); // the drawer takes the focus as it opens
        await drawer.Locator(".triage-select").First.ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item", new() { HasText = "Under review" }).ClickAsync();
        await page.ClickAsync("#triage-save");
        await Expect(row).ToContainTextAsync("Under review");
        // Closed, the drawer gives the focus back to the signal's button in the list, from which Enter opens it again.
        await drawer.Locator("[aria-label='Close']").ClickAsync();
        await Expect(row.Locator("button.row-open")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(drawer).ToBeFocusedAsync();
        // The signal open is in the address: a reload shows it again.
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("signal="));
        await page.ReloadAsync();
        await WaitForCircuitAsync(page);
        await Expect(drawer).ToContainTextAsync("198.51.100.77 failed to authenticate");
        // The drawer lists the logs that raised the signal; one opens in the Logs Explorer's detail.
        var sample = drawer.Locator("#signal-samples a.sample-log").First;
        await Expect(sample).ToContainTextAsync("198.51.100.77");
        await page.ScreenshotAsync(new() { Path = Shot("04-signal-drawer.png") });
        await sample.ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/logs\\?.*event="));
        await Expect(page.Locator("#log-message")).ToContainTextAsync("Failed password for invalid user admin from 198.51.100.77");

        // Organisation settings: a wrong field is named inline, then the settings are saved.
        await page.GotoAsync("settings/organisation");
        await WaitForCircuitAsync(page);
        await page.Locator("#org-time-zone").FillAsync("Mars/Olympus");
        await page.ClickAsync("#org-save");
        await Expect(page.Locator("#organisation-form")).ToContainTextAsync("not a known time zone");
        await page.Locator("#org-time-zone").FillAsync("Europe/Paris");
        await page.Locator("#org-retention").FillAsync("7");
        await page.ClickAsync("#org-save");
        await Expect(page.Locator(".mud-snackbar")).ToContainTextAsync("Organisation settings saved");
        await page.ScreenshotAsync(new() { Path = Shot("05-organisation.png") });

        // Members: without SMTP the invitation link is shown to the inviter.
        await page.GotoAsync("settings/members");
        await WaitForCircuitAsync(page);
        await page.Locator("#invite-email").FillAsync("analyst@northwind.test");
        await page.ClickAsync("#invite-submit");
        await Expect(page.Locator("#invitation-link")).ToContainTextAsync("/account/invitation/");
        await Expect(page.Locator("#invitations-table")).ToContainTextAsync("analyst@northwind.test");
        await page.ScreenshotAsync(new() { Path = Shot("06-members.png") });

        // The audit trail attributes what was done in the pages to the member who did it.
        await page.GotoAsync("settings/audit");
        await WaitForCircuitAsync(page);
        var audit = page.Locator("#audit-table");
        foreach (var action in new[] { "rule.created", "signal.triaged", "organisation.updated", "invitation.created" })
        {
            await Expect(audit.Locator("tr", new() { HasText = action }).Filter(new() { HasText = "alice@northwind.test" }).First).ToBeVisibleAsync();
        }
        await audit.Locator("tr", new() { HasText = "organisation.updated" }).First.ClickAsync();
        await Expect(audit.Locator(".audit-diff")).ToContainTextAsync("Europe/Paris");
        await page.ScreenshotAsync(new() { Path = Shot("07-audit.png") });

        await page.ClickAsync("#user-menu .vigil-user-chip");
        await page.ClickAsync("#sign-out");
        await Expect(page.Locator("#signin-submit")).ToBeVisibleAsync();
        Assert.True(blocked.Count == 0, "The Content-Security-Policy blocked: " + string.Join(" | ", blocked));
    }

    private static Task WaitForCircuitAsync(IPage page) => Journey.WaitForCircuitAsync(page);

    private string Shot(string name) => Path.Combine(portal.ScreenshotDirectory, name);
}
