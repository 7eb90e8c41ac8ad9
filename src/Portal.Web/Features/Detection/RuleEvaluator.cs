using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Rules;
using Portal.Detection.Evaluation;
using Portal.Detection.Rules;
using Portal.Detection.Signals;
using Portal.Search;

namespace Portal.Web.Features.Detection;

/// <summary>
/// Runs a tenant's enabled rules from each rule's watermark up to now: windows missed during downtime
/// are evaluated in turn (gap fill), signals are stored, and only then does the watermark advance.
/// </summary>
public sealed class RuleEvaluator(
    TenantDbFactory dbs, RuleService rules, ILogStore logs, ISignalStore signals, TenantLocks locks,
    VigilOptions options, TimeProvider clock, ILogger<RuleEvaluator> log)
{
    private static readonly TimeSpan MaxCatchUp = TimeSpan.FromHours(24);

    /// <summary>Evaluates every enabled rule of the tenant; returns the number of signals created or updated.</summary>
    public async Task<int> EvaluateTenantAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        // A run already in progress for this tenant covers this one: its watermarks make skipping safe.
        using var held = await locks.TryAcquireAsync(tenantId, cancellationToken);
        if (held is null)
        {
            return 0;
        }
        var evaluateUntil = clock.GetUtcNow() - TimeSpan.FromSeconds(options.Detection.DelaySeconds);
        // Every event acknowledged so far must be searchable before its window is judged and the watermark moves.
        await logs.RefreshAsync(tenantId, cancellationToken);
        var total = 0;
        foreach (var rule in (await rules.ListAsync(tenantId, cancellationToken)).Where(r => r.IsEnabled))
        {
            total += await EvaluateRuleAsync(tenantId, rule, evaluateUntil, cancellationToken);
        }
        return total;
    }

    private async Task<int> EvaluateRuleAsync(Guid tenantId, DetectionRule definition, DateTimeOffset until, CancellationToken cancellationToken)
    {
        await using var db = dbs.Create(tenantId);
        var state = await db.RuleRunStates.FirstOrDefaultAsync(s => s.RuleId == definition.Id, cancellationToken);
        if (state is null)
        {
            state = new RuleRunState { RuleId = definition.Id!, Watermark = until - Interval };
            db.RuleRunStates.Add(state);
        }
        if (state.Watermark >= until)
        {
            return 0;
        }

        var started = Stopwatch.GetTimestamp();
        var changed = 0;
        try
        {
            var rule = CompiledRule.Compile(definition.Id!, definition);
            var skipped = state.Watermark < until - MaxCatchUp;
            var from = skipped ? until - MaxCatchUp : state.Watermark;
            var window = TimeSpan.FromSeconds(rule.Definition.Options.EvaluationWindow);
            var step = window > TimeSpan.Zero ? window : Interval;
            var open = new Dictionary<string, SecuritySignal>(
                await signals.LatestByGroupAsync(tenantId, rule.Id, from - TimeSpan.FromSeconds(rule.Definition.Options.MaxSignalDuration), cancellationToken),
                StringComparer.Ordinal);
            var aggregator = logs.Aggregator(tenantId);
            var thresholdFrom = from;
            if (rule.Definition.Options.DetectionMethod != DetectionMethods.Threshold)
            {
                // Methods that follow events one by one replay their history through the detector: one pass for the whole range.
                var batch = new List<SecuritySignal>();
                foreach (var candidate in await ReplayEvaluator.EvaluateAsync(rule, aggregator, from, until, cancellationToken))
                {
                    var signal = SignalLifecycle.Apply(rule, candidate, open.GetValueOrDefault(candidate.GroupKey), candidate.LastSeen, () => Guid.CreateVersion7().ToString("N"));
                    open[candidate.GroupKey] = signal;
                    if (!batch.Contains(signal))
                    {
                        batch.Add(signal);
                    }
                }
                await signals.UpsertAsync(tenantId, batch, cancellationToken);
                changed += batch.Count;
                state.LastSignalAt = batch.Count > 0 ? clock.GetUtcNow() : state.LastSignalAt;
                state.Watermark = until;
                await db.SaveChangesAsync(CancellationToken.None);
                thresholdFrom = until;
            }
            for (var previous = thresholdFrom; previous < until;)
            {
                var point = previous + step < until ? previous + step : until;
                var windowStart = window > TimeSpan.Zero ? point - window : previous;
                var candidates = await ThresholdEvaluator.EvaluateAsync(rule, aggregator, windowStart, point, previous, cancellationToken);
                var batch = candidates
                    .Select(c => SignalLifecycle.Apply(rule, c, open.GetValueOrDefault(c.GroupKey), point, () => Guid.CreateVersion7().ToString("N")))
                    .ToList();
                await signals.UpsertAsync(tenantId, batch, cancellationToken);
                foreach (var signal in batch)
                {
                    open[signal.GroupKey] = signal;
                }
                changed += batch.Count;
                if (batch.Count > 0)
                {
                    state.LastSignalAt = clock.GetUtcNow();
                }
                // Each window's signals are stored: record the progress now, so that an interrupted catch-up
                // resumes after this window instead of counting its events again.
                state.Watermark = point;
                await db.SaveChangesAsync(CancellationToken.None);
                previous = point;
            }
            state.LastError = skipped ? $"Evaluation resumed after more than {MaxCatchUp.TotalHours:0} h; older windows were skipped." : null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogError(e, "Rule {RuleId} of tenant {TenantId} failed", definition.Id, tenantId);
            state.LastError = e.Message;
        }
        state.LastRunAt = clock.GetUtcNow();
        state.LastDurationMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        state.LastSignals = changed;
        await db.SaveChangesAsync(cancellationToken);
        return changed;
    }

    private TimeSpan Interval => TimeSpan.FromSeconds(Math.Max(1, options.Detection.IntervalSeconds));
}
