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
public sealed class TenantEvaluationJob(RuleEvaluator evaluator)
{
    [AutomaticRetry(Attempts = 0)]
    public Task RunAsync(Guid tenantId, CancellationToken cancellationToken) => evaluator.EvaluateTenantAsync(tenantId, cancellationToken);

    /// <summary>"Evaluate now": waits for a run in progress, so that every event sent before the click is judged.</summary>
    [AutomaticRetry(Attempts = 0)]
    public Task RunNowAsync(Guid tenantId, CancellationToken cancellationToken) => evaluator.EvaluateTenantAsync(tenantId, cancellationToken, onDemand: true);
}
