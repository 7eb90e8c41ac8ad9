namespace Portal.Web.Features.Email;

/// <summary>A plain-text email to one recipient.</summary>
public sealed record EmailMessage(string To, string Subject, string Body);

/// <summary>Sends Vigil's emails (invitations, confirmations, password resets).</summary>
public interface IEmailSender
{
    /// <summary>Whether messages actually leave this server; when false they are only logged, and pages show links themselves.</summary>
    bool Delivers { get; }

    /// <summary>Sends the message; throws when the mail server refuses it.</summary>
    Task SendAsync(EmailMessage message, CancellationToken cancellationToken = default);
}
