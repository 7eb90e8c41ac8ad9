using Portal.Detection.Content;
using Portal.Detection.Evaluation;
using Portal.Detection.Rules;

namespace Portal.Detection.Tests.Evaluation;

public class RuleTestsTests
{
    [Fact]
    public void Run_SshBruteForceSamples_PassEveryEmbeddedTest()
    {
        var (rule, errors) = RuleJson.Parse(OutOfTheBoxRules.LoadNamedJson().Single(r => r.FileName == "ssh-brute-force.json").Json);
        Assert.Empty(errors);

        var results = RuleTests.Run(rule!);

        Assert.Equal(3, results.Count);
        Assert.All(results, r => Assert.True(r.Passed, $"{r.Name}: {string.Join("; ", r.Failures)}"));
    }

    [Fact]
    public void Run_WrongExpectation_FailsNamingWhatDiffered()
    {
        var (rule, _) = RuleJson.Parse(OutOfTheBoxRules.LoadNamedJson().Single(r => r.FileName == "ssh-brute-force.json").Json);
        rule!.Tests = [rule.Tests![0]];
        rule.Tests[0].Expect[0].Severity = "high";
        rule.Tests[0].Expect[0].EventsMatched = 12;

        var result = Assert.Single(RuleTests.Run(rule));

        Assert.False(result.Passed);
        Assert.Equal(["severity is medium, expected high", "11 events matched, expected 12"], result.Failures);
    }
}
