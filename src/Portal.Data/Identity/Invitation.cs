using Portal.Data.Tenancy;

namespace Portal.Data.Identity;

/// <summary>
/// An invitation to join an organisation with a role. The link carries a 256-bit random token of which only the
/// SHA-256 hash is stored; it expires, and it is single-use (<see cref="AcceptedAt"/>).
/// </summary>
public sealed class Invitation : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    /// <inheritdoc />
    public Guid TenantId { get; set; }
    public required string Email { get; set; }
    public required string Role { get; set; }

    /// <summary>Lower-case hex SHA-256 of the link's token.</summary>
    public required string TokenHash { get; set; }
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
    public DateTimeOffset ExpiresAt { get; set; }
    public Guid? InvitedByUserId { get; set; }
    public DateTimeOffset? AcceptedAt { get; set; }
    public Guid? AcceptedUserId { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}
