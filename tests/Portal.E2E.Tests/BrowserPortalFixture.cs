using Microsoft.Playwright;
using Portal.Testing;

namespace Portal.E2E.Tests;

/// <summary>The portal on real Kestrel plus Debian's Chromium driven by Playwright (no browser download).</summary>
public sealed class BrowserPortalFixture : IAsyncLifetime
{
    private LoopbackPortal? _portal;
    private IPlaywright? _playwright;

    public Uri BaseAddress { get; private set; } = default!;

    /// <summary>The portal's services, to prepare what the journey needs but cannot do through pages (instance administrators).</summary>
    public IServiceProvider Services => _portal?.Services ?? throw new InvalidOperationException("The fixture is not initialised.");

    public IBrowser Browser { get; private set; } = default!;

    /// <summary>Where screenshots go: <c>VIGIL_SCREENSHOTS</c>, else <c>screenshots/</c> next to the test assembly.</summary>
    public string ScreenshotDirectory { get; } = Environment.GetEnvironmentVariable("VIGIL_SCREENSHOTS") is { Length: > 0 } dir
        ? dir
        : Path.Combine(AppContext.BaseDirectory, "screenshots");

    public async Task InitializeAsync()
    {
        var chromium = Environment.GetEnvironmentVariable("VIGIL_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";
        if (!File.Exists(chromium))
        {
            throw new InvalidOperationException($"Chromium was not found at {chromium}: install Debian's 'chromium' package (apt-get install chromium) or set VIGIL_CHROMIUM.");
        }
        // Playwright's assertions wait 5 s unless told otherwise, apart from the pages' default timeout: as long as any step may take.
        Assertions.SetDefaultExpectTimeout(Journey.Timeout);
        _portal = LoopbackPortal.Start();
        BaseAddress = _portal.BaseAddress;

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage"],
        });
        Directory.CreateDirectory(ScreenshotDirectory);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }
        _playwright?.Dispose();
        if (_portal is not null)
        {
            await _portal.DisposeAsync();
        }
    }
}

/// <summary>
/// Every browser test shares one portal: Hangfire keeps process-wide state (the job activator, the storage), so two
/// portals in one test process would run each other's jobs against the wrong services.
/// </summary>
[CollectionDefinition("browser")]
public sealed class BrowserCollection : ICollectionFixture<BrowserPortalFixture>;
