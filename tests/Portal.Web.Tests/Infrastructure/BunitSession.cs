using System.Security.Claims;
using Bunit;
using Portal.Data.Identity;

namespace Portal.Web.Tests.Infrastructure;

/// <summary>Signs a member into a bUnit context as the portal's cookie would: their tenant, id and role as claims.</summary>
public static class BunitSession
{
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
