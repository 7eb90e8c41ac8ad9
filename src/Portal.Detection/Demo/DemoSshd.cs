using System.Text.Json.Nodes;

namespace Portal.Detection.Demo;

/// <summary>OpenSSH server lines: administrators' key logins, internet noise and brute force bursts.</summary>
internal static class DemoSshd
{
    private const string Tags = "env:prod,team:platform";
    private static readonly string[] Hosts = ["bastion-1", "bastion-2", "db-1"];
    private static readonly string[] Admins = ["alice", "bob", "carol", "deploy"];
    private static readonly string[] Guesses = ["root", "admin", "ubuntu", "oracle", "test", "postgres", "git", "user", "pi", "ftpuser", "support", "guest"];

    /// <summary>An administrator logs in with a key and gets a session. Offsets are delays from now.</summary>
    public static List<DemoScheduledEvent> AdminLogin(DemoRandom r)
    {
        var host = r.Pick(Hosts);
        var pid = r.Int(1000, 65000);
        var admin = r.Pick(Admins);
        var accepted = $"Accepted publickey for {admin} from {r.InternalIp()} port {r.Port()} ssh2: {(r.Chance(0.7) ? "ED25519" : "RSA")} {r.Fingerprint()}";
        var session = $"pam_unix(sshd:session): session opened for user {admin}(uid={1000 + Array.IndexOf(Admins, admin)}) by (uid=0)";
        return
        [
            new(TimeSpan.Zero, t => Line(t, host, pid, accepted)),
            new(TimeSpan.FromMilliseconds(r.Int(5, 40)), t => Line(t, host, pid, session)),
        ];
    }

    /// <summary>Background internet scanning every exposed SSH server sees: single probes, never a burst.</summary>
    public static List<DemoScheduledEvent> Noise(DemoRandom r)
    {
        var host = r.Pick(Hosts);
        var pid = r.Int(1000, 65000);
        var ip = r.InternetIp();
        var port = r.Port();
        switch (r.Int(0, 3))
        {
            case 0:
                return [new(TimeSpan.Zero, t => Line(t, host, pid, $"Connection closed by {ip} port {port} [preauth]"))];
            case 1:
                var user = r.Pick(Guesses);
                return
                [
                    new(TimeSpan.Zero, t => Line(t, host, pid, $"Invalid user {user} from {ip} port {port}")),
                    new(TimeSpan.FromMilliseconds(r.Int(500, 2500)), t => Line(t, host, pid, $"Failed password for invalid user {user} from {ip} port {port} ssh2")),
                ];
            default:
                return [new(TimeSpan.Zero, t => Line(t, host, pid, $"Did not receive identification string from {ip} port {port}"))];
        }
    }

    /// <summary>
    /// A brute force burst from one address: <paramref name="attempts"/> failures a few seconds apart,
    /// then the password of <c>deploy</c> is guessed. Offsets are relative to the start of the burst.
    /// </summary>
    public static List<DemoScheduledEvent> BruteForce(DemoRandom r, TimeSpan start, string ip, int attempts)
    {
        var host = r.Pick(Hosts);
        var events = new List<DemoScheduledEvent>();
        var at = start;
        for (var i = 0; i < attempts; i++)
        {
            var user = Guesses[i % Guesses.Length];
            var pid = r.Int(1000, 65000);
            var port = r.Port();
            var text = user == "root"
                ? $"Failed password for root from {ip} port {port} ssh2"
                : $"Failed password for invalid user {user} from {ip} port {port} ssh2";
            if (user != "root")
            {
                events.Add(new(at, t => Line(t, host, pid, $"Invalid user {user} from {ip} port {port}")));
            }
            events.Add(new(at + TimeSpan.FromMilliseconds(r.Int(800, 2000)), t => Line(t, host, pid, text)));
            at += TimeSpan.FromMilliseconds(r.Int(2500, 4000));
        }
        var successPid = r.Int(1000, 65000);
        var successPort = r.Port();
        events.Add(new(at + TimeSpan.FromSeconds(2), t => Line(t, host, successPid, $"Accepted password for deploy from {ip} port {successPort} ssh2")));
        events.Add(new(at + TimeSpan.FromSeconds(2.02), t => Line(t, host, successPid, "pam_unix(sshd:session): session opened for user deploy(uid=1003) by (uid=0)")));
        return events;
    }

    private static JsonObject Line(DateTimeOffset at, string host, int pid, string text) =>
        DemoFormats.Intake(at, "sshd", "sshd", host, Tags, $"{DemoFormats.Syslog(at)} {host} sshd[{pid}]: {text}");
}
