using Portal.Detection.Rules;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Portal.Detection.Sigma;

/// <summary>
/// Converts Sigma rules (https://github.com/SigmaHQ/sigma-specification) into Vigil detection rules: a detection rule
/// becomes a single-event threshold rule (<c>a &gt; 0</c> over a zero window), a correlation rule a windowed threshold rule.
/// Everything that cannot be represented exactly is reported as a <see cref="SigmaDiagnostic"/>; docs/SIGMA.md documents
/// the mapping and what converts.
/// </summary>
public static class SigmaConverter
{
    /// <summary>The keep-alive of single-event rules: one signal per hour of matches.</summary>
    private const int SingleEventKeepAlive = 3600;

    /// <summary>The longest a signal stays open, Datadog's maximum.</summary>
    private const int MaxSignalDuration = 86400;

    /// <summary>
    /// Converts the rule of a Sigma file: its correlation rule when it has one, else its first detection rule.
    /// A file of several independent rules converts with <see cref="ConvertAll"/>.
    /// </summary>
    public static SigmaConversion Convert(string yaml, string? fileName = null) => ConvertAll(yaml, fileName)[0];

    /// <summary>
    /// Converts every rule of a Sigma file (YAML documents separated by <c>---</c>): each correlation rule, with the detection
    /// rules it names from the same file, and each detection rule no correlation uses (or whose correlation says
    /// <c>generate: true</c>). Never empty: a file that is not Sigma gives one <see cref="SigmaConversionStatus.Invalid"/> result.
    /// </summary>
    public static IReadOnlyList<SigmaConversion> ConvertAll(string yaml, string? fileName = null)
    {
        IReadOnlyList<YamlDocument> yamlDocuments;
        try
        {
            yamlDocuments = SigmaYaml.Load(yaml);
        }
        catch (YamlException e)
        {
            return [Failed(fileName, null, SigmaDiagnosticKind.Invalid, $"line {e.Start.Line}", "not valid YAML: " + e.Message)];
        }
        var documents = yamlDocuments.Select(SigmaDocument.From).ToList();
        if (documents.Count == 0 || documents.Any(d => d is null))
        {
            return [Failed(fileName, null, SigmaDiagnosticKind.Invalid, "line 1", "expected a Sigma rule: a YAML map with title, logsource and detection")];
        }
        var rules = documents.OfType<SigmaDocument>().ToList();
        if (rules.FirstOrDefault(r => SigmaYaml.Child(r.Root, "action") is not null) is { } collection)
        {
            return [Failed(fileName, collection, SigmaDiagnosticKind.Unsupported, SigmaYaml.Where(collection.Root, "action"), "Sigma v1 rule collections ('action: global') are not supported; write each rule in full")];
        }
        var results = new List<SigmaConversion>();
        var used = new HashSet<SigmaDocument>();
        foreach (var correlation in rules.Where(r => r.IsCorrelation))
        {
            var (conversion, correlated, generate) = SigmaCorrelations.Convert(correlation, rules, fileName);
            results.Add(conversion);
            if (!generate)
            {
                used.UnionWith(correlated);
            }
        }
        results.AddRange(rules.Where(r => !r.IsCorrelation && !used.Contains(r)).Select(r => ConvertDetection(r, fileName)));
        return results.Count > 0 ? results : [Failed(fileName, null, SigmaDiagnosticKind.Invalid, "line 1", "the file has no rule")];
    }

    private static SigmaConversion ConvertDetection(SigmaDocument document, string? fileName)
    {
        var diagnostics = new SigmaDiagnostics();
        RequireTitle(document, diagnostics);
        var search = SigmaDetection.Convert(document, diagnostics);
        var query = diagnostics.HasBlocking ? null : SigmaDetection.Render(search.Expression, SigmaYaml.Where(document.Detection ?? document.Root, "detection"), diagnostics);
        DetectionRule? rule = null;
        if (query is not null)
        {
            rule = SigmaRuleBuilder.Create(document, [], search.Sources, diagnostics);
            rule.Queries = [new RuleQuery { Name = "a", Query = query, Aggregation = RuleAggregations.Count }];
            rule.Options = new RuleOptions
            {
                DetectionMethod = DetectionMethods.Threshold,
                EvaluationWindow = 0,
                KeepAlive = SingleEventKeepAlive,
                MaxSignalDuration = MaxSignalDuration,
            };
        }
        return Result(fileName, document, rule, diagnostics);
    }

    /// <summary>The conversion of <paramref name="document"/>: the rule only when it validates and nothing blocks it.</summary>
    internal static SigmaConversion Result(string? fileName, SigmaDocument document, DetectionRule? rule, SigmaDiagnostics diagnostics)
    {
        if (rule is not null && !diagnostics.HasBlocking)
        {
            foreach (var error in RuleValidator.Validate(rule))
            {
                diagnostics.Unsupported("rule " + error.Path, "the converted rule is not valid: " + error.Message);
            }
        }
        return new SigmaConversion
        {
            FileName = fileName,
            SigmaId = document.Id,
            Title = document.Title,
            Author = document.Author,
            Rule = diagnostics.HasBlocking ? null : rule,
            Diagnostics = diagnostics.Items,
        };
    }

    /// <summary>Reports a missing title, which Sigma requires and the rule's name needs.</summary>
    internal static void RequireTitle(SigmaDocument document, SigmaDiagnostics diagnostics)
    {
        if (string.IsNullOrWhiteSpace(document.Title))
        {
            diagnostics.Invalid(SigmaYaml.Where(document.Root, "title"), "a Sigma rule needs a title");
        }
    }

    private static SigmaConversion Failed(string? fileName, SigmaDocument? document, SigmaDiagnosticKind kind, string location, string message) => new()
    {
        FileName = fileName,
        SigmaId = document?.Id,
        Title = document?.Title,
        Author = document?.Author,
        Diagnostics = [new SigmaDiagnostic(kind, location, message)],
    };
}
