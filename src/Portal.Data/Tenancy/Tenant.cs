namespace Portal.Data.Tenancy;

/// <summary>An organisation: the unit of isolation and billing.</summary>
public sealed class Tenant
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public required string Name { get; set; }

    /// <summary>URL-safe unique handle used at sign-in.</summary>
    public required string Slug { get; set; }
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
    public bool IsDemo { get; set; }
}

/// <summary>An entity that belongs to exactly one tenant.</summary>
public interface ITenantOwned
{
    Guid TenantId { get; set; }
}
