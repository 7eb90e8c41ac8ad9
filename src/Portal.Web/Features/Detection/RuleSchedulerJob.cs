using Hangfire;
using Portal.Data.Tenancy;

namespace Portal.Web.Features.Detection;

/// <summary>The recurring job: enqueues one evaluation job per enabled tenant (the tenant id is the job's argument).</summary>
public sealed class RuleSchedulerJob(TenantProvisioner tenants, IBackgroundJobClient jobs)
{
    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 30)]
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        // A disabled organisation's rules wait: its logs are still there when it is enabled again.
        foreach (var tenant in (await tenants.ListAsync(cancellationToken)).Where(t => t.DisabledAt is null))
        {
            jobs.Enqueue<TenantEvaluationJob>(job => job.RunAsync(tenant.Id, CancellationToken.None));
        }
    }
}

/// <summary>Evaluates one tenant's rules. Missed runs are harmless: the next run resumes from the watermarks.</summary>
public sealed class TenantEvaluationJob(RuleEvaluator evaluator, IBackgroundJobClient jobs)
{
    /// <summary>How long "Evaluate now" waits before it tries again when the organisation's run is in progress.</summary>
    internal static readonly TimeSpan RetryNowAfter = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How many times "Evaluate now" tries: a minute. A run that holds the organisation's turn longer (a long catch-up) is
    /// followed by the scheduled runs, which judge the same events.
    /// </summary>
    internal const int NowAttempts = 12;

    [AutomaticRetry(Attempts = 0)]
    public Task RunAsync(Guid tenantId, CancellationToken cancellationToken) => evaluator.EvaluateTenantAsync(tenantId, cancellationToken);

    /// <summary>
    /// "Evaluate now": runs after a run in progress, so that every event sent before the click is judged. It does not hold
    /// one of the few workers while that run goes on (a long catch-up would stall every other organisation's detection):
    /// it tries again a few seconds later.
    /// </summary>
    [AutomaticRetry(Attempts = 0)]
    public Task RunNowAsync(Guid tenantId, CancellationToken cancellationToken) => RunNowAsync(tenantId, 1, cancellationToken);

    /// <summary>"Evaluate now"'s <paramref name="attempt"/>th try (of <see cref="NowAttempts"/>).</summary>
    [AutomaticRetry(Attempts = 0)]
    public async Task RunNowAsync(Guid tenantId, int attempt, CancellationToken cancellationToken)
    {
        if (await evaluator.EvaluateUnlessBusyAsync(tenantId, cancellationToken) is null && attempt < NowAttempts)
        {
            jobs.Schedule<TenantEvaluationJob>(job => job.RunNowAsync(tenantId, attempt + 1, CancellationToken.None), RetryNowAfter);
        }
    }
}
