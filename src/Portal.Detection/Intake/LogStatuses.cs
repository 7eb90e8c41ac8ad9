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

    /// <summary>
    /// The standard status for <paramref name="value"/>, by the rules of Datadog's status remapper: a syslog severity
    /// number (0 to 7); a word by its first letters (<c>emerg…</c> or <c>f…</c> emerg, <c>a…</c> alert, <c>c…</c>
    /// critical, <c>err…</c> error, <c>w…</c> warn, <c>n…</c> notice, <c>i…</c> info, <c>d…</c>, <c>t…</c> or
    /// <c>v…</c> debug, <c>o…</c> or <c>s…</c> ok); anything else info. So <c>fatal</c> is emerg and <c>success</c> ok,
    /// as a Datadog user expects of the same logs.
    /// </summary>
    public static string Map(string value)
    {
        var s = value.Trim();
        if (int.TryParse(s, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var level))
        {
            return FromSyslog(level);
        }
        if (s.StartsWith("emerg", StringComparison.OrdinalIgnoreCase))
        {
            return Emergency;
        }
        if (s.StartsWith("err", StringComparison.OrdinalIgnoreCase))
        {
            return Error;
        }
        return s.Length == 0 ? Info : char.ToLowerInvariant(s[0]) switch
        {
            'f' => Emergency,
            'a' => Alert,
            'c' => Critical,
            'w' => Warn,
            'n' => Notice,
            'i' => Info,
            'd' or 't' or 'v' => Debug,
            'o' or 's' => Ok,
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
