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

    [SupplyParameterFromForm(FormName = "signup")]
    private SignUpRequestInput Input { get; set; } = default!;

    protected override void OnInitialized() => Input ??= new();

    private IEnumerable<string> Errors(string field) => _errors.TryGetValue(field, out var messages) ? messages : [];

    private async Task SignUpAsync()
    {
        var result = await Tenants.SignUpAsync(new SignUpRequest(Input.OrganizationName, Input.Slug, Input.Email, Input.Password));
        if (!result.Succeeded)
        {
            _errors = result.Errors;
            return;
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
