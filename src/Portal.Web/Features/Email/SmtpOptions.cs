namespace Portal.Web.Features.Email;

/// <summary>The SMTP server Vigil sends through (<c>Vigil:Smtp</c>); without a <see cref="Host"/>, emails are only logged.</summary>
public sealed class SmtpOptions
{
    public const string Section = "Vigil:Smtp";

    /// <summary>The server's host name. Default: none (emails are logged, not sent).</summary>
    public string? Host { get; set; }

    /// <summary>The server's port. Default: 587 (submission with STARTTLS).</summary>
    public int Port { get; set; } = 587;

    /// <summary>The account to authenticate as. Default: none (no authentication).</summary>
    public string? Username { get; set; }

    /// <summary>The account's password.</summary>
    public string? Password { get; set; }

    /// <summary>The sender address. Default: <c>Vigil &lt;vigil@localhost&gt;</c>.</summary>
    public string From { get; set; } = "Vigil <vigil@localhost>";

    /// <summary>Whether to require TLS: implicit TLS on port 465, STARTTLS elsewhere. Default: true.</summary>
    public bool UseTls { get; set; } = true;
}
