using System.Text.Json.Nodes;
using Portal.Detection.Intake;
using Portal.Detection.Query;

namespace Portal.Detection.Tests.Intake.Parsers;

/// <summary>Lines written for these tests in the formats OpenSSH 8/9 logs (not copied from any data set).</summary>
public class SshdParserTests
{
    [Fact]
    public void Parse_FailedPasswordForInvalidUserWithSyslogHeader_ExtractsEverything()
    {
        var e = IntakeSamples.Line("sshd", "Mar  3 14:02:11 bastion-2 sshd[31877]: Failed password for invalid user oracle from 203.0.113.77 port 41822 ssh2");

        Assert.Equal("authentication", e.Text("evt.name"));
        Assert.Equal("failure", e.Text("evt.outcome"));
        Assert.Equal("oracle", e.Text("usr.name"));
        Assert.Equal("203.0.113.77", e.Text("network.client.ip"));
        Assert.Equal(41822, e.Number("network.client.port"));
        Assert.Equal("password", e.Text("ssh.auth_method"));
        Assert.Equal("true", e.Text("ssh.invalid_user"));
        Assert.Equal("bastion-2", e.Host);
        Assert.Equal(31877, e.Number("syslog.pid"));
        Assert.StartsWith("Mar  3 14:02:11 bastion-2 sshd[31877]: Failed", e.Message);
    }

    [Fact]
    public void Parse_FailedPasswordWithoutHeader_ExtractsUserAndAddress()
    {
        var e = IntakeSamples.Line("sshd", "Failed password for root from 198.51.100.23 port 53011 ssh2");

        Assert.Equal(("authentication", "failure", "root"), (e.Text("evt.name"), e.Text("evt.outcome"), e.Text("usr.name")));
        Assert.Equal("198.51.100.23", e.Text("network.client.ip"));
        Assert.Null(e.Text("ssh.invalid_user"));
        Assert.Null(e.Host);
    }

    [Fact]
    public void Parse_AcceptedPassword_IsSuccessfulAuthentication()
    {
        var e = IntakeSamples.Line("sshd", "Jan 17 08:45:02 web-1 sshd[1204]: Accepted password for deploy from 192.0.2.14 port 60122 ssh2");

        Assert.Equal(("authentication", "success", "deploy"), (e.Text("evt.name"), e.Text("evt.outcome"), e.Text("usr.name")));
        Assert.Equal(60122, e.Number("network.client.port"));
        Assert.Equal("web-1", e.Host);
    }

    [Fact]
    public void Parse_AcceptedPublickey_RecordsMethodAndKey()
    {
        var e = IntakeSamples.Line("sshd", "Accepted publickey for carol from 10.20.0.8 port 49866 ssh2: ED25519 SHA256:q0Y5cW1jv3Zr8m0bYcK1p0Zt5h9x3nQe2VwqLrY7s4A");

        Assert.Equal(("success", "carol", "publickey"), (e.Text("evt.outcome"), e.Text("usr.name"), e.Text("ssh.auth_method")));
        Assert.Equal("ED25519", e.Text("ssh.key.type"));
        Assert.Equal("SHA256:q0Y5cW1jv3Zr8m0bYcK1p0Zt5h9x3nQe2VwqLrY7s4A", e.Text("ssh.key.fingerprint"));
    }

    [Fact]
    public void Parse_InvalidUser_IsInvalidUserFailure()
    {
        var e = IntakeSamples.Line("sshd", "Invalid user tomcat from 203.0.113.9 port 50514");

        Assert.Equal(("invalid_user", "failure", "tomcat"), (e.Text("evt.name"), e.Text("evt.outcome"), e.Text("usr.name")));
        Assert.Equal(50514, e.Number("network.client.port"));
    }

    [Theory]
    [InlineData("Feb 28 23:59:59 db-1 sshd[992]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=198.51.100.200  user=root")]
    [InlineData("authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=198.51.100.200  user=root")]
    public void Parse_PamAuthenticationFailure_IsNotCountedAsAPasswordFailure(string line)
    {
        var e = IntakeSamples.Line("sshd", line);

        // PAM logs the same attempt as "Failed password": a distinct name keeps brute-force counts honest.
        Assert.Equal(("pam_authentication", "failure", "root"), (e.Text("evt.name"), e.Text("evt.outcome"), e.Text("usr.name")));
        Assert.Equal("198.51.100.200", e.Text("network.client.ip"));
    }

    [Fact]
    public void Parse_ConnectionClosedPreauth_HasNoOutcome()
    {
        var e = IntakeSamples.Line("sshd", "Connection closed by 192.0.2.55 port 39120 [preauth]");

        Assert.Equal("connection_closed", e.Text("evt.name"));
        Assert.Null(e.Text("evt.outcome"));
        Assert.Equal(39120, e.Number("network.client.port"));
    }

    [Fact]
    public void Parse_KeyboardInteractiveFromIpv6_KeepsMethodAndAddress()
    {
        var e = IntakeSamples.Line("sshd", "Apr  9 10:11:12 bastion-1 sshd[4410]: Failed keyboard-interactive/pam for admin from 2001:db8::17 port 51000 ssh2");

        Assert.Equal("keyboard-interactive/pam", e.Text("ssh.auth_method"));
        Assert.Equal("2001:db8::17", e.Text("network.client.ip"));
    }

    [Fact]
    public void Parse_SessionOpened_NamesTheUser()
    {
        var e = IntakeSamples.Line("sshd", "Jun  1 00:00:01 db-1 sshd[2201]: pam_unix(sshd:session): session opened for user alice(uid=1000) by (uid=0)");

        Assert.Equal(("session_opened", "alice"), (e.Text("evt.name"), e.Text("usr.name")));
    }

    [Fact]
    public void Parse_HostAlreadySent_IsNotReplacedByTheHeader()
    {
        var raw = new JsonObject { ["ddsource"] = "sshd", ["hostname"] = "i-0abc", ["message"] = "Mar  3 14:02:11 bastion-2 sshd[1]: Invalid user a from 192.0.2.1 port 1" };

        var e = IntakeNormalizer.Normalize(raw, IntakeSamples.ReceivedAt);

        Assert.Equal("i-0abc", e.Host);
        Assert.Equal("bastion-2", e.Text("syslog.hostname"));
    }

    [Fact]
    public void Parse_UnknownLine_KeepsMessageWithoutEventAttributes()
    {
        var e = IntakeSamples.Line("sshd", "Mar  3 14:00:00 bastion-1 sshd[600]: Server listening on 0.0.0.0 port 22.");

        Assert.Null(e.Text("evt.name"));
        Assert.Equal("bastion-1", e.Host);
        Assert.EndsWith("Server listening on 0.0.0.0 port 22.", e.Message);
    }

    [Fact]
    public void Parse_ParsedEvent_MatchesAttributeAndFreeTextQueries()
    {
        var e = IntakeSamples.Line("sshd", "Failed password for invalid user webadmin from 203.0.113.40 port 45001 ssh2");
        var query = QueryParser.Parse("""source:sshd @evt.outcome:failure @network.client.ip:203.0.113.* @network.client.port:>40000 "failed password" """);

        Assert.True(QueryMatcher.Matches(query, e));
    }

    /// <summary>
    /// The user name is the client's to choose, and sshd writes the address after it: a name that reads like an address
    /// must not put the attempt on that address (a brute force pinned on an allowed host, or hidden behind one).
    /// </summary>
    [Theory]
    [InlineData("Failed password for invalid user x from 10.0.0.1 port 22 from 203.0.113.5 port 4242 ssh2", "authentication", "x from 10.0.0.1 port 22")]
    [InlineData("Failed password for invalid user x from 10.0.0.1 port 22 ssh2 from 203.0.113.5 port 4242 ssh2", "authentication", "x from 10.0.0.1 port 22 ssh2")]
    [InlineData("Accepted keyboard-interactive/pam for y from 10.0.0.1 port 22 from 203.0.113.5 port 4242 ssh2", "authentication", "y from 10.0.0.1 port 22")]
    [InlineData("Invalid user x from 10.0.0.1 port 22 from 203.0.113.5 port 4242", "invalid_user", "x from 10.0.0.1 port 22")]
    [InlineData("error: maximum authentication attempts exceeded for invalid user x from 10.0.0.1 port 22 from 203.0.113.5 port 4242 ssh2 [preauth]", "max_auth_attempts", "x from 10.0.0.1 port 22")]
    [InlineData("Connection closed by invalid user x 10.0.0.1 port 22 y 203.0.113.5 port 4242 [preauth]", "connection_closed", "x 10.0.0.1 port 22 y")]
    [InlineData("Disconnected from invalid user x 10.0.0.1 port 22 203.0.113.5 port 4242 [preauth]", "disconnect", "x 10.0.0.1 port 22")]
    public void Parse_UserNameHoldingAnAddress_TheAddressIsTheOneSshdWroteAfterIt(string line, string name, string user)
    {
        var e = IntakeSamples.Line("sshd", "Mar  3 14:02:11 bastion-2 sshd[31877]: " + line);

        Assert.Equal((name, user), (e.Text("evt.name"), e.Text("usr.name")));
        Assert.Equal(("203.0.113.5", 4242d), (e.Text("network.client.ip"), e.Number("network.client.port")));
    }

    [Fact]
    public void Parse_SourceSyslog_SshdLinesAsSshd_OtherProgramsByTheirHeader()
    {
        var sshd = IntakeSamples.Line("syslog", "Mar  3 14:02:11 bastion-2 sshd[31877]: Failed password for root from 203.0.113.5 port 4242 ssh2");
        var cron = IntakeSamples.Line("syslog", "Mar  3 14:05:01 bastion-2 CRON[4120]: (root) CMD (run-parts /etc/cron.hourly)");
        var iso = IntakeSamples.Line("syslog", "2026-03-03T14:05:01.123456+00:00 db-1 systemd: Started Session 42 of user alice.");
        var bare = IntakeSamples.Line("syslog", "error: something went wrong");

        Assert.Equal(("authentication", "root", "203.0.113.5", "bastion-2"), (sshd.Text("evt.name"), sshd.Text("usr.name"), sshd.Text("network.client.ip"), sshd.Host));
        Assert.Equal(("CRON", 4120d, "bastion-2", "bastion-2"), (cron.Text("syslog.appname"), cron.Number("syslog.pid"), cron.Text("syslog.hostname"), cron.Host));
        Assert.Null(cron.Text("evt.name"));
        Assert.Equal(("systemd", null, "db-1"), (iso.Text("syslog.appname"), iso.Number("syslog.pid"), iso.Host));
        Assert.Equal((null, null), (bare.Text("syslog.appname"), bare.Host));
    }

    [Theory]
    [InlineData("Received disconnect from 203.0.113.5 port 4242:11: Bye Bye [preauth]", "disconnect", null)]
    [InlineData("Disconnected from authenticating user root 203.0.113.5 port 4242 [preauth]", "disconnect", "root")]
    [InlineData("Connection closed by 203.0.113.5 port 4242 [preauth]", "connection_closed", null)]
    [InlineData("Connection reset by authenticating user admin 203.0.113.5 port 4242", "connection_closed", "admin")]
    [InlineData("Connection closed by 203.0.113.5 port 4242 [preauth]\r\nthe next line", "connection_closed", null)]
    public void Parse_ConnectionEnds_AsSshdWritesThem(string line, string name, string? user)
    {
        var e = IntakeSamples.Line("sshd", "Mar  3 14:02:11 bastion-2 sshd[31877]: " + line);

        Assert.Equal((name, user), (e.Text("evt.name"), e.Text("usr.name")));
        Assert.Equal(("203.0.113.5", 4242d), (e.Text("network.client.ip"), e.Number("network.client.port")));
    }

    /// <summary>
    /// Lines of a quarter of a megabyte built to make a backtracking pattern try every split: the parsers have no match
    /// timeout (an event's attributes must not depend on the machine's load), so each of their patterns must stay linear.
    /// A quadratic pattern takes hours on these lines; the generous bound only turns such a hang into a failure.
    /// </summary>
    [Theory]
    [MemberData(nameof(CraftedLines))]
    public async Task CraftedLongLines_ParseInLinearTime(string source, string message, string? expectedIp)
    {
        // A TimeoutException here means a pattern backtracks.
        var e = await Task.Run(() => IntakeSamples.Line(source, message)).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(expectedIp, e.Text("network.client.ip"));
    }

    public static TheoryData<string, string, string?> CraftedLines()
    {
        const int Repeats = 30_000;
        string Repeat(string part) => string.Concat(Enumerable.Repeat(part, Repeats));
        return new()
        {
            // Every " from " but the last is followed by an address and no port.
            { "sshd", "Failed password for " + Repeat("a from b ") + "from 203.0.113.9 port 22 ssh2", "203.0.113.9" },
            { "sshd", "Failed password for " + Repeat("a from b "), null },
            { "sshd", "Invalid user " + Repeat("x from y port ") + "z", null },
            { "sshd", "maximum authentication attempts exceeded for " + Repeat("u from 1.2.3.4 ") + "from 203.0.113.8 port 1", "203.0.113.8" },
            { "sshd", "Mar  3 14:02:11" + new string(' ', 200_000) + "host" + new string(' ', 50_000), null },
            { "sshd", "authentication failure; logname=" + Repeat("a uid= ") + " rhost=203.0.113.7", null },
            { "sshd", "Connection closed by " + Repeat("authenticating user u ") + "port 1", null },
            // Quoted request fields full of escapes and quotes that close nothing.
            { "apache", "198.51.100.4 - - [10/Oct/2000:13:55:36 -0700] \"" + Repeat("GET \\\" x ") + "\" 200 12", "198.51.100.4" },
            { "apache", "198.51.100.4 - - [10/Oct/2000:13:55:36 -0700] \"" + Repeat("GET \\\" x ") + " 200 12", null },
            { "apache", "198.51.100.4 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 200 12 \"" + Repeat("\\\" ") + "\" \"ua\"", "198.51.100.4" },
            { "apache", "198.51.100.4 - - [" + Repeat("10/Oct/2000 [") + "] \"GET / HTTP/1.1\" 200 12", "198.51.100.4" },
        };
    }
}
