using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Data.Rules;
using Portal.Detection.Evaluation;
using Portal.Detection.Rules;
using Portal.Web.Features.Detection;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.Detection;

/// <summary>Each scheduled run records the rule's health: when, how long, what it read, what it raised.</summary>
[Collection("portal")]
public sealed class RuleHealthTests(PortalFixture portal)
{
    [Fact]
    public async Task Evaluation_RecordsRunTimeEventsReadAndSignals()
    {
        var tenant = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        await LogShipper.PostAsync(client, tenant, LogShipper.SshFailures("203.0.113.77", 14));

        await LogShipper.EvaluateAsync(portal, tenant);

        var rule = (await portal.Services.GetRequiredService<RuleService>().ListAsync(tenant.Id)).Single(r => r.Name == "SSH brute force from a single source IP");
        await using var db = portal.Services.GetRequiredService<TenantDbFactory>().Create(tenant.Id);
        var state = await db.RuleRunStates.SingleAsync(s => s.RuleId == rule.Id);
        Assert.NotNull(state.LastRunAt);
        Assert.Equal(14, state.LastEventsScanned);
        Assert.Equal(1, state.LastSignals);
        Assert.NotNull(state.LastSignalAt);
        Assert.Null(state.LastError);
        Assert.True(state.LastDurationMs > 0);
    }

    /// <summary>
    /// A stored rule that no longer passes validation is not evaluated and says why on its run state, its windows waiting
    /// for its correction; the organisation's other rules run as before.
    /// </summary>
    [Fact]
    public async Task Evaluation_StoredRuleNoLongerValid_SaysWhy_TheOthersRun()
    {
        var tenant = await portal.CreateTenantAsync();
        const string BruteForce = "SSH brute force from a single source IP";
        var (outdated, _) = await StoredRules.OutdateAsync(portal, tenant.Id, except: BruteForce);
        await using var db = portal.Services.GetRequiredService<TenantDbFactory>().Create(tenant.Id);
        var watermark = (await db.RuleRunStates.AsNoTracking().SingleAsync(s => s.RuleId == outdated)).Watermark;
        using var client = portal.CreateClient();
        await LogShipper.PostAsync(client, tenant, LogShipper.SshFailures("203.0.113.78", 14));

        await LogShipper.EvaluateAsync(portal, tenant, failing: outdated);

        var bruteForceId = (await portal.Services.GetRequiredService<RuleService>().ListAsync(tenant.Id)).Single(r => r.Name == BruteForce).Id;
        var bruteForce = await db.RuleRunStates.AsNoTracking().SingleAsync(s => s.RuleId == bruteForceId);
        Assert.Equal(1, bruteForce.LastSignals);
        var state = await db.RuleRunStates.AsNoTracking().SingleAsync(s => s.RuleId == outdated);
        Assert.StartsWith("Not evaluated: the rule no longer passes validation ($.options.evaluationWindow: ", state.LastError, StringComparison.Ordinal);
        Assert.EndsWith("). Correct it or turn it off.", state.LastError, StringComparison.Ordinal);
        Assert.NotNull(state.LastRunAt);
        Assert.Equal(watermark, state.Watermark);
    }

    /// <summary>
    /// A rule whose run state the database refuses to save is logged and left for the next run; the organisation's rules
    /// after it run all the same.
    /// </summary>
    [Fact]
    public async Task Evaluation_DatabaseRefusesOneRulesState_TheRulesAfterItRun()
    {
        var tenant = await portal.CreateTenantAsync();
        const string BruteForce = "SSH brute force from a single source IP";
        var scheduled = (await portal.Services.GetRequiredService<RuleService>().ListAsync(tenant.Id))
            .Where(r => r.IsEnabled && !RealTimeRules.IsRealTime(r) && !RuleTypes.IsCorrelation(r)).ToList();
        // The refused rule is evaluated before the brute force rule (the rules go by name).
        var refused = scheduled.TakeWhile(r => r.Name != BruteForce).First().Id!;
        var bruteForceId = scheduled.Single(r => r.Name == BruteForce).Id;
        using var client = portal.CreateClient();
        await LogShipper.PostAsync(client, tenant, LogShipper.SshFailures("203.0.113.82", 14));
        await SqlAsync($"CREATE TRIGGER refuse_run_state_{tenant.Id:N} BEFORE UPDATE ON RuleRunStates WHEN NEW.RuleId = '{refused}' BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END;");
        try
        {
            await LogShipper.EvaluateAsync(portal, tenant);
        }
        finally
        {
            await SqlAsync($"DROP TRIGGER refuse_run_state_{tenant.Id:N};");
        }

        await using var db = portal.Services.GetRequiredService<TenantDbFactory>().Create(tenant.Id);
        Assert.Equal(1, (await db.RuleRunStates.AsNoTracking().SingleAsync(s => s.RuleId == bruteForceId)).LastSignals);
        Assert.Null((await db.RuleRunStates.AsNoTracking().SingleAsync(s => s.RuleId == refused)).LastRunAt);
    }

    /// <summary>
    /// An analyst archives a signal while a run that read it is under way: the triage is not held up by the run (a catch-up
    /// can take minutes), and the run's write, which adds the new matches to the signal, keeps the archive.
    /// </summary>
    [Fact]
    public async Task Triage_DuringARunThatReadTheSignal_NeitherWaitsNorIsOverwritten()
    {
        var tenant = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        await LogShipper.PostAsync(client, tenant, LogShipper.SshFailures("203.0.113.83", 14));
        await LogShipper.EvaluateAsync(portal, tenant);
        var store = portal.Services.GetRequiredService<Portal.Search.ISignalStore>();
        var ruleId = (await portal.Services.GetRequiredService<RuleService>().ListAsync(tenant.Id)).Single(r => r.Name == "SSH brute force from a single source IP").Id!;
        var signal = Assert.Single((await store.LatestByGroupAsync(tenant.Id, ruleId, DateTimeOffset.UtcNow.AddHours(-1), null, CancellationToken.None)).Values);
        await LogShipper.PostAsync(client, tenant, LogShipper.SshFailures("203.0.113.83", 3));
        var triage = portal.Services.GetRequiredService<Portal.Web.Features.Signals.SignalTriage>();
        var triaged = false;
        var reading = new TriagingStore(store, async () =>
        {
            // The run has read the open signals and holds its organisation's turn.
            await triage.SetStateAsync(tenant.Id, signal.Id, Portal.Detection.Signals.TriageStates.Archived, "false_positive", "our scanner", CancellationToken.None)
                .WaitAsync(TimeSpan.FromSeconds(20));
            triaged = true;
        }, ruleId);
        var evaluator = ActivatorUtilities.CreateInstance<RuleEvaluator>(portal.Services, (Portal.Search.ISignalStore)reading);
        await Task.Delay(5);

        await evaluator.EvaluateTenantAsync(tenant.Id, CancellationToken.None, onDemand: true);

        Assert.True(triaged);
        var stored = (await store.GetAsync(tenant.Id, signal.Id, CancellationToken.None))!;
        Assert.Equal((Portal.Detection.Signals.TriageStates.Archived, "false_positive", "our scanner"), (stored.TriageState, stored.ArchiveReason, stored.ArchiveComment));
        Assert.Equal(signal.EventsMatched + 3, stored.EventsMatched);
    }

    /// <summary>A signal store that runs <paramref name="afterRead"/> once, after a run reads <paramref name="ruleId"/>'s open signals.</summary>
    private sealed class TriagingStore(Portal.Search.ISignalStore inner, Func<Task> afterRead, string ruleId) : Portal.Search.ISignalStore
    {
        private int _done;

        public async Task<IReadOnlyDictionary<string, Portal.Detection.Signals.SecuritySignal>> LatestByGroupAsync(
            Guid tenantId, string rule, DateTimeOffset since, IReadOnlyCollection<string>? groupKeys, CancellationToken cancellationToken)
        {
            var latest = await inner.LatestByGroupAsync(tenantId, rule, since, groupKeys, cancellationToken);
            if (rule == ruleId && Interlocked.Exchange(ref _done, 1) == 0)
            {
                await afterRead();
            }
            return latest;
        }

        public Task UpsertAsync(Guid tenantId, IReadOnlyList<Portal.Detection.Signals.SecuritySignal> signals, CancellationToken cancellationToken) =>
            inner.UpsertAsync(tenantId, signals, cancellationToken);

        public Task<Portal.Detection.Signals.SecuritySignal?> GetAsync(Guid tenantId, string id, CancellationToken cancellationToken) =>
            inner.GetAsync(tenantId, id, cancellationToken);

        public Task<Portal.Search.EventPage<Portal.Detection.Signals.SecuritySignal>> SearchAsync(Guid tenantId, Portal.Search.SearchRequest request, CancellationToken cancellationToken) =>
            inner.SearchAsync(tenantId, request, cancellationToken);

        public Task<Portal.Search.LogAnalytics> AnalyzeAsync(
            Guid tenantId, Portal.Detection.Query.QueryNode query, DateTimeOffset from, DateTimeOffset to, TimeSpan interval, TimeSpan offset, CancellationToken cancellationToken) =>
            inner.AnalyzeAsync(tenantId, query, from, to, interval, offset, cancellationToken);

        public Task<IReadOnlyList<Portal.Search.FacetValue>> FacetValuesAsync(
            Guid tenantId, Portal.Detection.Query.QueryNode query, DateTimeOffset from, DateTimeOffset to, string facet, int limit, CancellationToken cancellationToken) =>
            inner.FacetValuesAsync(tenantId, query, from, to, facet, limit, cancellationToken);
    }

    private async Task SqlAsync(string sql)
    {
        await using var db = portal.Services.GetRequiredService<TenantDbFactory>().Create(null);
        await Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions.ExecuteSqlRawAsync(db.Database, sql);
    }

    /// <summary>
    /// A run ends within a millisecond (the clock's ticks): the events stamped in that millisecond, which it does not read
    /// (the store's ranges are whole milliseconds), are new to the next run and judged there, not lost between the two.
    /// </summary>
    [Fact]
    public async Task Evaluation_EventsInTheMillisecondARunEndsIn_JudgedByTheNextRun()
    {
        var tenant = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        var at = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.AddSeconds(5).ToUnixTimeMilliseconds());
        var failures = LogShipper.SshFailures("203.0.113.79", 11);
        foreach (var failure in failures)
        {
            failure!["timestamp"] = at.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);
        }
        using (var accepted = await LogShipper.PostAsync(client, tenant, failures))
        {
            Assert.Equal(System.Net.HttpStatusCode.Accepted, accepted.StatusCode);
        }
        var clock = new FixedClock { Now = at.AddTicks(4567) };
        var evaluator = ActivatorUtilities.CreateInstance<RuleEvaluator>(portal.Services, (TimeProvider)clock);
        var ruleId = (await portal.Services.GetRequiredService<RuleService>().ListAsync(tenant.Id)).Single(r => r.Name == "SSH brute force from a single source IP").Id;
        async Task<RuleRunState> StateAsync()
        {
            await using var db = portal.Services.GetRequiredService<TenantDbFactory>().Create(tenant.Id);
            return await db.RuleRunStates.AsNoTracking().SingleAsync(s => s.RuleId == ruleId);
        }

        await evaluator.EvaluateTenantAsync(tenant.Id, CancellationToken.None, onDemand: true);
        Assert.Equal((0L, 0), ((await StateAsync()).LastEventsScanned, (await StateAsync()).LastSignals));
        clock.Now = at.AddSeconds(2);
        await evaluator.EvaluateTenantAsync(tenant.Id, CancellationToken.None, onDemand: true);

        var state = await StateAsync();
        Assert.Equal(1, state.LastSignals);
        Assert.Null(state.LastError);
    }

    /// <summary>
    /// A catch-up (the portal was down twenty minutes) judges overlapping windows: a burst across the edge of two back-to-back
    /// five-minute windows (five failures before it, seven after) raises its signal, counting each failure once.
    /// </summary>
    [Fact]
    public async Task CatchUp_BurstAcrossTheEdgeOfTwoWindows_RaisesItsSignal_EachFailureCountedOnce()
    {
        // 5 between 3:50 and 4:50, 7 between 5:05 and 6:35 after the last run; the portal was down twenty minutes.
        var (tenant, start, ruleId) = await RunAfterFailuresAsync("203.0.113.80", firstSecond: 230, intervalSeconds: 60, runAt: TimeSpan.FromMinutes(20));

        await using var db = portal.Services.GetRequiredService<TenantDbFactory>().Create(tenant);
        var state = await db.RuleRunStates.AsNoTracking().SingleAsync(s => s.RuleId == ruleId);
        Assert.Equal((1, start.AddMinutes(20)), (state.LastSignals, state.Watermark));
        var signal = Assert.Single((await portal.Services.GetRequiredService<Portal.Search.ISignalStore>().LatestByGroupAsync(tenant, ruleId, start, null, CancellationToken.None)).Values);
        Assert.Equal(12, signal.EventsMatched);
    }

    /// <summary>
    /// Runs further apart than a rule's window (Detection:IntervalSeconds of 15 minutes, a five-minute window) judge every
    /// window of their time: a burst in the first minutes of a run's quarter of an hour raises its signal.
    /// </summary>
    [Fact]
    public async Task Evaluation_IntervalLongerThanTheWindow_JudgesEveryWindowOfTheRun()
    {
        var (tenant, start, ruleId) = await RunAfterFailuresAsync("203.0.113.81", firstSecond: 60, intervalSeconds: 900, runAt: TimeSpan.FromMinutes(15));

        var signal = Assert.Single((await portal.Services.GetRequiredService<Portal.Search.ISignalStore>().LatestByGroupAsync(tenant, ruleId, start, null, CancellationToken.None)).Values);
        Assert.Equal(12, signal.EventsMatched);
    }

    /// <summary>
    /// Twelve SSH failures from <paramref name="ip"/>, 15 seconds apart from <paramref name="firstSecond"/> seconds after a
    /// whole minute forty minutes ago (the start), the brute force rule's watermark set at the start, then one run at
    /// <paramref name="runAt"/> after it, runs being <paramref name="intervalSeconds"/> apart: the organisation, the start
    /// and the rule.
    /// </summary>
    private async Task<(Guid Tenant, DateTimeOffset Start, string RuleId)> RunAfterFailuresAsync(string ip, int firstSecond, int intervalSeconds, TimeSpan runAt)
    {
        var tenant = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        var start = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddMinutes(-40).ToUnixTimeSeconds() / 60 * 60);
        var failures = LogShipper.SshFailures(ip, 12);
        for (var i = 0; i < failures.Count; i++)
        {
            failures[i]!["timestamp"] = start.AddSeconds(firstSecond + (i * 15)).ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        }
        using (var accepted = await LogShipper.PostAsync(client, tenant, failures))
        {
            Assert.Equal(System.Net.HttpStatusCode.Accepted, accepted.StatusCode);
        }
        var ruleId = (await portal.Services.GetRequiredService<RuleService>().ListAsync(tenant.Id)).Single(r => r.Name == "SSH brute force from a single source IP").Id!;
        await using (var db = portal.Services.GetRequiredService<TenantDbFactory>().Create(tenant.Id))
        {
            (await db.RuleRunStates.SingleAsync(s => s.RuleId == ruleId)).Watermark = start;
            await db.SaveChangesAsync();
        }
        var options = new VigilOptions { Detection = new DetectionOptions { IntervalSeconds = intervalSeconds, DelaySeconds = 0 } };
        var evaluator = ActivatorUtilities.CreateInstance<RuleEvaluator>(portal.Services, (TimeProvider)new FixedClock { Now = start + runAt }, options);
        await evaluator.EvaluateTenantAsync(tenant.Id, CancellationToken.None, onDemand: true);
        return (tenant.Id, start, ruleId);
    }

    /// <summary>
    /// "Evaluate now" while the organisation's run is in progress does not hold a worker until it ends (a long catch-up
    /// would stall every organisation's detection): it is scheduled again a few seconds later.
    /// </summary>
    [Fact]
    public async Task EvaluateNow_WhileARunIsInProgress_ScheduledAgainRatherThanWaiting()
    {
        var tenant = await portal.CreateTenantAsync();
        var jobs = new RecordingJobs();
        var job = new TenantEvaluationJob(portal.Services.GetRequiredService<RuleEvaluator>(), jobs);

        using (await portal.Services.GetRequiredService<TenantLocks>().AcquireAsync(tenant.Id, CancellationToken.None))
        {
            await job.RunNowAsync(tenant.Id, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        }

        var (again, state) = Assert.Single(jobs.Created);
        Assert.Equal((nameof(TenantEvaluationJob.RunNowAsync), tenant.Id, 2), (again.Method.Name, (Guid)again.Args[0]!, (int)again.Args[1]!));
        var scheduled = Assert.IsType<Hangfire.States.ScheduledState>(state);
        Assert.InRange(scheduled.EnqueueAt - scheduled.ScheduledAt, TenantEvaluationJob.RetryNowAfter - TimeSpan.FromSeconds(1), TenantEvaluationJob.RetryNowAfter + TimeSpan.FromSeconds(1));
        // The last try leaves it to the scheduled runs; once the turn is free, it runs and schedules nothing.
        using (await portal.Services.GetRequiredService<TenantLocks>().AcquireAsync(tenant.Id, CancellationToken.None))
        {
            await job.RunNowAsync(tenant.Id, TenantEvaluationJob.NowAttempts, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        }
        await job.RunNowAsync(tenant.Id, CancellationToken.None);
        Assert.Single(jobs.Created);
    }

    private sealed class RecordingJobs : Hangfire.IBackgroundJobClient
    {
        public List<(Hangfire.Common.Job Job, Hangfire.States.IState State)> Created { get; } = [];

        public string Create(Hangfire.Common.Job job, Hangfire.States.IState state)
        {
            Created.Add((job, state));
            return Created.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        public bool ChangeState(string jobId, Hangfire.States.IState state, string expectedState) => false;
    }

    private sealed class FixedClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; }

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
