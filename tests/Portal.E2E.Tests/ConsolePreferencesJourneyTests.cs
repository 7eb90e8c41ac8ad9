using static Microsoft.Playwright.Assertions;

namespace Portal.E2E.Tests;

/// <summary>How the console is shown (its theme, its navigation) is kept by the browser across reloads, drawn that way from the first paint.</summary>
[Collection("browser")]
public sealed class ConsolePreferencesJourneyTests(BrowserPortalFixture portal)
{
    [Fact]
    public async Task DarkThemeAndCollapsedNavigation_StayAcrossReloads()
    {
        var tenant = await Journey.SignUpAsync(portal, "Prefs Journey", "prefs@journey.test");
        var page = await Journey.SignInAsync(portal, tenant.Slug, "prefs@journey.test");
        await page.GotoAsync("signals");
        await Journey.WaitForCircuitAsync(page);
        await Expect(page.Locator("#toggle-theme")).ToHaveAttributeAsync("aria-pressed", "false");
        await Expect(page.Locator("#toggle-navigation")).ToHaveAttributeAsync("aria-expanded", "true");
        var light = await page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor");
        // A chip's colours (severities, statuses, triage states) follow the theme too: pale fills with dark text in light.
        const string ChipColour = "() => { const chip = document.createElement('span'); chip.className = 'severity-chip severity-high'; document.body.appendChild(chip); const colour = getComputedStyle(chip).color; chip.remove(); return colour; }";
        var lightChip = await page.EvaluateAsync<string>(ChipColour);

        await page.Locator("#toggle-theme").ClickAsync();
        await page.Locator("#toggle-navigation").ClickAsync();
        await Expect(page.Locator("#toggle-theme")).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(page.Locator("#toggle-navigation")).ToHaveAttributeAsync("aria-expanded", "false");

        // A page of another layout visited within the page load (one not found), and back: the console is made again as chosen.
        await page.EvaluateAsync("() => Blazor.navigateTo('no-such-page')");
        await Expect(page.Locator("#toggle-theme")).ToHaveCountAsync(0);
        await page.EvaluateAsync("() => Blazor.navigateTo('signals')");
        await Expect(page.Locator("#toggle-theme")).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(page.Locator("#toggle-navigation")).ToHaveAttributeAsync("aria-expanded", "false");

        // Reloaded, and another page opened: the prerendered page is already dark, its navigation collapsed.
        var prerendered = await (await page.Context.APIRequest.GetAsync("logs")).TextAsync();
        Assert.Matches("id=\"toggle-theme\"[^>]*aria-pressed=\"true\"|aria-pressed=\"true\"[^>]*id=\"toggle-theme\"", prerendered);
        foreach (var address in new[] { "signals", "logs" })
        {
            await page.GotoAsync(address, new() { WaitUntil = Microsoft.Playwright.WaitUntilState.DOMContentLoaded });
            await Expect(page.Locator("#toggle-theme")).ToHaveAttributeAsync("aria-pressed", "true");
            await Expect(page.Locator("#toggle-navigation")).ToHaveAttributeAsync("aria-expanded", "false");
            Assert.NotEqual(light, await page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor"));
            Assert.NotEqual(lightChip, await page.EvaluateAsync<string>(ChipColour));
        }
        await Journey.WaitForCircuitAsync(page);
        await Expect(page.Locator(".vigil-drawer")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("mud-drawer--closed"));

        // Back to light: kept too.
        await page.Locator("#toggle-theme").ClickAsync();
        await Expect(page.Locator("#toggle-theme")).ToHaveAttributeAsync("aria-pressed", "false");
        await page.ReloadAsync();
        await Expect(page.Locator("#toggle-theme")).ToHaveAttributeAsync("aria-pressed", "false");
        Assert.Equal(light, await page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor"));
        Assert.Equal(lightChip, await page.EvaluateAsync<string>(ChipColour));
    }
}
