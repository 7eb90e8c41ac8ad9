using Portal.Detection.Evaluation;
using Portal.Detection.Events;
using Portal.Detection.Rules;
using Portal.Detection.Signals;
using static Portal.Detection.Tests.Evaluation.Detections;

namespace Portal.Detection.Tests.Signals;

public class SignalLifecycleTests
{
    private const string Attacker = "203.0.113.77";

    /// <summary>One hour keep-alive, two hours at most per signal.</summary>
    private static readonly CompiledRule BruteForce = Rule(
        [Count(FailureQuery)],
        [("high", "a > 5"), ("low", "a > 0")],
        new RuleOptions { EvaluationWindow = 300, KeepAlive = 3600, MaxSignalDuration = 7200 },
        message: "{{@network.client.ip}} failed {{events_matched}} times as {{@usr.name}} on {{host}} ({{rule_name}}){{@unknown.attr}}",
        extendedTitle: true);

    private int _ids;

    [Fact]
    public async Task Apply_NoOpenSignal_CreatesSignalFromCandidate()
    {
        var events = Failures(3, Attacker, T0).ToList();
        var candidate = await DetectAsync(events);

        var signal = SignalLifecycle.Apply(BruteForce, candidate, open: null, T0.AddMinutes(1), NewId);

        Assert.Equal("sig-1", signal.Id);
        Assert.Equal(T0.AddMinutes(1), signal.Timestamp);
        Assert.Equal("SSH brute force (203.0.113.77)", signal.Title);
        Assert.Equal("203.0.113.77 failed 3 times as root on bastion-1 (SSH brute force)", signal.Message);
        Assert.Equal("low", signal.Severity);
        Assert.Equal(("rule-1", "SSH brute force", 1), (signal.RuleId, signal.RuleName, signal.RuleVersion));
        Assert.Equal(new Dictionary<string, string> { ["@network.client.ip"] = Attacker }, signal.GroupBy);
        Assert.Equal(candidate.GroupKey, signal.GroupKey);
        Assert.Equal((T0, T0.AddSeconds(2)), (signal.FirstSeen, signal.LastSeen));
        Assert.Equal(3, signal.EventsMatched);
        Assert.Equal(new Dictionary<string, long> { ["a"] = 3 }, signal.EventsMatchedByQuery);
        Assert.Equal(events.Select(e => e.Id), signal.SampleEventIds);
        Assert.Equal(["source:ssh", "technique:T1110-brute-force", "source:sshd"], signal.Tags);
        Assert.Equal(["evt", "network", "ssh", "usr"], signal.Attributes.Select(a => a.Key).Order());
        Assert.Equal(TriageStates.Open, signal.TriageState);
        Assert.Null(signal.UpdatedAt);
    }

    [Fact]
    public async Task Apply_NewSignalWhenThresholdCrossedLate_CountsTheWholeWindow()
    {
        // Six failures fell before newSince (an earlier evaluation saw them); two newer ones complete the window.
        // The new signal reports all eight events of its window, not only the two new ones.
        var events = Failures(8, Attacker, T0).ToList();
        var candidate = Assert.Single(await ThresholdEvaluator.EvaluateAsync(BruteForce, new InMemoryEventAggregator(events), T0, T0.AddMinutes(5), T0.AddSeconds(6), CancellationToken.None));

        var signal = SignalLifecycle.Apply(BruteForce, candidate, open: null, T0.AddMinutes(5), NewId);

        Assert.Equal(2, candidate.NewCounts["a"]);
        Assert.Equal(8, signal.EventsMatched);
        Assert.Equal("high", signal.Severity);
    }

    [Fact]
    public async Task Apply_MatchWithinKeepAlive_UpdatesOpenSignal()
    {
        var first = Failures(3, Attacker, T0).ToList();
        var open = SignalLifecycle.Apply(BruteForce, await DetectAsync(first), null, T0.AddMinutes(1), NewId);
        var second = Failures(2, Attacker, T0.AddMinutes(59)).ToList();

        var updated = SignalLifecycle.Apply(BruteForce, await DetectAsync(second), open, T0.AddMinutes(60), NewId);

        Assert.Same(open, updated);
        Assert.Equal("sig-1", updated.Id);
        Assert.Equal(5, updated.EventsMatched);
        Assert.Equal(5, updated.EventsMatchedByQuery["a"]);
        Assert.Equal((T0, T0.AddMinutes(59).AddSeconds(1)), (updated.FirstSeen, updated.LastSeen));
        Assert.Equal(T0.AddMinutes(60), updated.UpdatedAt);
        Assert.Equal(first.Concat(second).Select(e => e.Id), updated.SampleEventIds);
        Assert.Equal(T0.AddMinutes(1), updated.Timestamp);
    }

    [Fact]
    public async Task Apply_MatchExactlyKeepAliveAfterLastSeen_StillUpdates()
    {
        var open = SignalLifecycle.Apply(BruteForce, await DetectAsync([Failure(Attacker, "root", T0)]), null, T0, NewId);

        var next = SignalLifecycle.Apply(BruteForce, await DetectAsync([Failure(Attacker, "root", T0.AddHours(1))]), open, T0.AddHours(1), NewId);

        Assert.Same(open, next);
    }

    [Fact]
    public async Task Apply_MatchAfterKeepAliveExpired_StartsNewSignal()
    {
        var open = SignalLifecycle.Apply(BruteForce, await DetectAsync([Failure(Attacker, "root", T0)]), null, T0, NewId);
        var late = T0.AddHours(1).AddSeconds(1);

        var next = SignalLifecycle.Apply(BruteForce, await DetectAsync([Failure(Attacker, "root", late)]), open, late, NewId);

        Assert.NotSame(open, next);
        Assert.Equal("sig-2", next.Id);
        Assert.Equal((late, late, 1L), (next.FirstSeen, next.LastSeen, next.EventsMatched));
        Assert.Equal((T0, 1L), (open.LastSeen, open.EventsMatched));
    }

    [Fact]
    public async Task Apply_SignalOlderThanMaxSignalDuration_StartsNewSignal()
    {
        var signals = new List<SecuritySignal>();
        SecuritySignal? open = null;
        foreach (var minutes in new[] { 0, 50, 100, 120, 150 })
        {
            var at = T0.AddMinutes(minutes);
            open = SignalLifecycle.Apply(BruteForce, await DetectAsync([Failure(Attacker, "root", at)]), open, at, NewId);
            signals.Add(open);
        }

        Assert.Equal(["sig-1", "sig-1", "sig-1", "sig-1", "sig-2"], signals.Select(s => s.Id));
        Assert.Equal((T0, T0.AddMinutes(120), 4L), (signals[0].FirstSeen, signals[0].LastSeen, signals[0].EventsMatched));
        Assert.Equal(T0.AddMinutes(150), signals[4].FirstSeen);
    }

    [Fact]
    public async Task Apply_MoreSevereCase_EscalatesAndNeverLowers()
    {
        var open = SignalLifecycle.Apply(BruteForce, await DetectAsync(Failures(1, Attacker, T0)), null, T0, NewId);
        Assert.Equal("low", open.Severity);

        SignalLifecycle.Apply(BruteForce, await DetectAsync(Failures(6, Attacker, T0.AddMinutes(5))), open, T0.AddMinutes(5), NewId);
        Assert.Equal("high", open.Severity);

        SignalLifecycle.Apply(BruteForce, await DetectAsync(Failures(1, Attacker, T0.AddMinutes(10))), open, T0.AddMinutes(10), NewId);
        Assert.Equal("high", open.Severity);
        Assert.Equal(8, open.EventsMatched);
    }

    [Fact]
    public async Task Apply_OpenSignalArchived_IsNotReused()
    {
        var open = SignalLifecycle.Apply(BruteForce, await DetectAsync(Failures(1, Attacker, T0)), null, T0, NewId);
        open.TriageState = TriageStates.Archived;
        open.ArchiveReason = "false_positive";

        var next = SignalLifecycle.Apply(BruteForce, await DetectAsync(Failures(1, Attacker, T0.AddMinutes(5))), open, T0.AddMinutes(5), NewId);

        Assert.Equal("sig-2", next.Id);
        Assert.Equal(TriageStates.Open, next.TriageState);
        Assert.Equal(1, open.EventsMatched);
    }

    [Fact]
    public async Task Apply_OpenSignalUnderReview_KeepsAbsorbingMatches()
    {
        var open = SignalLifecycle.Apply(BruteForce, await DetectAsync(Failures(1, Attacker, T0)), null, T0, NewId);
        open.TriageState = TriageStates.UnderReview;

        var next = SignalLifecycle.Apply(BruteForce, await DetectAsync(Failures(1, Attacker, T0.AddMinutes(5))), open, T0.AddMinutes(5), NewId);

        Assert.Same(open, next);
        Assert.Equal(TriageStates.UnderReview, next.TriageState);
    }

    [Fact]
    public async Task Apply_ManyUpdates_KeepAtMostTenSamples()
    {
        SecuritySignal? open = null;
        for (var minute = 0; minute < 5; minute++)
        {
            open = SignalLifecycle.Apply(BruteForce, await DetectAsync(Failures(4, Attacker, T0.AddMinutes(minute))), open, T0.AddMinutes(minute), NewId);
        }

        Assert.Equal(20, open!.EventsMatched);
        Assert.Equal(10, open.SampleEventIds.Distinct().Count());
    }

    [Fact]
    public void Render_Variables_ComeFromGroupThenFirstEvent()
    {
        var sample = Failure("198.51.100.1", "oracle", T0);
        var groupBy = new Dictionary<string, string> { ["@network.client.ip"] = Attacker };

        var text = MessageTemplate.Render("{{ @network.client.ip }} / {{@usr.name}} / {{service}} / {{@evt.missing}} / {{rule_name}} / {{events_matched}} / {x}", "Rule", 42, groupBy, sample);

        Assert.Equal("203.0.113.77 / oracle / sshd /  / Rule / 42 / {x}", text);
    }

    [Fact]
    public void Render_WithoutSample_LeavesEventVariablesEmpty()
    {
        Assert.Equal("ip= user=", MessageTemplate.Render("ip={{@network.client.ip}} user={{@usr.name}}", "Rule", 0, new Dictionary<string, string>(), sample: null));
    }

    private string NewId() => $"sig-{++_ids}";

    private static async Task<SignalCandidate> DetectAsync(IEnumerable<LogEvent> events)
    {
        var list = events.ToList();
        var from = list.Min(e => e.Timestamp);
        var to = list.Max(e => e.Timestamp).AddSeconds(1);
        var candidates = await ThresholdEvaluator.EvaluateAsync(BruteForce, new InMemoryEventAggregator(list), from, to, from, CancellationToken.None);
        return Assert.Single(candidates);
    }
}
