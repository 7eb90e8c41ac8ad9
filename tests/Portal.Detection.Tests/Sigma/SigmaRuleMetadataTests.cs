using Portal.Detection.Rules;
using Portal.Detection.Sigma;

namespace Portal.Detection.Tests.Sigma;

public class SigmaRuleMetadataTests
{
    private const string Detection = "selection:\n    eventName: x\ncondition: selection";

    [Fact]
    public void Rule_IsASingleEventThresholdRuleTheValidatorAccepts()
    {
        var c = SigmaSamples.Convert(Detection);
        var rule = c.Rule!;

        Assert.Equal("Test rule", rule.Name);
        Assert.Equal("log_detection", rule.Type);
        var query = Assert.Single(rule.Queries);
        Assert.Equal("a", query.Name);
        Assert.Equal(RuleAggregations.Count, query.Aggregation);
        Assert.Empty(query.GroupByFields);
        var ruleCase = Assert.Single(rule.Cases);
        Assert.Equal("a > 0", ruleCase.Condition);
        Assert.Equal(Severities.High, ruleCase.Status);
        Assert.Equal(DetectionMethods.Threshold, rule.Options.DetectionMethod);
        Assert.Equal(0, rule.Options.EvaluationWindow);
        Assert.Equal(3600, rule.Options.KeepAlive);
        Assert.Equal(86400, rule.Options.MaxSignalDuration);
        Assert.Empty(RuleValidator.Validate(rule));
        Assert.Empty(RuleJson.Parse(RuleJson.Serialize(rule)).Errors);
    }

    [Fact]
    public void Conversion_KeepsTheSigmaIdentity()
    {
        var c = SigmaSamples.Convert(Detection);

        Assert.Equal("7f1e5a52-0000-4000-8000-000000000001", c.SigmaId);
        Assert.Equal("Test rule", c.Title);
        Assert.Equal("Ada Lovelace", c.Author);
        Assert.Equal("test.yml", c.FileName);
        Assert.Empty(c.Diagnostics);
    }

    [Fact]
    public void Message_HasTheDescriptionAndTheLicenceCreditWithTheAuthor()
    {
        var message = SigmaSamples.Convert(Detection).Rule!.Message;

        Assert.StartsWith("A rule written for a test.\n", message, StringComparison.Ordinal);
        Assert.Contains(
            "Sigma rule by Ada Lovelace, from the SigmaHQ rule set https://github.com/SigmaHQ/sigma, Detection Rule License 1.1",
            message,
            StringComparison.Ordinal);
        Assert.Contains("id `7f1e5a52-0000-4000-8000-000000000001`", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Message_ListsFalsePositivesAndReferences_AndBreaksTemplateBraces()
    {
        var yaml = SigmaSamples.Rule(Detection).Replace("description: A rule written for a test.", """
            description: Payloads such as {{7*7}} in a query.
            references:
                - https://example.com/advisory
            falsepositives:
                - Scanners
            """, StringComparison.Ordinal);
        var message = SigmaConverter.Convert(yaml).Rule!.Message;

        Assert.Contains("## False positives\n- Scanners\n", message, StringComparison.Ordinal);
        Assert.Contains("## References\n- https://example.com/advisory\n", message, StringComparison.Ordinal);
        Assert.DoesNotContain("{{", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tags_MapAttackTacticsAndTechniques_AndKeepTheSigmaId()
    {
        var yaml = SigmaSamples.Rule(Detection).Replace("    - attack.t1078.004", """
                - attack.t1078.004
                - attack.stealth
                - attack.defense-impairment
                - attack.t1562
                - attack.g0016
                - cve.2021-44228
                - detection.emerging-threats
            """.TrimEnd(), StringComparison.Ordinal);
        var tags = SigmaConverter.Convert(yaml).Rule!.Tags;

        Assert.Equal(
            [
                "source:cloudtrail",
                "tactic:TA0001-initial-access",
                "technique:T1078.004",
                "tactic:TA0005-stealth",
                "tactic:TA0112-defense-impairment",
                "technique:T1562",
                "sigma_tag:attack.g0016",
                "cve:cve-2021-44228",
                "sigma_tag:detection.emerging-threats",
                "sigma:7f1e5a52-0000-4000-8000-000000000001",
                "sigma_status:test",
            ],
            tags);
    }

    [Theory]
    [InlineData("informational", "info")]
    [InlineData("low", "low")]
    [InlineData("medium", "medium")]
    [InlineData("high", "high")]
    [InlineData("critical", "critical")]
    [InlineData("urgent", "medium")]
    public void Severity_ComesFromTheLevel(string level, string severity)
    {
        var c = SigmaConverter.Convert(SigmaSamples.Rule(Detection, level: level));

        Assert.Equal(severity, c.Rule!.Cases[0].Status);
        Assert.Equal(level == "urgent" ? SigmaDiagnosticKind.Note : (SigmaDiagnosticKind?)null, c.Diagnostics.SingleOrDefault()?.Kind);
        Assert.Equal(SigmaConversionStatus.Lossless, c.Status);
    }

    [Theory]
    [InlineData("title: [unclosed", "not valid YAML")]
    [InlineData("- just\n- a list", "expected a Sigma rule")]
    [InlineData("title: No detection\nlogsource:\n    product: aws", "needs a 'detection' map")]
    [InlineData("title: No condition\nlogsource:\n    product: aws\n    service: cloudtrail\ndetection:\n    selection:\n        a: 1", "needs a condition")]
    [InlineData("logsource:\n    product: aws\n    service: cloudtrail\ndetection:\n    selection:\n        a: 1\n    condition: selection", "needs a title")]
    public void NotASigmaRule_IsInvalid(string yaml, string message)
    {
        var c = SigmaConverter.Convert(yaml, "bad.yml");

        Assert.Equal(SigmaConversionStatus.Invalid, c.Status);
        Assert.Null(c.Rule);
        Assert.Contains(c.Diagnostics, d => d.Kind == SigmaDiagnosticKind.Invalid && d.Message.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public void DuplicateKeys_AreInvalidYaml()
    {
        var c = SigmaSamples.Convert("selection:\n    a: 1\nselection:\n    a: 2\ncondition: selection");

        Assert.Equal(SigmaConversionStatus.Invalid, c.Status);
    }

    [Fact]
    public void Diagnostic_ToString_NamesKindLocationAndMessage()
    {
        var c = SigmaSamples.Convert("selection:\n    a|re: '[0-9]'\ncondition: selection");

        Assert.Matches(@"^unsupported: line \d+, detection\.selection\.a\|re: regular expression '\[0-9\]'", c.Diagnostics.Single().ToString());
    }
}
