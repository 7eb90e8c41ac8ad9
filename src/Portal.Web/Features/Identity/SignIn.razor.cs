using Microsoft.AspNetCore.Components;
using Portal.Data.Tenancy;

namespace Portal.Web.Features.Identity;

/// <summary>Sign-in: organisation slug plus credentials of that organisation's member.</summary>
public partial class SignIn
{
    private string? _error;

    [Inject] private TenantSignIn SignInService { get; set; } = default!;
    [Inject] private TenantProvisioner Tenants { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;

    [SupplyParameterFromForm(FormName = "signin")]
    private SignInInput Input { get; set; } = default!;

    [SupplyParameterFromQuery]
    private string? ReturnUrl { get; set; }

    [SupplyParameterFromQuery(Name = "org")]
    private string? Org { get; set; }

    protected override void OnInitialized()
    {
        Input ??= new();
        if (string.IsNullOrEmpty(Input.Slug) && !string.IsNullOrEmpty(Org))
        {
            Input.Slug = Org;
        }
    }

    private async Task SignInAsync()
    {
        var tenant = await Tenants.FindBySlugAsync(Input.Slug);
        if (tenant is null)
        {
            _error = $"No organisation is called '{Input.Slug}'. Check the organisation name in your sign-in link.";
            return;
        }
        var result = await SignInService.PasswordSignInAsync(tenant.Id, Input.Email.Trim(), Input.Password, Input.RememberMe);
        if (result.Succeeded)
        {
            Navigation.NavigateTo(SafeReturnUrl(ReturnUrl), forceLoad: true);
            return;
        }
        _error = result.IsLockedOut
            ? "Too many failed attempts: this account is locked for a few minutes."
            : "The email or password is not right for this organisation.";
    }

    /// <summary>Only local paths are followed after sign-in.</summary>
    internal static string SafeReturnUrl(string? returnUrl) =>
        !string.IsNullOrEmpty(returnUrl) && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//", StringComparison.Ordinal) && !returnUrl.StartsWith("/\\", StringComparison.Ordinal)
            ? returnUrl
            : "/";

    private sealed class SignInInput
    {
        public string Slug { get; set; } = "";
        public string Email { get; set; } = "";
        public string Password { get; set; } = "";
        public bool RememberMe { get; set; }
    }
}
