using Portal.Detection.Content;
using Portal.Detection.Demo;
using Portal.Detection.Events;
using Portal.Detection.Intake;
using Portal.Detection.Evaluation;
using Portal.Detection.Rules;
using Portal.Detection.Tests.Intake;

namespace Portal.Detection.Tests.Demo;

public class DemoLogGeneratorTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 3, 14, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(2);

    [Theory]
    [InlineData(1)]
    [InlineData(42)]
    [InlineData(2026)]
    public void Next_TwoMinutesOfCalls_EveryRuleOfTheDemoScenarioFires(int seed)
    {
        var events = Run(seed, TimeSpan.FromMinutes(2)).OrderBy(e => e.Timestamp).ToList();

        foreach (var (fileName, json) in OutOfTheBoxRules.LoadNamedJson().Where(r => ScenarioRules.Contains(r.FileName)))
        {
            var detector = new StreamingDetector([CompiledRule.Compile(fileName, RuleJson.Parse(json).Rule!)]);
            events.ForEach(detector.Process);
            Assert.True(detector.Finish().Count > 0, $"'{fileName}' did not fire");
        }
    }

    /// <summary>The shipped rules the demo's attack campaign is written to trigger (sshd, web and CloudTrail).</summary>
    private static readonly string[] ScenarioRules =
    [
        "aws-cloudtrail-logging-stopped.json", "aws-root-console-login.json", "ssh-brute-force.json", "ssh-success-after-failures.json", "web-scanner-user-agent.json",
    ];

    [Fact]
    public void Next_TwoMinutesOfCalls_HasMoreThanTenSshFailuresFromOneIpWithinFiveMinutes()
    {
        var failures = Run(7, TimeSpan.FromMinutes(2))
            .Where(e => e.Source == "sshd" && e.Text("evt.name") == "authentication" && e.Text("evt.outcome") == "failure")
            .GroupBy(e => e.Text("network.client.ip"))
            .MaxBy(g => g.Count())!;

        Assert.True(failures.Count() > 10);
        Assert.True(failures.Max(e => e.Timestamp) - failures.Min(e => e.Timestamp) < TimeSpan.FromMinutes(5));
    }

    [Fact]
    public void Next_SameSeedAndCalls_ProducesTheSameObjects()
    {
        var first = new DemoLogGenerator(5);
        var second = new DemoLogGenerator(5);

        for (var i = 1; i <= 40; i++)
        {
            var now = Start + Step * i;
            Assert.Equal(first.Next(now, Step).Select(o => o.ToJsonString()), second.Next(now, Step).Select(o => o.ToJsonString()));
        }
    }

    [Fact]
    public void Next_TenMinutes_AveragesFiveToTwentyEventsPerSecond()
    {
        var perSecond = Run(3, TimeSpan.FromMinutes(10)).Count / 600.0;

        Assert.InRange(perSecond, 5, 20);
    }

    [Fact]
    public void Next_EachCall_StampsEventsWithinItsOwnSpanWithoutAdjustment()
    {
        var generator = new DemoLogGenerator(11);
        for (var i = 1; i <= 60; i++)
        {
            var now = Start + Step * i;
            foreach (var raw in generator.Next(now, Step))
            {
                var e = IntakeNormalizer.Normalize(raw, now);
                Assert.InRange(e.Timestamp, now - Step, now);
                Assert.Null(e.Text(IntakeNormalizer.TimestampAdjustedAttribute));
            }
        }
    }

    [Fact]
    public void Next_TwelveMinutes_RepeatsAttacksFromNewAddresses()
    {
        var bruteForcers = Run(9, TimeSpan.FromMinutes(12))
            .Where(e => e.Source == "sshd" && e.Text("evt.outcome") == "failure" && e.Text("evt.name") == "authentication")
            .GroupBy(e => e.Text("network.client.ip"))
            .Count(g => g.Count() > 10);

        Assert.True(bruteForcers >= 3, $"{bruteForcers} brute force sources");
    }

    [Fact]
    public void Next_LongPause_IsCappedAndZeroElapsedIsEmpty()
    {
        var generator = new DemoLogGenerator(1);

        Assert.Empty(generator.Next(Start, TimeSpan.Zero));
        Assert.InRange(generator.Next(Start, TimeSpan.FromHours(3)).Count, 1, 20 * 60);
        Assert.Equal(DemoLogGenerator.MaxStep, generator.Clock);
    }

    private static List<LogEvent> Run(int seed, TimeSpan duration)
    {
        var generator = new DemoLogGenerator(seed);
        var events = new List<LogEvent>();
        for (var now = Start + Step; now <= Start + duration; now += Step)
        {
            events.AddRange(generator.Next(now, Step).Select(raw => IntakeNormalizer.Normalize(raw, now)));
        }
        return events;
    }
}
