using Portal.Detection.Events;
using Portal.Detection.Tests.Intake;

namespace Portal.Detection.Tests.Content;

/// <summary>Realistic events that each shipped rule must (positives) and must not (negatives) match.</summary>
internal static class RuleSamples
{
    public static (IReadOnlyList<LogEvent> Positives, IReadOnlyList<LogEvent> Negatives) For(string fileName) => fileName switch
    {
        "ssh-brute-force.json" => (
            [
                Ssh("Mar  3 14:02:11 bastion-1 sshd[31877]: Failed password for invalid user oracle from 203.0.113.77 port 41822 ssh2"),
                Ssh("Failed password for root from 203.0.113.77 port 41830 ssh2"),
            ],
            [
                Ssh("Accepted publickey for alice from 10.0.1.20 port 50022 ssh2: ED25519 SHA256:q0Y5cW1jv3Zr8m0bYcK1p0Zt5h9x3nQe2VwqLrY7s4A"),
                Ssh("Invalid user oracle from 203.0.113.77 port 41822"),
                Ssh("pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.77  user=root"),
                IntakeSamples.Line("syslog", "Failed password for root from 203.0.113.77 port 41830 ssh2"),
            ]),
        "ssh-success-after-failures.json" => (
            [
                Ssh("Failed password for root from 203.0.113.77 port 41830 ssh2"),
                Ssh("Mar  3 14:03:40 bastion-1 sshd[32001]: Accepted password for deploy from 203.0.113.77 port 42001 ssh2"),
            ],
            [
                Ssh("Connection closed by 203.0.113.77 port 42002 [preauth]"),
                Ssh("pam_unix(sshd:session): session opened for user deploy(uid=1003) by (uid=0)"),
            ]),
        "web-scanner-user-agent.json" => (
            [
                Web("203.0.113.50 - - [03/Mar/2026:14:04:01 +0000] \"GET /products?id=1%27%20OR%20%271%27%3D%271 HTTP/1.1\" 500 312 \"-\" \"sqlmap/1.8.4#stable (https://sqlmap.org)\""),
                Web("203.0.113.51 - - [03/Mar/2026:14:04:02 +0000] \"GET /.env HTTP/1.1\" 404 162 \"-\" \"Mozilla/5.00 (Nikto/2.5.0) (Evasions:None) (Test:007512)\""),
                IntakeSamples.Json("""{"ddsource":"nginx","message":"{\"remote_addr\":\"203.0.113.52\",\"http\":{\"useragent\":\"Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)\"}}"}"""),
                IntakeSamples.Json("""{"ddsource":"envoy","message":"GET /wp-login.php 404","http":{"useragent":"gobuster/3.6","status_code":404},"network":{"client":{"ip":"203.0.113.53"}}}"""),
            ],
            [
                Web("198.51.100.20 - - [03/Mar/2026:14:04:03 +0000] \"GET /products/1042 HTTP/1.1\" 200 21877 \"https://shop.example.com/\" \"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36\""),
                Web("198.51.100.21 - - [03/Mar/2026:14:04:04 +0000] \"GET /wp-login.php HTTP/1.1\" 404 162 \"-\" \"-\""),
                Ssh("Mar  3 14:02:11 scanner-1 sshd[100]: Accepted publickey for nmap from 10.0.1.9 port 50000 ssh2"),
            ]),
        "aws-root-console-login.json" => (
            [CloudTrail("ConsoleLogin", RootIdentity, "\"responseElements\":{\"ConsoleLogin\":\"Success\"},\"additionalEventData\":{\"MFAUsed\":\"No\"}")],
            [
                CloudTrail("ConsoleLogin", UserIdentity, "\"responseElements\":{\"ConsoleLogin\":\"Success\"},\"additionalEventData\":{\"MFAUsed\":\"Yes\"}"),
                CloudTrail("GetAccountSummary", RootIdentity, "\"responseElements\":null"),
            ]),
        "aws-cloudtrail-logging-stopped.json" => (
            [
                CloudTrail("StopLogging", UserIdentity, "\"requestParameters\":{\"name\":\"management-events\"}"),
                CloudTrail("DeleteTrail", UserIdentity, "\"requestParameters\":{\"name\":\"management-events\"}"),
            ],
            [
                CloudTrail("StartLogging", UserIdentity, "\"requestParameters\":{\"name\":\"management-events\"}"),
                CloudTrail("DescribeTrails", UserIdentity, "\"requestParameters\":null"),
            ]),
        _ => throw new ArgumentException($"no samples for {fileName}", nameof(fileName)),
    };

    private const string RootIdentity = """{"type":"Root","principalId":"123456789012","arn":"arn:aws:iam::123456789012:root","accountId":"123456789012"}""";
    private const string UserIdentity = """{"type":"IAMUser","principalId":"AIDAQ3EGUMWVK4HZB7D2A","arn":"arn:aws:iam::123456789012:user/alice","accountId":"123456789012","userName":"alice"}""";

    private static LogEvent Ssh(string line) => IntakeSamples.Line("sshd", line);

    private static LogEvent Web(string line) => IntakeSamples.Line("nginx", line);

    private static LogEvent CloudTrail(string eventName, string identity, string extra) => IntakeSamples.Json($$"""
        {"ddsource":"cloudtrail","service":"cloudtrail","eventVersion":"1.08","userIdentity":{{identity}},
         "eventTime":"2026-03-03T14:04:00Z","eventSource":"signin.amazonaws.com","eventName":"{{eventName}}",
         "awsRegion":"us-east-1","sourceIPAddress":"203.0.113.60","userAgent":"Mozilla/5.0",{{extra}}}
        """);
}
