using Microsoft.AspNetCore.Components;
using MudBlazor;
using Portal.Data.Tenancy;

namespace Portal.Web.Features.Admin;

/// <summary>Asks for the reason before an organisation is disabled; closes with the reason, or cancels.</summary>
public partial class DisableOrganisationDialog
{
    private string _reason = "";
    private string? _error;

    [CascadingParameter] private IMudDialogInstance Dialog { get; set; } = default!;

    /// <summary>The organisation to disable. Required.</summary>
    [Parameter, EditorRequired] public OrganisationUsage Organisation { get; set; } = default!;

    private void Confirm()
    {
        if (string.IsNullOrWhiteSpace(_reason))
        {
            _error = "Give a reason: it is recorded in the organisation's audit trail.";
            return;
        }
        Dialog.Close(DialogResult.Ok(_reason.Trim()));
    }
}
