using Microsoft.AspNetCore.Components;
using MudBlazor;
using Portal.Data.Identity;
using Portal.Web.Features.Identity;

namespace Portal.Web.Features.Settings;

/// <summary>
/// The organisation's members and pending invitations. Everyone sees the list; owners and admins invite, change roles
/// and remove members (only owners touch owners); everyone may leave. The member service re-checks every change.
/// </summary>
public partial class MembersPage
{
    private List<VigilUser> _members = [];
    private List<Invitation> _invitations = [];
    private IReadOnlyDictionary<string, string[]> _inviteErrors = new Dictionary<string, string[]>();
    private string? _inviteEmail;
    private string _inviteRole = VigilRoles.Standard;
    private string? _memberError;
    private ShownLink? _link;
    private VigilUser? _me;
    private SessionInfo? _session;

    [Inject] private MemberService Members { get; set; } = default!;
    [Inject] private AccountEmails Emails { get; set; } = default!;
    [Inject] private TenantSession Session { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private IDialogService Dialogs { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;

    private bool CanManage => _session?.Can(Permission.MembersManage) == true;

    private IEnumerable<string> AssignableRoles => Permissions.Roles.Where(r => Permissions.CanAssign(_session!.Role, r));

    private MemberActor Actor => new(_session!.UserId, _session.Role);

    [Inject] private OrganisationZone Zones { get; set; } = default!;

    /// <summary>The organisation's time zone, which the page shows times in.</summary>
    private TimeZoneInfo _zone = TimeZoneInfo.Utc;

    protected override async Task OnInitializedAsync()
    {
        _session = await Session.GetAsync();
        _zone = await Zones.GetAsync(_session.TenantId);
        await LoadAsync();
    }

    private bool IsMe(VigilUser member) => member.Id == _session?.UserId;

    private bool CanChange(VigilUser member) => CanManage && !IsMe(member) && Permissions.CanAssign(_session!.Role, member.Role);

    private static string? ErrorOf(IReadOnlyDictionary<string, string[]> errors, string field) =>
        errors.TryGetValue(field, out var messages) ? string.Join(" ", messages) : null;

    /// <summary>
    /// What a row's action (a role, a removal, an invitation re-sent or revoked) says when it was refused: every error,
    /// whatever field the service keyed it by, or that the row is gone (the list is read again).
    /// </summary>
    private static string? RowError(MemberResult result) => result switch
    {
        { Outcome: MemberOutcome.NotFound } => "That member or invitation is no longer there: the list shows the organisation as it is now.",
        { Succeeded: true } => null,
        _ => string.Join(" ", result.Errors.Values.SelectMany(m => m)),
    };

    private async Task LoadAsync()
    {
        _members = await Members.ListAsync(_session!.TenantId);
        _me = _members.FirstOrDefault(IsMe);
        _invitations = CanManage ? await Members.ListPendingInvitationsAsync(_session.TenantId) : [];
    }

    private async Task InviteAsync()
    {
        // A second click while the first invitation is sent would revoke it and send another.
        if (_inviting)
        {
            return;
        }
        _inviting = true;
        try
        {
            var result = await Members.InviteAsync(_session!.TenantId, Actor, _inviteEmail, _inviteRole);
            _inviteErrors = result.Errors;
            if (result.Succeeded)
            {
                await ShowOrSendAsync(result);
                _inviteEmail = "";
                await LoadAsync();
            }
        }
        finally
        {
            _inviting = false;
        }
    }

    /// <summary>Whether an invitation asked for is being made and sent.</summary>
    private bool _inviting;

    private async Task ResendAsync(Invitation invitation)
    {
        // As with a new invitation: a second click while it is sent would issue (and send) another link.
        if (_inviting)
        {
            return;
        }
        _inviting = true;
        try
        {
            var result = await Members.ResendAsync(_session!.TenantId, Actor, invitation.Id);
            _memberError = RowError(result);
            if (result.Succeeded)
            {
                await ShowOrSendAsync(result);
            }
            await LoadAsync();
        }
        finally
        {
            _inviting = false;
        }
    }

    private async Task RevokeAsync(Invitation invitation)
    {
        var result = await Members.RevokeInvitationAsync(_session!.TenantId, Actor, invitation.Id);
        _memberError = RowError(result);
        await LoadAsync();
    }

    private async Task ChangeRoleAsync(VigilUser member, string role)
    {
        var result = await Members.ChangeRoleAsync(_session!.TenantId, Actor, member.Id, role);
        _memberError = RowError(result);
        if (result.Succeeded)
        {
            Snackbar.Add($"{member.Email} is now {Permissions.RoleLabel(role).ToLowerInvariant()}.", Severity.Success);
        }
        await LoadAsync();
    }

    private async Task RemoveAsync(VigilUser member)
    {
        var confirmed = await Dialogs.ShowMessageBoxAsync("Remove member", $"Remove {member.Email} from the organisation? Their application keys stop working at once.", yesText: "Remove", cancelText: "Cancel");
        if (confirmed != true)
        {
            return;
        }
        var result = await Members.RemoveAsync(_session!.TenantId, Actor, member.Id);
        _memberError = RowError(result);
        await LoadAsync();
    }

    private async Task LeaveAsync()
    {
        var confirmed = await Dialogs.ShowMessageBoxAsync("Leave organisation", $"Leave {_session!.TenantName}? You will need a new invitation to come back.", yesText: "Leave", cancelText: "Cancel");
        if (confirmed != true)
        {
            return;
        }
        var result = await Members.RemoveAsync(_session.TenantId, Actor, _session.UserId);
        _memberError = RowError(result);
        if (result.Succeeded)
        {
            Navigation.NavigateTo("account/signin", forceLoad: true);
        }
    }

    private async Task ResendConfirmationAsync()
    {
        if (await Emails.SendEmailConfirmationAsync(_session!.TenantId, _session.UserId, Navigation.BaseUri))
        {
            Snackbar.Add($"We sent a confirmation link to {_me?.Email}.", Severity.Success);
        }
    }

    private async Task ShowOrSendAsync(MemberResult result)
    {
        var invitation = result.Invitation!;
        var link = await Emails.SendInvitationAsync(_session!.TenantName, invitation, result.Token!, Navigation.BaseUri);
        if (link.Emailed)
        {
            _link = null;
            Snackbar.Add($"Invitation sent to {invitation.Email}.", Severity.Success);
            return;
        }
        _link = new ShownLink(invitation.Email, link.Url, Emails.Delivers ? "the mail server could not be reached" : "email is not set up on this server");
    }

    private sealed record ShownLink(string Email, string Url, string Reason);
}
