namespace Portal.Web.Features.Email;

/// <summary>
/// Used when no SMTP server is configured: writes each message, links included, to the log as a warning so that an
/// administrator can pass them on. Pages that send links show them to the person acting as well.
/// </summary>
public sealed class LoggingEmailSender(ILogger<LoggingEmailSender> logger) : IEmailSender
{
    /// <inheritdoc />
    public bool Delivers => false;

    /// <inheritdoc />
    public Task SendAsync(EmailMessage message, CancellationToken cancellationToken = default)
    {
        logger.LogWarning("No SMTP server is configured (Vigil:Smtp:Host); email to {To} not sent: {Subject}\n{Body}", message.To, message.Subject, message.Body);
        return Task.CompletedTask;
    }
}
