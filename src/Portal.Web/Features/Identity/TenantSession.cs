using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Portal.Data.Identity;

namespace Portal.Web.Features.Identity;

/// <summary>Who is signed in, for components and endpoints: tenant and user, read from the principal.</summary>
public sealed record SessionInfo(Guid TenantId, string TenantSlug, string TenantName, Guid UserId, string UserName, string Role)
{
    /// <summary>Reads the session from a principal; null when it carries no tenant.</summary>
    public static SessionInfo? From(ClaimsPrincipal? user)
    {
        if (user is null || !Guid.TryParse(user.FindFirst(VigilClaims.TenantId)?.Value, out var tenantId)
            || !Guid.TryParse(user.FindFirst(ClaimTypes.NameIdentifier)?.Value, out var userId))
        {
            return null;
        }
        return new SessionInfo(
            tenantId,
            user.FindFirst(VigilClaims.TenantSlug)?.Value ?? "",
            user.FindFirst(VigilClaims.TenantName)?.Value ?? "",
            userId,
            user.FindFirst(ClaimTypes.Name)?.Value ?? "",
            user.FindFirst(ClaimTypes.Role)?.Value ?? VigilRoles.ReadOnly);
    }

    /// <summary>Whether this member's role allows the permission (pages hide or refuse what it does not).</summary>
    public bool Can(Permission permission) => Permissions.Allows(Role, permission);
}

/// <summary>The session of the current circuit, for interactive components.</summary>
public sealed class TenantSession(AuthenticationStateProvider authentication)
{
    /// <summary>The signed-in session; throws when nobody is signed in (pages require authorization).</summary>
    public async Task<SessionInfo> GetAsync()
    {
        var state = await authentication.GetAuthenticationStateAsync();
        return SessionInfo.From(state.User) ?? throw new InvalidOperationException("No organisation member is signed in.");
    }
}
