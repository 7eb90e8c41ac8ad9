using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Portal.Data.Identity;
using Portal.Data.Keys;
using Portal.Data.Tenancy;

namespace Portal.Web.Features.Identity;

/// <summary>
/// Datadog-style API authentication: an API key (which organisation) plus an application key (which user
/// of that organisation). Both must be live and belong to the same tenant.
/// </summary>
public sealed class KeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    KeyService keys, TenantProvisioner tenants, TenantContext tenantContext, UserManager<VigilUser> users, CredentialCache cache)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "DatadogKeys";
    public const string ApiKeyHeader = "DD-API-KEY";
    public const string ApplicationKeyHeader = "DD-APPLICATION-KEY";

    /// <summary>
    /// Whether a request authenticates with keys rather than a session: an API request with either key header (a page or an
    /// account endpoint asked with them sees no member, so that a key's scopes cannot be side-stepped through the pages).
    /// </summary>
    public static bool IsKeyRequest(HttpRequest request) =>
        request.Path.StartsWithSegments("/api") && (request.Headers.ContainsKey(ApiKeyHeader) || request.Headers.ContainsKey(ApplicationKeyHeader));

    /// <summary>Why the keys of a disabled organisation are refused, at intake and on the API.</summary>
    public const string DisabledMessage = "This organisation is disabled; its keys are refused until an instance administrator enables it again.";

    private const string RefusalItem = "vigil:key-refusal";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var apiKey = await keys.ResolveAsync(KeyKind.Api, Request.Headers[ApiKeyHeader].ToString(), Context.RequestAborted);
        if (apiKey is null)
        {
            return AuthenticateResult.Fail("The DD-API-KEY header is missing, unknown or revoked.");
        }
        var appKey = await keys.ResolveAsync(KeyKind.Application, Request.Headers[ApplicationKeyHeader].ToString(), Context.RequestAborted);
        if (appKey is null || appKey.TenantId != apiKey.TenantId || appKey.UserId is not { } userId)
        {
            return AuthenticateResult.Fail("The DD-APPLICATION-KEY header is missing, unknown, revoked or of another organisation.");
        }
        // Who the pair of keys is, kept until a key, an organisation or a user changes (CredentialCache).
        var pair = $"{apiKey.Id:N}:{appKey.Id:N}";
        if (!cache.TryGet<Claim[]>("key-pair", pair, out var claims))
        {
            var generation = cache.Generation;
            var tenant = await tenants.FindAsync(apiKey.TenantId, Context.RequestAborted);
            if (tenant?.DisabledAt is not null)
            {
                return Refuse(DisabledMessage);
            }
            tenantContext.Set(apiKey.TenantId);
            var user = await users.FindByIdAsync(userId.ToString());
            if (tenant is null || user is null)
            {
                return AuthenticateResult.Fail("The application key's user no longer exists.");
            }
            claims =
            [
                new Claim(ClaimTypes.NameIdentifier, user.Id.ToString()),
                new Claim(ClaimTypes.Name, user.UserName ?? ""),
                new Claim(ClaimTypes.Role, user.Role),
                new Claim(VigilClaims.TenantId, tenant.Id.ToString()),
                new Claim(VigilClaims.TenantSlug, tenant.Slug),
                new Claim(VigilClaims.TenantName, tenant.Name),
            ];
            cache.Set("key-pair", pair, claims, generation);
        }
        tenantContext.Set(apiKey.TenantId);
        var identity = new ClaimsIdentity(claims, SchemeName);
        // A key restricted to scopes may do only what its scopes and its user's role both allow.
        var scopes = (appKey.Scopes ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (scopes.Length > 0)
        {
            identity.AddClaim(new Claim(Permissions.ScopedClaim, "true"));
            identity.AddClaims(scopes.Select(s => new Claim(Permissions.ScopeClaim, s)));
        }
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        // Datadog answers 403 for bad or missing keys.
        if (Context.Items[RefusalItem] is string refusal)
        {
            await Results.Problem(title: "Forbidden", detail: refusal, statusCode: StatusCodes.Status403Forbidden).ExecuteAsync(Context);
            return;
        }
        Response.StatusCode = StatusCodes.Status403Forbidden;
    }

    private AuthenticateResult Refuse(string message)
    {
        Context.Items[RefusalItem] = message;
        return AuthenticateResult.Fail(message);
    }
}
