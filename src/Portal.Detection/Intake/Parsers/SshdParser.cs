using System.Net;
using System.Text.RegularExpressions;

namespace Portal.Detection.Intake.Parsers;

/// <summary>
/// Parses OpenSSH server log lines, with or without their syslog header, into Datadog's standard
/// attributes: <c>evt.name</c>, <c>evt.outcome</c>, <c>usr.name</c>, <c>network.client.ip</c>,
/// <c>network.client.port</c>, <c>ssh.auth_method</c>.
/// </summary>
internal static partial class SshdParser
{
    public const string Authentication = "authentication";
    public const string InvalidUser = "invalid_user";
    public const string PamAuthentication = "pam_authentication";
    public const string MaxAuthAttempts = "max_auth_attempts";
    public const string ConnectionClosed = "connection_closed";
    public const string Disconnect = "disconnect";
    public const string NoIdentification = "no_identification";
    public const string SessionOpened = "session_opened";
    public const string SessionClosed = "session_closed";

    /// <summary>
    /// No match timeout: a line's attributes must not depend on how busy the machine is. A timeout is measured in wall
    /// time, and on a loaded host an ordinary line parsed on a low-priority indexing thread lost its attributes to it.
    /// Every pattern is anchored (tried at the start of the line only), each run of non-spaces is followed by something it
    /// cannot hold, and a lazy <c>.*?</c> tests a literal at each step that only one place per token can begin, so a match
    /// costs time linear in the line (<c>SshdParserTests.CraftedLongLines_…</c>); the linear-time engine
    /// (<see cref="RegexOptions.NonBacktracking"/>) made the whole parse stage 30–40 % slower.
    /// </summary>
    private const RegexOptions Options = RegexOptions.CultureInvariant;

    /// <summary>Parses the draft's message; lines that are not recognised are left alone.</summary>
    public static void Parse(IntakeDraft draft)
    {
        if (string.IsNullOrEmpty(draft.Message))
        {
            return;
        }
        var message = draft.Message;
        // The patterns read the line after its header in place: Match(input, beginning, length) anchors ^ at beginning.
        var start = ReadSyslogHeader(draft, message);
        foreach (var pattern in Patterns)
        {
            var match = pattern.Regex.Match(message, start, message.Length - start);
            if (match.Success)
            {
                pattern.Apply(draft, match);
                return;
            }
        }
    }

    /// <summary>
    /// Takes host and pid from the syslog header and says how long it is (0 without one). Its timestamp is not used: BSD
    /// syslog omits the year and the zone, so the intake timestamp (or the arrival time) is the better clock.
    /// </summary>
    private static int ReadSyslogHeader(IntakeDraft draft, string message)
    {
        var header = SyslogHeader().Match(message);
        if (!header.Success)
        {
            return 0;
        }
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
        return header.Length;
    }

    private static readonly (Regex Regex, Action<IntakeDraft, Match> Apply)[] Patterns =
    [
        (AuthResult(), (d, m) =>
        {
            Event(d, Authentication, m.Groups["result"].Value == "Accepted" ? EventOutcomes.Success : EventOutcomes.Failure, m);
            d.AddText("ssh.auth_method", m.Groups["method"].Value);
            if (m.Groups["invalid"].Success)
            {
                d.Add("ssh.invalid_user", true);
            }
            d.AddText("ssh.key.type", m.Groups["keytype"].Value);
            d.AddText("ssh.key.fingerprint", m.Groups["fingerprint"].Value);
        }),
        (InvalidUserLine(), (d, m) => Event(d, InvalidUser, EventOutcomes.Failure, m)),
        (PamFailure(), (d, m) =>
        {
            Event(d, PamAuthentication, EventOutcomes.Failure, m);
            if (int.TryParse(m.Groups["more"].Value, out var more))
            {
                d.Add("ssh.pam.failures", more);
            }
        }),
        (MaxAttempts(), (d, m) => Event(d, MaxAuthAttempts, EventOutcomes.Failure, m)),
        (ConnectionEnd(), (d, m) => Event(d, ConnectionClosed, outcome: null, m)),
        (DisconnectLine(), (d, m) => Event(d, Disconnect, outcome: null, m)),
        (NoIdent(), (d, m) => Event(d, NoIdentification, EventOutcomes.Failure, m)),
        (Session(), (d, m) => Event(d, m.Groups["what"].Value == "opened" ? SessionOpened : SessionClosed, EventOutcomes.Success, m)),
    ];

    private static void Event(IntakeDraft draft, string name, string? outcome, Match match)
    {
        draft.AddText("evt.name", name);
        draft.AddText("evt.outcome", outcome);
        draft.AddText("usr.name", match.Groups["user"].Value.Trim());
        var ip = match.Groups["ip"].Value;
        if (IPAddress.IsValid(ip))
        {
            draft.AddText("network.client.ip", ip);
        }
        else
        {
            draft.AddText("network.client.hostname", ip);
        }
        if (int.TryParse(match.Groups["port"].Value, out var port))
        {
            draft.Add("network.client.port", port);
        }
    }

    [GeneratedRegex(@"^(?:(?:[A-Z][a-z]{2} +\d{1,2} \d{2}:\d{2}:\d{2}|\d{4}-\d{2}-\d{2}T\S+) +(?<host>\S+) +)?sshd(?:-session)?(?:\[(?<pid>\d+)\])?: +", Options)]
    private static partial Regex SyslogHeader();

    [GeneratedRegex(@"^(?<result>Accepted|Failed) (?<method>\S+) for (?<invalid>invalid user )?(?<user>.*?) from (?<ip>\S+) port (?<port>\d+)(?: ssh2)?(?:: (?<keytype>\S+) (?<fingerprint>\S+))?", Options)]
    private static partial Regex AuthResult();

    [GeneratedRegex(@"^Invalid user (?<user>.*?) from (?<ip>\S+)(?: port (?<port>\d+))?", Options)]
    private static partial Regex InvalidUserLine();

    [GeneratedRegex(@"^(?:pam_unix\(sshd:auth\): )?(?:PAM (?<more>\d+) more )?authentication failures?; logname=\S* uid=\S* euid=\S* tty=\S* ruser=\S* rhost=(?<ip>\S+)(?: +user=(?<user>\S+))?", Options)]
    private static partial Regex PamFailure();

    [GeneratedRegex(@"^(?:error: )?maximum authentication attempts exceeded for (?:invalid user )?(?<user>.*?) from (?<ip>\S+) port (?<port>\d+)", Options)]
    private static partial Regex MaxAttempts();

    [GeneratedRegex(@"^Connection (?:closed|reset) by (?:(?:invalid|authenticating) user (?<user>\S+) )?(?<ip>\S+) port (?<port>\d+)", Options)]
    private static partial Regex ConnectionEnd();

    [GeneratedRegex(@"^(?:Received disconnect from|Disconnected from(?: (?:invalid |authenticating )?user (?<user>\S+))?) (?<ip>\S+) port (?<port>\d+)", Options)]
    private static partial Regex DisconnectLine();

    [GeneratedRegex(@"^Did not receive identification string from (?<ip>\S+)(?: port (?<port>\d+))?", Options)]
    private static partial Regex NoIdent();

    [GeneratedRegex(@"^pam_unix\(sshd:session\): session (?<what>opened|closed) for user (?<user>[^\s(]+)", Options)]
    private static partial Regex Session();
}
