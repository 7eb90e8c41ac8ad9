using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Identity;
using Portal.Data.Tenancy;

namespace Portal.Web.Features.Identity;

/// <summary>
/// Authentication: a cookie for people (per tenant: the principal carries its tenant), and Datadog's
/// <c>DD-API-KEY</c> + <c>DD-APPLICATION-KEY</c> headers for machines. <see cref="Scheme"/> picks one per request.
/// </summary>
public static class IdentitySetup
{
    /// <summary>The policy scheme used by the API: keys when key headers are present, else the cookie.</summary>
    public const string Scheme = "Vigil";

    /// <summary>Authorization policy of the API endpoints.</summary>
    public const string ApiPolicy = "api";

    public static void AddIdentity(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddVigilData(builder.Configuration)
            .AddSignInManager()
            .AddClaimsPrincipalFactory<VigilClaimsPrincipalFactory>()
            .AddDefaultTokenProviders();

        services.AddAuthentication(o =>
            {
                o.DefaultScheme = Scheme;
                o.DefaultChallengeScheme = Scheme;
            })
            // Keys authenticate the API only: a page or an account endpoint asked with key headers sees no member, so
            // that a key's scopes cannot be side-stepped through the pages (or used to add a passkey).
            .AddPolicyScheme(Scheme, "Cookie or Datadog keys", o => o.ForwardDefaultSelector = context =>
                KeyAuthenticationHandler.IsKeyRequest(context.Request) ? KeyAuthenticationHandler.SchemeName : IdentityConstants.ApplicationScheme)
            .AddScheme<AuthenticationSchemeOptions, KeyAuthenticationHandler>(KeyAuthenticationHandler.SchemeName, null)
            .AddIdentityCookies();

        services.ConfigureApplicationCookie(o =>
        {
            o.LoginPath = "/account/signin";
            o.LogoutPath = "/account/signout";
            o.AccessDeniedPath = "/account/signin";
            o.Cookie.Name = "vigil.auth";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.SlidingExpiration = true;
            o.ExpireTimeSpan = TimeSpan.FromDays(7);
            o.Events.OnValidatePrincipal = async context =>
            {
                // The security-stamp check loads the user through the tenant-scoped stores, so the tenant comes first.
                if (Guid.TryParse(context.Principal?.FindFirst(VigilClaims.TenantId)?.Value, out var tenantId))
                {
                    context.HttpContext.RequestServices.GetRequiredService<TenantContext>().Set(tenantId);
                    // A deleted or disabled organisation's sessions end at their next request, not at the next stamp check.
                    await using var db = context.HttpContext.RequestServices.GetRequiredService<TenantDbFactory>().Create(tenantId);
                    if (!await db.Tenants.AnyAsync(t => t.Id == tenantId && t.DisabledAt == null, context.HttpContext.RequestAborted))
                    {
                        context.RejectPrincipal();
                        await context.HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
                        return;
                    }
                }
                await SecurityStampValidator.ValidatePrincipalAsync(context);
            };
            o.Events.OnRedirectToLogin = context => ApiAwareRedirect(context, StatusCodes.Status401Unauthorized);
            o.Events.OnRedirectToAccessDenied = context => ApiAwareRedirect(context, StatusCodes.Status403Forbidden);
        });

        // Cookies are checked against the user's security stamp every minute (Identity's default is 30): a removed
        // member, a deleted organisation or a changed password ends every session within a minute.
        services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.FromMinutes(1));

        var authorization = services.AddAuthorizationBuilder()
            .AddPolicy(ApiPolicy, p => p.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser().RequireClaim(VigilClaims.TenantId).AddRequirements(new MfaRequirement()));
        Policies.Add(authorization);
        InstanceAdmin.Add(authorization);
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationHandler, PermissionHandler>();
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationHandler, MfaRequirementHandler>();
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, PermissionDeniedHandler>();
        services.AddScoped<Microsoft.AspNetCore.Components.Server.Circuits.CircuitHandler, AuditCircuitHandler>();
        services.AddCascadingAuthenticationState();
        services.AddScoped<Microsoft.AspNetCore.Components.Authorization.AuthenticationStateProvider, RevalidatingSessionStateProvider>();
        services.AddScoped<TenantSession>();
        services.AddScoped<Settings.OrganisationZone>();
        services.AddSingleton<TenantSignIn>();
        services.AddSignInSecurity(builder.Configuration);
    }

    public static void MapIdentity(this WebApplication app)
    {
        app.MapSignInSecurity();
        app.MapPost("/account/signout", async (SignInManager<VigilUser> signIn, [FromForm] string? returnUrl) =>
        {
            await signIn.SignOutAsync();
            return TypedResults.LocalRedirect("/account/signin");
        }).WithName("SignOut").ExcludeFromDescription();
    }

    private static Task ApiAwareRedirect(Microsoft.AspNetCore.Authentication.RedirectContext<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions> context, int status)
    {
        if (context.Request.Path.StartsWithSegments("/api"))
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        }
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }
}
