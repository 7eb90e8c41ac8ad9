using Microsoft.AspNetCore.Components;

namespace Portal.Web.Features.Identity;

/// <summary>
/// The second sign-in step for members with an authenticator: the code, or a recovery code. The organisation comes
/// from <c>org</c>; the member from Identity's short-lived two-factor cookie, looked up in that organisation only.
/// </summary>
public partial class SignInMfa
{
    private string? _error;

    [Inject] private TenantSignIn SignInService { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;

    [CascadingParameter]
    private HttpContext HttpContext { get; set; } = default!;

    [SupplyParameterFromForm(FormName = "mfa")]
    private CodeInput Input { get; set; } = default!;

    [SupplyParameterFromForm(FormName = "mfa-recovery")]
    private RecoveryInput Recovery { get; set; } = default!;

    [SupplyParameterFromQuery(Name = "org")]
    private string? Org { get; set; }

    [SupplyParameterFromQuery(Name = "persist")]
    private bool Persist { get; set; }

    [SupplyParameterFromQuery]
    private string? ReturnUrl { get; set; }

    protected override void OnInitialized()
    {
        Input ??= new();
        Recovery ??= new();
    }

    private Task VerifyCodeAsync() => VerifyAsync(Input.Code, recoveryCode: false, Input.RememberBrowser);

    private Task VerifyRecoveryCodeAsync() => VerifyAsync(Recovery.Code, recoveryCode: true, rememberBrowser: false);

    private async Task VerifyAsync(string code, bool recoveryCode, bool rememberBrowser)
    {
        var result = await SignInService.TwoFactorSignInAsync(Org, code, recoveryCode, Persist, rememberBrowser, HttpContext.Connection.RemoteIpAddress?.ToString());
        if (result.Succeeded)
        {
            Navigation.NavigateTo(SignIn.SafeReturnUrl(ReturnUrl), forceLoad: true);
            return;
        }
        if (result.Outcome == SignInOutcome.Expired)
        {
            Navigation.NavigateTo($"account/signin?org={Uri.EscapeDataString(Org ?? "")}", forceLoad: true);
            return;
        }
        _error = result.Error;
    }

    private sealed class CodeInput
    {
        public string Code { get; set; } = "";
        public bool RememberBrowser { get; set; }
    }

    private sealed class RecoveryInput
    {
        public string Code { get; set; } = "";
    }
}
