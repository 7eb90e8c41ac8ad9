using Microsoft.EntityFrameworkCore;
using Portal.Data.Tenancy;

namespace Portal.Data;

/// <summary>
/// Creates short-lived contexts bound to an explicit tenant, for Blazor components and background jobs
/// (one context per operation). Pass null only for instance-level work such as tenant lookup.
/// </summary>
public sealed class TenantDbFactory(DbContextOptions<VigilDbContext> options)
{
    /// <summary>A new context that sees <paramref name="tenantId"/>'s data only.</summary>
    public VigilDbContext Create(Guid? tenantId) => new(options, new FixedTenant(tenantId));
}
