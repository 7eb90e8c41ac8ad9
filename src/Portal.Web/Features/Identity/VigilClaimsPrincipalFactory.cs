using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Portal.Data.Identity;
using Portal.Data.Tenancy;

namespace Portal.Web.Features.Identity;

/// <summary>Adds the tenant (id, slug, name), the member's role and, for instance administrators, their claim to the signed-in principal.</summary>
public sealed class VigilClaimsPrincipalFactory(UserManager<VigilUser> users, IOptions<IdentityOptions> options, TenantProvisioner tenants)
    : UserClaimsPrincipalFactory<VigilUser>(users, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(VigilUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        var tenant = await tenants.FindAsync(user.TenantId) ?? throw new InvalidOperationException("The user's organisation no longer exists.");
        identity.AddClaim(new Claim(VigilClaims.TenantId, tenant.Id.ToString()));
        identity.AddClaim(new Claim(VigilClaims.TenantSlug, tenant.Slug));
        identity.AddClaim(new Claim(VigilClaims.TenantName, tenant.Name));
        identity.AddClaim(new Claim(ClaimTypes.Role, user.Role));
        if (user.IsInstanceAdmin)
        {
            identity.AddClaim(new Claim(InstanceAdmin.Claim, "true"));
        }
        return identity;
    }
}
