using System.Globalization;
using Portal.Detection.Rules;
using YamlDotNet.RepresentationModel;

namespace Portal.Detection.Sigma;

/// <summary>
/// Sigma correlation rules as threshold rules over the evaluation window nearest their timespan:
/// <c>event_count</c> counts the events of the named rules (one query), <c>value_count</c> counts distinct values
/// (<c>cardinality</c> with <c>distinctFields</c>), <c>value_sum</c> sums a field, and <c>temporal</c> asks every named
/// rule to match within the window (one query per rule, <c>a &gt; 0 &amp;&amp; b &gt; 0</c>). <c>group-by</c> becomes
/// <c>groupByFields</c>, through <c>aliases</c> when the rules name the field differently.
/// </summary>
internal static class SigmaCorrelations
{
    private static readonly Dictionary<string, string> Operators = new(StringComparer.Ordinal)
    {
        ["gt"] = ">",
        ["gte"] = ">=",
        ["lt"] = "<",
        ["lte"] = "<=",
        ["eq"] = "==",
        ["neq"] = "!=",
    };

    /// <summary>Converts <paramref name="correlation"/>; also returns the rules it names and whether they are generated on their own too.</summary>
    public static (SigmaConversion Conversion, IReadOnlyList<SigmaDocument> Correlated, bool Generate) Convert(SigmaDocument correlation, IReadOnlyList<SigmaDocument> documents, string? fileName)
    {
        var diagnostics = new SigmaDiagnostics();
        SigmaConverter.RequireTitle(correlation, diagnostics);
        var node = correlation.Correlation as YamlMappingNode;
        var where = SigmaYaml.Where((YamlNode?)node ?? correlation.Root, "correlation");
        if (node is null)
        {
            diagnostics.Invalid(where, "'correlation' must be a map");
            return (SigmaConverter.Result(fileName, correlation, null, diagnostics), [], false);
        }
        var correlated = Correlated(node, documents, where, diagnostics);
        var generate = SigmaYaml.Text(node, "generate") is "true" or "yes";
        var rule = diagnostics.HasBlocking ? null : Rule(correlation, node, correlated, where, diagnostics);
        return (SigmaConverter.Result(fileName, correlation, rule, diagnostics), correlated, generate);
    }

    private static List<SigmaDocument> Correlated(YamlMappingNode node, IReadOnlyList<SigmaDocument> documents, string where, SigmaDiagnostics diagnostics)
    {
        var references = SigmaYaml.TextList(node, "rules");
        if (references.Count == 0)
        {
            diagnostics.Invalid(where, "a correlation names its rules in 'rules'");
        }
        var correlated = new List<SigmaDocument>();
        foreach (var reference in references)
        {
            var found = documents.FirstOrDefault(d => d.IsNamed(reference));
            if (found is null)
            {
                diagnostics.Unsupported(where, $"the rule '{reference}' is not in this file; a correlation converts with the rules it names in the same file (YAML documents separated by '---')");
            }
            else if (found.IsCorrelation)
            {
                diagnostics.Unsupported(where, $"'{reference}' is itself a correlation rule; correlations of correlations are not supported");
            }
            else
            {
                correlated.Add(found);
            }
        }
        return correlated;
    }

    private static DetectionRule? Rule(SigmaDocument correlation, YamlMappingNode node, List<SigmaDocument> correlated, string where, SigmaDiagnostics diagnostics)
    {
        var type = SigmaYaml.Text(node, "type");
        var searches = correlated.Select(r => (Rule: r, Search: SigmaDetection.Convert(r, diagnostics))).ToList();
        var window = Window(node, where, diagnostics);
        var groupBy = GroupBy(node, searches, where, diagnostics);
        var condition = SigmaYaml.Child(node, "condition") as YamlMappingNode;
        List<RuleQuery> queries;
        string caseCondition;
        switch (type)
        {
            case "event_count" or "value_count" or "value_sum":
                var query = SigmaDetection.Render(SigmaExpression.Or(searches.Select(s => s.Search.Expression)), where, diagnostics);
                var aggregated = new RuleQuery { Name = "a", Query = query ?? "", Aggregation = RuleAggregations.Count, GroupByFields = groupBy };
                if (type != "event_count")
                {
                    var field = Field(SigmaYaml.Text(condition, "field"), searches, where, diagnostics);
                    aggregated.Aggregation = type == "value_count" ? RuleAggregations.Cardinality : RuleAggregations.Sum;
                    (type == "value_count" ? aggregated.DistinctFields : aggregated.Metrics).Add(field ?? "");
                }
                queries = [aggregated];
                caseCondition = Threshold(condition, where, diagnostics);
                break;
            case "temporal" or "temporal_ordered":
                if (type == "temporal_ordered")
                {
                    diagnostics.Inexact(where, "'temporal_ordered' converts as 'temporal': every rule must match within the window, in any order");
                }
                if (condition is not null)
                {
                    diagnostics.Unsupported(where, "a temporal correlation with a condition (some of its rules) is not supported; without one every rule must match");
                }
                queries = [.. searches.Select((s, i) => new RuleQuery
                {
                    Name = ((char)('a' + i)).ToString(),
                    Query = SigmaDetection.Render(s.Search.Expression, where, diagnostics) ?? "",
                    Aggregation = RuleAggregations.Count,
                    GroupByFields = [.. groupBy],
                })];
                caseCondition = string.Join(" && ", queries.Select(q => q.Name + " > 0"));
                break;
            default:
                diagnostics.Unsupported(where, $"the correlation type '{type}' is not supported (event_count, value_count, value_sum, temporal, temporal_ordered are)");
                return null;
        }
        if (diagnostics.HasBlocking)
        {
            return null;
        }
        var rule = SigmaRuleBuilder.Create(correlation, correlated, [.. searches.SelectMany(s => s.Search.Sources).Distinct(StringComparer.Ordinal)], diagnostics);
        rule.Queries = queries;
        rule.Cases[0].Condition = caseCondition;
        rule.Options = new RuleOptions
        {
            DetectionMethod = DetectionMethods.Threshold,
            EvaluationWindow = window,
            KeepAlive = Math.Max(window, 3600),
            MaxSignalDuration = 86400,
        };
        return rule;
    }

    /// <summary>The evaluation window nearest the timespan, with a diagnostic when it is not the timespan.</summary>
    private static int Window(YamlMappingNode node, string where, SigmaDiagnostics diagnostics)
    {
        var text = SigmaYaml.Text(node, "timespan");
        if (SigmaTimespan.Parse(text) is not { } seconds || seconds == 0)
        {
            diagnostics.Invalid(where, $"'timespan' must be a duration such as 5m or 1h, not '{text}'");
            return 300;
        }
        var window = SigmaTimespan.NearestWindow(seconds);
        if (window != seconds)
        {
            diagnostics.Inexact(where, $"the timespan {text} ({SigmaTimespan.Describe(seconds)}) became the evaluation window {SigmaTimespan.Describe(window)}, the nearest Datadog allows (60, 300, 600, 900, 1800, 3600, 7200 s)");
        }
        return window;
    }

    /// <summary>The <c>group-by</c> fields as Vigil fields, the same for every rule once <c>aliases</c> are applied.</summary>
    private static List<string> GroupBy(YamlMappingNode node, List<(SigmaDocument Rule, SigmaSearch Search)> searches, string where, SigmaDiagnostics diagnostics)
    {
        var fields = new List<string>();
        foreach (var name in SigmaYaml.TextList(node, "group-by"))
        {
            var aliases = SigmaYaml.Child(SigmaYaml.Child(node, "aliases") as YamlMappingNode, name) as YamlMappingNode;
            var resolved = searches.Select(s =>
            {
                var field = aliases is null ? name : SigmaYaml.Text(aliases, s.Rule.Name ?? "") ?? SigmaYaml.Text(aliases, s.Rule.Id ?? "") ?? name;
                return Field(field, [s], where, diagnostics);
            }).Distinct(StringComparer.Ordinal).ToList();
            if (resolved.Count != 1 || resolved[0] is not { } single)
            {
                diagnostics.Unsupported(where, $"the group-by field '{name}' is a different Vigil field for each rule ({string.Join(", ", resolved)}); every query of a rule groups by the same fields");
                continue;
            }
            fields.Add(single);
        }
        if (fields.Count > 5)
        {
            diagnostics.Unsupported(where, "Vigil groups by at most 5 fields");
        }
        return fields;
    }

    /// <summary>A field of the correlated rules as a Vigil field name; null after reporting.</summary>
    private static string? Field(string? name, IEnumerable<(SigmaDocument Rule, SigmaSearch Search)> searches, string where, SigmaDiagnostics diagnostics)
    {
        if (string.IsNullOrEmpty(name))
        {
            diagnostics.Invalid(where, "a value_count or value_sum correlation names its field in 'condition.field'");
            return null;
        }
        var targets = searches.Select(s => SigmaFields.Resolve(s.Search.Source, name, where, diagnostics)).Distinct().ToList();
        if (targets is not [{ Kind: SigmaTargetKind.Attribute or SigmaTargetKind.Reserved } target])
        {
            diagnostics.Unsupported(where, $"the field '{name}' cannot be grouped or counted in Vigil (it is not one attribute for every rule)");
            return null;
        }
        return target.QueryField;
    }

    /// <summary>The case condition on query <c>a</c> from Sigma's <c>condition</c> (<c>gte: 10</c>, ranges are ANDed).</summary>
    private static string Threshold(YamlMappingNode? condition, string where, SigmaDiagnostics diagnostics)
    {
        var parts = new List<string>();
        foreach (var (key, value) in condition?.Children ?? Enumerable.Empty<KeyValuePair<YamlNode, YamlNode>>())
        {
            var name = (key as YamlScalarNode)?.Value ?? "";
            if (name == "field")
            {
                continue;
            }
            if (!Operators.TryGetValue(name, out var op)
                || value is not YamlScalarNode scalar
                || !double.TryParse(scalar.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || number < 0)
            {
                diagnostics.Invalid(where, $"'condition.{name}' is not a comparison (gt, gte, lt, lte, eq, neq) with a number");
                continue;
            }
            parts.Add($"a {op} {number.ToString("0.##########", CultureInfo.InvariantCulture)}");
        }
        if (parts.Count == 0)
        {
            diagnostics.Invalid(where, "a correlation needs a 'condition' such as 'gte: 10'");
            return "a > 0";
        }
        return string.Join(" && ", parts);
    }
}
