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
        var proxies = TrustedProxies(builder.Configuration);
        builder.Services.Configure<Microsoft.AspNetCore.Builder.ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedFor | Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedProto;
            foreach (var proxy in proxies)
            {
                o.KnownIPNetworks.Add(proxy);
            }
        });
    }

    /// <summary>
    /// The proxies whose <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> are believed, besides loopback:
    /// <c>Vigil:TrustedProxies</c>, addresses or networks (<c>10.0.0.5</c>, <c>10.0.0.0/8</c>) as a list or separated by
    /// commas. Behind a proxy that ends TLS, they make the request HTTPS (its cookie Secure, HSTS sent) and the client's
    /// address the one sign-in limits and the audit trail see; a header from anyone else is ignored.
    /// </summary>
    internal static List<System.Net.IPNetwork> TrustedProxies(IConfiguration configuration)
    {
        var section = configuration.GetSection("Vigil:TrustedProxies");
        var entries = (section.Value is { } joined ? joined.Split(',') : section.GetChildren().Select(c => c.Value ?? ""))
            .Select(e => e.Trim()).Where(e => e.Length > 0);
        var networks = new List<System.Net.IPNetwork>();
        foreach (var entry in entries)
        {
            if (System.Net.IPNetwork.TryParse(entry, out var network))
            {
                networks.Add(network);
            }
            else if (System.Net.IPAddress.TryParse(entry, out var address))
            {
                networks.Add(new System.Net.IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128));
            }
            else
            {
                throw new InvalidOperationException($"Vigil:TrustedProxies: '{entry}' is neither an address nor a network such as 10.0.0.0/8.");
            }
        }
        return networks;
    }

    public static void UsePlatform(this WebApplication app)
    {
        // First: everything after sees the client's scheme and address, not the proxy's.
        app.UseForwardedHeaders();
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
        app.UseCrossSiteGuard();
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
