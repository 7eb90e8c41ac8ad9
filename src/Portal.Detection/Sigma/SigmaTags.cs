using System.Text.RegularExpressions;

namespace Portal.Detection.Sigma;

/// <summary>
/// Sigma tags as Vigil (Datadog) tags: ATT&amp;CK tactics as <c>tactic:TA0008-lateral-movement</c>, techniques as
/// <c>technique:T1550.001</c> (Sigma tags carry no technique name), CVEs as <c>cve:cve-2021-44228</c>, and every other tag
/// kept as <c>sigma_tag:&lt;tag&gt;</c>.
/// </summary>
internal static partial class SigmaTags
{
    /// <summary>
    /// ATT&amp;CK enterprise tactics by the name Sigma tags use. ATT&amp;CK v19 split Defense Evasion into Stealth (which kept
    /// TA0005) and Defense Impairment (TA0112); rules written before the split still say defense-evasion.
    /// </summary>
    private static readonly Dictionary<string, string> Tactics = new(StringComparer.Ordinal)
    {
        ["reconnaissance"] = "TA0043",
        ["resource-development"] = "TA0042",
        ["initial-access"] = "TA0001",
        ["execution"] = "TA0002",
        ["persistence"] = "TA0003",
        ["privilege-escalation"] = "TA0004",
        ["defense-evasion"] = "TA0005",
        ["stealth"] = "TA0005",
        ["defense-impairment"] = "TA0112",
        ["credential-access"] = "TA0006",
        ["discovery"] = "TA0007",
        ["lateral-movement"] = "TA0008",
        ["collection"] = "TA0009",
        ["exfiltration"] = "TA0010",
        ["command-and-control"] = "TA0011",
        ["impact"] = "TA0040",
    };

    /// <summary>The Vigil tags of <paramref name="sigmaTags"/>, in order, without duplicates.</summary>
    public static IReadOnlyList<string> Map(IEnumerable<string> sigmaTags)
    {
        var tags = new List<string>();
        foreach (var raw in sigmaTags)
        {
            var tag = raw.Trim().ToLowerInvariant();
            string mapped;
            if (tag.StartsWith("attack.", StringComparison.Ordinal) && Tactics.TryGetValue(tag[7..].Replace('_', '-'), out var tactic))
            {
                mapped = $"tactic:{tactic}-{tag[7..].Replace('_', '-')}";
            }
            else if (Technique().Match(tag) is { Success: true } technique)
            {
                mapped = "technique:T" + technique.Groups[1].Value.ToUpperInvariant();
            }
            else if (tag.StartsWith("cve.", StringComparison.Ordinal))
            {
                mapped = "cve:cve-" + tag[4..];
            }
            else
            {
                mapped = "sigma_tag:" + tag;
            }
            if (!tags.Contains(mapped))
            {
                tags.Add(mapped);
            }
        }
        return tags;
    }

    [GeneratedRegex(@"^attack\.t([0-9]{4}(\.[0-9]{3})?)$", RegexOptions.CultureInvariant)]
    private static partial Regex Technique();
}
