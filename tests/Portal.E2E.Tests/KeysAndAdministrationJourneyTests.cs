using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Data.Tenancy;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E.Tests;

/// <summary>
/// Keys and instance administration in a real browser: a scoped application key is created, renamed inline and rotated;
/// an instance administrator disables another organisation with a reason and enables it again.
/// </summary>
[Collection("browser")]
public sealed class KeysAndAdministrationJourneyTests(BrowserPortalFixture portal)
{
    [Fact]
    public async Task Member_CreatesAScopedApplicationKey_RenamesItInline_AndRotatesIt()
    {
        var tenant = await SignUpAsync("Keys Journey", "keys@journey.test");
        var page = await SignInAsync(tenant.Slug, "keys@journey.test");

        await page.GotoAsync("settings/keys");
        await Journey.WaitForCircuitAsync(page);
        await page.Locator("#app-key-name input, input#app-key-name").First.FillAsync("ci robot");
        await page.ClickAsync("#app-key-scopes");
        await page.GetByRole(AriaRole.Option, new() { Name = "security_monitoring_rules_read", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "logs_read", Exact = true }).ClickAsync();
        await page.Keyboard.PressAsync("Escape");
        await page.ClickAsync("#create-app-key");
        var first = (await page.Locator("#new-key-secret").InnerTextAsync()).Trim();
        Assert.Matches("^[0-9a-f]{40}$", first);
        var row = page.Locator("#app-key-table tr", new() { HasText = "ci robot" });
        await Expect(row).ToContainTextAsync("logs_read, security_monitoring_rules_read");

        await row.Locator("button[aria-label='Rename ci robot']").ClickAsync();
        await page.Locator("#app-key-rename input, input#app-key-rename").First.FillAsync("release robot");
        await page.Keyboard.PressAsync("Enter");
        var renamed = page.Locator("#app-key-table tr", new() { HasText = "release robot" }).First;
        await Expect(renamed).ToContainTextAsync("active");
        await page.ScreenshotAsync(new() { Path = Shot("20-keys.png"), FullPage = true });

        await renamed.Locator("button", new() { HasText = "Rotate" }).ClickAsync();
        await page.Locator(".mud-dialog button", new() { HasText = "Rotate" }).ClickAsync();
        await Expect(page.Locator("#new-key-alert")).ToContainTextAsync("rotated");
        var second = (await page.Locator("#new-key-secret").InnerTextAsync()).Trim();
        Assert.NotEqual(first, second);
        await Expect(page.Locator("#app-key-table tr", new() { HasText = "release robot" })).ToHaveCountAsync(2);
        await Expect(page.Locator("#app-key-table")).ToContainTextAsync("revoked");
        await page.ScreenshotAsync(new() { Path = Shot("21-keys-rotated.png"), FullPage = true });
    }

    [Fact]
    public async Task InstanceAdministrator_DisablesAnOrganisationWithAReason_AndEnablesItAgain()
    {
        var admin = await SignUpAsync("Operator Org", "operator@journey.test");
        var customer = await SignUpAsync("Customer Org", "customer@journey.test");
        var service = portal.Services.GetRequiredService<InstanceAdminService>();
        var tenants = portal.Services.GetRequiredService<TenantProvisioner>();
        Assert.Null(await service.SetInstanceAdminAsync(admin.Slug, "operator@journey.test", isAdmin: true));
        var page = await SignInAsync(admin.Slug, "operator@journey.test");

        await page.ClickAsync("#nav-admin");
        await Journey.WaitForCircuitAsync(page);
        var row = page.Locator("#organisations-table tr", new() { HasText = customer.Slug });
        await Expect(row).ToContainTextAsync("active");
        await page.ClickAsync($"#disable-{customer.Slug}");
        await page.ClickAsync("#confirm-disable");
        await Expect(page.Locator(".mud-dialog")).ToContainTextAsync("Give a reason");
        await page.Locator("#disable-reason textarea, textarea#disable-reason").First.FillAsync("Unpaid since March");
        await page.ClickAsync("#confirm-disable");
        await Expect(row).ToContainTextAsync("disabled");
        Assert.NotNull((await tenants.FindBySlugAsync(customer.Slug))!.DisabledAt);
        await page.ScreenshotAsync(new() { Path = Shot("22-administration.png"), FullPage = true });

        await page.ClickAsync($"#enable-{customer.Slug}");
        await page.Locator(".mud-dialog button", new() { HasText = "Enable" }).ClickAsync();
        await Expect(row).ToContainTextAsync("active");
        Assert.Null((await tenants.FindBySlugAsync(customer.Slug))!.DisabledAt);
    }

    private Task<Tenant> SignUpAsync(string name, string email) => Journey.SignUpAsync(portal, name, email);

    private Task<IPage> SignInAsync(string slug, string email) => Journey.SignInAsync(portal, slug, email);

    private string Shot(string name) => Path.Combine(portal.ScreenshotDirectory, name);
}
