using Portal.Data.Tenancy;

namespace Portal.Data.Rules;

/// <summary>A tenant's detection rule, stored as its Datadog JSON with the columns the lists need.</summary>
public sealed class RuleRecord : ITenantOwned
{
    public required string Id { get; set; }

    /// <inheritdoc />
    public Guid TenantId { get; set; }
    public required string Name { get; set; }
    public bool IsEnabled { get; set; }
    public bool IsDefault { get; set; }
    public int Version { get; set; } = 1;

    /// <summary>The full rule JSON (canonical form, unknown Datadog fields preserved).</summary>
    public required string Json { get; set; }
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
    public DateTimeOffset UpdatedAt { get; set; } = DateTimeOffset.UtcNow;
    public Guid? CreatedByUserId { get; set; }
}

/// <summary>Scheduling state and health of a rule: the watermark up to which it has been evaluated.</summary>
public sealed class RuleRunState : ITenantOwned
{
    public required string RuleId { get; set; }

    /// <inheritdoc />
    public Guid TenantId { get; set; }

    /// <summary>Events before this instant have been evaluated; advanced only once signals are stored.</summary>
    public DateTimeOffset Watermark { get; set; }
    public DateTimeOffset? LastRunAt { get; set; }
    public double LastDurationMs { get; set; }
    public int LastSignals { get; set; }

    /// <summary>Events the last run read from the store (matching the rule's queries in the windows it judged).</summary>
    public long LastEventsScanned { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset? LastSignalAt { get; set; }
}
