using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using MudBlazor.Services;
using Portal.Data;
using Portal.Web.Features.Identity;

namespace Portal.Web.Features.Platform;

/// <summary>Cross-cutting host setup: data layer, UI framework, problem details, health checks.</summary>
public static class PlatformSetup
{
    public static void AddPlatform(this WebApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices(c =>
        {
            c.SnackbarConfiguration.PositionClass = MudBlazor.Defaults.Classes.Position.BottomLeft;
            c.SnackbarConfiguration.VisibleStateDuration = 4000;
        });
        builder.Services.AddProblemDetails();
        builder.Services.AddHttpContextAccessor();
        // Keys that protect cookies and antiforgery tokens live in the database, so that every portal instance of a
        // deployment reads the cookies the others wrote.
        builder.Services.AddDataProtection()
            .SetApplicationName("vigil")
            .PersistKeysToDbContext<VigilDbContext>();
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
            // Responses carry events as deep as the intake accepts, a few levels down.
            o.SerializerOptions.MaxDepth = Portal.Detection.Events.LogEventJson.MaxDepth;
        });
        builder.Services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: ["ready"]);
    }

    public static void UsePlatform(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/error", createScopeForErrors: true);
            app.UseHsts();
            app.UseHttpsRedirection();
        }
        app.UseSecurityHeaders();
        // API callers get problem details for bare status codes and for faults (logged by the handler, never an HTML
        // page, in development too); people get the portal's pages.
        app.UseWhen(c => c.Request.Path.StartsWithSegments("/api"), api =>
        {
            api.UseExceptionHandler(new ExceptionHandlerOptions
            {
                // A request the server could not read (a body too large, malformed parameters) is the caller's fault.
                StatusCodeSelector = e => e is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
                // ... and not the server's error to log.
                SuppressDiagnosticsCallback = context => context.Exception is BadHttpRequestException,
                ExceptionHandler = async context => await Results.Problem(
                    statusCode: context.Response.StatusCode,
                    detail: context.Features.Get<Microsoft.AspNetCore.Diagnostics.IExceptionHandlerFeature>()?.Error is BadHttpRequestException bad
                        ? bad.Message
                        : $"The server could not answer this request; it was logged as {context.TraceIdentifier}.").ExecuteAsync(context),
            });
            api.UseStatusCodePages(async context =>
                await Results.Problem(statusCode: context.HttpContext.Response.StatusCode).ExecuteAsync(context.HttpContext));
        });
        app.UseWhen(c => !c.Request.Path.StartsWithSegments("/api"), pages => pages.UseStatusCodePagesWithReExecute("/status/{0}", createScopeForStatusCodePages: true));
        app.UseRouting(); // after the status-code pages, so that a re-executed request is routed again
        app.MapStaticAssets();
        app.UseAuthentication();
        app.UseAuditActor();
        app.UseForgedTenantGuard();
        app.UseAuthorization();
        app.UseAntiforgery();
        app.MapHealthChecks("/healthz/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/healthz/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") });
    }

    private sealed class DatabaseHealthCheck(TenantDbFactory dbs) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            await using var db = dbs.Create(null);
            return await db.Database.CanConnectAsync(cancellationToken)
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("The database cannot be reached.");
        }
    }
}
