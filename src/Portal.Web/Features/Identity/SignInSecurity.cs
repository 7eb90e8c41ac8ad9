using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Data.Identity;
using Portal.Data.Tenancy;

namespace Portal.Web.Features.Identity;

/// <summary>
/// Sign-in security: attempt limits, the organisation's "require MFA" rule for page requests, session renewal after
/// the member changes their own credentials, and the passkey endpoints the browser's WebAuthn calls use.
/// </summary>
public static class SignInSecurity
{
    private const string RenewPurpose = "Vigil.SessionRenewal";

    /// <summary>Registers the attempt limiter (<c>Vigil:SignIn:*</c>), the account security service and the session refresh rule.</summary>
    public static void AddSignInSecurity(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<SignInLimitOptions>(configuration.GetSection(SignInLimitOptions.Section));
        services.AddSingleton<SignInLimiter>();
        services.AddSingleton<AccountSecurity>();
        // Identity drops the authentication method when it refreshes the cookie after a security-stamp check; the MFA
        // rule reads it, so it is carried over.
        services.Configure<SecurityStampValidatorOptions>(o => o.OnRefreshingPrincipal = context =>
        {
            if (context.NewPrincipal?.Identity is ClaimsIdentity identity && context.CurrentPrincipal is { } current)
            {
                foreach (var amr in current.FindAll("amr").Where(c => !identity.HasClaim("amr", c.Value)))
                {
                    identity.AddClaim(new Claim("amr", amr.Value));
                }
            }
            return Task.CompletedTask;
        });
    }

    /// <summary>Adds the MFA rule to the pipeline (after authentication) and maps the session and passkey endpoints.</summary>
    public static void MapSignInSecurity(this WebApplication app)
    {
        app.Use(RequireMfaSetupAsync);

        var account = app.MapGroup("/account").ExcludeFromDescription();
        account.MapPost("/session/renew", RenewSessionAsync).DisableAntiforgery();
        account.MapPost("/passkey/request-options", async (TenantSignIn signIn, [FromForm] string? org) =>
        {
            var (options, error) = await signIn.PasskeyRequestOptionsAsync(org);
            return options is not null
                ? Results.Content(options, "application/json")
                : Results.Problem(statusCode: StatusCodes.Status400BadRequest, detail: error);
        });
        account.MapPost("/passkey/creation-options", async (HttpContext context, SignInManager<VigilUser> signIn, IAntiforgery antiforgery, SignInLimiter limiter, [FromForm] string? password) =>
        {
            if (!await antiforgery.IsRequestValidAsync(context))
            {
                return Results.BadRequest();
            }
            if (await signIn.UserManager.GetUserAsync(context.User) is not { } user)
            {
                return Results.Unauthorized();
            }
            // A passkey signs in on its own: adding one takes the password, so that a borrowed session cannot plant one.
            if (await AccountSecurity.PasswordErrorAsync(limiter, signIn.UserManager, user, password) is { } wrong)
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, detail: wrong);
            }
            var entity = new PasskeyUserEntity { Id = user.Id.ToString(), Name = user.Email!, DisplayName = user.Email! };
            return Results.Content(await signIn.MakePasskeyCreationOptionsAsync(entity), "application/json");
        }).RequireAuthorization();
        account.MapPost("/passkey/add", async (HttpContext context, SignInManager<VigilUser> signIn, AccountSecurity security, [FromForm] string? credential, [FromForm] string? name) =>
        {
            if (await signIn.UserManager.GetUserAsync(context.User) is not { } user || string.IsNullOrEmpty(credential))
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, detail: "The passkey could not be read. Try again.");
            }
            var attestation = await signIn.PerformPasskeyAttestationAsync(credential);
            if (!attestation.Succeeded)
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, detail: "The passkey was not accepted: " + attestation.Failure.Message);
            }
            var error = await security.AddPasskeyAsync(signIn.UserManager, user, attestation.Passkey, name);
            return error is null ? Results.NoContent() : Results.Problem(statusCode: StatusCodes.Status400BadRequest, detail: error);
        }).RequireAuthorization();
    }

    /// <summary>
    /// A short-lived ticket that re-issues the session cookie of <paramref name="user"/> after a change of their own
    /// security stamp (password, MFA), which would otherwise end this session at the next stamp check. It is bound
    /// to the new stamp, so it stops working at the next change, and expires in two minutes.
    /// </summary>
    internal static string CreateRenewalTicket(IDataProtectionProvider protection, VigilUser user, bool mfa) =>
        protection.CreateProtector(RenewPurpose).ToTimeLimitedDataProtector()
            .Protect($"{user.TenantId:N}|{user.Id:N}|{user.SecurityStamp}|{(mfa ? "1" : "0")}", TimeSpan.FromMinutes(2));

    private static async Task<IResult> RenewSessionAsync(HttpContext context, IDataProtectionProvider protection, IServiceScopeFactory scopes,
        [FromForm] string? ticket, [FromForm] string? next)
    {
        string[] parts;
        try
        {
            parts = protection.CreateProtector(RenewPurpose).ToTimeLimitedDataProtector().Unprotect(ticket ?? "").Split('|');
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return Results.LocalRedirect("/account/signin");
        }
        await using var scope = scopes.CreateTenantScope(Guid.Parse(parts[0]));
        var signIn = scope.ServiceProvider.GetRequiredService<SignInManager<VigilUser>>();
        var user = await signIn.UserManager.FindByIdAsync(Guid.Parse(parts[1]).ToString());
        if (user is null || user.SecurityStamp != parts[2])
        {
            return Results.LocalRedirect("/account/signin");
        }
        // The browser must hold this very member's session cookie (its stamp is the old one, so it is read, not
        // validated): a ticket renews its own member's session and can never sign a browser in (login CSRF), nor
        // replace another member's session.
        var cookies = context.RequestServices.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(IdentityConstants.ApplicationScheme);
        var cookie = cookies.CookieManager.GetRequestCookie(context, cookies.Cookie.Name!);
        var current = cookie is null ? null : cookies.TicketDataFormat.Unprotect(cookie);
        if (current?.Principal is not { } signedIn || SessionInfo.From(signedIn) is not { } session || session.UserId != user.Id || session.TenantId != user.TenantId)
        {
            return Results.LocalRedirect("/account/signin");
        }
        var claims = new List<Claim>();
        if (parts[3] == "1" || signedIn.HasClaim("amr", TenantSignIn.MfaMethod))
        {
            claims.Add(new Claim("amr", TenantSignIn.MfaMethod));
        }
        await signIn.SignInWithClaimsAsync(user, current.Properties.IsPersistent, claims);
        return Results.LocalRedirect(SignIn.SafeReturnUrl(next));
    }

    /// <summary>
    /// When the organisation requires MFA, a member signed in without a second factor and without an authenticator
    /// is sent to the security page for page requests. API calls (keys) and the account pages are not affected.
    /// </summary>
    private static async Task RequireMfaSetupAsync(HttpContext context, RequestDelegate next)
    {
        if (HttpMethods.IsGet(context.Request.Method)
            && !IsExempt(context.Request.Path)
            && !await MfaRule.SatisfiedAsync(context.User, context.RequestServices.GetRequiredService<TenantDbFactory>(), context.RequestAborted))
        {
            context.Response.Redirect(SecurityPage.SetupRequiredPath);
            return;
        }
        await next(context);
    }

    private static bool IsExempt(PathString path) =>
        path.StartsWithSegments("/account") || path.StartsWithSegments("/api") || path.StartsWithSegments("/_blazor")
        || path.StartsWithSegments("/_framework") || path.StartsWithSegments("/_content") || path.StartsWithSegments("/healthz")
        || path.StartsWithSegments("/status") || Path.HasExtension(path.Value);

    /// <summary>Whether the organisation requires MFA and the member has no authenticator yet.</summary>
    internal static async Task<bool> NeedsSetupAsync(TenantDbFactory dbs, SessionInfo session, CancellationToken cancellationToken)
    {
        await using var db = dbs.Create(session.TenantId);
        if (!await db.Tenants.AnyAsync(t => t.Id == session.TenantId && t.RequireMfa, cancellationToken))
        {
            return false;
        }
        return !await db.Users.AnyAsync(u => u.Id == session.UserId && u.TwoFactorEnabled, cancellationToken);
    }
}
