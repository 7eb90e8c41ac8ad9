using System.Text.RegularExpressions;
using Portal.Detection.Events;
using static Portal.Detection.Intake.Parsers.LineText;

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
    /// <remarks>
    /// The header and the two commonest lines (an authentication's result, an invalid user) are read by hand, in the
    /// patterns' own terms (<see cref="SyslogHeader"/>, <see cref="AuthResult"/>, <see cref="InvalidUserLine"/>; the tests
    /// hold the readers to them over mutated lines): a regex match costs its match, group and string objects, and on the
    /// intake's stream of sshd lines those were most of a line's parse. The rarer lines go through their patterns.
    /// </remarks>
    public static void Parse(IntakeDraft draft)
    {
        if (string.IsNullOrEmpty(draft.Message))
        {
            return;
        }
        var message = draft.Message;
        // The patterns read the line after its header in place: Match(input, beginning, length) anchors ^ at beginning.
        var start = ReadSyslogHeader(draft, message);
        if (!TryAuthResult(draft, message, start) && !TryInvalidUser(draft, message, start))
        {
            ParseOtherLines(draft, message, start);
        }
    }

    /// <summary>
    /// A line sent as syslog (source <c>syslog</c>): sshd's lines are parsed as sshd's (<see cref="Parse"/>); another
    /// program's header (<c>Mar  3 14:02:11 host cron[123]: </c>, or an ISO 8601 time) gives the host, the program
    /// (<c>syslog.appname</c>) and its pid; any other line is left alone.
    /// </summary>
    public static void ParseSyslog(IntakeDraft draft)
    {
        if (string.IsNullOrEmpty(draft.Message))
        {
            return;
        }
        var message = draft.Message;
        if (SyslogHeaderOf(message).Length > 0)
        {
            Parse(draft);
            return;
        }
        // Without the time and host, "error: ..." would read as a program: only a whole header is taken.
        if (TimestampAndHost(message) is not ({ } host, var at))
        {
            return;
        }
        var appEnd = at;
        while (appEnd < message.Length && message[appEnd] is not (' ' or '[' or ':'))
        {
            appEnd++;
        }
        var end = appEnd;
        Range? pid = null;
        if (Is(message, end, '['))
        {
            var digits = DigitRun(message, end + 1);
            if (digits == end + 1 || !Is(message, digits, ']'))
            {
                return;
            }
            pid = (end + 1)..digits;
            end = digits + 1;
        }
        if (appEnd == at || !Is(message, end, ':') || !Is(message, end + 1, ' '))
        {
            return;
        }
        var name = RecurringText.Of(draft.Thread.Texts, message.AsSpan()[host]);
        draft.Host ??= name;
        draft.AddText("syslog.hostname", name);
        draft.AddText("syslog.appname", message.AsSpan()[at..appEnd]);
        if (pid is { } digitsOfPid && TryDigits(message.AsSpan()[digitsOfPid], int.MaxValue, out var number))
        {
            draft.Add("syslog.pid", (int)number);
        }
    }

    /// <summary>The lines after those read by hand: the first pattern that matches at <paramref name="start"/> applies.</summary>
    internal static void ParseOtherLines(IntakeDraft draft, string message, int start)
    {
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
        var (length, host, pid) = SyslogHeaderOf(message);
        if (length == 0)
        {
            return 0;
        }
        if (host.End.Value > host.Start.Value)
        {
            var name = RecurringText.Of(draft.Thread.Texts, message.AsSpan()[host]);
            draft.Host ??= name;
            draft.AddText("syslog.hostname", name);
        }
        draft.AddText("syslog.appname", "sshd");
        if (TryDigits(message.AsSpan()[pid], int.MaxValue, out var number))
        {
            draft.Add("syslog.pid", (int)number);
        }
        return length;
    }

    /// <summary>
    /// What <see cref="SyslogHeader"/> matches in <paramref name="line"/>: its length (0 for no match), and where its host
    /// and pid groups lie (empty when they did not take part).
    /// </summary>
    internal static (int Length, Range Host, Range Pid) SyslogHeaderOf(string line)
    {
        // The optional timestamp and host first; when "sshd" does not follow them, the pattern tries without them.
        if (TimestampAndHost(line) is ({ } host, var after) && ProgramAndPid(line, after) is (var pid, var end and > 0))
        {
            return (end, host, pid ?? default);
        }
        return ProgramAndPid(line, 0) is (var bare, var length) && length > 0 ? (length, default, bare ?? default) : (0, default, default);
    }

    /// <summary>
    /// <c>(?:[A-Z][a-z]{2} +\d{1,2} \d{2}:\d{2}:\d{2}|\d{4}-\d{2}-\d{2}T\S+) +(?&lt;host&gt;\S+) +</c> at the start: the host and
    /// where the match ends, or no host. Each part can match one way only (a run of non-spaces or spaces is followed by
    /// what it cannot hold), so no backtracking is needed.
    /// </summary>
    private static (Range? Host, int End) TimestampAndHost(string line)
    {
        int at;
        if (line.Length > 3 && char.IsAsciiLetterUpper(line[0]) && char.IsAsciiLetterLower(line[1]) && char.IsAsciiLetterLower(line[2]) && line[3] == ' ')
        {
            at = Spaces(line, 3);
            var day = DigitRun(line, at) - at;
            if (day is < 1 or > 2 || !Is(line, at + day, ' ') || !Clock(line, at + day + 1))
            {
                return (null, 0);
            }
            at += day + 9;
        }
        else if (Digits(line, 0, 4) && Is(line, 4, '-') && Digits(line, 5, 2) && Is(line, 7, '-') && Digits(line, 8, 2) && Is(line, 10, 'T'))
        {
            at = NonSpaces(line, 11);
            if (at == 11)
            {
                return (null, 0);
            }
        }
        else
        {
            return (null, 0);
        }
        if (!Is(line, at, ' '))
        {
            return (null, 0);
        }
        var hostStart = Spaces(line, at);
        var hostEnd = NonSpaces(line, hostStart);
        if (hostEnd == hostStart || !Is(line, hostEnd, ' '))
        {
            return (null, 0);
        }
        return (hostStart..hostEnd, Spaces(line, hostEnd));
    }

    /// <summary><c>\d{2}:\d{2}:\d{2}</c> at <paramref name="at"/>.</summary>
    private static bool Clock(string line, int at) =>
        Digits(line, at, 2) && Is(line, at + 2, ':') && Digits(line, at + 3, 2) && Is(line, at + 5, ':') && Digits(line, at + 6, 2);

    /// <summary>
    /// <c>sshd(?:-session)?(?:\[(?&lt;pid&gt;\d+)\])?: +</c> at <paramref name="at"/>: the pid (null when absent) and where the
    /// match ends (0 for no match).
    /// </summary>
    private static (Range? Pid, int End) ProgramAndPid(string line, int at)
    {
        if (!ShortSpans.StartsWith(line.AsSpan(at), "sshd"))
        {
            return (null, 0);
        }
        at += 4;
        if (ShortSpans.StartsWith(line.AsSpan(at), "-session"))
        {
            at += 8;
        }
        Range? pid = null;
        if (Is(line, at, '['))
        {
            var end = DigitRun(line, at + 1);
            if (end == at + 1 || !Is(line, end, ']'))
            {
                return (null, 0);
            }
            pid = (at + 1)..end;
            at = end + 1;
        }
        return Is(line, at, ':') && Is(line, at + 1, ' ') ? (pid, Spaces(line, at + 1)) : (null, 0);
    }

    /// <summary>
    /// <see cref="AuthResult"/> read by hand from <paramref name="start"/>: <c>Accepted|Failed</c>, the method, an optional
    /// <c>invalid user </c>, then the shortest user after which <c> from IP port N</c> follows (tried with the
    /// <c>invalid user </c> first, then with those words as part of the user, as the pattern backtracks), and the optional
    /// <c> ssh2</c> and key.
    /// </summary>
    private static bool TryAuthResult(IntakeDraft draft, string line, int start)
    {
        var text = line.AsSpan(start);
        var accepted = ShortSpans.StartsWith(text, "Accepted ");
        if (!accepted && !ShortSpans.StartsWith(text, "Failed "))
        {
            return false;
        }
        var methodStart = start + (accepted ? 9 : 7);
        var methodEnd = NonSpaces(line, methodStart);
        if (methodEnd == methodStart || !ShortSpans.StartsWith(line.AsSpan(methodEnd), " for "))
        {
            return false;
        }
        var userStart = methodEnd + 5;
        var invalid = ShortSpans.StartsWith(line.AsSpan(userStart), "invalid user ");
        var found = invalid ? FromAddressPort(line, userStart + 13, portRequired: true) : null;
        if (found is null)
        {
            invalid = false;
            found = FromAddressPort(line, userStart, portRequired: true);
        }
        if (found is not var (userEnd, ip, port))
        {
            return false;
        }
        Event(draft, Authentication, accepted ? EventOutcomes.Success : EventOutcomes.Failure, line.AsSpan()[(invalid ? userStart + 13 : userStart)..userEnd], line.AsSpan()[ip], line.AsSpan()[port]);
        draft.AddText("ssh.auth_method", line.AsSpan()[methodStart..methodEnd]);
        if (invalid)
        {
            draft.Add("ssh.invalid_user", true);
        }
        // (?: ssh2)?(?:: (?<keytype>\S+) (?<fingerprint>\S+))?
        var at = port.End.Value;
        if (ShortSpans.StartsWith(line.AsSpan(at), " ssh2"))
        {
            at += 5;
        }
        if (Is(line, at, ':') && Is(line, at + 1, ' '))
        {
            var typeEnd = NonSpaces(line, at + 2);
            var printEnd = NonSpaces(line, typeEnd + 1);
            if (typeEnd > at + 2 && Is(line, typeEnd, ' ') && printEnd > typeEnd + 1)
            {
                draft.AddText("ssh.key.type", line[(at + 2)..typeEnd]);
                draft.AddText("ssh.key.fingerprint", line[(typeEnd + 1)..printEnd]);
            }
        }
        return true;
    }

    /// <summary><see cref="InvalidUserLine"/> read by hand from <paramref name="start"/>.</summary>
    private static bool TryInvalidUser(IntakeDraft draft, string line, int start)
    {
        if (!ShortSpans.StartsWith(line.AsSpan(start), "Invalid user ") || FromAddressPort(line, start + 13, portRequired: false) is not var (userEnd, ip, port))
        {
            return false;
        }
        Event(draft, InvalidUser, EventOutcomes.Failure, line.AsSpan()[(start + 13)..userEnd], line.AsSpan()[ip], line.AsSpan()[port]);
        return true;
    }

    /// <summary>
    /// <c>(?&lt;user&gt;.*) from (?&lt;ip&gt;\S+) port (?&lt;port&gt;\d+)</c> from <paramref name="userStart"/>, the port optional
    /// unless <paramref name="portRequired"/>: the last <c> from </c> (the user holds no line break) after which the rest
    /// matches. Where the user ends, and where the address and port lie (the port empty when absent); null for no match.
    /// The last, because sshd writes the address after the user name, which the client chooses: a user named
    /// <c>x from 10.0.0.1 port 22</c> must not put its failures on 10.0.0.1. Linear: each candidate reads only the run of
    /// non-spaces after it.
    /// </summary>
    private static (int UserEnd, Range Ip, Range Port)? FromAddressPort(string line, int userStart, bool portRequired)
    {
        var limit = line.IndexOf('\n', userStart);
        var within = line.AsSpan(userStart, (limit < 0 ? line.Length : limit) - userStart);
        // Each search ends just past the space the last candidate began with, which an earlier candidate may end with.
        for (var end = within.Length; within[..end].LastIndexOf(" from ") is var next and >= 0; end = next + 5)
        {
            var userEnd = userStart + next;
            var ipStart = userEnd + 6;
            var ipEnd = NonSpaces(line, ipStart);
            if (ipEnd == ipStart)
            {
                continue;
            }
            var portEnd = ShortSpans.StartsWith(line.AsSpan(ipEnd), " port ") ? DigitRun(line, ipEnd + 6) : ipEnd + 6;
            if (portEnd > ipEnd + 6)
            {
                return (userEnd, ipStart..ipEnd, (ipEnd + 6)..portEnd);
            }
            if (!portRequired)
            {
                return (userEnd, ipStart..ipEnd, ipEnd..ipEnd);
            }
        }
        return null;
    }

    private static bool Digits(string line, int at, int count) => DigitRun(line, at) - at >= count;

    /// <summary>The end of the run of digits (<c>\d</c>, as the patterns read it: <see cref="char.IsDigit(char)"/>) from <paramref name="at"/>.</summary>
    private static int DigitRun(string line, int at)
    {
        while (at < line.Length && char.IsDigit(line[at]))
        {
            at++;
        }
        return at;
    }

    /// <summary>The end of the run of spaces (U+0020, the patterns' <c> +</c>) from <paramref name="at"/>.</summary>
    private static int Spaces(string line, int at)
    {
        while (at < line.Length && line[at] == ' ')
        {
            at++;
        }
        return at;
    }

    private static readonly (Regex Regex, Action<IntakeDraft, Match> Apply)[] Patterns =
    [
        (PamFailure(), (d, m) =>
        {
            Event(d, PamAuthentication, EventOutcomes.Failure, m);
            if (TryDigits(m.Groups["more"].ValueSpan, int.MaxValue, out var more))
            {
                d.Add("ssh.pam.failures", (int)more);
            }
        }),
        (MaxAttempts(), (d, m) => Event(d, MaxAuthAttempts, EventOutcomes.Failure, m)),
        (ConnectionEnd(), (d, m) => Event(d, ConnectionClosed, outcome: null, m)),
        (DisconnectLine(), (d, m) => Event(d, Disconnect, outcome: null, m)),
        (NoIdent(), (d, m) => Event(d, NoIdentification, EventOutcomes.Failure, m)),
        (Session(), (d, m) => Event(d, m.Groups["what"].Value == "opened" ? SessionOpened : SessionClosed, EventOutcomes.Success, m)),
    ];

    private static void Event(IntakeDraft draft, string name, string? outcome, Match match) =>
        Event(draft, name, outcome, match.Groups["user"].ValueSpan, match.Groups["ip"].ValueSpan, match.Groups["port"].ValueSpan);

    private static void Event(IntakeDraft draft, string name, string? outcome, ReadOnlySpan<char> user, ReadOnlySpan<char> ip, ReadOnlySpan<char> port)
    {
        draft.AddText("evt.name", name);
        draft.AddText("evt.outcome", outcome);
        draft.AddText("usr.name", user.Trim());
        if (IsAddress(ip))
        {
            draft.AddText("network.client.ip", ip);
        }
        else
        {
            draft.AddText("network.client.hostname", ip);
        }
        if (TryDigits(port, int.MaxValue, out var number))
        {
            draft.Add("network.client.port", (int)number);
        }
    }

    [GeneratedRegex(@"^(?:(?:[A-Z][a-z]{2} +\d{1,2} \d{2}:\d{2}:\d{2}|\d{4}-\d{2}-\d{2}T\S+) +(?<host>\S+) +)?sshd(?:-session)?(?:\[(?<pid>\d+)\])?: +", Options)]
    internal static partial Regex SyslogHeader();

    [GeneratedRegex(@"^(?<result>Accepted|Failed) (?<method>\S+) for (?<invalid>invalid user )?(?<user>.*) from (?<ip>\S+) port (?<port>\d+)(?: ssh2)?(?:: (?<keytype>\S+) (?<fingerprint>\S+))?", Options)]
    internal static partial Regex AuthResult();

    [GeneratedRegex(@"^Invalid user (?<user>.*) from (?<ip>\S+)(?: port (?<port>\d+))?", Options)]
    internal static partial Regex InvalidUserLine();

    [GeneratedRegex(@"^(?:pam_unix\(sshd:auth\): )?(?:PAM (?<more>\d+) more )?authentication failures?; logname=\S* uid=\S* euid=\S* tty=\S* ruser=\S* rhost=(?<ip>\S+)(?: +user=(?<user>\S+))?", Options)]
    private static partial Regex PamFailure();

    [GeneratedRegex(@"^(?:error: )?maximum authentication attempts exceeded for (?:invalid user )?(?<user>.*) from (?<ip>\S+) port (?<port>\d+)", Options)]
    private static partial Regex MaxAttempts();

    [GeneratedRegex(@"^Connection (?:closed|reset) by (?:(?:invalid|authenticating) user (?<user>.+?) )?(?<ip>\S+) port (?<port>\d+)(?: \[preauth\])?[ \t\r]*(?m:$)", Options)]
    private static partial Regex ConnectionEnd();

    [GeneratedRegex(@"^(?:Received disconnect from (?<ip>\S+) port (?<port>\d+)|Disconnected from(?: (?:invalid |authenticating )?user (?<user>.+?))? (?<ip>\S+) port (?<port>\d+)(?: \[preauth\])?[ \t\r]*(?m:$))", Options)]
    private static partial Regex DisconnectLine();

    [GeneratedRegex(@"^Did not receive identification string from (?<ip>\S+)(?: port (?<port>\d+))?", Options)]
    private static partial Regex NoIdent();

    [GeneratedRegex(@"^pam_unix\(sshd:session\): session (?<what>opened|closed) for user (?<user>[^\s(]+)", Options)]
    private static partial Regex Session();
}
