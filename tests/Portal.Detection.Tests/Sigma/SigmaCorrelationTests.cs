using Portal.Detection.Rules;
using Portal.Detection.Sigma;

namespace Portal.Detection.Tests.Sigma;

public class SigmaCorrelationTests
{
    private const string FailedLogin = """
        title: Failed console login
        id: 0b5c7f8e-0000-4000-8000-000000000001
        name: failed_console_login
        author: Grace Hopper
        tags:
            - attack.credential-access
        logsource:
            product: aws
            service: cloudtrail
        detection:
            selection:
                eventName: ConsoleLogin
                errorMessage: Failed authentication
            condition: selection
        level: low
        """;

    private const string BucketListing = """
        title: Bucket listing
        id: 0b5c7f8e-0000-4000-8000-000000000002
        name: bucket_listing
        author: Ada Lovelace
        logsource:
            product: aws
            service: cloudtrail
        detection:
            selection:
                eventName: ListBuckets
            condition: selection
        level: low
        """;

    private static string Correlation(string body, string level = "high") => $"""
        title: Correlated
        id: 0b5c7f8e-0000-4000-8000-0000000000ff
        author: Alan Turing
        correlation:
        {SigmaSamples.Indent(body)}
        level: {level}
        """;

    private static IReadOnlyList<SigmaConversion> ConvertAll(string correlationBody, params string[] rules) =>
        SigmaConverter.ConvertAll(string.Join("\n---\n", [Correlation(correlationBody), .. rules]), "correlation.yml");

    [Fact]
    public void EventCount_IsACountThresholdOverTheWindow()
    {
        var results = ConvertAll("""
            type: event_count
            rules:
                - failed_console_login
            group-by:
                - sourceIPAddress
            timespan: 10m
            condition:
                gte: 10
            """, FailedLogin);

        var c = Assert.Single(results);
        Assert.Equal(SigmaConversionStatus.Lossless, c.Status);
        var rule = c.Rule!;
        var query = Assert.Single(rule.Queries);
        Assert.Equal(@"source:cloudtrail @eventName:ConsoleLogin @errorMessage:Failed\ authentication", query.Query);
        Assert.Equal(RuleAggregations.Count, query.Aggregation);
        Assert.Equal(["@sourceIPAddress"], query.GroupByFields);
        Assert.Equal("a >= 10", rule.Cases[0].Condition);
        Assert.Equal(Severities.High, rule.Cases[0].Status);
        Assert.Equal(600, rule.Options.EvaluationWindow);
        Assert.Equal(3600, rule.Options.KeepAlive);
        Assert.Empty(RuleValidator.Validate(rule));
        // Every author is credited: the correlation's and the correlated rule's.
        Assert.Contains("Sigma rule by Alan Turing,", rule.Message, StringComparison.Ordinal);
        Assert.Contains("Sigma rule by Grace Hopper,", rule.Message, StringComparison.Ordinal);
        Assert.Contains("tactic:TA0006-credential-access", rule.Tags);
    }

    [Fact]
    public void ValueCount_IsACardinalityOfTheField()
    {
        var c = ConvertAll("""
            type: value_count
            rules: failed_console_login
            group-by: [sourceIPAddress]
            timespan: 1h
            condition:
                field: userIdentity.userName
                gt: 3
                lte: 50
            """, FailedLogin)[0];

        Assert.Equal(SigmaConversionStatus.Lossless, c.Status);
        var query = c.Rule!.Queries[0];
        Assert.Equal(RuleAggregations.Cardinality, query.Aggregation);
        Assert.Equal(["@userIdentity.userName"], query.DistinctFields);
        Assert.Equal("a > 3 && a <= 50", c.Rule.Cases[0].Condition);
        Assert.Equal(3600, c.Rule.Options.EvaluationWindow);
    }

    [Fact]
    public void ValueSum_IsASumOfTheField_AndEqualityConditionsConvert()
    {
        var c = ConvertAll("type: value_sum\nrules: failed_console_login\ntimespan: 5m\ncondition:\n    field: bytes\n    neq: 0\n    lt: 1000", FailedLogin)[0];

        Assert.Equal(SigmaConversionStatus.Lossless, c.Status);
        Assert.Equal(RuleAggregations.Sum, c.Rule!.Queries[0].Aggregation);
        Assert.Equal(["@bytes"], c.Rule.Queries[0].Metrics);
        Assert.Equal("a != 0 && a < 1000", c.Rule.Cases[0].Condition);
        Assert.Empty(RuleValidator.Validate(c.Rule));
    }

    [Fact]
    public void Temporal_IsOneQueryPerRuleThatMustAllMatch()
    {
        var c = ConvertAll("""
            type: temporal
            rules:
                - failed_console_login
                - bucket_listing
            group-by:
                - sourceIPAddress
            timespan: 30m
            """, FailedLogin, BucketListing)[0];

        Assert.Equal(SigmaConversionStatus.Lossless, c.Status);
        Assert.Equal(["a", "b"], c.Rule!.Queries.Select(q => q.Name));
        Assert.Equal("source:cloudtrail @eventName:ListBuckets", c.Rule.Queries[1].Query);
        Assert.All(c.Rule.Queries, q => Assert.Equal(["@sourceIPAddress"], q.GroupByFields));
        Assert.Equal("a > 0 && b > 0", c.Rule.Cases[0].Condition);
        Assert.Equal(1800, c.Rule.Options.EvaluationWindow);
        Assert.Empty(RuleValidator.Validate(c.Rule));
    }

    [Fact]
    public void TemporalOrdered_IsPartial_TheOrderIsNotChecked()
    {
        var c = ConvertAll("type: temporal_ordered\nrules: [failed_console_login, bucket_listing]\ntimespan: 5m", FailedLogin, BucketListing)[0];

        Assert.Equal(SigmaConversionStatus.Partial, c.Status);
        Assert.Contains(c.Diagnostics, d => d.Message.Contains("any order", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("45m", 3600)]
    [InlineData("2m", 60)]
    [InlineData("4m", 300)]
    [InlineData("1d", 7200)]
    [InlineData("90s", 60)]
    public void Timespan_NotAnAllowedWindow_IsRoundedToTheNearest_AndPartial(string timespan, int window)
    {
        var c = ConvertAll($"type: event_count\nrules: failed_console_login\ntimespan: {timespan}\ncondition:\n    gte: 2", FailedLogin)[0];

        Assert.Equal(SigmaConversionStatus.Partial, c.Status);
        Assert.Equal(window, c.Rule!.Options.EvaluationWindow);
        Assert.True(c.Rule.Options.KeepAlive >= window);
        Assert.Contains(c.Diagnostics, d => d.Message.Contains($"timespan {timespan}", StringComparison.Ordinal));
    }

    [Fact]
    public void Aliases_ThatNameOneVigilField_GroupByIt()
    {
        const string web = """
            title: Web scan
            name: web_scan
            logsource:
                category: webserver
            detection:
                selection:
                    sc-status: 404
                condition: selection
            """;
        const string proxy = """
            title: Proxy hit
            name: proxy_hit
            logsource:
                category: proxy
            detection:
                selection:
                    cs-method: CONNECT
                condition: selection
            """;
        var c = ConvertAll("""
            type: temporal
            rules: [web_scan, proxy_hit]
            group-by: [ip]
            aliases:
                ip:
                    web_scan: c-ip
                    proxy_hit: src_ip
            timespan: 5m
            """, web, proxy)[0];

        Assert.Equal(SigmaConversionStatus.Lossless, c.Status);
        Assert.All(c.Rule!.Queries, q => Assert.Equal(["@network.client.ip"], q.GroupByFields));
    }

    [Fact]
    public void Aliases_ThatNameDifferentVigilFields_AreUnsupported()
    {
        const string okta = """
            title: Okta login
            name: okta_login
            logsource:
                product: okta
                service: okta
            detection:
                selection:
                    eventType: user.session.start
                condition: selection
            """;
        var c = ConvertAll("""
            type: temporal
            rules: [failed_console_login, okta_login]
            group-by: [ip]
            aliases:
                ip:
                    failed_console_login: sourceIPAddress
                    okta_login: client.ipAddress
            timespan: 5m
            """, FailedLogin, okta)[0];

        Assert.Equal(SigmaConversionStatus.Unsupported, c.Status);
        Assert.Contains(c.Diagnostics, d => d.Message.Contains("a different Vigil field for each rule", StringComparison.Ordinal));
    }

    [Fact]
    public void RuleNotInTheFile_IsUnsupported()
    {
        var c = ConvertAll("type: event_count\nrules: somewhere_else\ntimespan: 5m\ncondition:\n    gte: 2")[0];

        Assert.Equal(SigmaConversionStatus.Unsupported, c.Status);
        Assert.Contains(c.Diagnostics, d => d.Message.Contains("'somewhere_else' is not in this file", StringComparison.Ordinal));
    }

    [Fact]
    public void UnknownType_IsUnsupported()
    {
        var c = ConvertAll("type: value_percentile\nrules: failed_console_login\ntimespan: 5m\ncondition:\n    field: x\n    gte: 2", FailedLogin)[0];

        Assert.Equal(SigmaConversionStatus.Unsupported, c.Status);
    }

    [Fact]
    public void Generate_AlsoConvertsTheCorrelatedRules()
    {
        var without = ConvertAll("type: event_count\nrules: failed_console_login\ntimespan: 5m\ncondition:\n    gte: 2", FailedLogin);
        var with = ConvertAll("type: event_count\nrules: failed_console_login\ntimespan: 5m\ngenerate: true\ncondition:\n    gte: 2", FailedLogin);

        Assert.Single(without);
        Assert.Equal(["Correlated", "Failed console login"], with.Select(c => c.Title));
        Assert.Equal(0, with[1].Rule!.Options.EvaluationWindow);
    }
}
