using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Portal.Cli.Commands;
using Portal.Data;

// `vigil`: detection as code (offline: no database, no server) and instance administration against the same
// configuration as the portal (appsettings.json, environment such as Vigil__DataDirectory, --Vigil:Key=value switches).
var (command, options, settings) = CommandLine.Parse(args);

// Offline commands: they read files and print results, and never touch the portal's data.
int? offline = command switch
{
    ["rules", "validate", .. var paths] => DetectionCommands.Validate(paths, Console.Out, Console.Error),
    ["rules", "test", .. var paths] => DetectionCommands.Test(paths, Console.Out, Console.Error),
    ["detect", ..] => DetectionCommands.Detect(CommandLine.MultiValued(args), Console.Out, Console.Error),
    ["sigma", "convert", .. var paths] => SigmaCommands.Convert(paths, options.GetValueOrDefault("out"), Console.Out, Console.Error),
    _ => null,
};
if (offline is { } exitCode)
{
    return exitCode;
}
if (command is not (["tenants", "create" or "list" or "disable" or "enable"] or ["admins", "grant" or "revoke"]))
{
    // Before the host: a mistyped command must not create or migrate the database it names.
    return CommandLine.Usage(Console.Error);
}

var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = settings, DisableDefaults = false });
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddVigilData(builder.Configuration);
using var host = builder.Build();
await host.Services.InitializeDatabaseAsync();

return command switch
{
    ["tenants", "create"] => await TenantCommands.CreateAsync(host.Services, options, Console.Out, Console.Error),
    ["tenants", "list"] => await TenantCommands.ListAsync(host.Services, Console.Out),
    ["tenants", "disable"] => await AdminCommands.SetDisabledAsync(host.Services, options, disable: true, Console.Out, Console.Error),
    ["tenants", "enable"] => await AdminCommands.SetDisabledAsync(host.Services, options, disable: false, Console.Out, Console.Error),
    ["admins", "grant"] => await AdminCommands.SetInstanceAdminAsync(host.Services, options, grant: true, Console.Out, Console.Error),
    ["admins", "revoke"] => await AdminCommands.SetInstanceAdminAsync(host.Services, options, grant: false, Console.Out, Console.Error),
    _ => CommandLine.Usage(Console.Error),
};
