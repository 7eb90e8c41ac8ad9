using Microsoft.Extensions.DependencyInjection;
using Portal.Data.Tenancy;

namespace Portal.Cli.Commands;

/// <summary>
/// Instance administration: <c>vigil tenants disable|enable --slug S</c> and <c>vigil admins grant|revoke --org S --email E</c>.
/// Each change is recorded in the organisation's audit trail as done by the system.
/// </summary>
internal static class AdminCommands
{
    /// <summary>Disables (with an optional <c>--reason</c>) or enables the organisation named by <c>--slug</c>.</summary>
    public static async Task<int> SetDisabledAsync(IServiceProvider services, Dictionary<string, string> options, bool disable, TextWriter output, TextWriter error)
    {
        var admin = services.GetRequiredService<InstanceAdminService>();
        var slug = options.GetValueOrDefault("slug");
        var tenant = await services.GetRequiredService<TenantProvisioner>().FindBySlugAsync(slug);
        if (tenant is null)
        {
            error.WriteLine(string.IsNullOrWhiteSpace(slug) ? "--slug: name the organisation." : $"--slug: there is no organisation '{slug}'.");
            return 1;
        }
        var failure = disable ? await admin.DisableAsync(tenant.Id, options.GetValueOrDefault("reason")) : await admin.EnableAsync(tenant.Id);
        if (failure is not null)
        {
            error.WriteLine(failure);
            return 1;
        }
        output.WriteLine(disable ? $"Organisation '{tenant.Slug}' is disabled." : $"Organisation '{tenant.Slug}' is enabled.");
        return 0;
    }

    /// <summary>Grants or revokes the instance administrator flag of <c>--email</c> in the organisation <c>--org</c>.</summary>
    public static async Task<int> SetInstanceAdminAsync(IServiceProvider services, Dictionary<string, string> options, bool grant, TextWriter output, TextWriter error)
    {
        var org = options.GetValueOrDefault("org");
        var email = options.GetValueOrDefault("email");
        if (string.IsNullOrWhiteSpace(org) || string.IsNullOrWhiteSpace(email))
        {
            error.WriteLine("Name the member with --org <slug> --email <address>.");
            return 2;
        }
        var failure = await services.GetRequiredService<InstanceAdminService>().SetInstanceAdminAsync(org, email, grant);
        if (failure is not null)
        {
            error.WriteLine(failure);
            return 1;
        }
        output.WriteLine(grant ? $"{email.Trim()} of '{org.Trim()}' administers this instance." : $"{email.Trim()} of '{org.Trim()}' no longer administers this instance.");
        return 0;
    }
}
