using Hangfire;
using Portal.Data.Tenancy;

namespace Portal.Web.Features.Detection;

/// <summary>The recurring job: enqueues one evaluation job per tenant (the tenant id is the job's argument).</summary>
public sealed class RuleSchedulerJob(TenantProvisioner tenants, IBackgroundJobClient jobs)
{
    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 30)]
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        foreach (var tenant in await tenants.ListAsync(cancellationToken))
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
}
