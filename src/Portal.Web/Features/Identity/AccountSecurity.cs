using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Portal.Data.Audit;
using Portal.Data.Identity;
using Portal.Data.Tenancy;
using QRCoder;

namespace Portal.Web.Features.Identity;

/// <summary>A member's sign-in security, as the security page shows it.</summary>
public sealed record SecurityStatus(string Email, bool MfaEnabled, int RecoveryCodesLeft, bool OrganisationRequiresMfa, IReadOnlyList<PasskeySummary> Passkeys);

/// <summary>A registered passkey: its credential id (base64url), name and creation time.</summary>
public sealed record PasskeySummary(string Id, string Name, DateTimeOffset CreatedAt);

/// <summary>What the member needs to add Vigil to an authenticator app: the key, grouped for typing, and its QR code.</summary>
public sealed record AuthenticatorSetup(string SharedKey, string Uri, string QrCodeDataUri);

/// <summary>
/// The outcome of a change to the member's own credentials: an error to show, or, when the change rotated the
/// security stamp, a ticket that re-issues this browser's session (see <see cref="SignInSecurity"/>).
/// </summary>
public sealed record SecurityChange(string? Error, string? RenewalTicket = null)
{
    public bool Succeeded => Error is null;
}

/// <summary>
/// Password, authenticator (TOTP) and recovery codes, and passkeys of the signed-in member. Each call works in a
/// scope bound to the member's organisation, because the Identity stores are tenant-filtered.
/// </summary>
public sealed class AccountSecurity(IServiceScopeFactory scopes, IDataProtectionProvider protection, OrganisationService organisations, AuditLog audit, SignInLimiter limiter)
{
    /// <summary>How many recovery codes a member gets.</summary>
    public const int RecoveryCodeCount = 10;

    private const int MaxPasskeys = 10;

    /// <summary>The member's MFA state, recovery codes left, the organisation's rule and passkeys.</summary>
    public async Task<SecurityStatus> GetStatusAsync(SessionInfo session)
    {
        await using var scope = scopes.CreateTenantScope(session.TenantId);
        var users = UsersOf(scope);
        var member = await FindAsync(users, session);
        var passkeys = await users.GetPasskeysAsync(member);
        var tenant = await organisations.GetAsync(session.TenantId);
        return new SecurityStatus(member.Email ?? "", member.TwoFactorEnabled, await users.CountRecoveryCodesAsync(member), tenant?.RequireMfa == true,
            passkeys.OrderBy(p => p.CreatedAt).Select(p => new PasskeySummary(WebEncoders.Base64UrlEncode(p.CredentialId), p.Name ?? "Passkey", p.CreatedAt)).ToList());
    }

    /// <summary>Changes the password after checking the current one; errors say which field is wrong.</summary>
    public async Task<(IReadOnlyDictionary<string, string> Errors, string? RenewalTicket)> ChangePasswordAsync(SessionInfo session, string? current, string? replacement, bool mfa)
    {
        await using var scope = scopes.CreateTenantScope(session.TenantId);
        var users = UsersOf(scope);
        var user = await FindAsync(users, session);
        var errors = new Dictionary<string, string>();
        if (await PasswordErrorAsync(limiter, users, user, current) is { } wrong)
        {
            errors["Current"] = wrong == PasswordNeeded ? "That is not your current password." : wrong;
            return (errors, null);
        }
        var result = await users.ChangePasswordAsync(user, current ?? "", replacement ?? "");
        if (!result.Succeeded)
        {
            errors["New"] = string.Join(" ", result.Errors.Select(e => e.Description));
            return (errors, null);
        }
        await RecordAsync(user, "member.password_changed", "Changed their own password.");
        return (errors, SignInSecurity.CreateRenewalTicket(protection, user, mfa));
    }

    /// <summary>Starts authenticator setup with a fresh key (no stamp change: nothing is enabled yet); null when MFA is already on.</summary>
    public async Task<AuthenticatorSetup?> BeginAuthenticatorAsync(SessionInfo session)
    {
        await using var scope = scopes.CreateTenantScope(session.TenantId);
        var users = UsersOf(scope);
        var user = await FindAsync(users, session);
        if (user.TwoFactorEnabled)
        {
            return null;
        }
        var store = (IUserAuthenticatorKeyStore<VigilUser>)scope.ServiceProvider.GetRequiredService<IUserStore<VigilUser>>();
        var key = users.GenerateNewAuthenticatorKey();
        await store.SetAuthenticatorKeyAsync(user, key, CancellationToken.None);
        await users.UpdateAsync(user);
        var uri = $"otpauth://totp/{Uri.EscapeDataString("Vigil:" + user.Email)}?secret={key}&issuer=Vigil&digits=6";
        return new AuthenticatorSetup(FormatKey(key), uri, QrCode(uri));
    }

    /// <summary>
    /// Turns MFA on once <paramref name="code"/> proves the authenticator app has the key and <paramref name="password"/> is
    /// the member's: a borrowed session must not bind its own app to the account (the member's next sign-in would need the
    /// borrower's codes).
    /// </summary>
    public async Task<SecurityChange> EnableAuthenticatorAsync(SessionInfo session, string? code, string? password)
    {
        await using var scope = scopes.CreateTenantScope(session.TenantId);
        var users = UsersOf(scope);
        var user = await FindAsync(users, session);
        if (await PasswordErrorAsync(limiter, users, user, password) is { } wrong)
        {
            return new SecurityChange(wrong);
        }
        var cleaned = new string((code ?? "").Where(char.IsDigit).ToArray());
        if (cleaned.Length != 6 || !await users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, cleaned))
        {
            return new SecurityChange("That code is not right. Enter the current 6-digit code from your authenticator app.");
        }
        await users.SetTwoFactorEnabledAsync(user, true);
        return new SecurityChange(null, SignInSecurity.CreateRenewalTicket(protection, user, mfa: true));
    }

    /// <summary>
    /// Replaces the member's recovery codes with <see cref="RecoveryCodeCount"/> new ones, shown once; none when MFA is
    /// off. Replacing codes that still exist takes the member's password (a borrowed session must not mint a way in);
    /// the first codes, right after MFA is turned on, do not.
    /// </summary>
    public async Task<(IReadOnlyList<string> Codes, string? Error)> GenerateRecoveryCodesAsync(SessionInfo session, string? password = null)
    {
        await using var scope = scopes.CreateTenantScope(session.TenantId);
        var users = UsersOf(scope);
        var user = await FindAsync(users, session);
        if (!user.TwoFactorEnabled)
        {
            return ([], null);
        }
        if (await users.CountRecoveryCodesAsync(user) > 0 && await PasswordErrorAsync(limiter, users, user, password) is { } wrong)
        {
            return ([], wrong);
        }
        var codes = await users.GenerateNewTwoFactorRecoveryCodesAsync(user, RecoveryCodeCount) ?? [];
        await RecordAsync(user, "member.recovery_codes_replaced", "Replaced the recovery codes.");
        return ([.. codes], null);
    }

    /// <summary>What a sensitive change says when the password is missing or wrong.</summary>
    public const string PasswordNeeded = "Enter your current password to confirm this change.";

    /// <summary>What a sensitive change says once the member's password was tried too often in the last minute.</summary>
    public const string TooManyTries = "Too many tries of your password. Wait a minute, then try again.";

    /// <summary>
    /// Why <paramref name="password"/> does not confirm a sensitive change, or null when it does. Checked as a sign-in is:
    /// within the member's window of tries, never while the account is locked out, and a wrong one counts towards its lockout,
    /// so that a borrowed session cannot guess it at the server's pace, nor for ever.
    /// </summary>
    internal static async Task<string?> PasswordErrorAsync(SignInLimiter limiter, UserManager<VigilUser> users, VigilUser user, string? password)
    {
        if (string.IsNullOrEmpty(password))
        {
            return PasswordNeeded;
        }
        if (!limiter.TryAcquireAccount($"confirm:{user.Id}") || await users.IsLockedOutAsync(user))
        {
            return TooManyTries;
        }
        if (await users.CheckPasswordAsync(user, password))
        {
            return null;
        }
        await users.AccessFailedAsync(user);
        return PasswordNeeded;
    }

    /// <summary>Turns MFA off and forgets the authenticator key; refused while the organisation requires MFA.</summary>
    public async Task<SecurityChange> DisableMfaAsync(SessionInfo session, bool mfa, string? password)
    {
        if ((await organisations.GetAsync(session.TenantId))?.RequireMfa == true)
        {
            return new SecurityChange("Your organisation requires two-step verification, so it cannot be turned off.");
        }
        await using var scope = scopes.CreateTenantScope(session.TenantId);
        var users = UsersOf(scope);
        var user = await FindAsync(users, session);
        if (await PasswordErrorAsync(limiter, users, user, password) is { } wrong)
        {
            return new SecurityChange(wrong);
        }
        await users.SetTwoFactorEnabledAsync(user, false);
        var store = (IUserAuthenticatorKeyStore<VigilUser>)scope.ServiceProvider.GetRequiredService<IUserStore<VigilUser>>();
        await store.SetAuthenticatorKeyAsync(user, users.GenerateNewAuthenticatorKey(), CancellationToken.None);
        await users.UpdateAsync(user);
        return new SecurityChange(null, SignInSecurity.CreateRenewalTicket(protection, user, mfa));
    }

    /// <summary>Removes one of the member's passkeys.</summary>
    public async Task RemovePasskeyAsync(SessionInfo session, string id)
    {
        await using var scope = scopes.CreateTenantScope(session.TenantId);
        var users = UsersOf(scope);
        var user = await FindAsync(users, session);
        var credentialId = WebEncoders.Base64UrlDecode(id);
        var passkey = await users.GetPasskeyAsync(user, credentialId);
        if (passkey is not null && (await users.RemovePasskeyAsync(user, credentialId)).Succeeded)
        {
            await RecordAsync(user, "member.passkey_removed", $"Removed the passkey '{passkey.Name}'.");
        }
    }

    /// <summary>Stores a verified passkey under a name (1 to 50 characters); returns the error, or null.</summary>
    internal async Task<string?> AddPasskeyAsync(UserManager<VigilUser> users, VigilUser user, UserPasskeyInfo passkey, string? name)
    {
        name = string.IsNullOrWhiteSpace(name) ? "Passkey" : name.Trim();
        if (name.Length > 50)
        {
            return "Give the passkey a name of at most 50 characters.";
        }
        if ((await users.GetPasskeysAsync(user)).Count >= MaxPasskeys)
        {
            return $"You have {MaxPasskeys} passkeys already. Remove one before adding another.";
        }
        passkey.Name = name;
        var result = await users.AddOrUpdatePasskeyAsync(user, passkey);
        if (!result.Succeeded)
        {
            return string.Join(" ", result.Errors.Select(e => e.Description));
        }
        await RecordAsync(user, "member.passkey_added", $"Added the passkey '{name}'.");
        return null;
    }

    /// <summary>The key in groups of four, lower case, as authenticator apps accept it typed.</summary>
    internal static string FormatKey(string key)
    {
        var result = new StringBuilder();
        for (var i = 0; i < key.Length; i += 4)
        {
            result.Append(key.AsSpan(i, Math.Min(4, key.Length - i))).Append(' ');
        }
        return result.ToString().TrimEnd().ToLowerInvariant();
    }

    private static string QrCode(string text)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.M);
        var svg = new SvgQRCode(data).GetGraphic(4);
        return "data:image/svg+xml;base64," + Convert.ToBase64String(Encoding.UTF8.GetBytes(svg));
    }

    /// <summary>Credential changes that are not audited fields of the member; the actor is the member's request or circuit.</summary>
    private Task RecordAsync(VigilUser user, string action, string message) =>
        audit.RecordAsync(user.TenantId, new AuditRecord(action, "member", user.Id.ToString(), user.Email) { Message = message });

    private static UserManager<VigilUser> UsersOf(AsyncServiceScope scope) => scope.ServiceProvider.GetRequiredService<UserManager<VigilUser>>();

    private static async Task<VigilUser> FindAsync(UserManager<VigilUser> users, SessionInfo session) =>
        await users.FindByIdAsync(session.UserId.ToString()) ?? throw new InvalidOperationException("The signed-in member no longer exists.");
}
