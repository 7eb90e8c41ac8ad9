using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.Storage.SQLite;
using Portal.Data;

namespace Portal.Web.Features.Detection;

/// <summary>Scheduled jobs on Hangfire (SQLite storage in the data directory, or PostgreSQL with the database): rule evaluation and log retention.</summary>
public static class DetectionSetup
{
    /// <summary>Stable id of the recurring scheduler job.</summary>
    public const string SchedulerJobId = "detection:schedule";

    /// <summary>
    /// Connects the real-time stage to every tenant's log index. Called right after the host is built, before anything
    /// can open an index (an index opened earlier would index without it).
    /// </summary>
    public static void UseRealTimeDetection(this WebApplication app) =>
        app.Services.GetRequiredService<Search.Lucene.TenantIndexes>().Observers = app.Services.GetRequiredService<RealTimeDetection>().ObserverFor;

    public static void AddDetection(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<TenantLocks>();
        services.AddSingleton<RealTimeSignalLocks>();
        services.AddSingleton<RuleEvaluator>();
        services.AddSingleton<RealTimeDetection>();
        services.AddSingleton<Signals.SignalTriage>();
        services.AddSingleton<Rules.RuleBacktests>();
        services.AddTransient<RuleSchedulerJob>();
        services.AddTransient<TenantEvaluationJob>();
        services.AddTransient<Logs.LogRetentionJob>();

        var vigil = VigilOptions.From(builder.Configuration);
        var connectionString = builder.Configuration.GetConnectionString("Vigil");
        services.AddHangfire(c =>
        {
            c.SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                .UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings();
            if (vigil.DatabaseProvider == VigilDatabase.Postgres)
            {
                // Jobs live beside the rest of the production data, in their own schema.
                c.UsePostgreSqlStorage(o => o.UseNpgsqlConnection(connectionString), new PostgreSqlStorageOptions { QueuePollInterval = TimeSpan.FromSeconds(1), SchemaName = "hangfire" });
            }
            else
            {
                c.UseSQLiteStorage(Path.Combine(vigil.DataDirectory!, "hangfire.db"), new SQLiteStorageOptions { QueuePollInterval = TimeSpan.FromSeconds(1) });
            }
        });
        services.AddHangfireServer(o =>
        {
            o.WorkerCount = Math.Max(2, Environment.ProcessorCount);
            o.SchedulePollingInterval = TimeSpan.FromSeconds(1);
            o.ServerName = $"vigil-{Environment.MachineName}-{Environment.ProcessId}";
        });
    }

    public static void MapDetection(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<VigilOptions>();
        if (app.Environment.IsDevelopment())
        {
            // The dashboard shows every organisation's jobs: only a developer's own instance exposes it, to instance administrators.
            app.MapHangfireDashboard("/hangfire", new DashboardOptions { Authorization = [new InstanceAdminDashboard()] });
        }
        app.Services.GetRequiredService<IRecurringJobManager>().AddOrUpdate<RuleSchedulerJob>(
            SchedulerJobId, job => job.RunAsync(CancellationToken.None), CronFor(options.Detection.IntervalSeconds));
        app.Services.GetRequiredService<IRecurringJobManager>().AddOrUpdate<Logs.LogRetentionJob>(
            Logs.LogRetentionJob.JobId, job => job.RunAsync(CancellationToken.None), Logs.LogRetentionJob.Cron);
    }

    /// <summary>A cron expression firing every <paramref name="seconds"/> (seconds-level cron below a minute).</summary>
    public static string CronFor(int seconds) => seconds switch
    {
        < 60 => $"*/{Math.Max(1, seconds)} * * * * *",
        < 3600 => $"*/{seconds / 60} * * * *",
        _ => $"0 */{Math.Min(23, seconds / 3600)} * * *",
    };

    /// <summary>
    /// How often <see cref="CronFor"/> fires, as the console says it: "10 s", "minute", "5 min", "hour", "6 h" (whole
    /// minutes above a minute and whole hours above an hour, as the cron rounds them).
    /// </summary>
    public static string EveryFor(int seconds) => seconds switch
    {
        < 60 => $"{Math.Max(1, seconds)} s",
        < 120 => "minute",
        < 3600 => $"{seconds / 60} min",
        < 7200 => "hour",
        _ => $"{Math.Min(23, seconds / 3600)} h",
    };
}

/// <summary>Lets only instance administrators into the Hangfire dashboard.</summary>
internal sealed class InstanceAdminDashboard : Hangfire.Dashboard.IDashboardAuthorizationFilter
{
    public bool Authorize(Hangfire.Dashboard.DashboardContext context) => Identity.InstanceAdmin.Is(Hangfire.Dashboard.AspNetCoreDashboardContextExtensions.GetHttpContext(context).User);
}
