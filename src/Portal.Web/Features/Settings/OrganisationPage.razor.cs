using Microsoft.AspNetCore.Components;
using MudBlazor;
using Portal.Data.Identity;
using Portal.Data.Tenancy;
using Portal.Web.Features.Identity;

namespace Portal.Web.Features.Settings;

/// <summary>
/// The organisation's settings: name, URL name, time zone, default notification email and log retention (owners and
/// admins), and deletion of the organisation with everything it owns (owners, after typing its URL name).
/// </summary>
public partial class OrganisationPage
{
    private IReadOnlyDictionary<string, string[]> _errors = new Dictionary<string, string[]>();
    private string? _name;
    private string? _slug;
    private string? _savedSlug;
    private string? _timeZone;
    private string? _notificationEmail;
    private int _retentionDays;
    private bool _requireMfa;
    private string? _confirmation;
    private string? _deleteError;
    private SessionInfo? _session;

    [Inject] private OrganisationService Organisations { get; set; } = default!;
    [Inject] private TenantSession Session { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;

    /// <summary>The organisation's retention as stored (null: it follows the plan), and the days the page showed for it.</summary>
    private int? _storedRetention;

    /// <inheritdoc cref="_storedRetention"/>
    private int _shownRetention;

    /// <summary>The member acting, as the session knows them (the service checks their role as stored).</summary>
    private MemberActor Actor => new(_session!.UserId, _session.Role);

    private bool CanEdit => _session?.Can(Permission.SettingsManage) == true;

    private bool IsOwner => _session?.Can(Permission.OrganisationDelete) == true;

    /// <summary>The settings as last read: a save writes only the fields changed since, keeping another admin's change to the others.</summary>
    private OrganisationSettings? _read;

    protected override async Task OnInitializedAsync()
    {
        _session = await Session.GetAsync();
        await ReadAsync();
    }

    /// <summary>Shows the organisation's settings as stored.</summary>
    private async Task ReadAsync()
    {
        var tenant = await Organisations.GetAsync(_session!.TenantId);
        if (tenant is not null)
        {
            (_name, _slug, _savedSlug, _timeZone, _notificationEmail, _retentionDays) =
                (tenant.Name, tenant.Slug, tenant.Slug, tenant.TimeZone, tenant.NotificationEmail, Organisations.RetentionOf(tenant));
            (_storedRetention, _shownRetention) = (tenant.RetentionDays, _retentionDays);
            _requireMfa = tenant.RequireMfa;
            _read = OrganisationService.SettingsOf(tenant);
        }
    }

    private string? ErrorOf(string field) => _errors.TryGetValue(field, out var messages) ? string.Join(" ", messages) : null;

    private async Task SaveAsync()
    {
        if (!CanEdit)
        {
            return;
        }
        // Retention left as shown is kept as stored (following the plan, or the organisation's own, even above a plan
        // lowered since); set to the plan's maximum, it follows the plan from then.
        var retention = _retentionDays == _shownRetention ? _storedRetention : _retentionDays == Organisations.MaxRetentionDays ? null : _retentionDays;
        _errors = await Organisations.UpdateAsync(_session!.TenantId, Actor, new OrganisationSettings(_name, _slug, _timeZone, _notificationEmail, retention), _read);
        if (_errors.Count == 0)
        {
            // As stored: the fields changed here, and those another admin changed meanwhile.
            await ReadAsync();
            Snackbar.Add("Organisation settings saved.", Severity.Success);
        }
        else if (ErrorOf("Organisation") is { } refused)
        {
            Snackbar.Add(refused, Severity.Warning);
        }
    }

    private async Task SetRequireMfaAsync(bool required)
    {
        if (!CanEdit)
        {
            return;
        }
        if (!await Organisations.SetRequireMfaAsync(_session!.TenantId, Actor, required))
        {
            Snackbar.Add(OrganisationService.RoleRefusal, Severity.Warning);
            return;
        }
        _requireMfa = required;
        Snackbar.Add(required ? "Two-step verification is now required for every member." : "Two-step verification is no longer required.", Severity.Success);
    }

    private async Task DeleteAsync()
    {
        if (!IsOwner)
        {
            return;
        }
        _deleteError = await Organisations.DeleteAsync(_session!.TenantId, Actor, _confirmation);
        if (_deleteError is null)
        {
            // The session's organisation is gone: a full load lets the sign-in page drop it.
            Navigation.NavigateTo("account/signin", forceLoad: true);
        }
    }
}
