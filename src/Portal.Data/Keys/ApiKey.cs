using Portal.Data.Tenancy;

namespace Portal.Data.Keys;

/// <summary>
/// A secret that authenticates machines: API keys (<see cref="KeyKind.Api"/>, intake) and application keys
/// (<see cref="KeyKind.Application"/>, API calls on behalf of <see cref="UserId"/>). Only a SHA-256 hash is stored.
/// </summary>
public sealed class ApiKey : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    /// <inheritdoc />
    public Guid TenantId { get; set; }
    public KeyKind Kind { get; set; }
    public required string Name { get; set; }

    /// <summary>The first characters of the secret, shown to recognise a key.</summary>
    public required string Prefix { get; set; }

    /// <summary>Lower-case hex SHA-256 of the secret.</summary>
    public required string Hash { get; set; }

    /// <summary>Owner of an application key; creator of an API key.</summary>
    public Guid? UserId { get; set; }
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
    public DateTimeOffset? LastUsedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }

    /// <summary>
    /// Space-separated scopes that restrict an application key (<see cref="Identity.Permissions.Scopes"/>); null or
    /// empty lets the key do all its user's role allows.
    /// </summary>
    public string? Scopes { get; set; }
}

/// <summary>What a key authenticates.</summary>
public enum KeyKind
{
    Api = 0,
    Application = 1,
}
