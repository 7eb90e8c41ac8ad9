using Portal.Detection.Query;
using Portal.Search;
using Portal.Web.Features.Logs;

namespace Portal.Web.Tests.Features.Logs;

/// <summary>Messages grouped into patterns: what varies in a word, which messages form one pattern, and in what order.</summary>
public sealed class LogPatternsTests
{
    [Theory]
    [InlineData("sshd[29174]:", "sshd[*]:")]
    [InlineData("203.0.113.5", "*")]
    [InlineData("[06/Dec/2026:10:01:25", "[*/Dec/*")]
    [InlineData("HTTP/1.1\"", "HTTP/*\"")]
    [InlineData("db-1", "db-*")]
    [InlineData("bastion-12", "bastion-*")]
    [InlineData("admin42", "admin*")]
    [InlineData("x86_64)", "x*)")]
    [InlineData("0f8fad5b-d9cb-469f-a165-70867728950e", "*")]
    [InlineData("sha=9b2c4e1f0a", "sha=*")]
    [InlineData("deadbeef", "deadbeef")]
    [InlineData("Failed", "Failed")]
    [InlineData("(uid=0)", "(uid=*)")]
    [InlineData("ssh2:", "ssh*:")]
    [InlineData("arn:aws:sts::123456789012:assumed-role/web/i-0abc", "arn:aws:sts::*:assumed-role/web/i-*abc")]
    [InlineData("2026-12-06T10:01:25.123Z", "*T*Z")]
    [InlineData("-5", "-*")]
    [InlineData("commit=9b2c4e1", "commit=*")]
    [InlineData("cafe-db-12", "cafe-db-*")]
    [InlineData("face-db-12ab", "face-db-*ab")]
    [InlineData("deadbeef12", "deadbeef*")]
    [InlineData("arn:aws:iam::123456789012:user/ops", "arn:aws:iam::*:user/ops")]
    public void Mask_TheRunsHoldingDigitsVary(string word, string masked) =>
        Assert.Equal(masked, Assert.Single(LogPatterns.Mask(word)).Replace(LogPatterns.Wildcard, '*'));

    [Fact]
    public void Mask_SplitsOnWhiteSpace_LongMessagesEndInOneWildcard()
    {
        var wildcard = LogPatterns.Wildcard.ToString();
        Assert.Equal(["Accepted", "publickey", "for", "root"], LogPatterns.Mask("  Accepted\tpublickey\u00A0 for\nroot\f"));
        var words = LogPatterns.Mask(string.Join(' ', Enumerable.Repeat("word", LogPatterns.MaxTokens + 5)));
        Assert.Equal(LogPatterns.MaxTokens + 1, words.Length);
        Assert.Equal(wildcard, words[^1]);
        Assert.Equal(LogPatterns.MaxTokens, LogPatterns.Mask(string.Join(' ', Enumerable.Repeat("word", LogPatterns.MaxTokens))).Length);

        // Beyond the characters considered, cut at the last word's end (never within a surrogate pair), then one wildcard.
        var emoji = "\U0001F600";
        var long1 = "start " + new string('x', LogPatterns.MaxMessageChars - 7) + emoji + " tail";
        Assert.Equal(["start", wildcard], LogPatterns.Mask(long1));
        Assert.Equal([wildcard], LogPatterns.Mask(new string('y', LogPatterns.MaxMessageChars + 1)));
    }

    /// <summary>A sender's own wildcard character is text, not a wildcard.</summary>
    [Fact]
    public void Mask_SendersWildcardCharacter_IsNoWildcard() =>
        Assert.Equal(["a\uFFFDb"], LogPatterns.Mask("a" + LogPatterns.Wildcard + "b"));

    /// <summary>Nothing to group, nothing found; a tie of statuses goes to the more severe.</summary>
    [Fact]
    public void Find_NoLogs_None_StatusTiesToTheMoreSevere()
    {
        Assert.Empty(LogPatterns.Find(Lines()));
        Assert.Equal("error", Assert.Single(LogPatterns.Find(Lines(("disk full", "info"), ("disk full", "error"), ("disk full", null)))).Status);
        Assert.Equal("warn", Assert.Single(LogPatterns.Find(Lines(("disk full", "warn"), ("disk full", "custom")))).Status);
    }

    /// <summary>
    /// sshd lines of several hosts, users, addresses and ports: one pattern a kind of line, the commonest first, the words
    /// that differ between its lines wildcards, its commonest status and its first distinct messages as examples.
    /// </summary>
    [Fact]
    public void Find_SshdLines_OnePatternAKind()
    {
        var logs = new List<(string?, string?)>
        {
            ("Dec  6 10:10:57 db-1 sshd[32352]: Failed password for invalid user admin from 203.0.113.7 port 40122 ssh2", "info"),
            ("Dec  6 10:10:58 db-1 sshd[32352]: Failed password for invalid user oracle from 203.0.113.7 port 40124 ssh2", "warn"),
            ("Dec  6 10:11:02 bastion-1 sshd[1201]: Failed password for invalid user test from 198.51.100.4 port 5512 ssh2", "warn"),
            ("Dec  6 10:11:02 bastion-1 sshd[1201]: Failed password for invalid user test from 198.51.100.4 port 5512 ssh2", "warn"),
            ("Dec  6 10:12:40 bastion-2 sshd[877]: Accepted publickey for deploy from 192.0.2.14 port 51000 ssh2: RSA SHA256:Xy3kq", "info"),
            ("Dec  6 10:13:00 db-1 sshd[901]: Connection closed by 203.0.113.7 port 40130 [preauth]", "info"),
            ("Dec  6 10:13:05 db-1 sshd[902]: Connection closed by 203.0.113.9 port 40131 [preauth]", "info"),
        };

        var patterns = LogPatterns.Find(Lines([.. logs]));

        Assert.Equal(
        [
            "4 warn Dec * * * sshd[*]: Failed password for invalid user * from * port * ssh*",
            "2 info Dec * * db-* sshd[*]: Connection closed by * port * [preauth]",
            "1 info Dec * * bastion-* sshd[*]: Accepted publickey for deploy from * port * ssh*: RSA SHA*:Xy*kq",
        ], patterns.Select(p => $"{p.Count} {p.Status} {p}"));
        // Distinct messages, at most three: the commonest line's first (it founded the pattern), then those of the lines it took in.
        Assert.Equal([logs[2].Item1!, logs[0].Item1!, logs[1].Item1!], patterns[0].Examples);
    }

    /// <summary>
    /// A pattern's query finds every log it holds, parsed and run by the in-memory matcher (which the stores agree with):
    /// whatever white space lay between its words, and with query syntax, a sender's wildcard character and a surrogate pair
    /// in them; a pattern of other words is not found.
    /// </summary>
    [Fact]
    public void Query_FindsThePatternsLogs()
    {
        string[] lines =
        [
            "Dec  6 10:10:57 db-1 sshd[32352]: Failed password for invalid user admin from 203.0.113.7 port 40122 ssh2",
            "Dec 16 10:11:02 bastion-1 sshd[1201]: Failed\tpassword for invalid user test from 198.51.100.4 port 5512 ssh2",
            "Dec  6 10:12:40 bastion-2 sshd[877]: Accepted publickey for deploy from 192.0.2.14 port 51000 ssh2: RSA SHA256:Xy3kq",
            "  Dec  6 10:13:05 db-1 sshd[902]: Connection (closed) by \"203.0.113.9\" port 40131 😀 [preauth] \\ a*b? -x AND" + LogPatterns.Wildcard,
            "disk  full",
            "disk\tfull",
            "OR",
            "x" + LogPatterns.Wildcard + "y7",
        ];
        var patterns = LogPatterns.Find(Lines([.. lines.Select(l => ((string?)l, (string?)"info"))]));

        // The two failures join; the two disks are one shape.
        Assert.Equal(6, patterns.Count);
        foreach (var pattern in patterns.Where(p => p.Query() is not null))
        {
            var query = pattern.Query()!;
            var matches = QueryMatcher.Compile(QueryParser.Parse(query));
            var found = lines.Where(l => matches(new Portal.Detection.Events.LogEvent { Id = "x", Message = l })).ToList();
            Assert.All(pattern.Examples, e => Assert.Contains(e, found));
            Assert.DoesNotContain(found, l => l.Contains("Accepted", StringComparison.Ordinal) != pattern.ToString().Contains("Accepted", StringComparison.Ordinal));
        }
        Assert.Equal("\"disk full\"", patterns.Single(p => p.ToString() == "disk full").Query());
        Assert.Equal("\"OR\"", patterns.Single(p => p.ToString() == "OR").Query());
        // A sender's own wildcard character between words: nothing left to search by, so no query (never an empty one).
        Assert.Null(patterns.Single(p => p.Examples[0].StartsWith('x')).Query());
        Assert.Equal(5, patterns.Count(p => p.Query() is not null));
        Assert.Equal("*Dec*sshd\\[*\\]\\:*Failed*password*for*invalid*user*from*port*ssh*", patterns.Single(p => p.ToString().Contains("Failed", StringComparison.Ordinal)).Query());
        Assert.Null(new LogPattern([LogPatterns.Wildcard + "-" + LogPatterns.Wildcard, LogPatterns.Wildcard.ToString()], 1, null, []).Query());
    }

    /// <summary>Punctuation only in the words past the query's length: the words kept are searched as words, and still found.</summary>
    [Fact]
    public void Query_PunctuationOnlyBeyondTheCut_SearchedAsWords()
    {
        var words = Enumerable.Range(0, 30).Select(i => new string((char)('a' + i % 26), 60)).Append("end:").ToList();
        var query = new LogPattern(words, 1, null, []).Query()!;

        Assert.StartsWith("\"aaa", query, StringComparison.Ordinal);
        Assert.True(QueryMatcher.Compile(QueryParser.Parse(query))(new Portal.Detection.Events.LogEvent { Id = "x", Message = string.Join("\t", words) }));
    }

    /// <summary>A pattern's query stops at the words that fit a query's length, its last word followed by a wildcard.</summary>
    [Fact]
    public void Query_LongPattern_CutAtAWord()
    {
        var words = Enumerable.Range(0, 30).Select(i => new string((char)('a' + i % 26), 60) + ":").ToList();
        var query = new LogPattern(words, 1, null, []).Query()!;

        Assert.InRange(query.Length, 900, Portal.Web.Components.Shared.QueryCompletion.MaxTermValue);
        Assert.EndsWith(":*", query, StringComparison.Ordinal);
        Assert.True(QueryMatcher.Compile(QueryParser.Parse(query))(new Portal.Detection.Events.LogEvent { Id = "x", Message = string.Join(' ', words) }));
    }

    /// <summary>Lines alike only in their variables are not one pattern; a limit keeps the commonest.</summary>
    [Fact]
    public void Find_AlikeOnlyInVariables_Apart_AndLimited()
    {
        var patterns = LogPatterns.Find(
            Lines(
                ("GET 200 12 ms", "info"), ("GET 200 14 ms", "info"), ("GET 500 9 ms", "error"),
                ("GET 10.0.0.1 12 ok", "info"),
                ("PUT 1 2 3", null), ("PUT 4 5 6", null),
                (null, "info"), ("", "info")),
            limit: 3);

        // Messages without words (none, or empty) are one pattern of no words; ties in the order of their text.
        Assert.Equal(["3 info GET * * ms", "2 info ", "2  PUT * * *"], patterns.Select(p => $"{p.Count} {p.Status} {p}"));
    }

    private static IEnumerable<LogLine> Lines(params (string? Message, string? Status)[] logs) => logs.Select(l => new LogLine(l.Message, l.Status));
}
