using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.JSInterop;
using MudBlazor;

namespace Portal.Web.Features.Identity;

/// <summary>
/// The member's own sign-in security: password, two-step verification with an authenticator app and recovery codes,
/// and passkeys. Changes that rotate the security stamp end with a renewal of this browser's session
/// (<c>js/passkeys.js</c> posts the ticket), so the member stays signed in while other sessions end.
/// </summary>
public partial class SecurityPage
{
    /// <summary>Where members go when their organisation requires MFA and they have none.</summary>
    public const string SetupRequiredPath = "/account/security?setup=required";

    private const string CurrentField = "Current";
    private const string NewField = "New";

    private SessionInfo? _session;
    private SecurityStatus? _status;
    private string? _currentPassword;
    private string? _newPassword;
    private IReadOnlyDictionary<string, string> _passwordErrors = new Dictionary<string, string>();
    private bool _busy;

    [Inject] private AccountSecurity Security { get; set; } = default!;
    [Inject] private TenantSession Session { get; set; } = default!;
    [Inject] private AuthenticationStateProvider Authentication { get; set; } = default!;
    [Inject] private IJSRuntime JS { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;

    [SupplyParameterFromQuery(Name = "done")]
    private string? Done { get; set; }

    private bool HasMfaSession { get; set; }

    private bool ShowCodes => Done == "mfa";

    protected override async Task OnInitializedAsync()
    {
        _session = await Session.GetAsync();
        HasMfaSession = (await Authentication.GetAuthenticationStateAsync()).User.HasClaim("amr", TenantSignIn.MfaMethod);
        await ReloadAsync();
    }

    protected override void OnAfterRender(bool firstRender)
    {
        if (firstRender && Done == "password")
        {
            Snackbar.Add("Your password has been changed. Your other sessions end within a minute.", Severity.Success);
        }
    }

    private string? PasswordError(string field) => _passwordErrors.TryGetValue(field, out var message) ? message : null;

    private async Task ReloadAsync() => _status = await Security.GetStatusAsync(_session!);

    private async Task ChangePasswordAsync()
    {
        _busy = true;
        try
        {
            var (errors, ticket) = await Security.ChangePasswordAsync(_session!, _currentPassword, _newPassword, HasMfaSession);
            _passwordErrors = errors;
            if (ticket is not null)
            {
                await RenewAsync(ticket, "/account/security?done=password");
            }
        }
        finally
        {
            _busy = false;
        }
    }

    private Task RenewAsync(string ticket, string next) => RenewSessionAsync(JS, ticket, next);

    /// <summary>Posts a renewal ticket (full page load): the cookie is re-issued, then the browser goes to <paramref name="next"/>.</summary>
    internal static async Task RenewSessionAsync(IJSRuntime js, string ticket, string next)
    {
        await using var module = await js.InvokeAsync<IJSObjectReference>("import", "./js/passkeys.js");
        await module.InvokeVoidAsync("renewSession", ticket, next);
    }
}
