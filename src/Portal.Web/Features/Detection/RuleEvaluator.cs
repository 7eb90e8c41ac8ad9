using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Rules;
using Portal.Data.Suppressions;
using Portal.Detection.Evaluation;
using Portal.Detection.Events;
using Portal.Detection.Query;
using Portal.Detection.Rules;
using Portal.Detection.Signals;
using Portal.Detection.Suppressions;
using Portal.Search;
using Portal.Search.Lucene;

namespace Portal.Web.Features.Detection;

/// <summary>
/// Runs a tenant's enabled rules from each rule's watermark up to now: windows missed during downtime
/// are evaluated in turn (gap fill), signals are stored, and only then does the watermark advance.
/// </summary>
public sealed class RuleEvaluator(
    TenantDbFactory dbs, RuleService rules, SuppressionService suppressionService, ILogStore logs, ISignalStore signals, TenantLocks locks,
    RealTimeSignalLocks signalWrites, VigilOptions options, TimeProvider clock, ILogger<RuleEvaluator> log)
{
    private static readonly TimeSpan MaxCatchUp = TimeSpan.FromHours(24);

    /// <summary>Evaluates every enabled rule of the tenant; returns the number of signals created or updated (none for a disabled organisation).</summary>
    /// <param name="tenantId">The organisation.</param>
    /// <param name="cancellationToken">Stops between rules.</param>
    /// <param name="onDemand">
    /// An on-demand run ("Evaluate now") must judge every event acknowledged before it, so it waits for a run already in
    /// progress (which chose its end before those events arrived) and then runs; a scheduled run skips instead.
    /// </param>
    public async Task<int> EvaluateTenantAsync(Guid tenantId, CancellationToken cancellationToken, bool onDemand = false) =>
        await EvaluateAsync(tenantId, wait: onDemand, cancellationToken) ?? 0;

    /// <summary>Evaluates the tenant's rules now, as <see cref="EvaluateTenantAsync"/> on demand does; null, without waiting, when a run is in progress.</summary>
    public Task<int?> EvaluateUnlessBusyAsync(Guid tenantId, CancellationToken cancellationToken) => EvaluateAsync(tenantId, wait: false, cancellationToken);

    /// <summary>The evaluation; null when another run held the organisation's turn and <paramref name="wait"/> was false.</summary>
    private async Task<int?> EvaluateAsync(Guid tenantId, bool wait, CancellationToken cancellationToken)
    {
        await using (var db = dbs.Create(null))
        {
            // A job queued before the organisation was disabled finds it disabled here; its watermarks wait for it.
            if (!await db.Tenants.AnyAsync(t => t.Id == tenantId && t.DisabledAt == null, cancellationToken))
            {
                return 0;
            }
        }
        // A scheduled run skips when another is in progress: the watermarks make that safe, and the next run catches up.
        using var held = wait ? await locks.AcquireAsync(tenantId, cancellationToken) : await locks.TryAcquireAsync(tenantId, cancellationToken);
        if (held is null)
        {
            return null;
        }
        // In whole milliseconds, the store's unit of time ranges: a run reads up to the millisecond it ends in, exclusive, and
        // the next one counts that millisecond's events as new (with the ticks after it, they were neither read nor new).
        var evaluateUntil = WholeMilliseconds(clock.GetUtcNow() - TimeSpan.FromSeconds(options.Detection.DelaySeconds));
        // Every event acknowledged so far must be searchable before its window is judged and the watermark moves.
        await logs.RefreshAsync(tenantId, cancellationToken);
        var suppressions = await suppressionService.ActiveAsync(tenantId, cancellationToken);
        var hidden = new Dictionary<string, (long Signals, long Events)>(StringComparer.Ordinal);
        // Rules sharing a query and window read its events once in this run.
        var scans = new SharedScans(logs.Aggregator(tenantId));
        var total = 0;
        // Single-event rules are the real-time stage's: it judges each batch as it is indexed.
        // Correlation rules come last, so that they see the signals this run raised.
        try
        {
            foreach (var rule in (await rules.ListAsync(tenantId, cancellationToken)).Where(r => r.IsEnabled && !RealTimeRules.IsRealTime(r)).OrderBy(RuleTypes.IsCorrelation))
            {
                try
                {
                    // What the suppressions hid for this rule counts once its run state is saved: a rule whose state the
                    // database refused judges the same windows again next time.
                    var ruleHidden = new Dictionary<string, (long Signals, long Events)>(StringComparer.Ordinal);
                    total += await EvaluateRuleAsync(tenantId, rule, evaluateUntil, suppressions.For(rule), ruleHidden, scans, cancellationToken);
                    foreach (var (suppression, (signalCount, events)) in ruleHidden)
                    {
                        var (before, beforeEvents) = hidden.GetValueOrDefault(suppression);
                        hidden[suppression] = (before + signalCount, beforeEvents + events);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Its run state could not be read or saved (the database refused it): logged, and the organisation's other
                    // rules, correlation rules last, run all the same; its windows wait for the next run.
                    log.LogError(e, "Rule {RuleId} of tenant {TenantId} could not be evaluated", rule.Id, tenantId);
                }
            }
        }
        finally
        {
            // What the suppressions hid in the windows judged so far is counted, however the run ended.
            await suppressionService.CountAsync(tenantId, hidden, CancellationToken.None);
        }
        return total;
    }

    private async Task<int> EvaluateRuleAsync(
        Guid tenantId, DetectionRule definition, DateTimeOffset until, RuleSuppressions suppressed, Dictionary<string, (long Signals, long Events)> hidden,
        IEventAggregator scans, CancellationToken cancellationToken)
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
        if (definition.StoredErrors.Count > 0)
        {
            // Said on the rule rather than logged at every run; its windows wait (up to a day) until it is corrected.
            state.LastError = Describe(definition.StoredErrors);
            state.LastRunAt = clock.GetUtcNow();
            (state.LastDurationMs, state.LastSignals, state.LastEventsScanned) = (0, 0, 0);
            await SaveStateAsync(db, tenantId, definition);
            return 0;
        }

        var started = Stopwatch.GetTimestamp();
        var changed = 0;
        var scanned = 0L;
        try
        {
            var rule = suppressed.Compile(definition.Id!, definition);
            var skipped = state.Watermark < until - MaxCatchUp;
            var from = skipped ? until - MaxCatchUp : WholeMilliseconds(state.Watermark);
            var window = TimeSpan.FromSeconds(rule.Definition.Options.EvaluationWindow);
            // A catch-up's windows overlap by three quarters (back to back, a burst across two windows' edge went unseen):
            // any burst within three quarters of a window lies whole in one, for four reads of each event. The runs it
            // replaces, a minute apart, would have read each event a window's minutes times. Never more than a window: runs
            // further apart than the rule's window (Detection:IntervalSeconds above it) judge every window of their time.
            var step = window > TimeSpan.Zero ? Min(Max(Interval, window / 4), window) : Interval;
            var open = new Dictionary<string, SecuritySignal>(
                await signals.LatestByGroupAsync(tenantId, rule.Id, from - TimeSpan.FromSeconds(rule.Definition.Options.MaxSignalDuration), groupKeys: null, cancellationToken),
                StringComparer.Ordinal);
            // The signals stored before the run: only theirs can have been triaged since it read them.
            var readIds = open.Values.Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
            var correlated = rule.IsCorrelation ? await SignalsAsEventsAsync(tenantId, rule.Definition, from - window - step, until, cancellationToken) : default;
            var aggregator = correlated.Events ?? scans;
            var thresholdFrom = from;
            if (ReplayEvaluator.Replays(rule.Definition))
            {
                // Methods that follow events one by one replay their history through the detector: one pass for the whole range.
                await CountExclusionsAsync(definition, suppressed, aggregator, from, until, hidden, cancellationToken);
                var candidates = suppressed.Unsuppressed(await ReplayEvaluator.EvaluateAsync(rule, aggregator, from, until, cancellationToken, n => scanned += n), hidden);
                var batch = SignalLifecycle.ApplyAll(rule, candidates, open, c => c.LastSeen, NewSignalId);
                await StoreAsync(tenantId, batch, readIds); // once written, the watermark must follow
                changed += batch.Count;
                state.LastSignalAt = batch.Count > 0 ? clock.GetUtcNow() : state.LastSignalAt;
                state.Watermark = until;
                thresholdFrom = until;
            }
            for (var previous = thresholdFrom; previous < until;)
            {
                var point = previous + step < until ? previous + step : until;
                var windowStart = window > TimeSpan.Zero ? point - window : previous;
                await CountExclusionsAsync(definition, suppressed, aggregator, previous, point, hidden, cancellationToken);
                var candidates = suppressed.Unsuppressed(await ThresholdEvaluator.EvaluateAsync(rule, aggregator, windowStart, point, previous, cancellationToken, n => scanned += n), hidden);
                var batch = SignalLifecycle.ApplyAll(rule, candidates, open, _ => point, NewSignalId);
                await StoreAsync(tenantId, batch, readIds); // once written, the watermark must follow
                changed += batch.Count;
                if (batch.Count > 0)
                {
                    state.LastSignalAt = clock.GetUtcNow();
                }
                // Each window's signals are stored: record the progress now, so that an interrupted catch-up
                // resumes after this window instead of counting its events again (the last window is saved with the
                // rule's health below).
                state.Watermark = point;
                if (point < until && !await SaveStateAsync(db, tenantId, definition))
                {
                    return changed;
                }
                previous = point;
            }
            state.LastError = skipped ? $"Evaluation resumed after more than {MaxCatchUp.TotalHours:0} h; older windows were skipped."
                : correlated.Capped ? $"Only the newest {MaxCorrelatedSignals:N0} signals of the rules it correlates were read in this run." : null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogError(e, "Rule {RuleId} of tenant {TenantId} failed", definition.Id, tenantId);
            state.LastError = e.Message;
        }
        state.LastRunAt = clock.GetUtcNow();
        state.LastDurationMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        state.LastSignals = changed;
        state.LastEventsScanned = scanned;
        await SaveStateAsync(db, tenantId, definition);
        return changed;
    }

    /// <summary>
    /// Saves the rule's run state, not cancellable (the signals are stored, and the watermark must say so); false when the
    /// rule was deleted while it ran (its run state with it): the organisation's other rules go on.
    /// </summary>
    private async Task<bool> SaveStateAsync(VigilDbContext db, Guid tenantId, DetectionRule definition)
    {
        try
        {
            await db.SaveChangesAsync(CancellationToken.None);
            return true;
        }
        catch (DbUpdateConcurrencyException)
        {
            log.LogInformation("Rule {RuleId} of tenant {TenantId} was deleted while it was evaluated", definition.Id, tenantId);
            return false;
        }
    }

    /// <summary>
    /// Stores a window's signals, not cancellable (the watermark must follow), under the lock triage and the real-time stage
    /// write under: each signal stored before keeps the triage it has now, which an analyst may have changed since the run
    /// read it (those of <paramref name="read"/>, the ids the run read; a signal it raised is not looked up). Triage never
    /// waits for a run (a catch-up can take minutes), only for this write.
    /// </summary>
    private async Task StoreAsync(Guid tenantId, List<SecuritySignal> batch, IReadOnlySet<string> read)
    {
        if (batch.Count == 0)
        {
            return;
        }
        using var held = await signalWrites.Locks.AcquireAsync(tenantId, CancellationToken.None);
        foreach (var signal in batch)
        {
            if (read.Contains(signal.Id) && await signals.GetAsync(tenantId, signal.Id, CancellationToken.None) is { } stored)
            {
                (signal.TriageState, signal.ArchiveReason, signal.ArchiveComment) = (stored.TriageState, stored.ArchiveReason, stored.ArchiveComment);
            }
        }
        await signals.UpsertAsync(tenantId, batch, CancellationToken.None);
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    /// <summary><paramref name="instant"/> without its ticks below the millisecond.</summary>
    private static DateTimeOffset WholeMilliseconds(DateTimeOffset instant) => DateTimeOffset.FromUnixTimeMilliseconds(instant.ToUnixTimeMilliseconds());

    /// <summary>What a rule that no longer passes validation says of itself where its runs are shown.</summary>
    internal static string Describe(IReadOnlyList<RuleError> storedErrors) =>
        $"Not evaluated: the rule no longer passes validation ({string.Join("; ", storedErrors)}). Correct it or turn it off.";

    /// <summary>The most signals a correlation rule reads per run.</summary>
    private const int MaxCorrelatedSignals = 10_000;

    /// <summary>
    /// The signals of the rules <paramref name="correlation"/> reads, raised in <c>[from, to)</c>, as events, newest first (the
    /// new ones, which alone can fire, kept when there are more than <see cref="MaxCorrelatedSignals"/>: Capped). Other rules'
    /// signals, however many, take none of that room.
    /// </summary>
    private async Task<(IEventAggregator? Events, bool Capped)> SignalsAsEventsAsync(
        Guid tenantId, DetectionRule correlation, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        List<QueryNode> ofRules = [.. correlation.Queries.Select(q => q.RuleId).OfType<string>().Distinct(StringComparer.Ordinal)
            .Select(id => new TermNode(new FieldRef(FieldKind.Attribute, SignalDocument.RuleIdPath), id, TermKind.Exact, 0))];
        if (ofRules.Count == 0)
        {
            return (new InMemoryEventAggregator([]), false);
        }
        var query = new OrNode(ofRules, 0);
        var found = new List<LogEvent>();
        SearchCursor? after = null;
        do
        {
            var page = await signals.SearchAsync(tenantId, new SearchRequest(query, from, to, 1000, after), cancellationToken);
            found.AddRange(page.Items.Take(MaxCorrelatedSignals - found.Count).Select(SignalEvents.From));
            after = page.Next;
        }
        while (after is not null && found.Count < MaxCorrelatedSignals);
        return (new InMemoryEventAggregator(found), after is not null);
    }

    /// <summary>Ids of new signals: time-ordered, unique across instances.</summary>
    internal static string NewSignalId() => Guid.CreateVersion7().ToString("N");

    /// <summary>Counts the new events of <c>[from, to)</c> that each data exclusion kept from the rule.</summary>
    private static async Task CountExclusionsAsync(
        DetectionRule definition, RuleSuppressions suppressed, IEventAggregator store, DateTimeOffset from, DateTimeOffset to,
        Dictionary<string, (long Signals, long Events)> hidden, CancellationToken cancellationToken)
    {
        if (suppressed.Exclusions.Count == 0 || from >= to)
        {
            return;
        }
        var unexcluded = CompiledRule.Compile(definition.Id!, definition);
        foreach (var (suppression, exclusion) in suppressed.Exclusions)
        {
            var any = new OrNode([.. unexcluded.Queries.Select(q => q.Query)], 0);
            var request = new AggregationRequest(new AndNode([any, exclusion], 0), from, to, [], RuleAggregations.Count, null, from, SampleSize: 0);
            var excluded = (await store.AggregateAsync(request, cancellationToken)).Sum(g => g.Count);
            var (signals, events) = hidden.GetValueOrDefault(suppression.Id!);
            hidden[suppression.Id!] = (signals, events + excluded);
        }
    }

    private TimeSpan Interval => TimeSpan.FromSeconds(Math.Max(1, options.Detection.IntervalSeconds));
}
