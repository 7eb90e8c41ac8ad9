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

    /// <summary>
    /// A cron expression firing every <paramref name="seconds"/> (seconds-level cron below a minute), rounded down to a step
    /// that divides the minute, the hour or the day, so that the runs are evenly spaced (a "*/45" second step would fire at
    /// 0 and 45, 15 s apart across the minute); a day or more runs daily, at midnight UTC.
    /// </summary>
    public static string CronFor(int seconds) => Step(seconds) switch
    {
        (var step, Unit.Second) => $"*/{step} * * * * *",
        (var step, Unit.Minute) => $"*/{step} * * * *",
        (var step, Unit.Hour) => $"0 */{step} * * *",
        _ => "0 0 * * *",
    };

    /// <summary>
    /// How often <see cref="CronFor"/> fires, as the console says it: "10 s", "minute", "5 min", "hour", "6 h", "day".
    /// </summary>
    public static string EveryFor(int seconds) => Step(seconds) switch
    {
        (var step, Unit.Second) => $"{step} s",
        (1, Unit.Minute) => "minute",
        (var step, Unit.Minute) => $"{step} min",
        (1, Unit.Hour) => "hour",
        (var step, Unit.Hour) => $"{step} h",
        _ => "day",
    };

    private enum Unit { Second, Minute, Hour, Day }

    /// <summary>The schedule's step: the largest that divides its unit and is no longer than <paramref name="seconds"/> (one second at least).</summary>
    private static (int Step, Unit Unit) Step(int seconds) => seconds switch
    {
        < 60 => (Divisor(Math.Max(1, seconds), OfSixty), Unit.Second),
        < 3600 => (Divisor(seconds / 60, OfSixty), Unit.Minute),
        < 86400 => (Divisor(seconds / 3600, OfTwentyFour), Unit.Hour),
        _ => (1, Unit.Day),
    };

    private static readonly int[] OfSixty = [1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30];
    private static readonly int[] OfTwentyFour = [1, 2, 3, 4, 6, 8, 12];

    private static int Divisor(int at, int[] divisors) => divisors.Last(d => d <= at);
}

/// <summary>Lets only instance administrators into the Hangfire dashboard.</summary>
internal sealed class InstanceAdminDashboard : Hangfire.Dashboard.IDashboardAuthorizationFilter
{
    public bool Authorize(Hangfire.Dashboard.DashboardContext context) => Identity.InstanceAdmin.Is(Hangfire.Dashboard.AspNetCoreDashboardContextExtensions.GetHttpContext(context).User);
}
