using Portal.Data;
using Portal.Data.Tenancy;
using Portal.Data.Views;
using Portal.Detection.Demo;
using Portal.Detection.Intake;
using Portal.Search;

namespace Portal.Web.Features.Demo;

/// <summary>
/// Seeds the demo organisation once (idempotent: an existing one is reused) and then feeds it logs from
/// <see cref="DemoLogGenerator"/> through the same normalisation and store as the intake API.
/// </summary>
public sealed class DemoService(
    VigilOptions options, TenantProvisioner tenants, SavedViews views, InstanceAdminService admin, IHostEnvironment environment, ILogStore store, TimeProvider clock, ILogger<DemoService> log)
    : BackgroundService
{
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var tenant = await EnsureTenantAsync(stoppingToken);
        if (tenant is null)
        {
            return;
        }
        if (environment.IsDevelopment())
        {
            // On a developer's machine the demo owner also administers the instance, so that /admin can be tried.
            await admin.SetInstanceAdminAsync(tenant.Slug, options.Demo.Email, isAdmin: true, stoppingToken);
        }
        log.LogInformation("Demo organisation '{Slug}' ready: sign in as {Email}", tenant.Slug, options.Demo.Email);
        var generator = new DemoLogGenerator(seed: Environment.TickCount);
        var last = clock.GetUtcNow();
        using var timer = new PeriodicTimer(Tick, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var now = clock.GetUtcNow();
            try
            {
                var events = generator.Next(now, now - last).Select(raw => IntakeNormalizer.Normalize(raw, now)).ToList();
                await store.AppendAsync(tenant.Id, events, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning(e, "The demo generator failed to write a batch");
            }
            last = now;
        }
    }

    private async Task<Tenant?> EnsureTenantAsync(CancellationToken cancellationToken)
    {
        var demo = options.Demo;
        var existing = await tenants.FindBySlugAsync(demo.Slug, cancellationToken);
        if (existing is { IsDemo: false })
        {
            // A customer signed up under the demo's address before demo mode was turned on: its logs are never the demo's.
            log.LogError("Demo mode is off: the organisation at '{Slug}' is not the demo organisation. Set Vigil:Demo:Slug to a free address.", demo.Slug);
            return null;
        }
        if (existing is not null)
        {
            return existing;
        }
        var result = await tenants.SignUpAsync(new SignUpRequest("Demo Org", demo.Slug, demo.Email, demo.Password), isDemo: true, cancellationToken);
        if (!result.Succeeded)
        {
            log.LogError("Could not seed the demo organisation: {Errors}", string.Join("; ", result.Errors.SelectMany(e => e.Value)));
        }
        else
        {
            try
            {
                await DemoViews.SeedAsync(views, result.Tenant!.Id, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The demo works without its saved views.
                log.LogWarning(e, "Could not save the demo organisation's views");
            }
        }
        return result.Tenant;
    }
}
