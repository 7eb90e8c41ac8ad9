using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Routing;
using Portal.Data;

namespace Portal.Web.Features.Identity;

/// <summary>
/// The organisation's "require MFA" rule inside a live circuit: navigation there never reaches the server's pipeline,
/// so a member who still has to set up a second factor is sent back to the security page from any page but the
/// account pages. Full page loads are checked by <see cref="SignInSecurity"/>. Sits in the main layout; renders nothing.
/// </summary>
public sealed class MfaSetupGate : ComponentBase, IDisposable
{
    private bool _satisfied;

    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private AuthenticationStateProvider Authentication { get; set; } = default!;
    [Inject] private TenantDbFactory Dbs { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        if (!RendererInfo.IsInteractive)
        {
            return;
        }
        Navigation.LocationChanged += OnLocationChanged;
        await CheckAsync(Navigation.Uri);
    }

    /// <inheritdoc />
    public void Dispose() => Navigation.LocationChanged -= OnLocationChanged;

    private void OnLocationChanged(object? sender, LocationChangedEventArgs e) => _ = InvokeAsync(() => CheckAsync(e.Location));

    private async Task CheckAsync(string location)
    {
        if (_satisfied || Navigation.ToBaseRelativePath(location).StartsWith("account/", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }
        var user = (await Authentication.GetAuthenticationStateAsync()).User;
        if (user.HasClaim("amr", TenantSignIn.MfaMethod) || SessionInfo.From(user) is not { } session)
        {
            _satisfied = true;
            return;
        }
        if (await SignInSecurity.NeedsSetupAsync(Dbs, session, CancellationToken.None))
        {
            Navigation.NavigateTo(SecurityPage.SetupRequiredPath);
        }
    }
}
