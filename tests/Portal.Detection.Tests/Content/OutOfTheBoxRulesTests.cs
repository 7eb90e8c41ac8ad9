using System.Text.Json.Nodes;
using Portal.Detection.Content;
using Portal.Detection.Query;
using Portal.Detection.Rules;

namespace Portal.Detection.Tests.Content;

public class OutOfTheBoxRulesTests
{
    private static readonly string[] Files =
    [
        "aws-cloudtrail-logging-stopped.json",
        "aws-root-console-login.json",
        "ssh-brute-force.json",
        "ssh-success-after-failures.json",
        "web-scanner-user-agent.json",
    ];

    public static TheoryData<string> FileNames => new(Files);

    [Fact]
    public void LoadJson_Always_ReturnsTheFiveRulesOrderedByFileName()
    {
        Assert.Equal(Files, OutOfTheBoxRules.LoadNamedJson().Select(r => r.FileName));
        Assert.Equal(OutOfTheBoxRules.LoadNamedJson().Select(r => r.Json), OutOfTheBoxRules.LoadJson());
    }

    [Theory]
    [MemberData(nameof(FileNames))]
    public void Rule_Json_IsAValidRuleWithParseableQueries(string fileName)
    {
        var (rule, errors) = RuleJson.Parse(Json(fileName));

        Assert.Empty(errors);
        Assert.NotNull(rule);
        Assert.All(rule.Queries, q => Assert.True(QueryParser.TryParse(q.Query, out _, out var error), $"{q.Name}: {error?.Message}"));
        Assert.All(rule.Queries, q => Assert.Equal(rule.Queries[0].GroupByFields, q.GroupByFields));
        Assert.All(rule.Cases, c => Assert.Contains(c.Status, new[] { "medium", "high" }));
    }

    [Theory]
    [MemberData(nameof(FileNames))]
    public void Rule_JsonProperties_AreDatadogCamelCase(string fileName)
    {
        var json = JsonNode.Parse(Json(fileName))!.AsObject();

        Assert.Equal(["name", "type", "isEnabled", "queries", "cases", "options", "message", "tags"], json.Select(p => p.Key));
        Assert.Equal("log_detection", (string?)json["type"]);
    }

    [Theory]
    [MemberData(nameof(FileNames))]
    public void Rule_MessageAndTags_FollowDatadogsOutOfTheBoxConventions(string fileName)
    {
        var (rule, _) = RuleJson.Parse(Json(fileName));

        Assert.Contains("## Goal", rule!.Message);
        Assert.Contains("## Strategy", rule.Message);
        Assert.Contains("## Triage and response", rule.Message);
        Assert.Matches("^tactic:TA\\d{4}-", Assert.Single(rule.Tags, t => t.StartsWith("tactic:", StringComparison.Ordinal)));
        Assert.Matches("^technique:T\\d{4}-", Assert.Single(rule.Tags, t => t.StartsWith("technique:", StringComparison.Ordinal)));
        Assert.Single(rule.Tags, t => t.StartsWith("source:", StringComparison.Ordinal));
        Assert.Single(rule.Tags, t => t.StartsWith("security:", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(FileNames))]
    public void Rule_Queries_MatchTheirPositiveSamplesAndNoNegativeSample(string fileName)
    {
        var (rule, _) = RuleJson.Parse(Json(fileName));
        var queries = rule!.Queries.Select(q => (q.Name, Node: QueryParser.Parse(q.Query))).ToList();
        var samples = RuleSamples.For(fileName);

        foreach (var (name, node) in queries)
        {
            Assert.True(samples.Positives.Any(e => QueryMatcher.Matches(node, e)), $"no positive sample matches query '{name}'");
        }
        foreach (var positive in samples.Positives)
        {
            Assert.True(queries.Any(q => QueryMatcher.Matches(q.Node, positive)), $"positive sample matches no query: {positive.Message}");
        }
        foreach (var negative in samples.Negatives)
        {
            Assert.False(queries.Any(q => QueryMatcher.Matches(q.Node, negative)), $"negative sample matches: {negative.Message}");
        }
    }

    private static string Json(string fileName) => OutOfTheBoxRules.LoadNamedJson().Single(r => r.FileName == fileName).Json;
}
