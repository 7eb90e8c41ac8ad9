using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Portal.Data.Audit;
using Portal.Data.Identity;
using Portal.Data.Tenancy;
using Portal.Web.Features.Email;
using Portal.Web.Features.Identity;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.Email;

/// <summary>Without an SMTP server, invitation links are written to the log as warnings and handed back to the inviter.</summary>
[Collection("portal")]
public sealed class LoggingEmailSenderTests(PortalFixture portal)
{
    [Fact]
    public async Task SendInvitationAsync_NoSmtp_LinkLoggedAsWarningAndReturnedForTheInviter()
    {
        var logger = new CapturingLogger<LoggingEmailSender>();
        var emails = Emails(new LoggingEmailSender(logger), new Dictionary<string, string?>());
        var invitation = new Invitation { Email = "someone@example.test", Role = VigilRoles.Admin, TokenHash = new string('0', 64) };

        var link = await emails.SendInvitationAsync("Quiet Org", invitation, "the-token", "http://portal.example.test/");

        Assert.False(emails.Delivers);
        Assert.False(link.Emailed);
        Assert.Equal("http://portal.example.test/account/invitation/the-token", link.Url);
        var (level, message) = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Warning, level);
        Assert.Contains(link.Url, message, StringComparison.Ordinal);
        Assert.Contains("someone@example.test", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendInvitationAsync_PublicUrlConfigured_LinkUsesItRatherThanTheRequestHost()
    {
        var emails = Emails(new LoggingEmailSender(new CapturingLogger<LoggingEmailSender>()), new Dictionary<string, string?> { ["Vigil:PublicUrl"] = "https://vigil.example.org" });
        var invitation = new Invitation { Email = "someone@example.test", Role = VigilRoles.Standard, TokenHash = new string('0', 64) };

        var link = await emails.SendInvitationAsync("Org", invitation, "t", "http://evil.example.test/");

        Assert.Equal("https://vigil.example.org/account/invitation/t", link.Url);
    }

    private AccountEmails Emails(IEmailSender sender, Dictionary<string, string?> settings) => new(
        sender,
        portal.Services.GetRequiredService<IServiceScopeFactory>(),
        portal.Services.GetRequiredService<TenantProvisioner>(),
        portal.Services.GetRequiredService<AuditLog>(),
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build(),
        new CapturingLogger<AccountEmails>());

    private sealed class CapturingLogger<T> : ILogger<T>
    {
        public List<(LogLevel Level, string Message)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((logLevel, formatter(state, exception)));
    }
}
