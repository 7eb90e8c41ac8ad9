using System.Buffers.Text;
using System.Text;
using Microsoft.AspNetCore.Identity;
using Portal.Data.Audit;
using Portal.Data.Identity;
using Portal.Data.Tenancy;
using Portal.Web.Features.Email;

namespace Portal.Web.Features.Identity;

/// <summary>An invitation link, and whether it went out by email (else the inviter passes it on).</summary>
public sealed record InvitationLink(string Url, bool Emailed);

/// <summary>
/// The account emails and the links in them: invitations, email confirmation and password reset. Links point at
/// <c>Vigil:PublicUrl</c> when it is set (recommended: a forged Host header then cannot redirect a reset link), else at
/// the address the request came to. Identity's tokens are base64url-encoded in links.
/// </summary>
public sealed class AccountEmails(IEmailSender sender, IServiceScopeFactory scopes, TenantProvisioner tenants, AuditLog audit,
    IConfiguration configuration, ILogger<AccountEmails> logger)
{
    /// <summary>Whether emails leave this server.</summary>
    public bool Delivers => sender.Delivers;

    /// <summary>Emails an invitation link; when email is not set up or fails, the link is returned for the inviter to pass on.</summary>
    public async Task<InvitationLink> SendInvitationAsync(string organisation, Invitation invitation, string token, string requestBase, CancellationToken cancellationToken = default)
    {
        var url = $"{Base(requestBase)}account/invitation/{token}";
        var body = $"""
            You have been invited to join {organisation} on Vigil as {Permissions.RoleLabel(invitation.Role).ToLowerInvariant()}.

            Choose your password here (the link works once, for 7 days):
            {url}

            If you did not expect this invitation, you can ignore this email.
            """;
        var emailed = await TrySendAsync(new EmailMessage(invitation.Email, $"Join {organisation} on Vigil", body), cancellationToken);
        return new InvitationLink(url, emailed && sender.Delivers);
    }

    /// <summary>Emails a member a link that confirms their address; false when there is nothing to confirm.</summary>
    public async Task<bool> SendEmailConfirmationAsync(Guid tenantId, Guid userId, string requestBase, CancellationToken cancellationToken = default)
    {
        var tenant = await tenants.FindAsync(tenantId, cancellationToken);
        await using var scope = scopes.CreateTenantScope(tenantId);
        var users = scope.ServiceProvider.GetRequiredService<UserManager<VigilUser>>();
        if (tenant is null || await users.FindByIdAsync(userId.ToString()) is not { EmailConfirmed: false, Email: { } email } user)
        {
            return false;
        }
        var code = Encode(await users.GenerateEmailConfirmationTokenAsync(user));
        var url = $"{Base(requestBase)}account/confirm-email?org={Uri.EscapeDataString(tenant.Slug)}&user={user.Id}&code={code}";
        var body = $"""
            Please confirm that {email} is your email address for {tenant.Name} on Vigil:
            {url}

            If you did not sign up, you can ignore this email.
            """;
        return await TrySendAsync(new EmailMessage(email, "Confirm your email address for Vigil", body), cancellationToken);
    }

    /// <summary>Confirms a member's email from a confirmation link; false when the link is not valid.</summary>
    public async Task<bool> ConfirmEmailAsync(string? org, string? userId, string? code, string? ip, CancellationToken cancellationToken = default)
    {
        if (await tenants.FindBySlugAsync(org, cancellationToken) is not { } tenant || !Guid.TryParse(userId, out var id) || Decode(code) is not { } token)
        {
            return false;
        }
        await using var scope = scopes.CreateTenantScope(tenant.Id);
        var users = scope.ServiceProvider.GetRequiredService<UserManager<VigilUser>>();
        if (await users.FindByIdAsync(id.ToString()) is not { } user)
        {
            return false;
        }
        AuditActor.Current = new AuditActor(AuditActorTypes.User, user.Id, user.Email ?? "", ip);
        return (await users.ConfirmEmailAsync(user, token)).Succeeded;
    }

    /// <summary>
    /// <see cref="SendPasswordResetAsync"/> after the caller has answered: the lookup, the token, the audit record and the
    /// mail server's exchange take time only for a member, so a form that waited for them would tell who has an account by
    /// how long it took. Failures are logged.
    /// </summary>
    public Task QueuePasswordReset(string? org, string? email, string requestBase, string? ip) => Task.Run(async () =>
    {
        try
        {
            await SendPasswordResetAsync(org, email, requestBase, ip);
        }
        catch (Exception e)
        {
            logger.LogError(e, "A password reset for {Email} of '{Organisation}' could not be sent", email, org);
        }
    });

    /// <summary>
    /// Emails a password reset link when the organisation has a member with this email; does nothing otherwise, and
    /// the caller answers the same either way, so that the form cannot tell who has an account.
    /// </summary>
    public async Task SendPasswordResetAsync(string? org, string? email, string requestBase, string? ip, CancellationToken cancellationToken = default)
    {
        if (await tenants.FindBySlugAsync(org, cancellationToken) is not { } tenant || string.IsNullOrWhiteSpace(email))
        {
            return;
        }
        await using var scope = scopes.CreateTenantScope(tenant.Id);
        var users = scope.ServiceProvider.GetRequiredService<UserManager<VigilUser>>();
        if (await users.FindByEmailAsync(email.Trim()) is not { Email: { } address } user)
        {
            return;
        }
        var code = Encode(await users.GeneratePasswordResetTokenAsync(user));
        var url = $"{Base(requestBase)}account/reset-password?org={Uri.EscapeDataString(tenant.Slug)}&email={Uri.EscapeDataString(address)}&code={code}";
        var body = $"""
            Someone asked to reset the password of {address} for {tenant.Name} on Vigil. To choose a new password, open:
            {url}

            The link works once, for a day. If it was not you, ignore this email: your password stays as it is.
            """;
        await audit.RecordAsync(tenant.Id, new AuditRecord("member.password_reset_requested", "member", user.Id.ToString(), address) { Actor = AuditActor.Anonymous(address, ip) }, cancellationToken);
        await TrySendAsync(new EmailMessage(address, "Reset your Vigil password", body), cancellationToken);
    }

    /// <summary>Sets a new password from a reset link; returns errors by field (<c>Code</c> for the link, <c>Password</c>), empty on success.</summary>
    public async Task<IReadOnlyDictionary<string, string[]>> ResetPasswordAsync(string? org, string? email, string? code, string? password, string? ip, CancellationToken cancellationToken = default)
    {
        var invalidLink = new Dictionary<string, string[]> { ["Code"] = ["This reset link is not valid any more. Ask for a new one."] };
        if (await tenants.FindBySlugAsync(org, cancellationToken) is not { } tenant || string.IsNullOrWhiteSpace(email) || Decode(code) is not { } token)
        {
            return invalidLink;
        }
        await using var scope = scopes.CreateTenantScope(tenant.Id);
        var users = scope.ServiceProvider.GetRequiredService<UserManager<VigilUser>>();
        if (await users.FindByEmailAsync(email.Trim()) is not { } user)
        {
            return invalidLink;
        }
        var actor = new AuditActor(AuditActorTypes.User, user.Id, user.Email ?? "", ip);
        AuditActor.Current = actor;
        var result = await users.ResetPasswordAsync(user, token, password ?? "");
        if (result.Succeeded)
        {
            await users.ResetAccessFailedCountAsync(user);
            await audit.RecordAsync(tenant.Id, new AuditRecord("member.password_reset", "member", user.Id.ToString(), user.Email) { Actor = actor }, cancellationToken);
            return new Dictionary<string, string[]>();
        }
        if (result.Errors.Any(e => e.Code == nameof(IdentityErrorDescriber.InvalidToken)))
        {
            await audit.RecordAsync(tenant.Id, new AuditRecord("member.password_reset", "member", user.Id.ToString(), user.Email)
            {
                Actor = actor,
                Outcome = AuditOutcomes.Denied,
                Message = "The reset link was not valid (used, expired or altered).",
            }, cancellationToken);
            return invalidLink;
        }
        return new Dictionary<string, string[]> { ["Password"] = [.. result.Errors.Select(e => e.Description)] };
    }

    private async Task<bool> TrySendAsync(EmailMessage message, CancellationToken cancellationToken)
    {
        try
        {
            await sender.SendAsync(message, cancellationToken);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            // Whatever the mail server or its TLS answered (MailKit's handshake and parse faults are not I/O exceptions):
            // the caller shows the link itself instead.
            logger.LogError(e, "Could not send the email {Subject} to {To}", message.Subject, message.To);
            return false;
        }
    }

    private string Base(string requestBase)
    {
        var configured = configuration["Vigil:PublicUrl"];
        var root = string.IsNullOrWhiteSpace(configured) ? requestBase : configured;
        return root.EndsWith('/') ? root : root + "/";
    }

    private static string Encode(string token) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(token));

    private static string? Decode(string? code)
    {
        if (string.IsNullOrEmpty(code) || code.Length > 2048 || !Base64Url.IsValid(code))
        {
            return null;
        }
        return Encoding.UTF8.GetString(Base64Url.DecodeFromChars(code));
    }
}
