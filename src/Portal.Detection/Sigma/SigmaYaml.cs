using System.Globalization;
using System.Text.RegularExpressions;
using Portal.Detection.Events;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Portal.Detection.Sigma;

/// <summary>The type of a YAML scalar, resolved as PyYAML (which Sigma's tools use) resolves plain scalars.</summary>
internal enum SigmaScalarKind
{
    /// <summary><c>null</c>, <c>~</c> or nothing.</summary>
    Null,

    /// <summary>Text, quoted or not.</summary>
    String,

    /// <summary>An integer or a decimal number.</summary>
    Number,

    /// <summary><c>true</c>/<c>false</c> (and YAML 1.1's <c>yes</c>/<c>no</c>/<c>on</c>/<c>off</c>).</summary>
    Boolean,
}

/// <summary>A scalar value: its kind and its text (numbers in Vigil's canonical form, booleans as <c>true</c>/<c>false</c>).</summary>
internal readonly record struct SigmaScalar(SigmaScalarKind Kind, string Text);

/// <summary>Reading Sigma's YAML.</summary>
internal static partial class SigmaYaml
{
    /// <summary>Parses a YAML stream; throws <see cref="YamlException"/> when it is not valid YAML.</summary>
    public static IReadOnlyList<YamlDocument> Load(string yaml)
    {
        var stream = new YamlStream();
        using var reader = new StringReader(yaml);
        stream.Load(reader);
        return [.. stream.Documents];
    }

    /// <summary>Where a node is, for diagnostics: <c>line 12, detection.selection</c>.</summary>
    public static string Where(YamlNode node, string path) => $"line {node.Start.Line}, {path}";

    /// <summary>The scalar value of a key of a mapping, or null when absent or not a scalar.</summary>
    public static string? Text(YamlMappingNode? map, string key) =>
        map is not null && map.Children.TryGetValue(new YamlScalarNode(key), out var node) && node is YamlScalarNode scalar && Resolve(scalar).Kind != SigmaScalarKind.Null
            ? scalar.Value
            : null;

    /// <summary>The child node of a key, or null.</summary>
    public static YamlNode? Child(YamlMappingNode? map, string key) =>
        map is not null && map.Children.TryGetValue(new YamlScalarNode(key), out var node) ? node : null;

    /// <summary>A key's value as a list of texts: a sequence of scalars, or one scalar.</summary>
    public static IReadOnlyList<string> TextList(YamlMappingNode? map, string key) => Child(map, key) switch
    {
        YamlSequenceNode sequence => [.. sequence.Children.OfType<YamlScalarNode>().Select(s => s.Value ?? "").Where(s => s.Length > 0)],
        YamlScalarNode { Value: { Length: > 0 } value } => [value],
        _ => [],
    };

    /// <summary>The kind and canonical text of a scalar.</summary>
    public static SigmaScalar Resolve(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style is not (ScalarStyle.Plain or ScalarStyle.Any) || !scalar.Tag.IsEmpty && scalar.Tag.Value == "tag:yaml.org,2002:str")
        {
            return new(SigmaScalarKind.String, text);
        }
        if (text is "" or "~" or "null" or "Null" or "NULL")
        {
            return new(SigmaScalarKind.Null, "");
        }
        if (text is "true" or "True" or "TRUE" or "yes" or "Yes" or "YES" or "on" or "On" or "ON")
        {
            return new(SigmaScalarKind.Boolean, "true");
        }
        if (text is "false" or "False" or "FALSE" or "no" or "No" or "NO" or "off" or "Off" or "OFF")
        {
            return new(SigmaScalarKind.Boolean, "false");
        }
        if (DecimalNumber().IsMatch(text) && double.TryParse(text.Replace("_", "", StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
        {
            // Vigil compares a number by its canonical text (500, 0.25), whatever the JSON it came in.
            return new(SigmaScalarKind.Number, AttributeValue.FormatNumber(number));
        }
        return new(SigmaScalarKind.String, text);
    }

    /// <summary>Decimal integers and decimals as YAML 1.1 reads them (no octal, hexadecimal or sexagesimal forms).</summary>
    [GeneratedRegex(@"^[-+]?(0|[1-9][0-9_]*)(\.[0-9_]*)?([eE][-+]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex DecimalNumber();
}
