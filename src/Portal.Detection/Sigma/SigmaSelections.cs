using YamlDotNet.RepresentationModel;

namespace Portal.Detection.Sigma;

/// <summary>
/// Converts the named search identifiers of a detection: a map is an AND of its fields, a list of maps an OR of them,
/// and a list of plain values (or one value) keywords, any of which matches.
/// </summary>
internal sealed class SigmaSelections(SigmaLogSource? source, SigmaDiagnostics diagnostics)
{
    private readonly SigmaFieldConverter _fields = new(source, diagnostics);

    /// <summary>Converts the search identifier <paramref name="name"/>.</summary>
    public SigmaExpression Convert(string name, YamlNode node)
    {
        var path = "detection." + name;
        switch (node)
        {
            case YamlMappingNode map:
                return Map(map, path);
            case YamlSequenceNode sequence when sequence.Children.All(c => c is YamlScalarNode):
                return _fields.Convert("", sequence, path);
            case YamlSequenceNode sequence:
                var alternatives = new List<SigmaExpression>();
                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    var item = sequence.Children[i];
                    var itemPath = $"{path}[{i}]";
                    alternatives.Add(item switch
                    {
                        YamlMappingNode map => Map(map, itemPath),
                        YamlScalarNode => _fields.Convert("", item, itemPath),
                        _ => Invalid(item, itemPath),
                    });
                }
                return SigmaExpression.Or(alternatives);
            case YamlScalarNode:
                return _fields.Convert("", node, path);
            default:
                return Invalid(node, path);
        }
    }

    private SigmaExpression Map(YamlMappingNode map, string path)
    {
        if (map.Children.Count == 0)
        {
            diagnostics.Unsupported(SigmaYaml.Where(map, path), "an empty selection");
            return SigmaExpression.True;
        }
        var fields = new List<SigmaExpression>();
        foreach (var (key, value) in map.Children)
        {
            if (key is not YamlScalarNode { Value: { } name })
            {
                return Invalid(key, path);
            }
            fields.Add(_fields.Convert(name, value, $"{path}.{name}"));
        }
        return SigmaExpression.And(fields);
    }

    private SigmaExpression Invalid(YamlNode node, string path)
    {
        diagnostics.Invalid(SigmaYaml.Where(node, path), "expected a map of fields, a list of maps, or keywords");
        return SigmaExpression.True;
    }
}
