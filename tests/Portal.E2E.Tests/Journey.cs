using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Data.Tenancy;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E.Tests;

/// <summary>What the browser journeys share: an organisation made through the portal's services, a signed-in page, the circuit awaited.</summary>
internal static class Journey
{
    /// <summary>How long a step may take on a slow machine.</summary>
    public const float Timeout = 30_000;

    /// <summary>The password of the members <see cref="SignUpAsync"/> makes.</summary>
    public const string Password = "Correct-Horse-42";

    /// <summary>A new organisation <paramref name="name"/> whose first member is <paramref name="email"/>.</summary>
    public static async Task<Tenant> SignUpAsync(BrowserPortalFixture portal, string name, string email)
    {
        var result = await portal.Services.GetRequiredService<TenantProvisioner>().SignUpAsync(new SignUpRequest(name, null, email, Password));
        Assert.True(result.Succeeded, string.Join("; ", result.Errors.SelectMany(e => e.Value)));
        return result.Tenant!;
    }

    /// <summary>A page of a new browser context signed in to <paramref name="slug"/> as <paramref name="email"/>, its circuit up.</summary>
    public static async Task<IPage> SignInAsync(BrowserPortalFixture portal, string slug, string email)
    {
        var context = await portal.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 1440, Height = 900 }, BaseURL = portal.BaseAddress.ToString() });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(Timeout);
        await page.GotoAsync("account/signin");
        await page.FillAsync("#slug", slug);
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", Password);
        await page.ClickAsync("#signin-submit");
        await Expect(page.Locator("#org-name")).ToBeVisibleAsync();
        await WaitForCircuitAsync(page);
        return page;
    }

    /// <summary>Waits for the page's interactive circuit (the layout shows its marker once connected).</summary>
    public static Task WaitForCircuitAsync(IPage page) =>
        page.Locator("#circuit-ready:not([hidden])").WaitForAsync(new() { State = WaitForSelectorState.Attached, Timeout = Timeout });
}
