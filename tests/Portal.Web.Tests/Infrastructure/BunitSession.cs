using System.Security.Claims;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using Portal.Data.Identity;
using Portal.Data.Tenancy;
using Portal.Web.Features.Identity;
using Portal.Web.Features.Settings;

namespace Portal.Web.Tests.Infrastructure;

/// <summary>Signs a member into a bUnit context as the portal's cookie would: their tenant, id and role as claims.</summary>
public static class BunitSession
{
    /// <summary>What every page rendered alone needs: MudBlazor, the session, and the organisation's settings (its time zone) from the portal's database.</summary>
    public static void AddPageServices(BunitContext context, PortalFixture portal)
    {
        context.Services.AddMudServices();
        context.Services.AddLogging();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddScoped<TenantSession>();
        context.Services.AddSingleton(portal.Services.GetRequiredService<OrganisationService>());
        context.Services.AddScoped<OrganisationZone>();
        context.Services.AddSingleton(portal.Services.GetRequiredService<Portal.Data.Views.SavedViews>());
    }

    public static void SignIn(BunitContext context, Guid tenantId, string tenantSlug, Guid userId, string email, string role, string tenantName = "Page Org")
    {
        var auth = context.AddAuthorization();
        auth.SetAuthorized(email);
        auth.SetRoles(role);
        auth.SetClaims(
            new Claim(ClaimTypes.NameIdentifier, userId.ToString()),
            new Claim(VigilClaims.TenantId, tenantId.ToString()),
            new Claim(VigilClaims.TenantSlug, tenantSlug),
            new Claim(VigilClaims.TenantName, tenantName));
    }
}
