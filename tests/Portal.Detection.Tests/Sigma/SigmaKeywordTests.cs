using Portal.Detection.Sigma;
using Portal.Detection.Tests.Intake;

namespace Portal.Detection.Tests.Sigma;

public class SigmaKeywordTests
{
    private const string Syslog = "product: linux\nservice: syslog";

    [Fact]
    public void OneWordKeyword_InALineBasedLog_IsAnExactSubstringSearch()
    {
        var c = SigmaSamples.Convert("keywords:\n    - REPLACE\ncondition: keywords", "product: linux\nservice: cron");

        Assert.Equal(SigmaConversionStatus.Lossless, c.Status);
        Assert.Equal("source:cron *REPLACE*", c.Query());
        Assert.True(c.Matches(IntakeSamples.Line("cron", "crontab[123]: (root) REPLACE (root)")));
        Assert.True(c.Matches(IntakeSamples.Line("cron", "crontab[123]: (root) replaced (root)")));
        Assert.False(c.Matches(IntakeSamples.Line("cron", "crontab[123]: (root) LIST (root)")));
    }

    [Fact]
    public void PhraseKeyword_IsMatchedAsWords_AndThePartialSaysSo()
    {
        var c = SigmaSamples.Convert("keywords:\n    - 'stopping iptables'\n    - 'denied AXFR from'\ncondition: keywords", Syslog);

        Assert.Equal(SigmaConversionStatus.Partial, c.Status);
        Assert.Equal(@"source:syslog (stopping\ iptables OR denied\ AXFR\ from)", c.Query());
        Assert.True(c.Matches(IntakeSamples.Line("syslog", "Mar  3 14:05:00 host systemd[1]: Stopping iptables firewall...")));
        var diagnostic = Assert.Single(c.Diagnostics);
        Assert.Equal(SigmaDiagnosticKind.Inexact, diagnostic.Kind);
        Assert.StartsWith("line ", diagnostic.Location, StringComparison.Ordinal);
        Assert.EndsWith("detection.keywords", diagnostic.Location, StringComparison.Ordinal);
        Assert.Contains("not as substrings", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void KeywordWithWildcards_BecomesItsWordRuns()
    {
        var c = SigmaSamples.Convert("keywords:\n    - 'Trojan*FOUND'\ncondition: keywords", "product: linux\nservice: clamav");

        Assert.Equal("source:clamav Trojan FOUND", c.Query());
        Assert.Equal(SigmaConversionStatus.Partial, c.Status);
    }

    [Fact]
    public void KeywordsWithAll_AreAnAnd()
    {
        var c = SigmaSamples.Convert("keywords:\n    '|all':\n        - 'pkexec'\n        - 'GCONV_PATH'\ncondition: keywords", Syslog);

        Assert.Equal("source:syslog *pkexec* *GCONV_PATH*", c.Query());
        Assert.Equal(SigmaConversionStatus.Lossless, c.Status);
    }

    [Fact]
    public void OneWordKeyword_OnJsonRecords_IsPartial()
    {
        // A CloudTrail event's message is a summary, not the record that Sigma searches.
        var c = SigmaSamples.Convert("keywords:\n    - AssumeRole\ncondition: keywords");

        Assert.Equal(SigmaConversionStatus.Partial, c.Status);
        Assert.Equal("source:cloudtrail AssumeRole", c.Query());
    }

    [Fact]
    public void KeywordsWithoutWords_AreLeftOutOfAList_OrUnsupportedAlone()
    {
        var some = SigmaSamples.Convert("keywords:\n    - '={{'\n    - 'document.cookie'\ncondition: keywords", SigmaSamples.Webserver);
        var alone = SigmaSamples.Convert("keywords:\n    - '() { :;};'\ncondition: keywords", Syslog);

        Assert.Equal(SigmaConversionStatus.Partial, some.Status);
        Assert.EndsWith(@" document.cookie", some.Query(), StringComparison.Ordinal);
        Assert.Contains(some.Diagnostics, d => d.Message.Contains("'={{'", StringComparison.Ordinal));
        Assert.Equal(SigmaConversionStatus.Unsupported, alone.Status);
    }

    [Fact]
    public void KeywordThatIsAnOperator_IsWrittenInLowerCase()
    {
        // Full text is case-insensitive, and a lone AND would read as the operator.
        var c = SigmaSamples.Convert("keywords:\n    - 'AND'\ncondition: keywords");

        Assert.Equal("source:cloudtrail and", c.Query());
        Assert.True(c.Matches(SigmaSamples.CloudTrailEvent("""{"eventName":"x","message":"this AND that"}""")));
    }
}
