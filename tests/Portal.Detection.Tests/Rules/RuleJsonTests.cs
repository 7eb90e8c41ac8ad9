using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Portal.Detection.Rules;

namespace Portal.Detection.Tests.Rules;

public partial class RuleJsonTests
{
    /// <summary>A rule as Datadog's API returns it, including fields Vigil does not model.</summary>
    private const string ValidRule = """
        {
          "name": "SSH login succeeded after many failures",
          "type": "log_detection",
          "isEnabled": true,
          "queries": [
            { "name": "a", "query": "source:sshd @evt.name:authentication @evt.outcome:failure", "aggregation": "count",
              "groupByFields": ["@network.client.ip"], "distinctFields": [], "dataSource": "logs", "hasOptionalGroupByFields": false },
            { "query": "source:sshd @evt.outcome:success", "aggregation": "count", "groupByFields": ["@network.client.ip"] }
          ],
          "cases": [
            { "name": "brute force succeeded", "status": "high", "condition": "a > 5 && b > 0", "notifications": ["@slack-sec"], "actions": [] }
          ],
          "options": { "detectionMethod": "threshold", "evaluationWindow": 900, "keepAlive": 3600, "maxSignalDuration": 86400,
                       "decreaseCriticalityBasedOnEnv": true },
          "message": "{{@network.client.ip}} logged in as {{@usr.name}}",
          "tags": ["source:ssh", "tactic:TA0006-credential-access"],
          "hasExtendedTitle": true,
          "filters": [{ "action": "suppress", "query": "@network.client.ip:10.0.0.0/8" }],
          "thirdPartyCases": []
        }
        """;

    [Fact]
    public void Parse_ValidRule_ReturnsRuleWithoutErrors()
    {
        var (rule, errors) = RuleJson.Parse(ValidRule);

        Assert.Empty(errors);
        Assert.NotNull(rule);
        Assert.Equal("SSH login succeeded after many failures", rule.Name);
        Assert.True(rule.IsEnabled);
        Assert.True(rule.HasExtendedTitle);
        Assert.Equal(2, rule.Queries.Count);
        Assert.Equal(["@network.client.ip"], rule.Queries[0].GroupByFields);
        Assert.Equal(("high", "a > 5 && b > 0"), (rule.Cases[0].Status, rule.Cases[0].Condition));
        Assert.Equal(["@slack-sec"], rule.Cases[0].Notifications);
        Assert.Equal((900, 3600, 86400), (rule.Options.EvaluationWindow, rule.Options.KeepAlive, rule.Options.MaxSignalDuration));
        Assert.Equal(["source:ssh", "tactic:TA0006-credential-access"], rule.Tags);
    }

    [Fact]
    public void Parse_QueryWithoutName_IsNamedByItsPosition()
    {
        var (rule, _) = RuleJson.Parse(ValidRule);

        Assert.Equal(["a", "b"], rule!.Queries.Select(q => q.Name));
    }

    [Fact]
    public void Parse_MinimalRule_TakesDatadogDefaults()
    {
        var (rule, errors) = RuleJson.Parse("""{"name":"r","queries":[{"query":"source:sshd"}],"cases":[{"status":"low","condition":"a > 0"}]}""");

        Assert.Empty(errors);
        Assert.Equal(("log_detection", true, "count"), (rule!.Type, rule.IsEnabled, rule.Queries[0].Aggregation));
        Assert.Equal(("threshold", 300, 3600, 86400), (rule.Options.DetectionMethod, rule.Options.EvaluationWindow, rule.Options.KeepAlive, rule.Options.MaxSignalDuration));
    }

    [Fact]
    public void Serialize_UnknownDatadogFields_RoundTripUnchanged()
    {
        var (rule, _) = RuleJson.Parse(ValidRule);

        var written = JsonNode.Parse(RuleJson.Serialize(rule!))!;
        var original = JsonNode.Parse(ValidRule)!;

        foreach (var path in new[] { "filters", "thirdPartyCases", "queries[0].dataSource", "queries[0].hasOptionalGroupByFields", "cases[0].actions", "options.decreaseCriticalityBasedOnEnv" })
        {
            Assert.True(JsonNode.DeepEquals(At(original, path), At(written, path)), $"{path} should round-trip");
        }
        Assert.Equal(RuleJson.Serialize(rule!), RuleJson.Serialize(RuleJson.Clone(rule!)));
    }

    [Theory]
    [InlineData("name", "\"\"", "$.name", "is required")]
    [InlineData("name", null, "$.name", "is required")]
    [InlineData("type", "\"workload_security\"", "$.type", "'workload_security' is not supported; use 'log_detection' or 'signal_correlation'")]
    [InlineData("queries", "[]", "$.queries", "at least one query is required")]
    [InlineData("queries[0].query", "\"source:sshd @duration:>abc\"", "$.queries[0].query", "expected a number or a date, not 'abc' (at position 23)")]
    [InlineData("queries[1].query", "\"(source:sshd\"", "$.queries[1].query", "expected ')' to close the '(' at position 0 (at position 12)")]
    [InlineData("queries[0].aggregation", "\"sum\"", "$.queries[0].metrics", "sum needs exactly one numeric field")]
    [InlineData("queries[0].aggregation", "\"new_value\"", "$.queries[0].aggregation", "'new_value' is not an aggregation of the threshold method; use 'count' or 'cardinality' or 'sum' or 'max'")]
    [InlineData("queries[0].aggregation", "\"cardinality\"", "$.queries[0].distinctFields", "cardinality needs one distinct field")]
    [InlineData("queries[1].name", "\"a\"", "$.queries[1].name", "'a' is used by another query")]
    [InlineData("queries[1].name", "\"b-2\"", "$.queries[1].name", "may contain only letters, digits and '_'")]
    [InlineData("queries[1].groupByFields", "[\"host\"]", "$.queries[1].groupByFields", "every query of a rule must group by the same fields")]
    [InlineData("queries[0].groupByFields", "[\"@\"]", "$.queries[0].groupByFields[0]", "'@' is not a field name (use host, service, source, status, a tag key or @attribute.path)")]
    [InlineData("cases", "[]", "$.cases", "at least one case is required")]
    [InlineData("cases[0].status", "\"severe\"", "$.cases[0].status", "'severe' is not a severity; use one of info, low, medium, high, critical")]
    [InlineData("cases[0].condition", "\"a > 5 && z > 0\"", "$.cases[0].condition", "'z' is not the name of a query of this rule")]
    [InlineData("cases[0].condition", "\"a > 5 &&\"", "$.cases[0].condition", "the condition ended where a query name or number was expected")]
    [InlineData("cases[0].condition", "\" \"", "$.cases[0].condition", "is required, e.g. 'a > 0'")]
    [InlineData("options.detectionMethod", "\"new_value\"", "$.queries[0].aggregation", "'count' is not an aggregation of the new_value method; use 'new_value'")]
    [InlineData("options.detectionMethod", "\"magic\"", "$.options.detectionMethod", "'magic' is not a detection method; use one of threshold, new_value, anomaly_detection, impossible_travel, signal_correlation, third_party")]
    [InlineData("options.detectionMethod", "\"signal_correlation\"", "$.queries[0].ruleId", "a signal correlation query names the rule whose signals it counts")]
    [InlineData("options.detectionMethod", "\"third_party\"", "$.options.thirdPartyRuleOptions.rootQueries", "a third-party rule needs at least one root query")]
    [InlineData("filters", "[{\"action\": \"drop\", \"query\": \"host:a\"}]", "$.filters[0].action", "'drop' is not a filter action; use 'require' or 'suppress'")]
    [InlineData("filters", "[{\"action\": \"suppress\", \"query\": \"(host:a\"}]", "$.filters[0].query", "expected ')' to close the '(' at position 0 (at position 7)")]
    [InlineData("options.evaluationWindow", "120", "$.options.evaluationWindow", "120 is not allowed; use one of 0, 60, 300, 600, 900, 1800, 3600, 7200 (seconds)")]
    [InlineData("options.keepAlive", "300", "$.options.keepAlive", "must be at least the evaluation window")]
    [InlineData("options.maxSignalDuration", "1800", "$.options.maxSignalDuration", "must be at least the keep-alive")]
    [InlineData("thirdPartyCases", "[null]", "$.thirdPartyCases[0]", "expected a case object")]
    [InlineData("options.thirdPartyRuleOptions", "{\"rootQueries\": [{\"query\": \"source:x\"}, null]}", "$.options.thirdPartyRuleOptions.rootQueries[1]", "expected a root query object")]
    public void Parse_InvalidRule_ReportsErrorAtItsJsonPath(string path, string? json, string errorPath, string message)
    {
        var (rule, errors) = RuleJson.Parse(Change(path, json));

        Assert.Null(rule);
        Assert.Contains(new RuleError(errorPath, message), errors);
    }

    /// <summary>
    /// A rule's tests are bounded in memory: their logs, repeats counted, hold at most 16 MB (each repeat is a log in memory).
    /// A long query is not refused: stored rules are validated again when read, and converted Sigma rules hold long lists.
    /// </summary>
    [Fact]
    public void Parse_TestsBeyondTheirBound_Reported_LongQueriesKept()
    {
        var run = new string('a', 10_000);

        var (rule, errors) = RuleJson.Parse(Change("tests", $"[{{\"logs\": [{{\"message\": \"{run}\", \"repeat\": 2000}}], \"expect\": []}}]"));

        Assert.Null(rule);
        Assert.Contains(new RuleError("$.tests", "the tests' logs, repeats counted, take 20.1 MB; at most 16 MB"), errors);
        Assert.NotNull(RuleJson.Parse(Change("queries[0].query", $"\"@x:{run}{run}\"")).Rule);
    }

    [Theory]
    [InlineData("isEnabled", "\"yes\"", "$.isEnabled")]
    [InlineData("options.keepAlive", "\"1h\"", "$.options.keepAlive")]
    [InlineData("queries[0].groupByFields", "\"@network.client.ip\"", "$.queries[0].groupByFields")]
    [InlineData("cases[0].condition", "5", "$.cases[0].condition")]
    [InlineData("tags", "{}", "$.tags")]
    public void Parse_WrongJsonType_ReportsPathOfTheValue(string path, string json, string errorPath)
    {
        var (rule, errors) = RuleJson.Parse(Change(path, json));

        Assert.Null(rule);
        var error = Assert.Single(errors);
        Assert.Equal(errorPath, error.Path);
        Assert.StartsWith("invalid JSON or wrong type (line ", error.Message);
    }

    [Theory]
    [InlineData("{", "$")]
    [InlineData("[]", "$")]
    [InlineData("{\"name\":\"x\",}", "$")]
    public void Parse_NotARuleObject_ReportsRoot(string json, string errorPath)
    {
        var (rule, errors) = RuleJson.Parse(json);

        Assert.Null(rule);
        Assert.Equal(errorPath, Assert.Single(errors).Path);
    }

    [Fact]
    public void Parse_JsonNull_ReportsExpectedRuleObject()
    {
        var (rule, errors) = RuleJson.Parse("null");

        Assert.Null(rule);
        Assert.Equal(new RuleError("$", "expected a rule object"), Assert.Single(errors));
    }

    [Fact]
    public void Parse_SeveralProblems_ReportsEveryOne()
    {
        var json = Change("name", "\"\"", Change("cases[0].status", "\"severe\"", Change("options.evaluationWindow", "7", ValidRule)));

        var (_, errors) = RuleJson.Parse(json);

        Assert.Equal(["$.name", "$.cases[0].status", "$.options.evaluationWindow"], errors.Select(e => e.Path));
    }

    [Theory]
    [InlineData("queries", "null", "$.queries")]
    [InlineData("cases", "null", "$.cases")]
    [InlineData("options", "null", "$.options")]
    [InlineData("queries[0]", "null", "$.queries[0]")]
    [InlineData("queries[0].groupByFields", "null", "$.queries[0].groupByFields")]
    [InlineData("queries[0].distinctFields", "null", "$.queries[0].distinctFields")]
    [InlineData("queries[0]", "{\"query\":\"x\",\"aggregation\":\"cardinality\",\"distinctFields\":null}", "$.queries[0].distinctFields")]
    [InlineData("queries[1].groupByFields", "null", "$.queries[1].groupByFields")]
    [InlineData("cases[0]", "null", "$.cases[0]")]
    [InlineData("message", "null", "$.message")]
    [InlineData("tags", "null", "$.tags")]
    public void Parse_NullWhereAValueIsRequired_ReportsPathInsteadOfCrashing(string path, string json, string errorPath)
    {
        var (rule, errors) = RuleJson.Parse(Change(path, json));

        Assert.Null(rule);
        Assert.Contains(errorPath, errors.Select(e => e.Path));
    }

    private static string Change(string path, string? json, string rule = ValidRule)
    {
        var root = JsonNode.Parse(rule)!;
        var segments = Segments(path);
        var parent = segments[..^1].Aggregate(root, (node, segment) => segment is int i ? node[i]! : node[(string)segment]!);
        switch (segments[^1])
        {
            case int index:
                parent.AsArray()[index] = json is null ? null : JsonNode.Parse(json);
                break;
            case string name when json is null:
                parent.AsObject().Remove(name);
                break;
            case string name:
                parent[name] = JsonNode.Parse(json);
                break;
        }
        return root.ToJsonString();
    }

    private static JsonNode? At(JsonNode root, string path) =>
        Segments(path).Aggregate<object, JsonNode?>(root, (node, segment) => segment is int i ? node?[i] : node?[(string)segment]);

    private static object[] Segments(string path) => PathSegment().Matches(path)
        .Select(m => m.Groups[1].Success ? (object)int.Parse(m.Groups[1].Value) : m.Groups[2].Value)
        .ToArray();

    [GeneratedRegex(@"\[(\d+)\]|([^.\[\]]+)")]
    private static partial Regex PathSegment();
}
