namespace Portal.Web.Features.Email;

/// <summary>Registers the email sender: SMTP when <c>Vigil:Smtp:Host</c> is set, else the logging sender.</summary>
public static class EmailSetup
{
    public static void AddEmail(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(SmtpOptions.Section).Get<SmtpOptions>() ?? new SmtpOptions();
        builder.Services.AddSingleton(options);
        if (string.IsNullOrWhiteSpace(options.Host))
        {
            builder.Services.AddSingleton<IEmailSender, LoggingEmailSender>();
        }
        else
        {
            builder.Services.AddSingleton<IEmailSender, SmtpEmailSender>();
        }
        builder.Services.AddSingleton<Identity.AccountEmails>();
    }
}
