using Microsoft.Extensions.DependencyInjection;
using Portal.Data.Keys;
using Portal.Data.Tenancy;
using Portal.Testing;

namespace Portal.Web.Tests.Infrastructure;

/// <summary>
/// One portal per test run, on real Kestrel over loopback, with its own data directory (SQLite, Lucene, Hangfire).
/// Shared by every test class in the "portal" collection: Hangfire keeps process-wide state, so one host it is.
/// </summary>
public sealed class PortalFixture : IAsyncLifetime
{
    private LoopbackPortal _portal = default!;

    public Uri BaseAddress => _portal.BaseAddress;

    public IServiceProvider Services => _portal.Services;

    public Task InitializeAsync()
    {
        // A small intake budget per organisation, so that the rate-limit test needs little data.
        _portal = LoopbackPortal.Start(settings: new Dictionary<string, string>
        {
            ["Vigil:Intake:BytesPerSecond"] = "1000000",
            ["Vigil:Intake:BurstBytes"] = "2000000",
        });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    /// <summary>An HTTP client on the real loopback address, with a cookie jar.</summary>
    public HttpClient CreateClient() => new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new() }) { BaseAddress = BaseAddress };

    /// <summary>Signs up an organisation (through the provisioning service) with API and application keys.</summary>
    public async Task<TestTenant> CreateTenantAsync(string? name = null, string? email = null)
    {
        name ??= "Org " + Guid.NewGuid().ToString("N")[..8];
        email ??= "owner@example.test";
        var result = await Services.GetRequiredService<TenantProvisioner>().SignUpAsync(new SignUpRequest(name, null, email, TestTenant.Password));
        Assert.True(result.Succeeded, string.Join("; ", result.Errors.SelectMany(e => e.Value)));
        var keys = Services.GetRequiredService<KeyService>();
        var (_, apiKey) = await keys.CreateAsync(result.Tenant!.Id, KeyKind.Api, "tests", result.Owner!.Id);
        var (_, appKey) = await keys.CreateAsync(result.Tenant.Id, KeyKind.Application, "tests", result.Owner.Id);
        return new TestTenant(result.Tenant.Id, result.Tenant.Slug, email, apiKey, appKey);
    }
}

/// <summary>An organisation created for a test, with its keys.</summary>
public sealed record TestTenant(Guid Id, string Slug, string Email, string ApiKey, string ApplicationKey)
{
    public const string Password = "Correct-Horse-42";

    /// <summary>Adds Datadog's key headers to a request.</summary>
    public HttpRequestMessage Request(HttpMethod method, string path, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Add("DD-API-KEY", ApiKey);
        request.Headers.Add("DD-APPLICATION-KEY", ApplicationKey);
        return request;
    }
}

[CollectionDefinition("portal")]
public sealed class PortalCollection : ICollectionFixture<PortalFixture>;
