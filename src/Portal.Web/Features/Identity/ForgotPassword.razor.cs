using Microsoft.AspNetCore.Components;

namespace Portal.Web.Features.Identity;

/// <summary>Asks for a password reset link; answers the same whether or not the account exists.</summary>
public partial class ForgotPassword
{
    private bool _sent;

    [Inject] private AccountEmails Emails { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private SignInLimiter Limiter { get; set; } = default!;

    [CascadingParameter] private HttpContext? HttpContext { get; set; }

    [SupplyParameterFromForm(FormName = "forgot-password")]
    private ForgotInput Input { get; set; } = default!;

    protected override void OnInitialized() => Input ??= new();

    private void Send()
    {
        // Requests for one account share its sign-in window, so that no one can flood a member's inbox with reset
        // links: keyed as the account is looked up (trimmed here; composed and of either case in the limiter), so that no
        // spelling of one address has a window of its own. A refused request gets the same answer and sends nothing.
        if (Limiter.TryAcquireAccount(ResetKey(Input.Slug, Input.Email)))
        {
            // Sent after the answer, which takes the same time whether or not the account exists.
            _ = Emails.QueuePasswordReset(Input.Slug, Input.Email, Navigation.BaseUri, HttpContext?.Connection.RemoteIpAddress?.ToString());
        }
        _sent = true;
    }

    /// <summary>The limiter's key of an account's reset requests, as the organisation and member are looked up.</summary>
    internal static string ResetKey(string? slug, string? email) => $"reset:{slug?.Trim()}/{email?.Trim()}";

    private sealed class ForgotInput
    {
        public string Slug { get; set; } = "";
        public string Email { get; set; } = "";
    }
}
