using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data.Keys;
using Portal.Data.Tenancy;

namespace Portal.Cli.Commands;

/// <summary><c>vigil tenants ...</c>: create and list organisations.</summary>
internal static class TenantCommands
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Creates an organisation with its owner, an API key and an application key; prints them as one JSON object.</summary>
    public static async Task<int> CreateAsync(IServiceProvider services, Dictionary<string, string> options, TextWriter output, TextWriter error)
    {
        var provisioner = services.GetRequiredService<TenantProvisioner>();
        var result = await provisioner.SignUpAsync(new SignUpRequest(
            options.GetValueOrDefault("name"), options.GetValueOrDefault("slug"), options.GetValueOrDefault("email"), options.GetValueOrDefault("password")));
        if (!result.Succeeded)
        {
            foreach (var (field, messages) in result.Errors)
            {
                foreach (var message in messages)
                {
                    error.WriteLine($"{ToOption(field)}: {message}");
                }
            }
            return 1;
        }
        var keys = services.GetRequiredService<KeyService>();
        var (_, apiKey) = await keys.CreateAsync(result.Tenant!.Id, KeyKind.Api, "Created by vigil CLI", result.Owner!.Id);
        var (_, applicationKey) = await keys.CreateAsync(result.Tenant.Id, KeyKind.Application, "Created by vigil CLI", result.Owner.Id);
        output.WriteLine(JsonSerializer.Serialize(new { tenantId = result.Tenant.Id, slug = result.Tenant.Slug, apiKey, applicationKey }, Json));
        return 0;
    }

    /// <summary>Prints every organisation, one JSON object per line.</summary>
    public static async Task<int> ListAsync(IServiceProvider services, TextWriter output)
    {
        foreach (var tenant in await services.GetRequiredService<TenantProvisioner>().ListAsync())
        {
            output.WriteLine(JsonSerializer.Serialize(new { tenantId = tenant.Id, slug = tenant.Slug, name = tenant.Name, createdAt = tenant.CreatedAt, disabledAt = tenant.DisabledAt }, Json));
        }
        return 0;
    }

    private static string ToOption(string field) => field switch
    {
        nameof(SignUpRequest.OrganizationName) => "--name",
        nameof(SignUpRequest.Slug) => "--slug",
        nameof(SignUpRequest.Email) => "--email",
        _ => "--password",
    };
}
