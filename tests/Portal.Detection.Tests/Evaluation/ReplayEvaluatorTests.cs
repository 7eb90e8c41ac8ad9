using System.Text.Json.Nodes;
using Portal.Detection.Evaluation;
using Portal.Detection.Events;
using Portal.Detection.Intake;
using Portal.Detection.Rules;
using static Portal.Detection.Tests.Evaluation.Detections;

namespace Portal.Detection.Tests.Evaluation;

public class ReplayEvaluatorTests
{
    [Fact]
    public async Task EvaluateAsync_ConsecutiveRuns_ReportEachNewValueOnceAndLearnFromTheRulesCreation()
    {
        var rule = NewCountryRule(createdAt: T0);
        var store = new InMemoryEventAggregator(
        [
            Login(T0.AddHours(1), "alice", "FR"),
            Login(T0.AddHours(30), "alice", "BR"), // after the one-day learning: new
            Login(T0.AddHours(31), "alice", "BR"),
            Login(T0.AddHours(50), "alice", "JP"), // new, in the second run
        ]);

        var first = await ReplayEvaluator.EvaluateAsync(rule, store, T0, T0.AddHours(40), CancellationToken.None);
        var second = await ReplayEvaluator.EvaluateAsync(rule, store, T0.AddHours(40), T0.AddHours(60), CancellationToken.None);

        Assert.Equal(["BR"], first.Select(c => c.GroupBy["@network.client.geoip.country.iso_code"]));
        Assert.Equal(["JP"], second.Select(c => c.GroupBy["@network.client.geoip.country.iso_code"]));
    }

    [Fact]
    public async Task EvaluateAsync_RuleCreatedRecently_StillLearns()
    {
        var rule = NewCountryRule(createdAt: T0.AddHours(20));
        var store = new InMemoryEventAggregator([Login(T0.AddHours(1), "alice", "FR"), Login(T0.AddHours(30), "alice", "BR")]);

        Assert.Empty(await ReplayEvaluator.EvaluateAsync(rule, store, T0.AddHours(20), T0.AddHours(40), CancellationToken.None));
    }

    [Fact]
    public async Task EvaluateAsync_AnomalyFollowedBySilence_IsJudgedOnceTheBucketHasEnded()
    {
        var rule = Rule([Count("source:app", "service")], [("medium", "")], new RuleOptions
        {
            DetectionMethod = DetectionMethods.AnomalyDetection,
            EvaluationWindow = 0,
            AnomalyDetectionOptions = new AnomalyDetectionOptions { BucketDuration = 300, LearningDuration = 1 },
        });
        var events = new List<LogEvent>();
        for (var minute = 0; minute < 60; minute += 5)
        {
            events.Add(App(T0.AddMinutes(minute)));
        }
        events.AddRange(Enumerable.Range(0, 50).Select(i => App(T0.AddMinutes(60).AddSeconds(i))));
        var store = new InMemoryEventAggregator(events);

        Assert.Empty(await ReplayEvaluator.EvaluateAsync(rule, store, T0.AddMinutes(60), T0.AddMinutes(62), CancellationToken.None));
        var spike = Assert.Single(await ReplayEvaluator.EvaluateAsync(rule, store, T0.AddMinutes(62), T0.AddMinutes(70), CancellationToken.None));
        Assert.Equal(50, spike.Values["a"]);
    }

    private static CompiledRule NewCountryRule(DateTimeOffset createdAt)
    {
        var rule = Rule(
            [new RuleQuery { Query = "source:app", Aggregation = RuleAggregations.NewValue, GroupByFields = ["@usr.name"], Metrics = ["@network.client.geoip.country.iso_code"] }],
            [("medium", "")],
            new RuleOptions { DetectionMethod = DetectionMethods.NewValue, EvaluationWindow = 0, NewValueOptions = new NewValueOptions { LearningDuration = 1, ForgetAfter = 7 } });
        rule.Definition.CreatedAt = createdAt.ToUnixTimeMilliseconds();
        return CompiledRule.Compile(rule.Id, rule.Definition);
    }

    private static LogEvent App(DateTimeOffset at) =>
        IntakeNormalizer.NormalizeRecorded(new JsonObject { ["ddsource"] = "app", ["service"] = "shop", ["message"] = "error" }, at);

    private static LogEvent Login(DateTimeOffset at, string user, string country) => IntakeNormalizer.NormalizeRecorded(
        new JsonObject
        {
            ["ddsource"] = "app",
            ["message"] = "login",
            ["usr"] = new JsonObject { ["name"] = user },
            ["network"] = new JsonObject { ["client"] = new JsonObject { ["geoip"] = new JsonObject { ["country"] = new JsonObject { ["iso_code"] = country } } } },
        },
        at);
}
