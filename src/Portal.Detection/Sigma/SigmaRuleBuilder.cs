using System.Text;
using Portal.Detection.Rules;

namespace Portal.Detection.Sigma;

/// <summary>The parts of a Vigil rule that come from a Sigma rule's metadata: name, severity, message and tags.</summary>
internal static class SigmaRuleBuilder
{
    /// <summary>The longest rule name the validator accepts.</summary>
    private const int MaxNameLength = 200;

    /// <summary>The credit the Detection Rule License 1.1 asks for: the author, the rule set, and the licence.</summary>
    public static string Credit(string author) =>
        $"Sigma rule by {author}, from the SigmaHQ rule set https://github.com/SigmaHQ/sigma, Detection Rule License 1.1 (https://github.com/SigmaHQ/Detection-Rule-License).";

    /// <summary>A rule with the metadata of <paramref name="rule"/> and no queries yet.</summary>
    public static DetectionRule Create(SigmaDocument rule, IReadOnlyList<SigmaDocument> correlated, IReadOnlyList<string> sources, SigmaDiagnostics diagnostics)
    {
        var name = rule.Label;
        if (name.Length > MaxNameLength)
        {
            diagnostics.Note(SigmaYaml.Where(rule.Root, "title"), $"the title is cut to {MaxNameLength} characters, the longest rule name");
            name = name[..MaxNameLength];
        }
        return new DetectionRule
        {
            Name = name,
            Message = Message(rule, correlated),
            Tags = Tags(rule, correlated, sources),
            Cases = [new RuleCase { Status = Severity(rule, diagnostics), Condition = "a > 0" }],
        };
    }

    /// <summary>Sigma's <c>level</c> as a severity; <c>medium</c> when missing or unknown.</summary>
    private static string Severity(SigmaDocument rule, SigmaDiagnostics diagnostics)
    {
        switch (rule.Level?.Trim().ToLowerInvariant())
        {
            case "informational":
                return Severities.Info;
            case "low":
                return Severities.Low;
            case "medium":
                return Severities.Medium;
            case "high":
                return Severities.High;
            case "critical":
                return Severities.Critical;
            case null:
                diagnostics.Note(SigmaYaml.Where(rule.Root, "level"), "no level: the severity is medium");
                return Severities.Medium;
            default:
                diagnostics.Note(SigmaYaml.Where(rule.Root, "level"), $"the level '{rule.Level}' is not a Sigma level: the severity is medium");
                return Severities.Medium;
        }
    }

    /// <summary>
    /// The description, the Sigma rule's identity, false positives, references, the rules a correlation joins, and the
    /// credit of every author, in Markdown. Sigma text cannot hold template variables: <c>{{</c> is broken up.
    /// </summary>
    private static string Message(SigmaDocument rule, IReadOnlyList<SigmaDocument> correlated)
    {
        var sb = new StringBuilder();
        sb.Append(Text(rule.Description ?? rule.Label).Trim()).Append("\n\n");
        sb.Append($"Sigma rule: {Text(rule.Label)} (id `{rule.Id ?? "none"}`, status {rule.Status ?? "unknown"}, level {rule.Level ?? "unknown"}).\n");
        if (correlated.Count > 0)
        {
            sb.Append("\n## Correlated rules\n");
            foreach (var other in correlated)
            {
                sb.Append($"- {Text(other.Label)} (id `{other.Id ?? other.Name ?? "none"}`)\n");
            }
        }
        AppendList(sb, "False positives", rule.FalsePositives);
        AppendList(sb, "References", rule.References);
        sb.Append('\n');
        var authors = new[] { rule }.Concat(correlated).Select(r => r.Author).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        foreach (var author in authors.Count > 0 ? authors : ["an unnamed author"])
        {
            sb.Append(Credit(Text(author))).Append('\n');
        }
        return sb.ToString().TrimEnd() + "\n";
    }

    private static void AppendList(StringBuilder sb, string heading, IReadOnlyList<string> items)
    {
        if (items.Count == 0)
        {
            return;
        }
        sb.Append($"\n## {heading}\n");
        foreach (var item in items)
        {
            sb.Append("- ").Append(Text(item.Trim())).Append('\n');
        }
    }

    /// <summary>Sigma prose in a message template: a <c>{{</c> would start a template variable.</summary>
    private static string Text(string text) => text.Replace("{{", "{ {", StringComparison.Ordinal);

    /// <summary><c>source:</c> tags, the mapped Sigma tags of every rule involved, <c>sigma:&lt;id&gt;</c> and <c>sigma_status:</c>.</summary>
    private static List<string> Tags(SigmaDocument rule, IReadOnlyList<SigmaDocument> correlated, IReadOnlyList<string> sources)
    {
        var tags = new List<string>();
        tags.AddRange(sources.Select(s => "source:" + s));
        var involved = new[] { rule }.Concat(correlated).ToList();
        tags.AddRange(SigmaTags.Map(involved.SelectMany(r => r.Tags)));
        tags.AddRange(involved.Select(r => r.Id).OfType<string>().Select(id => "sigma:" + id));
        if (rule.Status is { } status)
        {
            tags.Add("sigma_status:" + status);
        }
        return [.. tags.Distinct(StringComparer.Ordinal)];
    }
}
