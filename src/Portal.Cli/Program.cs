using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Portal.Cli.Commands;
using Portal.Data;

// `vigil`: instance administration against the same configuration as the portal
// (appsettings.json, environment such as Vigil__DataDirectory, and --Vigil:Key=value switches).
var (command, options, settings) = CommandLine.Parse(args);

var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = settings, DisableDefaults = false });
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddVigilData(builder.Configuration);
using var host = builder.Build();
await host.Services.InitializeDatabaseAsync();

return command switch
{
    ["tenants", "create"] => await TenantCommands.CreateAsync(host.Services, options, Console.Out, Console.Error),
    ["tenants", "list"] => await TenantCommands.ListAsync(host.Services, Console.Out),
    _ => CommandLine.Usage(Console.Error),
};
