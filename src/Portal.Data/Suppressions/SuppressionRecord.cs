using Portal.Data.Tenancy;

namespace Portal.Data.Suppressions;

/// <summary>A tenant's suppression, stored as its JSON, with how much it has hidden so far.</summary>
public sealed class SuppressionRecord : ITenantOwned
{
    public required string Id { get; set; }

    /// <inheritdoc />
    public Guid TenantId { get; set; }
    public required string Name { get; set; }
    public bool Enabled { get; set; }
    public int Version { get; set; } = 1;

    /// <summary>The suppression's JSON (Datadog attribute names, unknown fields preserved).</summary>
    public required string Json { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Would-be signals this suppression stopped.</summary>
    public long SuppressedSignals { get; set; }

    /// <summary>Events its data exclusion query kept from the rules' evaluation windows.</summary>
    public long ExcludedEvents { get; set; }
}
