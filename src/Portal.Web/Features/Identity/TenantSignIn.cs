using Microsoft.AspNetCore.Identity;
using Portal.Data.Identity;
using Portal.Data.Tenancy;

namespace Portal.Web.Features.Identity;

/// <summary>
/// Signs a member in to a given organisation. Each call works in its own scope bound to that organisation, so
/// signing in to B while a cookie for A is present (whose tenant the request scope already carries) just works.
/// </summary>
public sealed class TenantSignIn(IServiceScopeFactory scopes)
{
    /// <summary>Checks the password of <paramref name="email"/> in <paramref name="tenantId"/> and issues the cookie.</summary>
    public async Task<SignInResult> PasswordSignInAsync(Guid tenantId, string email, string password, bool persistent)
    {
        await using var scope = Bind(tenantId);
        return await scope.ServiceProvider.GetRequiredService<SignInManager<VigilUser>>().PasswordSignInAsync(email, password, persistent, lockoutOnFailure: true);
    }

    /// <summary>Issues the cookie for a member just created.</summary>
    public async Task SignInAsync(Guid tenantId, VigilUser user)
    {
        await using var scope = Bind(tenantId);
        await scope.ServiceProvider.GetRequiredService<SignInManager<VigilUser>>().SignInAsync(user, isPersistent: false);
    }

    private AsyncServiceScope Bind(Guid tenantId)
    {
        var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().Set(tenantId);
        return scope;
    }
}
