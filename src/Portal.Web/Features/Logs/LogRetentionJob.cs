using Hangfire;
using Portal.Data;
using Portal.Data.Tenancy;
using Portal.Search;

namespace Portal.Web.Features.Logs;

/// <summary>
/// The recurring retention job: deletes each tenant's log partitions (whole UTC days) older than the organisation's
/// retention, at most <see cref="LogsOptions.RetentionDays"/>. Runs hourly, so a restarted instance catches up within the hour.
/// </summary>
public sealed class LogRetentionJob(TenantProvisioner tenants, ILogStore logs, VigilOptions options, TimeProvider clock, ILogger<LogRetentionJob> logger)
{
    /// <summary>Stable id of the recurring job.</summary>
    public const string JobId = "logs:retention";

    /// <summary>Every hour, at minute 17.</summary>
    public const string Cron = "17 * * * *";

    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        foreach (var tenant in await tenants.ListAsync(cancellationToken))
        {
            // The organisation's own setting, within the instance's (the plan's) limit.
            var firstKept = FirstKeptDay(now, Math.Min(tenant.RetentionDays ?? options.Logs.RetentionDays, options.Logs.RetentionDays));
            try
            {
                var dropped = await logs.DeleteBeforeAsync(tenant.Id, firstKept, cancellationToken);
                if (dropped.Count > 0)
                {
                    logger.LogInformation("Retention deleted {Days} day(s) of logs of tenant {TenantId}, through {Last}", dropped.Count, tenant.Id, dropped[^1]);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                // One tenant's failure (a file held open, a full disk) must not stop the others' retention.
                logger.LogError(e, "Retention failed for tenant {TenantId}; it is retried at the next run", tenant.Id);
            }
        }
    }

    /// <summary>
    /// The oldest UTC day kept: the day of the instant <paramref name="retentionDays"/> days ago, so that every log is kept
    /// for at least that many days (whole days go, once their last moment is older). Counted from today instead, a day's
    /// retention deleted yesterday's logs at 00:17, minutes old.
    /// </summary>
    public static DateOnly FirstKeptDay(DateTimeOffset now, int retentionDays) =>
        DateOnly.FromDateTime((now - TimeSpan.FromDays(Math.Max(1, retentionDays))).UtcDateTime);
}
