using System.Globalization;
using System.Text.RegularExpressions;
using Portal.Detection.Rules;

namespace Portal.Detection.Sigma;

/// <summary>Sigma timespans (<c>30s</c>, <c>5m</c>, <c>1h</c>, <c>2d</c>, <c>1w</c>) and their nearest Datadog evaluation window.</summary>
internal static partial class SigmaTimespan
{
    /// <summary>The timespan in seconds, or null when <paramref name="text"/> is not one.</summary>
    public static long? Parse(string? text)
    {
        var match = text is null ? Match.Empty : Format().Match(text.Trim());
        if (!match.Success || !long.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var amount))
        {
            return null;
        }
        long unit = match.Groups[2].Value switch
        {
            "s" => 1,
            "m" => 60,
            "h" => 3600,
            "d" => 86400,
            _ => 7 * 86400,
        };
        return amount > long.MaxValue / unit ? null : amount * unit;
    }

    /// <summary>The allowed non-zero evaluation window nearest <paramref name="seconds"/> (the longer one on a tie).</summary>
    public static int NearestWindow(long seconds) =>
        RuleValidator.EvaluationWindows.Where(w => w > 0).OrderBy(w => Math.Abs(w - seconds)).ThenByDescending(w => w).First();

    /// <summary>A number of seconds as people write it: <c>300 s (5 min)</c>.</summary>
    public static string Describe(long seconds) => seconds switch
    {
        >= 3600 when seconds % 3600 == 0 => $"{seconds} s ({seconds / 3600} h)",
        >= 60 when seconds % 60 == 0 => $"{seconds} s ({seconds / 60} min)",
        _ => $"{seconds} s",
    };

    [GeneratedRegex("^([0-9]+)([smhdw])$", RegexOptions.CultureInvariant)]
    private static partial Regex Format();
}
