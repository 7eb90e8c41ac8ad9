using System.Collections.Concurrent;
using Portal.Data.Rules;
using Portal.Data.Suppressions;
using Portal.Data.Tenancy;
using Portal.Detection.Evaluation;
using Portal.Detection.Events;
using Portal.Detection.Signals;
using Portal.Detection.Suppressions;
using Portal.Search;

namespace Portal.Web.Features.Detection;

/// <summary>
/// The real-time stage: single-event rules (<see cref="RealTimeRules"/>) run over each batch as soon as it is indexed,
/// in one pass of a <see cref="StreamingDetector"/> for all of a tenant's such rules, so their signals exist a moment
/// after the 202 instead of at the next scheduled run. The indexing loop calls it in journal order and remembers how far
/// it got, so a restart resumes where it stopped. Rules and suppressions are re-read every few seconds.
/// </summary>
public sealed class RealTimeDetection(
    RuleService rules, SuppressionService suppressions, ISignalStore signals, RealTimeSignalLocks locks, TenantProvisioner tenants, TimeProvider clock,
    ILogger<RealTimeDetection> log)
{
    /// <summary>How long a tenant's compiled rules are reused before changes to rules and suppressions are picked up.</summary>
    public static readonly TimeSpan RulesCacheTime = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<Guid, TenantRules> _cache = new();

    /// <summary>The observer of a tenant's log index: what <c>TenantIndexes.Observers</c> returns for it.</summary>
    public Func<IReadOnlyList<LogEvent>, Task>? ObserverFor(Guid tenantId, string kind) =>
        kind == Search.Lucene.LuceneLogStore.Kind ? events => DetectAsync(tenantId, events, CancellationToken.None) : null;

    /// <summary>Runs the tenant's real-time rules over <paramref name="events"/> and stores the signals; returns how many were created or updated.</summary>
    public async Task<int> DetectAsync(Guid tenantId, IReadOnlyList<LogEvent> events, CancellationToken cancellationToken)
    {
        var tenantRules = await RulesAsync(tenantId, cancellationToken);
        if (tenantRules.Rules.Count == 0)
        {
            return 0;
        }
        var candidates = tenantRules.Detect(events);
        if (candidates.Count == 0)
        {
            return 0;
        }
        var suppressedBy = tenantRules.Rules.ToDictionary(r => r.Rule, r => r.Suppressed);
        // Open signals are read and written under the lock triage takes too: a triage change is never overwritten.
        using var held = await locks.Locks.AcquireAsync(tenantId, cancellationToken);
        var hidden = new Dictionary<string, (long Signals, long Events)>(StringComparer.Ordinal);
        var changed = new List<SecuritySignal>();
        foreach (var group in candidates.GroupBy(c => c.Rule))
        {
            var rule = group.Key;
            var since = group.Min(c => c.Candidate.FirstSeen) - TimeSpan.FromSeconds(rule.Definition.Options.MaxSignalDuration);
            var groups = group.Select(c => c.Candidate.GroupKey).ToHashSet(StringComparer.Ordinal);
            var open = new Dictionary<string, SecuritySignal>(await signals.LatestByGroupAsync(tenantId, rule.Id, since, groups, cancellationToken), StringComparer.Ordinal);
            var unsuppressed = suppressedBy[rule].Unsuppressed(group.Select(c => c.Candidate), hidden);
            changed.AddRange(SignalLifecycle.ApplyAll(rule, unsuppressed, open, _ => clock.GetUtcNow(), RuleEvaluator.NewSignalId));
        }
        await signals.UpsertAsync(tenantId, changed, cancellationToken);
        try
        {
            await suppressions.CountAsync(tenantId, hidden, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The signals are stored: failing the batch here would have it judged again, and its events counted twice in them.
            log.LogWarning(e, "What suppressions hid in a batch of tenant {TenantId} was not counted", tenantId);
        }
        return changed.Count;
    }

    private async Task<TenantRules> RulesAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (_cache.TryGetValue(tenantId, out var cached) && now - cached.Loaded < RulesCacheTime)
        {
            return cached;
        }
        var compiled = new List<(CompiledRule, RuleSuppressions)>();
        if ((await tenants.FindAsync(tenantId, cancellationToken))?.DisabledAt is not null)
        {
            // Batches journaled before the organisation was disabled are indexed but not judged.
            return _cache[tenantId] = new TenantRules(now, compiled);
        }
        var active = await suppressions.ActiveAsync(tenantId, cancellationToken);
        // A rule that no longer passes validation would not compile: the rules page says why it is not evaluated.
        foreach (var rule in (await rules.ListAsync(tenantId, cancellationToken)).Where(r => r.IsEnabled && r.StoredErrors.Count == 0 && RealTimeRules.IsRealTime(r)))
        {
            try
            {
                var suppressed = active.For(rule);
                compiled.Add((suppressed.Compile(rule.Id!, rule), suppressed));
            }
            catch (ArgumentException e)
            {
                log.LogWarning(e, "Real-time rule {RuleId} of tenant {TenantId} does not compile", rule.Id, tenantId);
            }
        }
        return _cache[tenantId] = new TenantRules(now, compiled);
    }

    /// <summary>
    /// A tenant's compiled real-time rules, and the detector that runs them: built once per load of the rules (its query
    /// index, compiled matchers and literal automata are the costly part) rather than once per batch. Its rules judge
    /// each event alone, so nothing carries from one batch to the next; batches of a tenant take turns.
    /// </summary>
    private sealed class TenantRules(DateTimeOffset loaded, IReadOnlyList<(CompiledRule Rule, RuleSuppressions Suppressed)> rules)
    {
        private readonly List<(CompiledRule Rule, SignalCandidate Candidate)> _found = [];
        private StreamingDetector? _detector;

        public DateTimeOffset Loaded { get; } = loaded;

        public IReadOnlyList<(CompiledRule Rule, RuleSuppressions Suppressed)> Rules { get; } = rules;

        /// <summary>The candidates the rules raise over <paramref name="events"/>, judged in timestamp order.</summary>
        public List<(CompiledRule Rule, SignalCandidate Candidate)> Detect(IReadOnlyList<LogEvent> events)
        {
            lock (_found)
            {
                _detector ??= new StreamingDetector(Rules.Select(r => r.Rule), sink: (rule, candidate) => _found.Add((rule, candidate)));
                _found.Clear();
                foreach (var e in events.OrderBy(e => e.Timestamp))
                {
                    _detector.Process(e);
                }
                return [.. _found];
            }
        }
    }
}
