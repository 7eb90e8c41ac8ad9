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

    [AutomaticRetry(Attempts = 0)]
    public Task RunAsync(Guid tenantId, CancellationToken cancellationToken) => evaluator.EvaluateTenantAsync(tenantId, cancellationToken);

    /// <summary>
    /// "Evaluate now": runs after a run in progress, so that every event sent before the click is judged. It does not hold
    /// one of the few workers while that run goes on (a long catch-up would stall every other organisation's detection):
    /// it tries again a few seconds later.
    /// </summary>
    [AutomaticRetry(Attempts = 0)]
    public async Task RunNowAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        if (await evaluator.EvaluateUnlessBusyAsync(tenantId, cancellationToken) is null)
        {
            jobs.Schedule<TenantEvaluationJob>(job => job.RunNowAsync(tenantId, CancellationToken.None), RetryNowAfter);
        }
    }
}
