using System.Security.Cryptography;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E.Tests;

/// <summary>
/// Sign-in security in a real browser: a passkey added on the security page and used to sign in (Chromium's virtual
/// authenticator through CDP stands in for the device), and an authenticator app set up and asked for at sign-in.
/// WebAuthn refuses IP addresses as relying-party ids, so these journeys use <c>localhost</c>.
/// </summary>
[Collection("browser")]
public sealed class SignInSecurityJourneyTests(BrowserPortalFixture portal)
{
    private const float Timeout = 30_000;

    [Fact]
    public async Task Member_AddsAPasskeyAndSignsInWithIt()
    {
        await using var context = await NewContextAsync();
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(Timeout);
        var cdp = await context.NewCDPSessionAsync(page);
        await cdp.SendAsync("WebAuthn.enable");
        await cdp.SendAsync("WebAuthn.addVirtualAuthenticator", new Dictionary<string, object>
        {
            ["options"] = new Dictionary<string, object>
            {
                ["protocol"] = "ctap2",
                ["transport"] = "internal",
                ["hasResidentKey"] = true,
                ["hasUserVerification"] = true,
                ["isUserVerified"] = true,
                ["automaticPresenceSimulation"] = true,
            },
        });
        var org = await SignUpAsync(page, "Passkey Partners", "pat@passkey.test");

        await page.GotoAsync("account/security");
        await WaitForCircuitAsync(page);
        await page.Locator("input#passkey-name, #passkey-name input").First.FillAsync("Work laptop");
        await page.ClickAsync("#add-passkey");
        await Expect(page.Locator("#passkey-card")).ToContainTextAsync("Enter your current password");
        await page.Locator("input#passkey-password, #passkey-password input").First.FillAsync("Passkey-Partners-1");
        await page.ClickAsync("#add-passkey");
        await Expect(page.Locator("#passkey-table")).ToContainTextAsync("Work laptop");
        await page.ScreenshotAsync(new() { Path = Shot("10-passkey-added.png") });

        await context.ClearCookiesAsync();
        await page.GotoAsync("account/signin");
        await page.FillAsync("#slug", "no-such-organisation");
        await page.ClickAsync("#passkey-signin");
        await Expect(page.Locator("#passkey-error")).ToContainTextAsync("No organisation is called 'no-such-organisation'");
        await page.FillAsync("#slug", org);
        await page.ScreenshotAsync(new() { Path = Shot("13-sign-in.png") });
        await page.ClickAsync("#passkey-signin");
        await Expect(page.Locator("#org-name")).ToHaveTextAsync("Passkey Partners");
    }

    [Fact]
    public async Task Member_SetsUpAnAuthenticatorAppAndIsAskedForACodeAtSignIn()
    {
        await using var context = await NewContextAsync();
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(Timeout);
        var org = await SignUpAsync(page, "Totp Traders", "tom@totp.test");

        // The owner requires MFA for everyone: without it, every page but the account pages leads to the setup.
        await page.GotoAsync("settings/organisation");
        await WaitForCircuitAsync(page);
        await page.GetByLabel("Require two-step verification for all members").CheckAsync();
        await Expect(page.Locator(".mud-snackbar")).ToContainTextAsync("now required");
        await page.ScreenshotAsync(new() { Path = Shot("15-organisation-requires-mfa.png") });
        await page.GetByRole(AriaRole.Link, new() { Name = "Rules" }).First.ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/security\\?setup=required$"));
        await Expect(page.Locator("#mfa-required")).ToBeVisibleAsync();
        await page.GotoAsync("signals");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/security\\?setup=required$"));

        await WaitForCircuitAsync(page);
        await page.ClickAsync("#setup-mfa");
        await Expect(page.Locator("#mfa-qr")).ToBeVisibleAsync();
        var key = (await page.Locator("#mfa-key").InnerTextAsync()).Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
        await page.ScreenshotAsync(new() { Path = Shot("11-authenticator-setup.png") });
        await page.Locator("input#mfa-code, #mfa-code input").First.FillAsync(Totp(key));
        await page.Locator("input#mfa-setup-password, #mfa-setup-password input").First.FillAsync("Totp-Traders-1");
        await page.ClickAsync("#verify-mfa");

        // The session is renewed (a full page load) and the recovery codes are shown once.
        await Expect(page.Locator("#recovery-codes li")).ToHaveCountAsync(10);
        await Expect(page.Locator("#mfa-on")).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Shot("12-recovery-codes.png") });
        await Expect(page.Locator("#disable-mfa")).ToBeDisabledAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Rules" }).First.ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/rules$"));

        await context.ClearCookiesAsync();
        await page.GotoAsync("account/signin");
        await page.FillAsync("#slug", org);
        await page.FillAsync("#email", "tom@totp.test");
        await page.FillAsync("#password", "Totp-Traders-1");
        await page.ClickAsync("#signin-submit");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Two-step verification");
        await page.FillAsync("#code", Totp(key));
        await page.ScreenshotAsync(new() { Path = Shot("14-sign-in-code.png") });
        await page.ClickAsync("#mfa-submit");
        await Expect(page.Locator("#org-name")).ToHaveTextAsync("Totp Traders");
    }

    private Task<IBrowserContext> NewContextAsync() => portal.Browser.NewContextAsync(new BrowserNewContextOptions
    {
        ViewportSize = new() { Width = 1280, Height = 900 },
        BaseURL = new UriBuilder(portal.BaseAddress) { Host = "localhost" }.Uri.ToString(),
    });

    private static async Task<string> SignUpAsync(IPage page, string name, string email)
    {
        await page.GotoAsync("account/signup");
        await page.FillAsync("#org", name);
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", name.Split(' ')[0] + "-" + name.Split(' ')[1] + "-1");
        var slug = await page.Locator("#slug").InputValueAsync();
        await page.ClickAsync("#signup-submit");
        await Expect(page.Locator("#org-name")).ToHaveTextAsync(name);
        return slug;
    }

    private static Task WaitForCircuitAsync(IPage page) => Journey.WaitForCircuitAsync(page);

    /// <summary>RFC 6238 (HMAC-SHA1, 30 s, 6 digits): what an authenticator app shows for <paramref name="base32Key"/> now.</summary>
    private static string Totp(string base32Key)
    {
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var key = new List<byte>();
        int buffer = 0, bits = 0;
        foreach (var c in base32Key)
        {
            buffer = (buffer << 5) | Alphabet.IndexOf(c, StringComparison.Ordinal);
            bits += 5;
            if (bits >= 8)
            {
                key.Add((byte)(buffer >> (bits - 8)));
                bits -= 8;
            }
        }
        var counter = new byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(counter, DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 30);
#pragma warning disable CA5350 // RFC 6238 authenticator codes are HMAC-SHA1 by definition.
        var hash = HMACSHA1.HashData(key.ToArray(), counter);
#pragma warning restore CA5350
        var offset = hash[^1] & 0x0f;
        var binary = ((hash[offset] & 0x7f) << 24) | (hash[offset + 1] << 16) | (hash[offset + 2] << 8) | hash[offset + 3];
        return (binary % 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
    }

    private string Shot(string name) => Path.Combine(portal.ScreenshotDirectory, name);
}
