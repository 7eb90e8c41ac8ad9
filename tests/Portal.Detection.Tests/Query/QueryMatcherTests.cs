using System.Text.Json.Nodes;
using Portal.Detection.Events;
using Portal.Detection.Query;

namespace Portal.Detection.Tests.Query;

public class QueryMatcherTests
{
    private static readonly LogEvent SshFailure = new()
    {
        Id = "ssh-1",
        Timestamp = new DateTimeOffset(2026, 3, 3, 14, 2, 11, TimeSpan.Zero),
        Host = "bastion-1",
        Service = "sshd",
        Source = "sshd",
        Status = "warn",
        Message = "Mar  3 14:02:11 bastion-1 sshd[31877]: Failed password for invalid user Oracle from 203.0.113.77 port 41822 ssh2",
        Tags = ["env:prod", "team:infra", "canary"],
        Attributes = JsonNode.Parse("""
            {
              "evt": { "name": "authentication", "outcome": "failure" },
              "usr": { "name": "Oracle" },
              "network": { "client": { "ip": "203.0.113.77", "port": 41822 } },
              "ssh": { "invalid_user": true, "auth_method": "password" },
              "http": { "status_code": "500" },
              "aws.region": "eu-west-1",
              "roles": ["admin", "dev"],
              "dns": { "answers": [ { "ip": "1.1.1.1", "ttl": 60 }, { "ip": "8.8.8.8", "ttl": 300 } ] },
              "balance": -42.5,
              "empty": ""
            }
            """)!.AsObject(),
    };

    [Theory]
    [InlineData("failed")]
    [InlineData("FAILED")]
    [InlineData("fAiLeD PaSsWoRd")]
    [InlineData("oracle")]
    [InlineData("ORACLE")]
    [InlineData("message:Failed")]
    [InlineData("203.0.113.77")]
    [InlineData("sshd[31877]")]
    public void Matches_FreeText_IsCaseInsensitiveOverMessageWords(string query) => AssertMatches(query, true);

    [Theory]
    [InlineData("authentication")]
    [InlineData("eu-west-1")]
    [InlineData("prod")]
    [InlineData("fail")]
    [InlineData("203.0.113.7")]
    public void Matches_FreeText_MatchesWholeMessageWordsOnly(string query) => AssertMatches(query, false);

    [Theory]
    [InlineData("@usr.name:Oracle", true)]
    [InlineData("@usr.name:oracle", false)]
    [InlineData("@usr.name:Orac", false)]
    [InlineData("host:bastion-1", true)]
    [InlineData("host:Bastion-1", false)]
    [InlineData("host:bastion", false)]
    [InlineData("status:warn", true)]
    [InlineData("status:WARN", false)]
    [InlineData("@empty:\"\"", true)]
    public void Matches_Facet_IsCaseSensitiveAndWhole(string query, bool expected) => AssertMatches(query, expected);

    [Theory]
    [InlineData("\"failed password\"", true)]
    [InlineData("\"FAILED   password\"", true)]
    [InlineData("\"failed-password\"", true)]
    [InlineData("\"password failed\"", false)]
    [InlineData("\"failed for\"", false)]
    [InlineData("failed for", true)]
    [InlineData("\"user oracle from 203.0.113.77\"", true)]
    [InlineData("\"user oracle 203.0.113.77\"", false)]
    [InlineData("\"\"", false)]
    [InlineData("\"...\"", false)]
    [InlineData("@usr.name:\"Oracle\"", true)]
    [InlineData("host:\"bastion\"", false)]
    public void Matches_Phrase_RequiresContiguousWordsInOrder(string query, bool expected) => AssertMatches(query, expected);

    [Theory]
    [InlineData("fail*", true)]
    [InlineData("FAIL*", true)]
    [InlineData("pass*", true)]
    [InlineData("ssh*", true)]
    [InlineData("word*", false)]
    [InlineData("@usr.name:Ora*", true)]
    [InlineData("@usr.name:ora*", false)]
    [InlineData("host:bastion-*", true)]
    [InlineData("@network.client.ip:203.0.*", true)]
    [InlineData("@network.client.port:418*", true)]
    [InlineData("service:ssh*", true)]
    [InlineData("source:web*", false)]
    public void Matches_TrailingStar_MatchesPrefix(string query, bool expected) => AssertMatches(query, expected);

    [Theory]
    [InlineData("env:prod", true)]
    [InlineData("env:Prod", false)]
    [InlineData("env:staging", false)]
    [InlineData("env:pr*", true)]
    [InlineData("env:*", true)]
    [InlineData("team:infra env:prod", true)]
    [InlineData("team:*", true)]
    [InlineData("version:*", false)]
    [InlineData("-version:*", true)]
    public void Matches_Tags_ByKeyAndValue(string query, bool expected) => AssertMatches(query, expected);

    [Theory]
    [InlineData("@roles:dev", true)]
    [InlineData("@roles:admin", true)]
    [InlineData("@roles:root", false)]
    [InlineData("-@roles:admin", false)]
    [InlineData("@dns.answers.ip:8.8.8.8", true)]
    [InlineData("@dns.answers.ip:1.1.1.1", true)]
    [InlineData("@dns.answers.ip:9.9.9.9", false)]
    [InlineData("@dns.answers.ttl:>100", true)]
    [InlineData("@dns.answers.ttl:<60", false)]
    [InlineData("@dns.answers:*", false)]
    [InlineData("@dns.answers.ip:*", true)]
    public void Matches_ArrayAttributes_MatchAnyElement(string query, bool expected) => AssertMatches(query, expected);

    [Theory]
    [InlineData("@network.client.port:>41821", true)]
    [InlineData("@network.client.port:>41822", false)]
    [InlineData("@network.client.port:>=41822", true)]
    [InlineData("@network.client.port:<41822", false)]
    [InlineData("@network.client.port:<=41822", true)]
    [InlineData("@network.client.port:41822", true)]
    [InlineData("@balance:<0", true)]
    [InlineData("@balance:>-43", true)]
    [InlineData("@balance:-42.5", true)]
    [InlineData("@http.status_code:500", true)]
    [InlineData("@http.status_code:>=500", false)]
    [InlineData("@usr.name:>0", false)]
    [InlineData("@ssh.invalid_user:>0", false)]
    [InlineData("@ssh.invalid_user:true", true)]
    [InlineData("@missing:<1", false)]
    public void Matches_Comparison_AppliesOnlyToNumbers(string query, bool expected) => AssertMatches(query, expected);

    [Theory]
    [InlineData("@usr.name:*", true)]
    [InlineData("-@usr.name:*", false)]
    [InlineData("@usr.email:*", false)]
    [InlineData("-@usr.email:*", true)]
    [InlineData("@usr:*", false)]
    [InlineData("@empty:*", true)]
    [InlineData("@aws.region:*", true)]
    [InlineData("@aws.region:eu-west-1", true)]
    [InlineData("host:*", true)]
    [InlineData("-host:*", false)]
    public void Matches_Exists_TestsForAValue(string query, bool expected) => AssertMatches(query, expected);

    [Fact]
    public void Matches_ReservedFieldUnset_DoesNotExist()
    {
        var bare = new LogEvent { Id = "bare", Message = "hello" };

        Assert.True(Matches("-host:* -service:* -source:* -status:*", bare));
        Assert.False(Matches("host:*", bare));
        Assert.False(Matches("-hello", bare));
        Assert.True(Matches("", bare));
        Assert.False(Matches("anything", new LogEvent { Id = "no-message" }));
    }

    [Theory]
    [InlineData("failed OR nothing", true)]
    [InlineData("nothing OR other", false)]
    [InlineData("failed AND nothing", false)]
    [InlineData("failed -nothing", true)]
    [InlineData("NOT failed", false)]
    [InlineData("source:sshd (@evt.outcome:success OR @evt.outcome:failure) -@usr.name:root", true)]
    [InlineData("source:sshd AND NOT (@evt.outcome:failure OR host:web-*)", false)]
    [InlineData("nothing OR source:sshd status:warn", true)]
    [InlineData("(nothing OR source:sshd) status:error", false)]
    public void Matches_BooleanOperators_Combine(string query, bool expected) => AssertMatches(query, expected);

    [Theory]
    [InlineData(1.0, "@x:>0.5", true)]
    [InlineData(0.5, "@x:>0.5", false)]
    [InlineData(0.5, "@x:>=0.5", true)]
    [InlineData(0.4, "@x:<0.5", true)]
    [InlineData(0.5, "@x:<0.5", false)]
    [InlineData(0.5, "@x:<=0.5", true)]
    [InlineData(1.0, "@x:[1 TO 2]", true)]
    [InlineData(1.0, "@x:{1 TO 2]", false)]
    [InlineData(2.0, "@x:[1 TO 2}", false)]
    [InlineData(-0.0, "@x:[0 TO 0]", true)]
    [InlineData(1e300, "@x:[1 TO *]", true)]
    public void Contains_RangeBounds_ApplyToNumbers(double actual, string query, bool expected)
    {
        Assert.Equal(expected, Assert.IsType<RangeNode>(QueryParser.Parse(query)).Contains(actual));
    }

    [Fact]
    public void Tokenize_Text_SplitsOnNonWordCharactersAndLowerCases()
    {
        Assert.Equal(["failed", "password", "for", "root_user", "from", "203", "0", "113", "77", "élodie"], TextTokens.Tokenize("Failed password for ROOT_user from 203.0.113.77: Élodie!"));
        Assert.Empty(TextTokens.Tokenize(" -- "));
        Assert.Empty(TextTokens.Tokenize(null));
    }

    private static void AssertMatches(string query, bool expected) =>
        Assert.True(Matches(query, SshFailure) == expected, $"'{query}' should {(expected ? "" : "not ")}match");

    private static bool Matches(string query, LogEvent e) => QueryMatcher.Matches(QueryParser.Parse(query), e);
}
