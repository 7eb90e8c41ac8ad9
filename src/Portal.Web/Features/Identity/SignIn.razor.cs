using Microsoft.AspNetCore.Components;

namespace Portal.Web.Features.Identity;

/// <summary>
/// Sign-in: organisation slug plus credentials of that organisation's member, or a passkey of that organisation
/// (the browser's WebAuthn prompt, driven by <c>js/passkey-signin.js</c>, posts the assertion back here).
/// </summary>
public partial class SignIn
{
    private string? _error;

    [Inject] private TenantSignIn SignInService { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;

    [CascadingParameter]
    private HttpContext HttpContext { get; set; } = default!;

    [SupplyParameterFromForm(FormName = "signin")]
    private SignInInput Input { get; set; } = default!;

    [SupplyParameterFromForm(FormName = "passkey-signin")]
    private PasskeyInput Passkey { get; set; } = default!;

    [SupplyParameterFromQuery]
    private string? ReturnUrl { get; set; }

    [SupplyParameterFromQuery(Name = "org")]
    private string? Org { get; set; }

    protected override void OnInitialized()
    {
        Input ??= new();
        Passkey ??= new();
        if (string.IsNullOrEmpty(Input.Slug) && !string.IsNullOrEmpty(Org))
        {
            Input.Slug = Org;
        }
    }

    private string? ClientIp => HttpContext.Connection.RemoteIpAddress?.ToString();

    private async Task SignInAsync()
    {
        var slug = Input.Slug.Trim();
        var result = await SignInService.PasswordSignInAsync(slug, Input.Email, Input.Password, Input.RememberMe, ClientIp);
        if (result.Outcome == SignInOutcome.MfaRequired)
        {
            Navigation.NavigateTo($"account/signin/mfa?org={Uri.EscapeDataString(slug.ToLowerInvariant())}&persist={Input.RememberMe}&returnUrl={Uri.EscapeDataString(SafeReturnUrl(ReturnUrl))}", forceLoad: true);
            return;
        }
        Complete(result);
    }

    private async Task PasskeySignInAsync()
    {
        if (string.IsNullOrEmpty(Passkey.Credential))
        {
            _error = "The passkey prompt was closed before it finished. Try again.";
            return;
        }
        Input.Slug = Passkey.Org?.Trim() ?? "";
        Complete(await SignInService.PasskeySignInAsync(Input.Slug, Passkey.Credential, ClientIp));
    }

    private void Complete(SignInAttempt result)
    {
        if (!result.Succeeded)
        {
            _error = result.Error;
            return;
        }
        Navigation.NavigateTo(result.MfaSetupRequired ? SecurityPage.SetupRequiredPath : SafeReturnUrl(ReturnUrl), forceLoad: true);
    }

    /// <summary>Only local paths are followed after sign-in.</summary>
    internal static string SafeReturnUrl(string? returnUrl) =>
        !string.IsNullOrEmpty(returnUrl) && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//", StringComparison.Ordinal) && !returnUrl.StartsWith("/\\", StringComparison.Ordinal)
            && !returnUrl.Any(char.IsControl)
            ? returnUrl
            : "/";

    private sealed class SignInInput
    {
        public string Slug { get; set; } = "";
        public string Email { get; set; } = "";
        public string Password { get; set; } = "";
        public bool RememberMe { get; set; }
    }

    private sealed class PasskeyInput
    {
        public string? Org { get; set; }
        public string? Credential { get; set; }
    }
}
