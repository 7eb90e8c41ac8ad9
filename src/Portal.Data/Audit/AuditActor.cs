namespace Portal.Data.Audit;

/// <summary>
/// Who is acting, for the audit trail. The host sets <see cref="Current"/> once per request or circuit event (from the
/// signed-in session or the key); changes saved without one are recorded as done by the system (jobs, seeding).
/// </summary>
public sealed record AuditActor(string Type, Guid? Id, string Name, string? Ip = null)
{
    private static readonly AsyncLocal<AuditActor?> Ambient = new();

    /// <summary>Background work: scheduled evaluation, retention, seeding.</summary>
    public static AuditActor System { get; } = new(AuditActorTypes.System, null, "system");

    /// <summary>The actor of the current asynchronous flow, or null.</summary>
    public static AuditActor? Current
    {
        get => Ambient.Value;
        set => Ambient.Value = value;
    }

    /// <summary>An unauthenticated caller (a failed sign-in, a bad key), known only by address.</summary>
    public static AuditActor Anonymous(string? name, string? ip) => new(AuditActorTypes.Anonymous, null, string.IsNullOrWhiteSpace(name) ? "anonymous" : name.Trim(), ip);
}
