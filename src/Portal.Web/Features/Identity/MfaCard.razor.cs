using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace Portal.Web.Features.Identity;

/// <summary>Two-step verification on the security page: set up an authenticator app, recovery codes, turn off.</summary>
public partial class MfaCard
{
    private AuthenticatorSetup? _setup;
    private string? _code;
    private string? _codeError;
    private string? _setupPassword;
    private string? _setupPasswordError;
    private string? _disableError;
    private string? _password;
    private IReadOnlyList<string>? _codes;
    private bool _busy;

    [Inject] private AccountSecurity Security { get; set; } = default!;
    [Inject] private IJSRuntime JS { get; set; } = default!;

    /// <summary>The signed-in member. Required.</summary>
    [Parameter, EditorRequired] public SessionInfo Session { get; set; } = default!;

    /// <summary>The member's current security status. Required.</summary>
    [Parameter, EditorRequired] public SecurityStatus Status { get; set; } = default!;

    /// <summary>Whether this session passed a second factor (kept when the session is renewed). Default false.</summary>
    [Parameter] public bool Mfa { get; set; }

    /// <summary>Whether to issue and show recovery codes on load, right after MFA was turned on. Default false.</summary>
    [Parameter] public bool ShowCodesOnLoad { get; set; }

    /// <summary>Raised after a change that needs the status reloaded.</summary>
    [Parameter] public EventCallback OnChanged { get; set; }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        // Only on the live circuit (never during prerendering), and only while the member has no codes yet.
        if (firstRender && ShowCodesOnLoad && Status is { MfaEnabled: true, RecoveryCodesLeft: 0 })
        {
            await RegenerateAsync();
            StateHasChanged();
        }
    }

    private async Task BeginAsync()
    {
        _setup = await Security.BeginAuthenticatorAsync(Session);
        _codeError = null;
    }

    private async Task VerifyAsync()
    {
        _busy = true;
        try
        {
            var change = await Security.EnableAuthenticatorAsync(Session, _code, _setupPassword);
            var passwordWrong = change.Error is AccountSecurity.PasswordNeeded or AccountSecurity.TooManyTries;
            (_setupPasswordError, _codeError) = (passwordWrong ? change.Error : null, passwordWrong ? null : change.Error);
            _setupPassword = null;
            if (change.RenewalTicket is not null)
            {
                await SecurityPage.RenewSessionAsync(JS, change.RenewalTicket, "/account/security?done=mfa");
            }
        }
        finally
        {
            _busy = false;
        }
    }

    private async Task RegenerateAsync()
    {
        (_codes, _disableError) = await Security.GenerateRecoveryCodesAsync(Session, _password);
        _password = null;
        await OnChanged.InvokeAsync();
    }

    private async Task DisableAsync()
    {
        _busy = true;
        try
        {
            var change = await Security.DisableMfaAsync(Session, Mfa, _password);
            _password = null;
            _disableError = change.Error;
            if (change.RenewalTicket is not null)
            {
                await SecurityPage.RenewSessionAsync(JS, change.RenewalTicket, "/account/security");
            }
        }
        finally
        {
            _busy = false;
        }
    }
}
