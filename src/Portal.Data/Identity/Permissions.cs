using System.Collections.Frozen;
using System.Security.Claims;

namespace Portal.Data.Identity;

/// <summary>What a member may do. Each role holds a fixed set (<see cref="Permissions.Of"/>); docs/PERMISSIONS.md is the matrix.</summary>
public enum Permission
{
    LogsRead,
    LogViewsWrite,
    RulesRead,
    RulesWrite,
    SignalsRead,
    SignalsWrite,
    MembersRead,
    MembersManage,
    KeysManage,
    SettingsManage,
    AuditRead,
    Billing,
    OrganisationDelete,
}

/// <summary>
/// The permission matrix and application-key scopes. A request may do something when its member's role grants the
/// permission and, for an application key restricted by scopes, one of its scopes does too. Pages and API endpoints
/// ask the same question through <see cref="Allows(ClaimsPrincipal, Permission)"/>.
/// </summary>
public static class Permissions
{
    /// <summary>Claim carrying an application key's scope; absent for unrestricted keys and browser sessions.</summary>
    public const string ScopeClaim = "vigil:scope";

    /// <summary>Claim present (value <c>true</c>) on principals of application keys that are restricted to their scopes.</summary>
    public const string ScopedClaim = "vigil:scoped";

    private static readonly FrozenSet<Permission> ReadOnly = FrozenSet.Create(
        Permission.LogsRead, Permission.RulesRead, Permission.SignalsRead, Permission.MembersRead);

    private static readonly FrozenSet<Permission> Standard = FrozenSet.Create([.. ReadOnly, Permission.LogViewsWrite, Permission.RulesWrite, Permission.SignalsWrite]);

    private static readonly FrozenSet<Permission> Admin = FrozenSet.Create(
        [.. Standard, Permission.MembersManage, Permission.KeysManage, Permission.SettingsManage, Permission.AuditRead]);

    private static readonly FrozenSet<Permission> Owner = FrozenSet.Create([.. Admin, Permission.Billing, Permission.OrganisationDelete]);

    /// <summary>Application-key scopes (Datadog's names) and the permissions each grants.</summary>
    public static readonly FrozenDictionary<string, Permission[]> Scopes = new Dictionary<string, Permission[]>
    {
        ["security_monitoring_rules_read"] = [Permission.RulesRead],
        ["security_monitoring_rules_write"] = [Permission.RulesRead, Permission.RulesWrite],
        ["security_monitoring_signals_read"] = [Permission.SignalsRead],
        ["security_monitoring_signals_write"] = [Permission.SignalsRead, Permission.SignalsWrite],
        ["logs_read"] = [Permission.LogsRead],
        ["audit_logs_read"] = [Permission.AuditRead],
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The roles, most powerful first.</summary>
    public static IReadOnlyList<string> Roles { get; } = [VigilRoles.Owner, VigilRoles.Admin, VigilRoles.Standard, VigilRoles.ReadOnly];

    /// <summary>The permissions a role grants; none for an unknown role.</summary>
    public static IReadOnlySet<Permission> Of(string? role) => role switch
    {
        VigilRoles.Owner => Owner,
        VigilRoles.Admin => Admin,
        VigilRoles.Standard => Standard,
        VigilRoles.ReadOnly => ReadOnly,
        _ => FrozenSet<Permission>.Empty,
    };

    /// <summary>Whether the role grants the permission.</summary>
    public static bool Allows(string? role, Permission permission) => Of(role).Contains(permission);

    /// <summary>Whether the principal (a session, or a key acting for a member) may do this.</summary>
    public static bool Allows(ClaimsPrincipal user, Permission permission)
    {
        if (!Allows(user.FindFirst(ClaimTypes.Role)?.Value, permission))
        {
            return false;
        }
        if (user.FindFirst(ScopedClaim) is null)
        {
            return true;
        }
        return user.FindAll(ScopeClaim).Any(c => Scopes.TryGetValue(c.Value, out var granted) && granted.Contains(permission));
    }

    /// <summary>Whether <paramref name="actorRole"/> may give or take away <paramref name="targetRole"/>: only owners touch owners.</summary>
    public static bool CanAssign(string actorRole, string targetRole) =>
        Allows(actorRole, Permission.MembersManage) && (targetRole != VigilRoles.Owner || actorRole == VigilRoles.Owner);

    /// <summary>A people-readable name of the role.</summary>
    public static string RoleLabel(string? role) => role switch
    {
        VigilRoles.Owner => "Owner",
        VigilRoles.Admin => "Admin",
        VigilRoles.Standard => "Standard",
        VigilRoles.ReadOnly => "Read-only",
        _ => role ?? "",
    };

    /// <summary>Checks a space- or comma-separated scope list; returns the unknown scopes.</summary>
    public static IReadOnlyList<string> UnknownScopes(IEnumerable<string> scopes) => scopes.Where(s => !Scopes.ContainsKey(s)).ToList();
}
