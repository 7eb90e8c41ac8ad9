using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Portal.Detection.Content;
using Portal.Detection.Evaluation;
using Portal.Detection.Events;
using Portal.Detection.Query;
using Portal.Detection.Rules;

namespace Portal.Detection.Tests.Content;

/// <summary>
/// Every shipped rule, whichever it is: a valid Datadog rule written the way Datadog's own content is, with embedded
/// tests that show it firing and staying quiet, and that pass. Adding a rule file is enough to have it checked.
/// </summary>
public partial class OutOfTheBoxRulesTests
{
    private static readonly string[] PropertyOrder = ["name", "type", "isEnabled", "queries", "cases", "options", "message", "tags", "tests"];

    public static TheoryData<string> FileNames => new(OutOfTheBoxRules.LoadNamedJson().Select(r => r.FileName));

    [Fact]
    public void LoadNamedJson_Always_ReturnsAtLeastFortyRulesOrderedByFileName()
    {
        var files = OutOfTheBoxRules.LoadNamedJson().Select(r => r.FileName).ToList();

        Assert.True(files.Count >= 40, $"{files.Count} rules shipped");
        Assert.Equal(files.Order(StringComparer.Ordinal), files);
        Assert.Equal(OutOfTheBoxRules.LoadNamedJson().Select(r => r.Json), OutOfTheBoxRules.LoadJson());
    }

    [Fact]
    public void LoadJson_Always_GivesEveryRuleItsOwnName()
    {
        var names = OutOfTheBoxRules.LoadJson().Select(json => RuleJson.Parse(json).Rule?.Name).ToList();

        Assert.Equal(names.Count, names.Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }

    [Theory]
    [MemberData(nameof(FileNames))]
    public void Rule_FileName_IsKebabCaseAreaThenSubject(string fileName)
    {
        Assert.Matches(KebabFileName(), fileName);
    }

    [Theory]
    [MemberData(nameof(FileNames))]
    public void Rule_Json_IsAValidRuleWithParseableQueries(string fileName)
    {
        var (rule, errors) = RuleJson.Parse(Json(fileName));

        Assert.Empty(errors);
        Assert.NotNull(rule);
        Assert.True(rule.IsEnabled);
        Assert.All(rule.Queries, q => Assert.True(QueryParser.TryParse(q.Query, out _, out var error), $"{q.Name}: {error?.Message}"));
        Assert.All(rule.Queries, q => Assert.False(string.IsNullOrWhiteSpace(q.Name), "queries are named, so that conditions and counts read well"));
        Assert.All(rule.Cases, c => Assert.False(string.IsNullOrWhiteSpace(c.Name), "cases are named"));
    }

    [Theory]
    [MemberData(nameof(FileNames))]
    public void Rule_JsonProperties_AreDatadogCamelCaseInOrderWithTestsLast(string fileName)
    {
        var json = JsonNode.Parse(Json(fileName))!.AsObject();

        Assert.Equal(PropertyOrder, json.Select(p => p.Key));
        Assert.Equal("log_detection", (string?)json["type"]);
    }

    [Theory]
    [MemberData(nameof(FileNames))]
    public void Rule_MessageAndTags_FollowDatadogsOutOfTheBoxConventions(string fileName)
    {
        var rule = Rule(fileName);

        Assert.Contains("\n\n## Goal\n", rule.Message);
        Assert.Contains("\n\n## Strategy\n", rule.Message);
        Assert.Contains("\n\n## Triage and response\n", rule.Message);
        Assert.True(rule.Message.IndexOf("## Goal", StringComparison.Ordinal) < rule.Message.IndexOf("## Strategy", StringComparison.Ordinal)
            && rule.Message.IndexOf("## Strategy", StringComparison.Ordinal) < rule.Message.IndexOf("## Triage and response", StringComparison.Ordinal),
            "sections in the order Goal, Strategy, Triage and response");
        Assert.False(rule.Message.StartsWith('#'), "the message opens with a one-line summary of the signal");
        Assert.Matches("^tactic:TA\\d{4}-[a-z0-9-]+$", Assert.Single(rule.Tags, t => t.StartsWith("tactic:", StringComparison.Ordinal)));
        var techniques = rule.Tags.Where(t => t.StartsWith("technique:", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(techniques);
        Assert.All(techniques, t => Assert.Matches("^technique:T\\d{4}(\\.\\d{3})?-[a-z0-9-]+$", t));
        Assert.Single(rule.Tags, t => t.StartsWith("source:", StringComparison.Ordinal));
        Assert.Single(rule.Tags, t => t is "security:attack" or "security:compliance");
    }

    [Theory]
    [MemberData(nameof(FileNames))]
    public void Rule_Tests_ShowItFiringAndStayingQuiet(string fileName)
    {
        var tests = Rule(fileName).Tests ?? [];

        Assert.Contains(tests, t => t.Expect.Count > 0);
        Assert.Contains(tests, t => t.Expect.Count == 0);
        Assert.All(tests, t => Assert.False(string.IsNullOrWhiteSpace(t.Name), "every test says what it shows"));
        Assert.Equal(tests.Count, tests.Select(t => t.Name).Distinct(StringComparer.Ordinal).Count());
    }

    [Theory]
    [MemberData(nameof(FileNames))]
    public void Rule_EmbeddedTests_AllPass(string fileName)
    {
        var failing = RuleTests.Run(Rule(fileName))
            .Where(r => !r.Passed)
            .Select(r => $"  {r.Name}: {string.Join("; ", r.Failures)}")
            .ToList();

        Assert.True(failing.Count == 0, $"{fileName}: {failing.Count} failing test(s)\n{string.Join("\n", failing)}");
    }

    /// <summary>
    /// A template variable that no matching event carries renders as nothing ("logged in from ."). Variables tested by
    /// an <c>{{#if}}</c> somewhere in the message are optional; every other one must be on some event that matches a
    /// query in the tests where the rule fires.
    /// </summary>
    [Theory]
    [MemberData(nameof(FileNames))]
    public void Rule_MessageVariables_ExistOnTheEventsItFiresOn(string fileName)
    {
        var rule = Rule(fileName);
        var queries = rule.Queries.Select(q => QueryParser.Parse(q.Query)).ToList();
        var events = (rule.Tests ?? [])
            .Where(t => t.Expect.Count > 0)
            .SelectMany(t => RuleTests.Events(t))
            .Where(e => queries.Any(q => QueryMatcher.Matches(q, e)))
            .ToList();
        var optional = OptionalVariable().Matches(rule.Message).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        var required = Variable().Matches(rule.Message).Select(m => m.Groups[1].Value).Where(v => !optional.Contains(v)).Distinct(StringComparer.Ordinal);

        Assert.All(required, variable => Assert.True(events.Any(e => HasValue(e, variable)), $"no matching event of a firing test has {variable}"));
    }

    private static bool HasValue(LogEvent e, string variable) => variable.StartsWith('@')
        ? e.GetAttribute(variable[1..]).Any(v => v.Text.Length > 0)
        : !string.IsNullOrEmpty(e.GetReserved(variable));

    private static string Json(string fileName) => OutOfTheBoxRules.LoadNamedJson().Single(r => r.FileName == fileName).Json;

    private static DetectionRule Rule(string fileName) =>
        RuleJson.Parse(Json(fileName)).Rule ?? throw new InvalidOperationException($"{fileName} is not a valid rule");

    [GeneratedRegex(@"^[a-z0-9]+(-[a-z0-9]+)+\.json$")]
    private static partial Regex KebabFileName();

    /// <summary>Plain variables: <c>{{@network.client.ip}}</c>, <c>{{host}}</c> (not rule_name or events_matched).</summary>
    [GeneratedRegex(@"\{\{\s*(@[A-Za-z0-9_.\-]+|host|service|source|status)\s*\}\}")]
    private static partial Regex Variable();

    [GeneratedRegex(@"\{\{[#^]if\s+(@[A-Za-z0-9_.\-]+)\s*\}\}")]
    private static partial Regex OptionalVariable();
}
