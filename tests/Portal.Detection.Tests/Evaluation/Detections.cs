using System.Text.Json.Nodes;
using Portal.Detection.Evaluation;
using Portal.Detection.Events;
using Portal.Detection.Intake;
using Portal.Detection.Rules;

namespace Portal.Detection.Tests.Evaluation;

/// <summary>Rules and realistic events (through the real intake normaliser) for engine and lifecycle tests.</summary>
internal static class Detections
{
    /// <summary>Start of the evaluation window used by the tests.</summary>
    public static readonly DateTimeOffset T0 = new(2026, 3, 3, 14, 0, 0, TimeSpan.Zero);

    public const string FailureQuery = "source:sshd @evt.name:authentication @evt.outcome:failure";
    public const string SuccessQuery = "source:sshd @evt.name:authentication @evt.outcome:success";

    /// <summary>A compiled threshold rule; queries are named a, b... in order.</summary>
    public static CompiledRule Rule(
        IReadOnlyList<RuleQuery> queries,
        IReadOnlyList<(string Status, string Condition)> cases,
        RuleOptions? options = null,
        string message = "",
        bool extendedTitle = false) =>
        CompiledRule.Compile("rule-1", new DetectionRule
        {
            Name = "SSH brute force",
            Queries = [.. queries],
            Cases = [.. cases.Select(c => new RuleCase { Status = c.Status, Condition = c.Condition })],
            Options = options ?? new RuleOptions(),
            Message = message,
            Tags = ["source:ssh", "technique:T1110-brute-force"],
            HasExtendedTitle = extendedTitle,
        });

    /// <summary>A count query grouped by the client IP (or by <paramref name="groupBy"/>).</summary>
    public static RuleQuery Count(string query, params string[] groupBy) => new()
    {
        Query = query,
        GroupByFields = groupBy.Length == 0 ? ["@network.client.ip"] : [.. groupBy],
    };

    /// <summary>An sshd "Failed password" line for <paramref name="user"/> from <paramref name="ip"/>.</summary>
    public static LogEvent Failure(string? ip, string user, DateTimeOffset at, string host = "bastion-1") =>
        Sshd(ip is null ? $"Failed password for {user} from UNKNOWN port 22 ssh2" : $"Failed password for {user} from {ip} port 41822 ssh2", at, host);

    /// <summary>An sshd "Accepted password" line for <paramref name="user"/> from <paramref name="ip"/>.</summary>
    public static LogEvent Success(string ip, string user, DateTimeOffset at, string host = "bastion-1") =>
        Sshd($"Accepted password for {user} from {ip} port 42001 ssh2", at, host);

    /// <summary><paramref name="count"/> failures one second apart from <paramref name="start"/>.</summary>
    public static IEnumerable<LogEvent> Failures(int count, string ip, DateTimeOffset start, string user = "root") =>
        Enumerable.Range(0, count).Select(i => Failure(ip, user, start.AddSeconds(i)));

    private static LogEvent Sshd(string message, DateTimeOffset at, string host) =>
        IntakeNormalizer.Normalize(new JsonObject { ["ddsource"] = "sshd", ["hostname"] = host, ["service"] = "sshd", ["message"] = message }, at);
}
