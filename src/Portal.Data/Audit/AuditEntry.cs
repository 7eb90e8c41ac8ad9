using Portal.Data.Tenancy;

namespace Portal.Data.Audit;

/// <summary>
/// One entry of an organisation's audit trail: who did what to which object and when, with the object's audited
/// fields before and after. Entries are append-only: <see cref="VigilDbContext"/> refuses to change or delete one.
/// </summary>
public sealed class AuditEntry : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    /// <inheritdoc />
    public Guid TenantId { get; set; }
    public DateTimeOffset At { get; set; } = DateTimeOffset.UtcNow;

    /// <summary><c>user</c>, <c>application_key</c>, <c>api_key</c>, <c>system</c> or <c>anonymous</c>.</summary>
    public required string ActorType { get; set; }
    public Guid? ActorId { get; set; }

    /// <summary>The actor's email (users, keys acting for users), the key's name, or <c>system</c>.</summary>
    public required string ActorName { get; set; }
    public string? Ip { get; set; }

    /// <summary>What happened, as <c>object.verb</c>: <c>rule.updated</c>, <c>member.role_changed</c>, <c>signin.failed</c>…</summary>
    public required string Action { get; set; }

    /// <summary>The kind of object acted on: <c>rule</c>, <c>signal</c>, <c>member</c>, <c>invitation</c>, <c>api_key</c>…</summary>
    public required string TargetType { get; set; }
    public string? TargetId { get; set; }
    public string? TargetName { get; set; }

    /// <summary><c>success</c>, <c>denied</c> (refused by a permission or rule) or <c>failure</c>.</summary>
    public string Outcome { get; set; } = AuditOutcomes.Success;

    /// <summary>A sentence for people, e.g. why an action was refused.</summary>
    public string? Message { get; set; }

    /// <summary>The audited fields before the change, as a JSON object; null for creations and non-changes.</summary>
    public string? Before { get; set; }

    /// <summary>The audited fields after the change, as a JSON object; null for deletions and non-changes.</summary>
    public string? After { get; set; }
}

/// <summary>Values of <see cref="AuditEntry.Outcome"/>.</summary>
public static class AuditOutcomes
{
    public const string Success = "success";
    public const string Denied = "denied";
    public const string Failure = "failure";
}

/// <summary>Values of <see cref="AuditEntry.ActorType"/>.</summary>
public static class AuditActorTypes
{
    public const string User = "user";
    public const string ApplicationKey = "application_key";
    public const string ApiKey = "api_key";
    public const string System = "system";
    public const string Anonymous = "anonymous";
}
