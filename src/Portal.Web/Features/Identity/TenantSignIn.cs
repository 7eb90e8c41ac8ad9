using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Portal.Data.Audit;
using Portal.Data.Identity;
using Portal.Data.Tenancy;

namespace Portal.Web.Features.Identity;

/// <summary>How a sign-in attempt ended.</summary>
public enum SignInOutcome
{
    Succeeded,
    Failed,
    LockedOut,
    RateLimited,
    MfaRequired,
    MfaFailed,
    Expired,
    OrganisationDisabled,
}

/// <summary>The result of a sign-in step: the outcome, the message to show, and whether MFA must be set up first.</summary>
public sealed record SignInAttempt(SignInOutcome Outcome, string? Error = null, bool MfaSetupRequired = false)
{
    public bool Succeeded => Outcome == SignInOutcome.Succeeded;
}

/// <summary>
/// Signs a member in to a given organisation: password, then authenticator or recovery code when the member has MFA,
/// or a passkey. Each call works in its own scope bound to that organisation, so signing in to B while a cookie for A
/// is present (whose tenant the request scope already carries) just works, and a forged organisation finds no user.
/// Every attempt is rate limited before any secret is checked and its outcome goes to the organisation's audit trail.
/// </summary>
public sealed class TenantSignIn(IServiceScopeFactory scopes, TenantProvisioner tenants, SignInLimiter limiter, AuditLog audit, TimeProvider clock)
{
    /// <summary>The <c>amr</c> claim value Identity gives a session that passed a second factor; passkey sessions get it too.</summary>
    public const string MfaMethod = "mfa";

    internal const string RateLimitedMessage = "Too many sign-in attempts. Wait a minute, then try again.";
    internal const string DisabledMessage = "This organisation has been disabled by the instance administrator.";

    /// <summary>Checks the password of <paramref name="email"/> in the organisation <paramref name="slug"/> and issues the cookie, or starts the second step.</summary>
    public async Task<SignInAttempt> PasswordSignInAsync(string slug, string email, string password, bool persistent, string? ip)
    {
        email = email.Trim();
        var tenant = await tenants.FindBySlugAsync(slug);
        if (tenant is null)
        {
            return new SignInAttempt(SignInOutcome.Failed, $"No organisation is called '{slug}'. Check the organisation name in your sign-in link.");
        }
        if (await RefuseAsync(tenant, email, ip, "a password") is { } refused)
        {
            return refused;
        }
        await using var scope = scopes.CreateTenantScope(tenant.Id);
        var users = scope.ServiceProvider.GetRequiredService<UserManager<VigilUser>>();
        var user = await users.FindByNameAsync(email);
        if (user is null)
        {
            // Hash anyway, so that the answer takes as long as for a member and does not tell which emails exist.
            users.PasswordHasher.HashPassword(new VigilUser(), password);
            await RecordAsync(tenant.Id, "signin.failed", null, email, AuditOutcomes.Failure, "Unknown email.", ip);
            return new SignInAttempt(SignInOutcome.Failed, WrongPassword);
        }
        if (await users.IsLockedOutAsync(user))
        {
            return await LockedOutAsync(tenant.Id, user, ip);
        }
        var result = await scope.ServiceProvider.GetRequiredService<SignInManager<VigilUser>>().PasswordSignInAsync(user, password, persistent, lockoutOnFailure: true);
        if (result.Succeeded)
        {
            return await SucceededAsync(tenant, users, user, "with a password", ip, passedMfa: false);
        }
        if (result.RequiresTwoFactor)
        {
            await RecordAsync(tenant.Id, "signin.mfa_required", user.Id, email, AuditOutcomes.Success, "Password accepted; the second factor is asked for.", ip);
            return new SignInAttempt(SignInOutcome.MfaRequired);
        }
        if (result.IsLockedOut)
        {
            return await LockedOutAsync(tenant.Id, user, ip);
        }
        if (result.IsNotAllowed)
        {
            await RecordAsync(tenant.Id, "signin.failed", user.Id, email, AuditOutcomes.Denied, "The account may not sign in yet.", ip);
            return new SignInAttempt(SignInOutcome.Failed, "This account cannot sign in yet. Confirm your email address first.");
        }
        await RecordAsync(tenant.Id, "signin.failed", user.Id, email, AuditOutcomes.Failure, "Wrong password.", ip);
        return new SignInAttempt(SignInOutcome.Failed, WrongPassword);
    }

    /// <summary>
    /// The second step: an authenticator code, or a recovery code (used once), for the member whose password was
    /// accepted in this browser (Identity's two-factor cookie) in the organisation <paramref name="slug"/>.
    /// </summary>
    public async Task<SignInAttempt> TwoFactorSignInAsync(string? slug, string code, bool recoveryCode, bool persistent, bool rememberBrowser, string? ip)
    {
        var tenant = await tenants.FindBySlugAsync(slug);
        if (tenant is null)
        {
            return new SignInAttempt(SignInOutcome.Expired, ExpiredMessage);
        }
        await using var scope = scopes.CreateTenantScope(tenant.Id);
        var signIn = scope.ServiceProvider.GetRequiredService<SignInManager<VigilUser>>();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<VigilUser>>();
        var user = await signIn.GetTwoFactorAuthenticationUserAsync();
        if (user is null)
        {
            return new SignInAttempt(SignInOutcome.Expired, ExpiredMessage);
        }
        var method = recoveryCode ? "a recovery code" : "an authenticator code";
        if (await RefuseAsync(tenant, user.Email!, ip, method) is { } refused)
        {
            return refused;
        }
        if (await users.IsLockedOutAsync(user))
        {
            return await LockedOutAsync(tenant.Id, user, ip);
        }
        var cleaned = new string(code.Where(c => !char.IsWhiteSpace(c) && c != '-').ToArray()).ToUpperInvariant();
        // Recovery codes are stored as XXXXX-XXXXX; people may type them without the dash.
        var result = recoveryCode
            ? await signIn.TwoFactorRecoveryCodeSignInAsync(cleaned.Length == 10 ? $"{cleaned[..5]}-{cleaned[5..]}" : cleaned)
            : await signIn.TwoFactorAuthenticatorSignInAsync(cleaned, persistent, rememberBrowser);
        if (result.Succeeded)
        {
            return await SucceededAsync(tenant, users, user, "with " + method, ip, passedMfa: true);
        }
        if (result.IsLockedOut || await users.IsLockedOutAsync(user))
        {
            return await LockedOutAsync(tenant.Id, user, ip);
        }
        await RecordAsync(tenant.Id, "signin.mfa_failed", user.Id, user.Email, AuditOutcomes.Failure, recoveryCode ? "Wrong recovery code." : "Wrong authenticator code.", ip);
        return new SignInAttempt(SignInOutcome.MfaFailed, recoveryCode
            ? "That recovery code is not valid, or it has been used already."
            : "That code is not right. Enter the current 6-digit code from your authenticator app.");
    }

    /// <summary>Starts a passkey sign-in to <paramref name="slug"/>: the WebAuthn request options (JSON), or the error to show.</summary>
    public async Task<(string? Options, string? Error)> PasskeyRequestOptionsAsync(string? slug)
    {
        var tenant = await tenants.FindBySlugAsync(slug);
        if (tenant is null)
        {
            return (null, $"No organisation is called '{slug}'. Check the organisation name in your sign-in link.");
        }
        if (tenant.DisabledAt is not null)
        {
            return (null, DisabledMessage);
        }
        await using var scope = scopes.CreateTenantScope(tenant.Id);
        return (await scope.ServiceProvider.GetRequiredService<SignInManager<VigilUser>>().MakePasskeyRequestOptionsAsync(null), null);
    }

    /// <summary>
    /// Completes a passkey sign-in with the browser's assertion. The passkey store is tenant-filtered, so only a passkey
    /// of this organisation's members verifies. A user-verified passkey counts as multi-factor.
    /// </summary>
    public async Task<SignInAttempt> PasskeySignInAsync(string? slug, string credentialJson, string? ip)
    {
        var tenant = await tenants.FindBySlugAsync(slug);
        if (tenant is null)
        {
            return new SignInAttempt(SignInOutcome.Failed, $"No organisation is called '{slug}'. Check the organisation name in your sign-in link.");
        }
        if (await RefuseAsync(tenant, null, ip, "a passkey") is { } refused)
        {
            return refused;
        }
        await using var scope = scopes.CreateTenantScope(tenant.Id);
        var signIn = scope.ServiceProvider.GetRequiredService<SignInManager<VigilUser>>();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<VigilUser>>();
        PasskeyAssertionResult<VigilUser> assertion;
        try
        {
            assertion = await signIn.PerformPasskeyAssertionAsync(credentialJson);
        }
        catch (InvalidOperationException)
        {
            return new SignInAttempt(SignInOutcome.Expired, "The passkey sign-in expired. Try again.");
        }
        if (!assertion.Succeeded)
        {
            await RecordAsync(tenant.Id, "signin.failed", null, null, AuditOutcomes.Failure, "Passkey not accepted: " + assertion.Failure.Message, ip);
            return new SignInAttempt(SignInOutcome.Failed, "That passkey is not registered for this organisation.");
        }
        var user = assertion.User;
        if (limiter.TryAcquire(null, AccountKey(tenant.Id, user.Email!)) == SignInLimit.Account)
        {
            await RecordAsync(tenant.Id, "signin.rate_limited", user.Id, user.Email, AuditOutcomes.Denied, "Too many attempts on this account (a passkey).", ip);
            return new SignInAttempt(SignInOutcome.RateLimited, RateLimitedMessage);
        }
        if (await users.IsLockedOutAsync(user))
        {
            return await LockedOutAsync(tenant.Id, user, ip);
        }
        await users.AddOrUpdatePasskeyAsync(user, assertion.Passkey);
        await signIn.SignInWithClaimsAsync(user, isPersistent: false, [new Claim("amr", MfaMethod)]);
        return await SucceededAsync(tenant, users, user, "with a passkey", ip, passedMfa: true);
    }

    /// <summary>Issues the cookie for a member just created.</summary>
    public async Task SignInAsync(Guid tenantId, VigilUser user)
    {
        await using var scope = scopes.CreateTenantScope(tenantId);
        var signIn = scope.ServiceProvider.GetRequiredService<SignInManager<VigilUser>>();
        // Joining (sign-up, an accepted invitation) is the member's first sign-in.
        if (await signIn.UserManager.FindByIdAsync(user.Id.ToString()) is { } stored)
        {
            stored.LastSignInAt = clock.GetUtcNow();
            await signIn.UserManager.UpdateAsync(stored);
            user = stored;
        }
        await signIn.SignInAsync(user, isPersistent: false);
    }

    private const string WrongPassword = "The email or password is not right for this organisation.";
    private const string ExpiredMessage = "Your sign-in has expired. Sign in again with your password.";

    private static string AccountKey(Guid tenantId, string email) => $"{tenantId:N}:{email.Trim()}";

    /// <summary>Refuses attempts on a disabled organisation and attempts over the limits, before any secret is checked.</summary>
    private async Task<SignInAttempt?> RefuseAsync(Tenant tenant, string? email, string? ip, string method)
    {
        if (tenant.DisabledAt is not null)
        {
            await RecordAsync(tenant.Id, "signin.failed", null, email, AuditOutcomes.Denied, "The organisation is disabled.", ip);
            return new SignInAttempt(SignInOutcome.OrganisationDisabled, DisabledMessage);
        }
        var limit = limiter.TryAcquire(ip, email is null ? null : AccountKey(tenant.Id, email));
        if (limit == SignInLimit.None)
        {
            return null;
        }
        var which = limit == SignInLimit.Account ? "this account" : "this address";
        await RecordAsync(tenant.Id, "signin.rate_limited", null, email, AuditOutcomes.Denied, $"Too many attempts from {which} ({method}); not checked.", ip);
        return new SignInAttempt(SignInOutcome.RateLimited, RateLimitedMessage);
    }

    private async Task<SignInAttempt> LockedOutAsync(Guid tenantId, VigilUser user, string? ip)
    {
        var left = (user.LockoutEnd ?? clock.GetUtcNow()) - clock.GetUtcNow();
        var minutes = Math.Max(1, (int)Math.Ceiling(left.TotalMinutes));
        await RecordAsync(tenantId, "signin.locked_out", user.Id, user.Email, AuditOutcomes.Denied, $"The account is locked for {minutes} more minute(s).", ip);
        return new SignInAttempt(SignInOutcome.LockedOut, $"Too many failed attempts; try again in {minutes} {(minutes == 1 ? "minute" : "minutes")}.");
    }

    private async Task<SignInAttempt> SucceededAsync(Tenant tenant, UserManager<VigilUser> users, VigilUser user, string method, string? ip, bool passedMfa)
    {
        user.LastSignInAt = clock.GetUtcNow();
        await users.UpdateAsync(user);
        await audit.RecordAsync(tenant.Id, new AuditRecord("signin.succeeded", "member", user.Id.ToString(), user.Email)
        {
            Outcome = AuditOutcomes.Success,
            Message = "Signed in " + method + ".",
            Actor = new AuditActor(AuditActorTypes.User, user.Id, user.UserName ?? user.Email ?? "", ip),
        });
        return new SignInAttempt(SignInOutcome.Succeeded, MfaSetupRequired: tenant.RequireMfa && !passedMfa && !user.TwoFactorEnabled);
    }

    /// <summary>Records an attempt that did not sign in; failures also count against the client address.</summary>
    private Task RecordAsync(Guid tenantId, string action, Guid? userId, string? email, string outcome, string message, string? ip)
    {
        if (action is "signin.failed" or "signin.mfa_failed" or "signin.locked_out")
        {
            limiter.RecordFailure(ip);
        }
        return audit.RecordAsync(tenantId, new AuditRecord(action, "member", userId?.ToString(), email)
        {
            Outcome = outcome,
            Message = message,
            Actor = AuditActor.Anonymous(email, ip),
        });
    }
}
