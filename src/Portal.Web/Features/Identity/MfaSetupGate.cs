using System.Security.Claims;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Rendering;
using Microsoft.AspNetCore.Components.Routing;
using Microsoft.AspNetCore.Identity;
using Portal.Data;

namespace Portal.Web.Features.Identity;

/// <summary>
/// The organisation's "require two-step verification" rule. A browser session may act when it signed in with a second
/// factor, when its member has one set up, or when the organisation does not require one; keys are not concerned.
/// The server enforces it three times: page loads are redirected (<see cref="SignInSecurity"/>), the API policy refuses
/// API calls (<see cref="MfaRequirementHandler"/>), and <see cref="MfaSetupGate"/> renders no page but the account
/// pages in a live circuit.
/// </summary>
public static class MfaRule
{
    /// <summary>What a refused session is told.</summary>
    public const string Refusal = "Your organisation requires two-step verification: set it up under Password and sign-in (/account/security) first.";

    /// <summary>Whether the principal may act under the rule.</summary>
    public static async Task<bool> SatisfiedAsync(ClaimsPrincipal user, TenantDbFactory dbs, CancellationToken cancellationToken) =>
        user.Identity?.AuthenticationType != IdentityConstants.ApplicationScheme
        || user.HasClaim("amr", TenantSignIn.MfaMethod)
        || SessionInfo.From(user) is not { } session
        || !await SignInSecurity.NeedsSetupAsync(dbs, session, cancellationToken);
}

/// <summary>
/// Wraps the page body of the main layout: while the rule of <see cref="MfaRule"/> is not satisfied, it renders the
/// account pages only, and sends any other page to the security page (so a modified client that ignores the
/// navigation still gets no page to act in). Navigation inside a live circuit never reaches the server's pipeline,
/// hence this check.
/// </summary>
public sealed class MfaSetupGate : ComponentBase, IDisposable
{
    private bool _satisfied;
    private bool _checked;

    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private AuthenticationStateProvider Authentication { get; set; } = default!;
    [Inject] private TenantDbFactory Dbs { get; set; } = default!;

    /// <summary>The page body.</summary>
    [Parameter] public RenderFragment? ChildContent { get; set; }

    protected override async Task OnInitializedAsync()
    {
        Navigation.LocationChanged += OnLocationChanged;
        await CheckAsync();
    }

    /// <inheritdoc />
    public void Dispose() => Navigation.LocationChanged -= OnLocationChanged;

    protected override void BuildRenderTree(RenderTreeBuilder builder)
    {
        if (_checked && (_satisfied || OnAccountPage()))
        {
            builder.AddContent(0, ChildContent);
            return;
        }
        if (_checked)
        {
            builder.OpenElement(1, "p");
            builder.AddAttribute(2, "class", "page-lead");
            builder.AddAttribute(3, "id", "mfa-required");
            builder.AddContent(4, MfaRule.Refusal);
            builder.CloseElement();
        }
    }

    private void OnLocationChanged(object? sender, LocationChangedEventArgs e)
    {
        // A page keeping its state in its address (a log opened, a filter) is not another page: asked again per page, or
        // once a minute (as sessions are checked) while the address changes within one.
        if (PathOf(e.Location) == _checkedPath && DateTimeOffset.UtcNow - _checkedAt < RecheckAfter)
        {
            return;
        }
        _ = InvokeAsync(async () =>
        {
            await CheckAsync();
            StateHasChanged();
        });
    }

    /// <summary>The page (its address without query or fragment) the rule was last checked for, and when.</summary>
    private string? _checkedPath;

    /// <inheritdoc cref="_checkedPath"/>
    private DateTimeOffset _checkedAt;

    private static readonly TimeSpan RecheckAfter = TimeSpan.FromMinutes(1);

    private string PathOf(string uri) => Navigation.ToBaseRelativePath(uri).Split('?', '#')[0];

    private async Task CheckAsync()
    {
        // Every navigation asks again (the organisation may start requiring it, the member may set it up), unless the
        // session itself signed in with a second factor, which satisfies the rule for good.
        var path = PathOf(Navigation.Uri);
        var user = (await Authentication.GetAuthenticationStateAsync()).User;
        _satisfied = await MfaRule.SatisfiedAsync(user, Dbs, CancellationToken.None);
        (_checked, _checkedPath, _checkedAt) = (true, path, DateTimeOffset.UtcNow);
        if (!_satisfied && !OnAccountPage() && RendererInfo.IsInteractive)
        {
            Navigation.NavigateTo(SecurityPage.SetupRequiredPath);
        }
    }

    private bool OnAccountPage() => Navigation.ToBaseRelativePath(Navigation.Uri).StartsWith("account/", StringComparison.OrdinalIgnoreCase);
}
