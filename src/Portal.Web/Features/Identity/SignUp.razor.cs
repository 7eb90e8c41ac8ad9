using Microsoft.AspNetCore.Components;
using Portal.Data.Tenancy;

namespace Portal.Web.Features.Identity;

/// <summary>Sign-up: creates an organisation and its owner, then signs the owner in.</summary>
public partial class SignUp
{
    private IReadOnlyDictionary<string, string[]> _errors = new Dictionary<string, string[]>();

    [Inject] private TenantProvisioner Tenants { get; set; } = default!;
    [Inject] private TenantSignIn SignInService { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private AccountEmails Emails { get; set; } = default!;

    [SupplyParameterFromForm(FormName = "signup")]
    private SignUpRequestInput Input { get; set; } = default!;

    protected override void OnInitialized() => Input ??= new();

    private IEnumerable<string> Errors(string field) => _errors.TryGetValue(field, out var messages) ? messages : [];

    private async Task SignUpAsync()
    {
        // Without a mail server no link could prove the address, so it is taken as given.
        var request = new SignUpRequest(Input.OrganizationName, Input.Slug, Input.Email, Input.Password) { RequireEmailConfirmation = Emails.Delivers };
        var result = await Tenants.SignUpAsync(request);
        if (!result.Succeeded)
        {
            _errors = result.Errors;
            return;
        }
        if (request.RequireEmailConfirmation)
        {
            await Emails.SendEmailConfirmationAsync(result.Tenant!.Id, result.Owner!.Id, Navigation.BaseUri);
        }
        await SignInService.SignInAsync(result.Tenant!.Id, result.Owner!);
        Navigation.NavigateTo("/", forceLoad: true);
    }

    private sealed class SignUpRequestInput
    {
        public string OrganizationName { get; set; } = "";
        public string Slug { get; set; } = "";
        public string Email { get; set; } = "";
        public string Password { get; set; } = "";
    }
}
