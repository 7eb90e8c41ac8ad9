using Portal.Data.Identity;

namespace Portal.Data.Keys;

/// <summary>The member who manages keys: their id and organisation role.</summary>
public sealed record KeyActor(Guid UserId, string Role)
{
    /// <summary>
    /// Whether the member may rename, rotate and revoke the key: API keys need <see cref="Permission.KeysManage"/>;
    /// application keys belong to their user alone.
    /// </summary>
    public bool CanManage(ApiKey key) => key.Kind == KeyKind.Api ? Permissions.Allows(Role, Permission.KeysManage) : key.UserId == UserId;

    /// <summary>Whether the member may revoke the key: whoever manages it, and admins and owners for any member's application key.</summary>
    public bool CanRevoke(ApiKey key) => CanManage(key) || Permissions.Allows(Role, Permission.KeysManage);

    /// <summary>Whether the member may see the key: every member sees the organisation's API keys; application keys as for revoking.</summary>
    public bool CanSee(ApiKey key) => key.Kind == KeyKind.Api || CanRevoke(key);
}

/// <summary>Why a key operation was refused.</summary>
public enum KeyFailure
{
    None = 0,
    NotFound,
    Forbidden,
    Invalid,
}

/// <summary>
/// The outcome of a key operation: the key, with its secret once after create or rotate; or the failure, with the
/// field at fault (<c>name</c>, <c>scopes</c>) and a sentence for people.
/// </summary>
public sealed record KeyChange(ApiKey? Key, string? Secret = null, KeyFailure Failure = KeyFailure.None, string? Field = null, string? Message = null)
{
    public bool Succeeded => Failure == KeyFailure.None;

    internal static KeyChange NotFound() => new(null, Failure: KeyFailure.NotFound, Message: "There is no such key.");

    internal static KeyChange Forbidden(string message) => new(null, Failure: KeyFailure.Forbidden, Message: message);

    internal static KeyChange Invalid(string field, string message) => new(null, Failure: KeyFailure.Invalid, Field: field, Message: message);
}

/// <summary>A live key found by its secret, and whether its organisation is disabled (its keys then authenticate nothing).</summary>
public sealed record ResolvedKey(ApiKey Key, bool OrganisationDisabled);

/// <summary>Application-key scopes as stored: known names, space-separated, sorted; null for an unrestricted key.</summary>
public static class KeyScopes
{
    /// <summary>The maximum length of a key's name.</summary>
    public const int MaxNameLength = 200;

    /// <summary>The stored form of <paramref name="scopes"/>, or the error naming the unknown scopes. Null or empty means unrestricted.</summary>
    public static (string? Stored, string? Error) Normalize(IEnumerable<string?>? scopes)
    {
        var given = (scopes ?? []).Select(s => s?.Trim() ?? "").Where(s => s.Length > 0).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var unknown = Permissions.UnknownScopes(given);
        if (unknown.Count > 0)
        {
            var names = string.Join(", ", unknown.Select(s => $"'{s}'"));
            return (null, $"{names} {(unknown.Count == 1 ? "is not a known scope" : "are not known scopes")}; use any of: {string.Join(", ", Permissions.Scopes.Keys.Order(StringComparer.Ordinal))}.");
        }
        return (given.Count == 0 ? null : string.Join(' ', given), null);
    }

    /// <summary>The scopes of a stored key; empty for an unrestricted key.</summary>
    public static IReadOnlyList<string> Of(ApiKey key) => (key.Scopes ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
