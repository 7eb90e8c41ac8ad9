using Microsoft.AspNetCore.Components;

namespace Portal.Web.Features.Identity;

/// <summary>Confirms a member's email address from the emailed link.</summary>
public partial class ConfirmEmail
{
    private bool _confirmed;

    [Inject] private AccountEmails Emails { get; set; } = default!;

    [CascadingParameter] private HttpContext? HttpContext { get; set; }

    [SupplyParameterFromQuery(Name = "org")]
    private string? Org { get; set; }

    [SupplyParameterFromQuery(Name = "user")]
    private string? User { get; set; }

    [SupplyParameterFromQuery(Name = "code")]
    private string? Code { get; set; }

    protected override async Task OnInitializedAsync() =>
        _confirmed = await Emails.ConfirmEmailAsync(Org, User, Code, HttpContext?.Connection.RemoteIpAddress?.ToString());
}
