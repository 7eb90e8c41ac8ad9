using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using MudBlazor;

namespace Portal.Web.Features.Identity;

/// <summary>
/// The member's passkeys on the security page: list, add (the browser's WebAuthn prompt through <c>js/passkeys.js</c>,
/// which talks to the passkey endpoints of <see cref="SignInSecurity"/>) and remove.
/// </summary>
public partial class PasskeyCard
{
    private string? _name;
    private string? _password;
    private string? _error;
    private bool _busy;

    [Inject] private AccountSecurity Security { get; set; } = default!;
    [Inject] private IJSRuntime JS { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;

    /// <summary>The signed-in member. Required.</summary>
    [Parameter, EditorRequired] public SessionInfo Session { get; set; } = default!;

    /// <summary>The member's passkeys. Required.</summary>
    [Parameter, EditorRequired] public IReadOnlyList<PasskeySummary> Passkeys { get; set; } = [];

    /// <summary>Raised after a passkey was added or removed.</summary>
    [Parameter] public EventCallback OnChanged { get; set; }

    private async Task AddAsync()
    {
        _busy = true;
        _error = null;
        try
        {
            await using var module = await JS.InvokeAsync<IJSObjectReference>("import", "./js/passkeys.js");
            _error = await module.InvokeAsync<string?>("createPasskey", _name ?? "", _password ?? "");
            _password = null;
            if (_error is null)
            {
                Snackbar.Add("Passkey added.", Severity.Success);
                _name = null;
                await OnChanged.InvokeAsync();
            }
        }
        finally
        {
            _busy = false;
        }
    }

    private async Task RemoveAsync(PasskeySummary passkey)
    {
        await Security.RemovePasskeyAsync(Session, passkey.Id);
        Snackbar.Add($"Passkey '{passkey.Name}' removed.", Severity.Success);
        await OnChanged.InvokeAsync();
    }
}
