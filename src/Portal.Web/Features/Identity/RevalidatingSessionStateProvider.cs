using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Portal.Data.Identity;
using Portal.Data.Tenancy;

namespace Portal.Web.Features.Identity;

/// <summary>
/// Re-checks the member behind an open Blazor circuit every minute: a deleted member, one of a disabled organisation,
/// or one whose security stamp changed (password changed, signed out everywhere), loses the session in tabs already
/// open, not only at the next page load. The check runs in a scope bound to the principal's organisation, as every Identity lookup must.
/// </summary>
public sealed class RevalidatingSessionStateProvider(ILoggerFactory loggerFactory, IServiceScopeFactory scopes, IOptions<IdentityOptions> options)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    protected override TimeSpan RevalidationInterval => TimeSpan.FromMinutes(1);

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        if (SessionInfo.From(authenticationState.User) is not { } session)
        {
            return false;
        }
        await using var scope = scopes.CreateTenantScope(session.TenantId);
        var users = scope.ServiceProvider.GetRequiredService<UserManager<VigilUser>>();
        var user = await users.FindByIdAsync(session.UserId.ToString());
        if (user is null || user.TenantId != session.TenantId)
        {
            return false;
        }
        var tenant = await scope.ServiceProvider.GetRequiredService<TenantProvisioner>().FindAsync(session.TenantId, cancellationToken);
        if (tenant is null || tenant.DisabledAt is not null)
        {
            return false;
        }
        var stamp = authenticationState.User.FindFirstValue(options.Value.ClaimsIdentity.SecurityStampClaimType);
        return !users.SupportsUserSecurityStamp || stamp == await users.GetSecurityStampAsync(user);
    }
}
