using Microsoft.AspNetCore.Components;

namespace Portal.Web.Features.Identity;

/// <summary>Sets a new password from an emailed reset link, then offers sign-in to the same organisation.</summary>
public partial class ResetPassword
{
    private IReadOnlyDictionary<string, string[]> _errors = new Dictionary<string, string[]>();
    private bool _done;

    [Inject] private AccountEmails Emails { get; set; } = default!;

    [Inject] private SignInLimiter Limiter { get; set; } = default!;

    [CascadingParameter] private HttpContext? HttpContext { get; set; }

    [SupplyParameterFromQuery(Name = "org")]
    private string? Org { get; set; }

    [SupplyParameterFromQuery(Name = "email")]
    private string? Email { get; set; }

    [SupplyParameterFromQuery(Name = "code")]
    private string? Code { get; set; }

    [SupplyParameterFromForm(FormName = "reset-password")]
    private ResetInput Input { get; set; } = default!;

    private string SignInLink => $"account/signin?org={Uri.EscapeDataString(Org ?? "")}";

    protected override void OnInitialized() => Input ??= new();

    private IEnumerable<string> Errors(string field) => _errors.TryGetValue(field, out var messages) ? messages : [];

    private async Task ResetAsync()
    {
        // Tries on one account share a window of their own, as sign-ins do: guessing links, or flooding the organisation's
        // audit trail with refused ones, costs time.
        if (!Limiter.TryAcquireAccount($"reset-code:{Org?.Trim()}/{Email?.Trim()}"))
        {
            _errors = new Dictionary<string, string[]> { ["Code"] = ["Too many attempts for this account. Wait a minute, then try again."] };
            return;
        }
        _errors = await Emails.ResetPasswordAsync(Org, Email, Code, Input.Password, HttpContext?.Connection.RemoteIpAddress?.ToString());
        _done = _errors.Count == 0;
    }

    private sealed class ResetInput
    {
        public string Password { get; set; } = "";
    }
}
