using System.Net;
using System.Text.RegularExpressions;
using Portal.Detection.Events;
using Portal.Detection.Intake;
using Portal.Detection.Intake.Parsers;

namespace Portal.Detection.Tests.Intake.Parsers;

/// <summary>
/// The sshd parser reads the syslog header and its two commonest lines by hand; its patterns stay the specification. Over
/// real-shaped lines and many thousands of mutations of them (white space of every kind, digits beyond ASCII, line
/// breaks, the patterns' own words moved about), the parser must give exactly what matching the patterns gives.
/// </summary>
public class SshdReaderTests
{
    private static readonly string[] Lines =
    [
        "Mar  3 14:02:11 bastion-2 sshd[31877]: Failed password for invalid user oracle from 203.0.113.77 port 41822 ssh2",
        "Failed password for root from 198.51.100.23 port 53011 ssh2",
        "Jan 17 08:45:02 web-1 sshd[1204]: Accepted password for deploy from 192.0.2.14 port 60122 ssh2",
        "Accepted publickey for carol from 10.20.0.8 port 49866 ssh2: ED25519 SHA256:q0Y5cW1jv3Zr8m0bYcK1p0Zt5h9x3nQe2VwqLrY7s4A",
        "2026-03-03T14:00:00.123456+00:00 bastion-1 sshd-session[88]: Accepted publickey for git from 2001:db8::1 port 22: RSA SHA256:abc",
        "Invalid user tomcat from 203.0.113.9 port 50514",
        "Mar  3 14:02:11 bastion-2 sshd: Invalid user  from 203.0.113.9",
        "Failed password for invalid user from 203.0.113.5 port 22 ssh2",
        "Failed none for a from b from 203.0.113.5 port x from 198.51.100.1 port 7 ssh2",
        "Apr  9 10:11:12 bastion-1 sshd[4410]: Failed keyboard-interactive/pam for admin from 2001:db8::17 port 51000 ssh2",
        "Feb 28 23:59:59 db-1 sshd[992]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=198.51.100.200  user=root",
        "Mar  3 14:00:00 bastion-1 sshd[600]: Connection closed by authenticating user root 192.0.2.55 port 39120 [preauth]",
        "sshd[1]: Accepted password for - from - port 1",
    ];

    [Fact]
    public void Parse_RealShapedLinesAndTheirMutations_GiveWhatThePatternsGive()
    {
        string[] pieces = [" ", "  ", "\t", "\u00a0", "\n", "a", "Z", "1", "\u0663", ":", "[", "]", "-", ".", "\"",
            " from ", " port ", "invalid user ", "sshd", " ssh2", ": ", "Failed ", "Accepted ", "Invalid user ", " for ", "T", "2026-03-03T"];
        var cases = 0;
        foreach (var line in LineMutations.Of(Lines, 2_500, pieces, seed: 31877))
        {
            AssertSame(line);
            cases++;
        }
        Assert.True(cases > 30_000);
    }

    private static void AssertSame(string line)
    {
        var parsed = new IntakeDraft { Message = line };
        parsed.Adopt([]);
        SshdParser.Parse(parsed);

        var expected = new IntakeDraft { Message = line };
        expected.Adopt([]);
        ByPatterns(expected, line);

        // The same line into a draft without a tree: its leaves stand for the same attributes.
        var asLeaves = new IntakeDraft { Message = line };
        SshdParser.Parse(asLeaves);
        var fromLeaves = asLeaves.TakeLeaves() is { } leaves ? LeafTree.Build(leaves) : asLeaves.Attributes;
        Assert.Equal(parsed.Attributes.ToJsonString(), fromLeaves.ToJsonString());

        Assert.True(expected.Attributes.ToJsonString() == parsed.Attributes.ToJsonString() && expected.Host == parsed.Host,
            $"Line {System.Text.Json.JsonSerializer.Serialize(line)}: the patterns give {expected.Attributes.ToJsonString()} (host {expected.Host}), the parser {parsed.Attributes.ToJsonString()} (host {parsed.Host}).");
    }

    /// <summary>What the parser did when every line went through its patterns: header, results, invalid users, the rest.</summary>
    private static void ByPatterns(IntakeDraft draft, string message)
    {
        var start = 0;
        var header = SshdParser.SyslogHeader().Match(message);
        if (header.Success)
        {
            if (header.Groups["host"].Success)
            {
                draft.Host ??= header.Groups["host"].Value;
                draft.AddText("syslog.hostname", header.Groups["host"].Value);
            }
            draft.AddText("syslog.appname", "sshd");
            if (header.Groups["pid"].Success && int.TryParse(header.Groups["pid"].Value, out var pid))
            {
                draft.Add("syslog.pid", pid);
            }
            start = header.Length;
        }
        var m = SshdParser.AuthResult().Match(message, start, message.Length - start);
        if (m.Success)
        {
            Event(draft, SshdParser.Authentication, m.Groups["result"].Value == "Accepted" ? "success" : "failure", m);
            draft.AddText("ssh.auth_method", m.Groups["method"].Value);
            if (m.Groups["invalid"].Success)
            {
                draft.Add("ssh.invalid_user", true);
            }
            draft.AddText("ssh.key.type", m.Groups["keytype"].Value);
            draft.AddText("ssh.key.fingerprint", m.Groups["fingerprint"].Value);
            return;
        }
        m = SshdParser.InvalidUserLine().Match(message, start, message.Length - start);
        if (m.Success)
        {
            Event(draft, SshdParser.InvalidUser, "failure", m);
            return;
        }
        SshdParser.ParseOtherLines(draft, message, start);
    }

    private static void Event(IntakeDraft draft, string name, string outcome, Match match)
    {
        draft.AddText("evt.name", name);
        draft.AddText("evt.outcome", outcome);
        draft.AddText("usr.name", match.Groups["user"].Value.Trim());
        var ip = match.Groups["ip"].Value;
        draft.AddText(IPAddress.IsValid(ip) ? "network.client.ip" : "network.client.hostname", ip);
        if (int.TryParse(match.Groups["port"].Value, out var port))
        {
            draft.Add("network.client.port", port);
        }
    }
}
