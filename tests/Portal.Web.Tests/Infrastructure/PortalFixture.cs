using Microsoft.Extensions.DependencyInjection;
using Portal.Data.Identity;
using Portal.Data.Keys;
using Portal.Data.Tenancy;
using Portal.Testing;

namespace Portal.Web.Tests.Infrastructure;

/// <summary>
/// One portal per test run, on real Kestrel over loopback, with its own data directory (SQLite, Lucene, Hangfire).
/// Shared by every test class in the "portal" collection: Hangfire keeps process-wide state, so one host it is.
/// Its emails go to a real SMTP server on loopback (<see cref="Mail"/>).
/// </summary>
public sealed class PortalFixture : IAsyncLifetime
{
    private LoopbackPortal _portal = default!;

    public Uri BaseAddress => _portal.BaseAddress;

    public IServiceProvider Services => _portal.Services;

    /// <summary>Every email the portal sent.</summary>
    public MailCapture Mail { get; private set; } = default!;

    public Task InitializeAsync()
    {
        Mail = MailCapture.Start();
        // A small intake budget per organisation, so that the rate-limit test needs little data.
        _portal = LoopbackPortal.Start(settings: new Dictionary<string, string>
        {
            ["Vigil:Intake:BytesPerSecond"] = "1000000",
            ["Vigil:Intake:BurstBytes"] = "2000000",
            ["Vigil:Smtp:Host"] = "127.0.0.1",
            ["Vigil:Smtp:Port"] = Mail.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Vigil:Smtp:From"] = "Vigil <vigil@example.test>",
            ["Vigil:Smtp:UseTls"] = "false",
            ["Vigil:ThreatIntel:Feeds:0"] = ThreatIntelFeedFile.Write(),
        });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _portal.DisposeAsync();
        await Mail.DisposeAsync();
    }

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

    /// <summary>The organisation's owner (who signed it up), as the services take an acting member.</summary>
    public async Task<MemberActor> OwnerAsync(TestTenant tenant)
    {
        var owner = (await Services.GetRequiredService<MemberService>().ListAsync(tenant.Id)).First(u => u.Role == VigilRoles.Owner);
        return new MemberActor(owner.Id, owner.Role);
    }

    /// <summary>
    /// Adds a member with <paramref name="role"/> to <paramref name="tenant"/> (invited by its owner, accepted with
    /// <see cref="TestTenant.Password"/>) and returns the organisation as seen through that member's application key.
    /// </summary>
    public async Task<(TestTenant AsMember, Guid UserId)> AddMemberAsync(TestTenant tenant, string role, string? email = null)
    {
        email ??= $"{role.Replace('_', '-')}.{Guid.NewGuid():N}@example.test";
        var members = Services.GetRequiredService<MemberService>();
        var invited = await members.InviteAsync(tenant.Id, await OwnerAsync(tenant), email, role);
        Assert.True(invited.Succeeded, string.Join("; ", invited.Errors.SelectMany(e => e.Value)));
        var accepted = await members.AcceptAsync(invited.Token, TestTenant.Password, ip: null);
        Assert.True(accepted.Succeeded, string.Join("; ", accepted.Errors.SelectMany(e => e.Value)));
        var (_, appKey) = await Services.GetRequiredService<KeyService>().CreateAsync(tenant.Id, KeyKind.Application, "member", accepted.User!.Id);
        return (tenant with { Email = email, ApplicationKey = appKey }, accepted.User.Id);
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
