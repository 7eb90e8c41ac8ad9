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

    /// <summary>IANA time zone the organisation reads times in (<c>Europe/Paris</c>); UTC by default.</summary>
    public string TimeZone { get; set; } = "UTC";

    /// <summary>Where notifications go when a rule names no recipient.</summary>
    public string? NotificationEmail { get; set; }

    /// <summary>Days of logs kept, within the instance's (the plan's) limit; null keeps as many as the plan allows.</summary>
    public int? RetentionDays { get; set; }

    /// <summary>Whether every member must sign in with a second factor (an authenticator app or a passkey).</summary>
    public bool RequireMfa { get; set; }

    /// <summary>When an instance administrator disabled the organisation: its sign-ins, sessions, keys and jobs stop.</summary>
    public DateTimeOffset? DisabledAt { get; set; }
}

/// <summary>An entity that belongs to exactly one tenant.</summary>
public interface ITenantOwned
{
    Guid TenantId { get; set; }
}
