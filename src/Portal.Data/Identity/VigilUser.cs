using Microsoft.AspNetCore.Identity;
using Portal.Data.Tenancy;

namespace Portal.Data.Identity;

/// <summary>A user of one organisation. The same email in two organisations is two users.</summary>
public sealed class VigilUser : IdentityUser<Guid>, ITenantOwned
{
    public VigilUser()
    {
        Id = Guid.CreateVersion7();
    }

    /// <inheritdoc />
    public Guid TenantId { get; set; }
    public string Role { get; set; } = VigilRoles.Standard;
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
    public DateTimeOffset? LastSignInAt { get; set; }

    /// <summary>Whether this member administers the whole Vigil instance (every organisation), for self-hosting.</summary>
    public bool IsInstanceAdmin { get; set; }
}

/// <summary>Organisation roles.</summary>
public static class VigilRoles
{
    public const string Owner = "owner";
    public const string Admin = "admin";
    public const string Standard = "standard";
    public const string ReadOnly = "read_only";
}

/// <summary>Claim types Vigil adds to principals.</summary>
public static class VigilClaims
{
    public const string TenantId = "vigil:tenant";
    public const string TenantSlug = "vigil:slug";
    public const string TenantName = "vigil:org";
}
