using Microsoft.EntityFrameworkCore;

namespace Portal.Data.Identity;

/// <summary>
/// A member's role as stored now. A page open since before a demotion (its claims read at sign-in, checked again every
/// minute) or an older cookie must not act with the role it remembers: the services that change members, keys and the
/// organisation judge by the weaker of the two, and a member no longer stored by nothing.
/// </summary>
internal static class StoredRoles
{
    /// <summary>The member's stored role; null once they are no longer a member of the organisation.</summary>
    public static Task<string?> OfAsync(VigilDbContext db, Guid userId, CancellationToken cancellationToken) =>
        db.Users.Where(u => u.Id == userId).Select(u => u.Role).SingleOrDefaultAsync(cancellationToken);

    /// <summary>Whether both the session's role and the <paramref name="stored"/> one allow the permission.</summary>
    public static bool Allows(string sessionRole, string? stored, Permission permission) =>
        stored is not null && Permissions.Allows(sessionRole, permission) && Permissions.Allows(stored, permission);

    /// <summary>Whether both the session's role and the <paramref name="stored"/> one may give <paramref name="targetRole"/>.</summary>
    public static bool CanAssign(string sessionRole, string? stored, string targetRole) =>
        stored is not null && Permissions.CanAssign(sessionRole, targetRole) && Permissions.CanAssign(stored, targetRole);

    /// <summary>Of the session's role and the stored one, the one allowing less.</summary>
    public static string Weaker(string sessionRole, string stored) =>
        Permissions.Of(stored).Count < Permissions.Of(sessionRole).Count ? stored : sessionRole;
}
