using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E.Tests;

/// <summary>
/// The rules list with a stored rule that no longer passes validation (a check added since it was written): the other rules
/// are listed as before, it is said not evaluated, and its drawer says what is at fault.
/// </summary>
[Collection("browser")]
public sealed class RulesJourneyTests(BrowserPortalFixture portal)
{
    [Fact]
    public async Task StoredRuleNoLongerValid_ListedAsNotEvaluated_ItsDrawerSaysWhy()
    {
        var tenant = await Journey.SignUpAsync(portal, "Rules Journey", "rules@journey.test");
        const string Name = "SSH brute force from a single source IP";
        await using (var db = portal.Services.GetRequiredService<TenantDbFactory>().Create(tenant.Id))
        {
            var record = await db.Rules.SingleAsync(r => r.Name == Name);
            var json = JsonNode.Parse(record.Json)!;
            json["options"]!["evaluationWindow"] = 42;
            record.Json = json.ToJsonString();
            await db.SaveChangesAsync();
        }
        var page = await Journey.SignInAsync(portal, tenant.Slug, "rules@journey.test");

        await page.GotoAsync("rules");
        await Journey.WaitForCircuitAsync(page);

        var row = page.Locator("#rules-table tbody tr", new() { HasText = Name });
        await Expect(row.Locator(".rule-invalid")).ToHaveTextAsync("not evaluated");
        await Expect(page.Locator("#rules-table .rule-invalid")).ToHaveCountAsync(1);
        await Expect(page.Locator("#rules-table tbody tr", new() { HasText = "SSH login as root" })).ToHaveCountAsync(1);
        await row.Locator("button.rule-open").ClickAsync();
        await Expect(page.Locator("#rule-stored-errors")).ToContainTextAsync("$.options.evaluationWindow");
        // The drawer slides in: the picture once it is in place.
        await page.WaitForFunctionAsync("() => document.querySelector('#rule-drawer').getBoundingClientRect().right <= window.innerWidth + 1");
        await page.ScreenshotAsync(new() { Path = Path.Combine(portal.ScreenshotDirectory, "04c-rule-not-evaluated.png") });
    }
}
