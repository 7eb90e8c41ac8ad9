using Microsoft.AspNetCore.Components;
using Portal.Data.Identity;

namespace Portal.Web.Features.Identity;

/// <summary>Accepting an invitation: the invitee sees the organisation and role, chooses a password, and is signed in.</summary>
public partial class AcceptInvitation
{
    private InvitationLookup? _lookup;
    private IReadOnlyDictionary<string, string[]> _errors = new Dictionary<string, string[]>();
    private bool _submitted;

    [Inject] private MemberService Members { get; set; } = default!;
    [Inject] private TenantSignIn SignInService { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;

    [CascadingParameter] private HttpContext? HttpContext { get; set; }

    /// <summary>The link's token (route). Default: none.</summary>
    [Parameter] public string? Token { get; set; }

    [SupplyParameterFromForm(FormName = "accept-invitation")]
    private AcceptInput Input { get; set; } = default!;

    // A form shown while the link was valid may be posted after it was used elsewhere: the form must still be
    // rendered for the post to reach its handler, which then reports the link's state.
    private bool ShowForm => _lookup?.State == InvitationState.Valid || (HttpMethods.IsPost(HttpContext?.Request.Method ?? "") && !_submitted);

    private string Problem => _lookup?.State switch
    {
        InvitationState.Expired => "This invitation has expired. Invitations last 7 days.",
        InvitationState.Used => "This invitation has already been used.",
        InvitationState.Revoked => "This invitation was withdrawn.",
        _ => "This invitation link is not valid. Check that you copied all of it.",
    };

    protected override async Task OnInitializedAsync()
    {
        Input ??= new();
        _lookup = await Members.FindInvitationAsync(Token);
    }

    private IEnumerable<string> Errors(string field) => _errors.TryGetValue(field, out var messages) ? messages : [];

    private async Task AcceptAsync()
    {
        _submitted = true;
        var result = await Members.AcceptAsync(Token, Input.Password, HttpContext?.Connection.RemoteIpAddress?.ToString());
        if (!result.Succeeded)
        {
            _lookup = _lookup! with { State = result.State };
            _errors = result.State == InvitationState.Valid ? result.Errors : new Dictionary<string, string[]>();
            return;
        }
        await SignInService.SignInAsync(result.Tenant!.Id, result.User!);
        Navigation.NavigateTo("/", forceLoad: true);
    }

    private sealed class AcceptInput
    {
        public string Password { get; set; } = "";
    }
}
