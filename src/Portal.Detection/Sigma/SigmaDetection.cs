using Portal.Detection.Query;
using YamlDotNet.RepresentationModel;

namespace Portal.Detection.Sigma;

/// <summary>A detection rule's search: its logsource row and the expression of its condition, source filter included.</summary>
/// <param name="Source">The logsource row, or null when the table has none.</param>
/// <param name="Expression">Source filter AND condition.</param>
internal sealed record SigmaSearch(SigmaLogSource? Source, SigmaExpression Expression)
{
    /// <summary>The <c>source:</c> values of the row.</summary>
    public IReadOnlyList<string> Sources => Source?.Sources ?? [];
}

/// <summary>Converts the <c>logsource</c> and <c>detection</c> of a Sigma detection rule.</summary>
internal static class SigmaDetection
{
    /// <summary>Keys of <c>detection</c> that are not search identifiers.</summary>
    private static readonly string[] NotIdentifiers = ["condition", "timeframe"];

    /// <summary>The search of <paramref name="rule"/>; problems go to <paramref name="diagnostics"/>.</summary>
    public static SigmaSearch Convert(SigmaDocument rule, SigmaDiagnostics diagnostics)
    {
        var source = LogSource(rule, diagnostics);
        if (rule.Detection is not YamlMappingNode detection)
        {
            diagnostics.Invalid(SigmaYaml.Where(rule.Root, "detection"), "a detection rule needs a 'detection' map");
            return new SigmaSearch(source, SigmaExpression.True);
        }
        var names = detection.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value ?? "").Where(k => !NotIdentifiers.Contains(k)).ToList();
        var selections = new SigmaSelections(source, diagnostics);
        var converted = new Dictionary<string, SigmaExpression>(StringComparer.Ordinal);
        SigmaExpression Selection(string name)
        {
            if (!converted.TryGetValue(name, out var expression))
            {
                expression = selections.Convert(name, detection.Children[new YamlScalarNode(name)]);
                converted[name] = expression;
            }
            return expression;
        }

        var conditionNode = SigmaYaml.Child(detection, "condition");
        var where = SigmaYaml.Where(conditionNode ?? detection, "detection.condition");
        IReadOnlyList<string> conditions = conditionNode switch
        {
            YamlScalarNode { Value: { Length: > 0 } text } => [text],
            YamlSequenceNode list when list.Children.All(c => c is YamlScalarNode { Value.Length: > 0 }) && list.Children.Count > 0 =>
                [.. list.Children.Cast<YamlScalarNode>().Select(c => c.Value!)],
            _ => [],
        };
        if (conditions.Count == 0)
        {
            diagnostics.Invalid(where, "a detection needs a condition");
            return new SigmaSearch(source, SigmaExpression.True);
        }
        if (SigmaYaml.Child(detection, "timeframe") is { } timeframe)
        {
            diagnostics.Note(SigmaYaml.Where(timeframe, "detection.timeframe"), "'timeframe' applies to Sigma v1 aggregations only; the rule matches single events");
        }
        var alternatives = new List<SigmaExpression>();
        foreach (var condition in conditions)
        {
            try
            {
                // Several conditions are alternatives: pySigma makes one query of each.
                alternatives.Add(SigmaCondition.Parse(condition, names, Selection));
            }
            catch (FormatException e)
            {
                diagnostics.Invalid(where, e.Message);
            }
            catch (NotSupportedException e)
            {
                diagnostics.Unsupported(where, e.Message);
            }
        }
        var sourceFilter = source is null ? SigmaExpression.True : SigmaExpression.Or(source.Sources.Select(s => SigmaExpression.Term("source:" + QueryText.Escape(s))));
        return new SigmaSearch(source, SigmaExpression.And([sourceFilter, SigmaExpression.Or(alternatives)]));
    }

    /// <summary>
    /// The search as one query, checked by the parser; null after reporting that it cannot match or cannot be parsed.
    /// <paramref name="where"/> locates the problem (the rule's detection).
    /// </summary>
    public static string? Render(SigmaExpression expression, string where, SigmaDiagnostics diagnostics)
    {
        if (expression is SigmaConstant { Value: false })
        {
            diagnostics.Unsupported(where, "the condition can never match");
            return null;
        }
        var query = expression.Render();
        if (!QueryParser.TryParse(query, out _, out var error))
        {
            diagnostics.Unsupported(where, $"the query is not valid: {error!.Message}");
            return null;
        }
        return query;
    }

    private static SigmaLogSource? LogSource(SigmaDocument rule, SigmaDiagnostics diagnostics)
    {
        var logsource = rule.LogSource;
        var where = SigmaYaml.Where((YamlNode?)logsource ?? rule.Root, "logsource");
        if (logsource is null)
        {
            diagnostics.Invalid(where, "a detection rule needs a 'logsource'");
            return null;
        }
        string? product = SigmaYaml.Text(logsource, "product"), service = SigmaYaml.Text(logsource, "service"), category = SigmaYaml.Text(logsource, "category");
        var found = SigmaLogSources.Find(product, service, category);
        if (found is null)
        {
            diagnostics.Inexact(where, $"the logsource '{SigmaLogSources.Describe(product, service, category)}' is not in the mapping table (docs/SIGMA.md): the query has no source filter and fields are kept as attributes");
        }
        return found;
    }
}
