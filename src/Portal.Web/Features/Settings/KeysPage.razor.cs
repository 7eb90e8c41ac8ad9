using Microsoft.AspNetCore.Components;
using MudBlazor;
using Portal.Data.Identity;
using Portal.Data.Keys;
using Portal.Web.Features.Identity;

namespace Portal.Web.Features.Settings;

/// <summary>
/// The organisation's API keys (managed by admins and owners, read by everyone), the member's own application keys,
/// and, for admins and owners, the other members' application keys to revoke. Secrets are shown once, after a create
/// or a rotate.
/// </summary>
public partial class KeysPage
{
    /// <summary>What went wrong last on each card, by its slug (<see cref="CardOf"/>): said beside the keys it concerns.</summary>
    private readonly Dictionary<string, string?> _errors = [];
    private List<ApiKey> _apiKeys = [];
    private List<ApiKey> _ownKeys = [];
    private List<ApiKey> _memberKeys = [];
    private Dictionary<Guid, string> _owners = [];
    private (string Label, string Secret)? _revealed;
    private SessionInfo? _session;
    private KeyActor? _actor;
    private bool _canManageApiKeys;

    [Inject] private KeyService Keys { get; set; } = default!;
    [Inject] private MemberService Members { get; set; } = default!;
    [Inject] private TenantSession Session { get; set; } = default!;
    [Inject] private IDialogService Dialogs { get; set; } = default!;

    [Inject] private OrganisationZone Zones { get; set; } = default!;

    /// <summary>The organisation's time zone, which the page shows times in.</summary>
    private TimeZoneInfo _zone = TimeZoneInfo.Utc;

    protected override async Task OnInitializedAsync()
    {
        _session = await Session.GetAsync();
        _zone = await Zones.GetAsync(_session.TenantId);
        _actor = new KeyActor(_session.UserId, _session.Role);
        _canManageApiKeys = _session.Can(Permission.KeysManage);
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        var tenantId = _session!.TenantId;
        _apiKeys = await Keys.ListAsync(tenantId, KeyKind.Api);
        var applicationKeys = await Keys.ListAsync(tenantId, KeyKind.Application, _canManageApiKeys ? null : _session.UserId);
        _ownKeys = [.. applicationKeys.Where(k => k.UserId == _session.UserId)];
        _memberKeys = [.. applicationKeys.Where(k => k.UserId != _session.UserId)];
        if (_canManageApiKeys)
        {
            _owners = (await Members.ListAsync(tenantId)).ToDictionary(u => u.Id, u => u.Email ?? u.UserName ?? "");
        }
    }

    private async Task<bool> CreateAsync(KeyKind kind, string name, IReadOnlyList<string> scopes)
    {
        var change = await Keys.CreateAsync(_actor!, _session!.TenantId, kind, name, scopes);
        _errors[kind == KeyKind.Api ? ApiCard : OwnCard] = change.Message;
        if (change.Succeeded)
        {
            _revealed = ($"{Label(kind)} “{change.Key!.Name}” created.", change.Secret!);
            await LoadAsync();
        }
        // The tables call back through plain delegates (they need the outcome), so the page renders itself.
        StateHasChanged();
        return change.Succeeded;
    }

    private async Task<bool> RenameAsync(ApiKey key, string name)
    {
        var change = await Keys.RenameAsync(_actor!, _session!.TenantId, key.Id, name);
        _errors[CardOf(key)] = change.Message;
        if (change.Succeeded)
        {
            await LoadAsync();
        }
        StateHasChanged();
        return change.Succeeded;
    }

    private async Task RotateAsync(ApiKey key)
    {
        var confirmed = await Dialogs.ShowMessageBoxAsync(
            "Rotate key",
            $"Replace “{key.Name}” with a new secret? The current secret stops working at once; update whatever uses it.",
            yesText: "Rotate", cancelText: "Cancel");
        if (confirmed != true)
        {
            return;
        }
        var change = await Keys.RotateAsync(_actor!, _session!.TenantId, key.Id);
        _errors[CardOf(key)] = change.Message;
        if (change.Succeeded)
        {
            _revealed = ($"{Label(key.Kind)} “{change.Key!.Name}” rotated.", change.Secret!);
        }
        await LoadAsync();
    }

    private async Task RevokeAsync(ApiKey key)
    {
        var confirmed = await Dialogs.ShowMessageBoxAsync("Revoke key", $"Revoke “{key.Name}”? Anything using it stops working at once.", yesText: "Revoke", cancelText: "Cancel");
        if (confirmed != true)
        {
            return;
        }
        var change = await Keys.RevokeAsync(_actor!, _session!.TenantId, key.Id);
        _errors[CardOf(key)] = change.Message;
        await LoadAsync();
    }

    private static string Label(KeyKind kind) => kind == KeyKind.Api ? "API key" : "Application key";

    private const string ApiCard = "api-key";
    private const string OwnCard = "app-key";
    private const string MembersCard = "member-key";

    /// <summary>The card a key is listed on: the organisation's API keys, the member's own application keys, or other members'.</summary>
    private string CardOf(ApiKey key) => key.Kind == KeyKind.Api ? ApiCard : key.UserId == _session!.UserId ? OwnCard : MembersCard;
}
