using Microsoft.Extensions.DependencyInjection;

namespace Portal.Data.Tenancy;

/// <summary>Supplies the tenant a <see cref="VigilDbContext"/> is scoped to.</summary>
public interface ITenantSource
{
    /// <summary>The current tenant, or null when none is resolved (then tenant-owned data is invisible).</summary>
    Guid? TenantId { get; }
}

/// <summary>
/// The tenant of the current request or circuit, resolved once (from the signed-in principal or a key)
/// and then fixed: a second, different tenant is refused so nothing can switch tenants mid-request.
/// </summary>
public sealed class TenantContext : ITenantSource
{
    /// <inheritdoc />
    public Guid? TenantId { get; private set; }

    /// <summary>Sets the tenant; setting the same tenant again is allowed, another one is not.</summary>
    public void Set(Guid tenantId)
    {
        if (tenantId == Guid.Empty)
        {
            throw new ArgumentException("A tenant id is required.", nameof(tenantId));
        }
        if (TenantId is { } current && current != tenantId)
        {
            throw new InvalidOperationException("The tenant of this scope is already set to another tenant.");
        }
        TenantId = tenantId;
    }
}

/// <summary>A fixed tenant, for jobs and tools that work on one tenant explicitly.</summary>
public sealed record FixedTenant(Guid? TenantId) : ITenantSource;

/// <summary>Thrown when a write would break tenant isolation.</summary>
public sealed class TenantIsolationException(string message) : InvalidOperationException(message);

/// <summary>Scopes bound to one organisation, for work outside a request that goes through Identity's tenant-filtered stores.</summary>
public static class TenantScopes
{
    /// <summary>A new scope whose <see cref="TenantContext"/> is <paramref name="tenantId"/>; dispose it when done.</summary>
    public static AsyncServiceScope CreateTenantScope(this IServiceScopeFactory scopes, Guid tenantId)
    {
        var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().Set(tenantId);
        return scope;
    }
}
