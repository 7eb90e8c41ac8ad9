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
            // Links in emails are built from Vigil:PublicUrl, never from a request's Host header, which an attacker
            // chooses (a reset link pointing at their host would hand them the code). Development may use the request.
            if (string.IsNullOrWhiteSpace(builder.Configuration["Vigil:PublicUrl"]) && !builder.Environment.IsDevelopment())
            {
                throw new InvalidOperationException(
                    "Vigil:PublicUrl must be set (e.g. https://vigil.example.com) when Vigil:Smtp:Host is: links in emails are built from it.");
            }
            builder.Services.AddSingleton<IEmailSender, SmtpEmailSender>();
        }
        builder.Services.AddSingleton<Identity.AccountEmails>();
    }
}
