using System.Text.Json;
using System.Text.Json.Nodes;

namespace Portal.Detection.Intake;

/// <summary>Maps whatever a shipper calls a severity onto Datadog's standard log statuses.</summary>
public static class LogStatuses
{
    public const string Emergency = "emerg";
    public const string Alert = "alert";
    public const string Critical = "critical";
    public const string Error = "error";
    public const string Warn = "warn";
    public const string Notice = "notice";
    public const string Info = "info";
    public const string Debug = "debug";
    public const string Ok = "ok";

    /// <summary>The standard statuses from the most severe (syslog's order, with <c>ok</c> beside <c>notice</c>).</summary>
    public static IReadOnlyList<string> BySeverity => Severities;

    private static readonly string[] Severities = [Emergency, Alert, Critical, Error, Warn, Notice, Ok, Info, Debug];

    /// <summary>Where <paramref name="status"/> stands in <see cref="BySeverity"/>: 0 the most severe; any other word after them all.</summary>
    public static int SeverityRank(string status) => Array.IndexOf(Severities, status) is var rank and >= 0 ? rank : Severities.Length;

    /// <summary>Syslog severities 0 to 7, the numeric form shippers send.</summary>
    private static readonly string[] Syslog = [Emergency, Alert, Critical, Error, Warn, Notice, Info, Debug];

    /// <summary>The standard status for <paramref name="value"/>; unknown words are <c>info</c>, as in Datadog.</summary>
    public static string Map(string value)
    {
        var s = value.Trim().ToLowerInvariant();
        if (int.TryParse(s, out var level))
        {
            return FromSyslog(level);
        }
        return s switch
        {
            "emerg" or "emergency" or "panic" => Emergency,
            "alert" => Alert,
            "crit" or "critical" or "fatal" => Critical,
            "err" or "error" or "severe" => Error,
            "warn" or "warning" => Warn,
            "notice" => Notice,
            "info" or "information" or "informational" => Info,
            "debug" or "trace" or "verbose" or "fine" or "finer" or "finest" => Debug,
            "ok" or "success" => Ok,
            // Datadog's status remapper goes by the first letters for everything else.
            _ when s.StartsWith("emerg", StringComparison.Ordinal) => Emergency,
            _ when s.StartsWith("err", StringComparison.Ordinal) => Error,
            _ when s.StartsWith('f') => Critical,
            _ when s.StartsWith('a') => Alert,
            _ when s.StartsWith('c') => Critical,
            _ when s.StartsWith('w') => Warn,
            _ when s.StartsWith('n') => Notice,
            _ when s.StartsWith('d') => Debug,
            _ when s.StartsWith('o') => Ok,
            _ => Info,
        };
    }

    /// <summary>Syslog severity number to status; out-of-range numbers are <c>info</c>.</summary>
    public static string FromSyslog(int level) => level is >= 0 and < 8 ? Syslog[level] : Info;

    /// <summary>Reads a status from an intake field: text or a syslog number.</summary>
    internal static string? FromNode(JsonNode? node, string field)
    {
        if (node is null)
        {
            return null;
        }
        if (node is JsonValue value)
        {
            switch (value.GetValueKind())
            {
                case JsonValueKind.String:
                    var text = value.GetValue<string>();
                    return string.IsNullOrWhiteSpace(text) ? null : Map(text);
                case JsonValueKind.Number when IntakeFields.TryGetNumber(value, out var number):
                    return number == Math.Floor(number) && number is >= 0 and < 8 ? FromSyslog((int)number) : Info;
            }
        }
        throw new IntakeFieldException(field, "expected a status string (error, warn, info...) or a syslog severity number");
    }
}
