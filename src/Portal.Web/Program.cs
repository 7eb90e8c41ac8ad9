using System.Globalization;
using Portal.Data;
using Portal.Web.Components;
using Portal.Web.Features.Audit;
using Portal.Web.Features.Demo;
using Portal.Web.Features.Detection;
using Portal.Web.Features.Email;
using Portal.Web.Features.Identity;
using Portal.Web.Features.Intake;
using Portal.Web.Features.Logs;
using Portal.Web.Features.Platform;
using Portal.Web.Features.Rules;
using Portal.Web.Features.Settings;
using Portal.Web.Features.Signals;

// The console is written in English: its counts and dates read the same whatever the server's locale (its times are
// UTC: DisplayTime).
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.DefaultThreadCurrentUICulture = CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

var builder = WebApplication.CreateBuilder(args);

builder.AddPlatform();
builder.AddIdentity();
builder.AddEmail();
builder.AddIntake();
builder.AddDetection();
builder.AddDemo();

var app = builder.Build();
app.UseRealTimeDetection();
await app.Services.InitializeDatabaseAsync();

app.UsePlatform();
app.MapIdentity();
app.MapIntake();
app.MapRulesApi();
app.MapSuppressionsApi();
app.MapSignalsApi();
app.MapLogsApi();
app.MapLogsAggregateApi();
app.MapLogsExport();
app.MapDetection();
app.MapKeysApi();
app.MapMembersApi();
app.MapAuditApi();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

await app.RunAsync();

/// <summary>The portal host; public so that test hosts can start it.</summary>
public partial class Program;
