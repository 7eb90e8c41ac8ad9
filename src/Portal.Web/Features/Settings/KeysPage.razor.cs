using Microsoft.AspNetCore.Components;
using MudBlazor;
using Portal.Data.Keys;
using Portal.Web.Features.Identity;

namespace Portal.Web.Features.Settings;

/// <summary>Create, list and revoke API keys (organisation) and application keys (the signed-in user's).</summary>
public partial class KeysPage
{
    private readonly Dictionary<KeyKind, List<ApiKey>> _keys = new() { [KeyKind.Api] = [], [KeyKind.Application] = [] };
    private readonly Dictionary<KeyKind, string> _names = new() { [KeyKind.Api] = "", [KeyKind.Application] = "" };
    private (string Label, string Secret)? _revealed;
    private SessionInfo? _session;

    [Inject] private KeyService Keys { get; set; } = default!;
    [Inject] private TenantSession Session { get; set; } = default!;
    [Inject] private IDialogService Dialogs { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        _session = await Session.GetAsync();
        await LoadAsync();
    }

    private static string Slug(KeyKind kind) => kind == KeyKind.Api ? "api-key" : "app-key";

    private async Task LoadAsync()
    {
        _keys[KeyKind.Api] = await Keys.ListAsync(_session!.TenantId, KeyKind.Api);
        _keys[KeyKind.Application] = await Keys.ListAsync(_session.TenantId, KeyKind.Application, _session.UserId);
    }

    private async Task CreateAsync(KeyKind kind)
    {
        var (key, secret) = await Keys.CreateAsync(_session!.TenantId, kind, _names[kind], _session.UserId);
        _names[kind] = "";
        _revealed = ($"{(kind == KeyKind.Api ? "API key" : "Application key")} “{key.Name}”", secret);
        await LoadAsync();
    }

    private async Task RevokeAsync(ApiKey key)
    {
        var confirmed = await Dialogs.ShowMessageBoxAsync("Revoke key", $"Revoke “{key.Name}”? Anything using it stops working at once.", yesText: "Revoke", cancelText: "Cancel");
        if (confirmed == true)
        {
            await Keys.RevokeAsync(_session!.TenantId, key.Id);
            await LoadAsync();
        }
    }
}
