using System.Globalization;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using Portal.Data.Tenancy;
using Portal.Web.Features.Identity;

namespace Portal.Web.Features.Admin;

/// <summary>
/// Instance administration: every organisation with counts of what it holds (never its content), and disabling or
/// enabling one. Only instance administrators reach it (<see cref="InstanceAdmin.Policy"/>).
/// </summary>
public partial class AdminPage
{
    private List<OrganisationUsage> _organisations = [];
    private SessionInfo? _session;
    private Guid _ownTenantId;
    private bool _loading = true;
    private string? _error;

    [Inject] private InstanceAdminService Admin { get; set; } = default!;
    [Inject] private TenantSession Session { get; set; } = default!;
    [Inject] private IDialogService Dialogs { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        _session = await Session.GetAsync();
        _ownTenantId = _session.TenantId;
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        _loading = true;
        _organisations = await Admin.ListAsync();
        _loading = false;
    }

    private async Task DisableAsync(OrganisationUsage organisation)
    {
        var dialog = await Dialogs.ShowAsync<DisableOrganisationDialog>("Disable organisation",
            new DialogParameters<DisableOrganisationDialog> { { d => d.Organisation, organisation } },
            new DialogOptions { MaxWidth = MaxWidth.Small, FullWidth = true });
        if (await dialog.Result is not { Canceled: false, Data: string reason } || !await StillAdministratorAsync())
        {
            return;
        }
        _error = await Admin.DisableAsync(organisation.Id, reason);
        await LoadAsync();
    }

    private async Task EnableAsync(OrganisationUsage organisation)
    {
        var confirmed = await Dialogs.ShowMessageBoxAsync("Enable organisation",
            $"Enable “{organisation.Name}” again? Its members can sign in, its keys work and its rules run from now on.",
            yesText: "Enable", cancelText: "Cancel");
        if (confirmed != true || !await StillAdministratorAsync())
        {
            return;
        }
        _error = await Admin.EnableAsync(organisation.Id);
        await LoadAsync();
    }

    /// <summary>The circuit outlives the claim it was authorised with: a revoked administrator changes nothing.</summary>
    private async Task<bool> StillAdministratorAsync()
    {
        if (await Admin.IsInstanceAdminAsync(_session!.TenantId, _session.UserId))
        {
            return true;
        }
        _error = "You no longer administer this instance.";
        return false;
    }

    private static string Bytes(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => (bytes / 1024d).ToString("0.# KB", CultureInfo.InvariantCulture),
        < 1024L * 1024 * 1024 => (bytes / 1024d / 1024).ToString("0.# MB", CultureInfo.InvariantCulture),
        _ => (bytes / 1024d / 1024 / 1024).ToString("0.## GB", CultureInfo.InvariantCulture),
    };
}
