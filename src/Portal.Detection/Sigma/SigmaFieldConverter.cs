using System.Globalization;
using System.Text;
using Portal.Detection.Events;
using Portal.Detection.Query;
using YamlDotNet.RepresentationModel;

namespace Portal.Detection.Sigma;

/// <summary>
/// Converts one field of a selection (<c>c-uri|contains|all: [a, b]</c>) or a keyword list into an expression.
/// A list of values is an OR (an AND with <c>all</c>); the values of one expansion (<c>windash</c>, <c>base64offset</c>) are an OR.
/// Values are written as Sigma has them: Sigma matches case-insensitively by default, Vigil's attribute values are
/// case-sensitive, and the canonical casing of fields such as CloudTrail's <c>eventName</c> is what rules are written
/// in (docs/SIGMA.md, "Case").
/// </summary>
internal sealed class SigmaFieldConverter(SigmaLogSource? source, SigmaDiagnostics diagnostics)
{
    /// <summary>Converts <paramref name="key"/> (field and modifiers) with its value or values.</summary>
    public SigmaExpression Convert(string key, YamlNode node, string path)
    {
        var where = SigmaYaml.Where(node, path);
        var names = key.Split('|');
        var modifiers = SigmaModifiers.Parse(names[1..], where, diagnostics);
        var target = SigmaFields.Resolve(source, names[0], where, diagnostics);
        if (modifiers is null || target is null)
        {
            return SigmaExpression.True;
        }
        var nodes = node is YamlSequenceNode sequence ? sequence.Children : [node];
        if (nodes.Count == 0)
        {
            diagnostics.Unsupported(where, "an empty list of values");
            return SigmaExpression.True;
        }
        var values = new List<SigmaScalar>();
        foreach (var child in nodes)
        {
            if (child is not YamlScalarNode scalar)
            {
                diagnostics.Invalid(where, "expected a value or a list of values");
                return SigmaExpression.True;
            }
            values.Add(SigmaYaml.Resolve(scalar));
        }
        if (modifiers.Special == "cidr" && !modifiers.All)
        {
            return Cidr(target, values, where);
        }
        var terms = values.Select(v => Value(target, modifiers, v, where)).ToList();
        return modifiers.All ? SigmaExpression.And(terms) : SigmaExpression.Or(terms);
    }

    private SigmaExpression Value(SigmaTarget target, SigmaModifiers modifiers, SigmaScalar value, string where)
    {
        switch (modifiers.Special)
        {
            case "exists":
                return Exists(target, value, where);
            case "cidr":
                return Cidr(target, [value], where);
            case "lt" or "lte" or "gt" or "gte":
                return Comparison(target, modifiers.Special, value, where);
            case "fieldref":
                diagnostics.Unsupported(where, "'fieldref' compares two fields of one event, which Vigil's query language cannot express");
                return SigmaExpression.True;
            case "expand":
                diagnostics.Unsupported(where, "'expand' placeholders need values from a pipeline configuration that Vigil does not have");
                return SigmaExpression.True;
            case "re":
                return Regex(target, modifiers.RegexFlags, value, where);
        }
        if (value.Kind == SigmaScalarKind.Null)
        {
            if (modifiers.Transforms.Count > 0 || modifiers.Position is not null || target.Kind != SigmaTargetKind.Attribute)
            {
                diagnostics.Unsupported(where, "null (a missing field) applies to attributes, without modifiers");
                return SigmaExpression.True;
            }
            return SigmaExpression.Not(Term($"{target.QueryField}:*", where));
        }
        var patterns = Transform(value.Kind == SigmaScalarKind.String ? SigmaPattern.Parse(value.Text) : SigmaPattern.Literal(value.Text), modifiers.Transforms, where);
        if (patterns is null)
        {
            return SigmaExpression.True;
        }
        var positioned = patterns.Select(p => modifiers.Position switch
        {
            "contains" => p.Contains(),
            "startswith" => p.StartsWith(),
            "endswith" => p.EndsWith(),
            _ => p,
        });
        return SigmaExpression.Or(positioned.Select(p => Render(target, p, where)));
    }

    /// <summary>Applies the value transformations in order; null after reporting one that cannot apply.</summary>
    private List<SigmaPattern>? Transform(SigmaPattern pattern, IReadOnlyList<string> transforms, string where)
    {
        List<SigmaPattern> patterns = [pattern];
        Encoding encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
        string? pendingEncoding = null;
        foreach (var transform in transforms)
        {
            if (SigmaEncodings.FromModifier(transform) is { } selected)
            {
                encoding = selected;
                pendingEncoding = transform;
                continue;
            }
            if (transform is "base64" or "base64offset")
            {
                if (patterns.Any(p => !p.IsLiteral))
                {
                    diagnostics.Unsupported(where, $"'{transform}' of a value with wildcards is undefined (Sigma forbids it)");
                    return null;
                }
                patterns = transform == "base64"
                    ? [.. patterns.Select(p => SigmaPattern.Literal(SigmaEncodings.Base64(p.LiteralText, encoding)))]
                    : [.. patterns.SelectMany(p => SigmaEncodings.Base64Offsets(p.LiteralText, encoding)).Distinct(StringComparer.Ordinal).Select(SigmaPattern.Literal)];
                pendingEncoding = null;
                continue;
            }
            var expanded = new List<SigmaPattern>();
            foreach (var p in patterns)
            {
                if (SigmaEncodings.Windash(p) is not { } variants)
                {
                    diagnostics.Unsupported(where, $"'windash' would produce more than {SigmaEncodings.MaxWindashVariants} variants of '{p}'");
                    return null;
                }
                expanded.AddRange(variants);
            }
            patterns = expanded;
        }
        if (pendingEncoding is not null)
        {
            diagnostics.Unsupported(where, $"'{pendingEncoding}' without a following 'base64' or 'base64offset' would search for text with NUL characters, which Vigil's text values do not hold");
            return null;
        }
        return patterns;
    }

    private SigmaExpression Render(SigmaTarget target, SigmaPattern pattern, string where)
    {
        switch (target.Kind)
        {
            case SigmaTargetKind.FreeText:
                return Keyword(pattern, where);
            case SigmaTargetKind.PathExtension:
                var extension = pattern.IsLiteral ? pattern.LiteralText : "";
                if (extension.Length == 0 || extension.Contains('.', StringComparison.Ordinal) || extension.Contains('/', StringComparison.Ordinal))
                {
                    diagnostics.Unsupported(where, "an extension converts only as an exact value without '.' or '/' (matched as the end of @http.url_details.path)");
                    return SigmaExpression.True;
                }
                return Term($"{target.QueryField}:*{QueryText.Escape("." + extension)}", where);
            case SigmaTargetKind.Attribute when source?.Fields is not null && pattern.IsLiteral && pattern.LiteralText == "-":
                // Access logs write '-' for an empty field, and the access-log parser leaves such a field out.
                return SigmaExpression.Not(Term($"{target.QueryField}:*", where));
            default:
                return Term($"{target.QueryField}:{pattern.ToQueryValue()}", where);
        }
    }

    /// <summary>
    /// Keywords are case-insensitive substrings of the whole event in Sigma. Free text is case-insensitive too, and in a
    /// line-based log (web access, Apache/nginx, Linux) the message is the whole line, so: a keyword of word characters
    /// only (letters, digits, '_') is '*keyword*' over the words, since wherever it occurs it lies within one word; any
    /// other is a pattern over the whole message ('*stopping\ iptables*'), which the query language reads as such because
    /// it holds a space or punctuation. Only a keyword whose literals are all words but that has a wildcard between or
    /// beside them ('Trojan*FOUND', 'fo?o') has no exact form: a pattern of word characters searches each word.
    /// </summary>
    private SigmaExpression Keyword(SigmaPattern pattern, string where)
    {
        var literals = pattern.Parts.Where(p => p.Kind == SigmaPatternPart.Literal).ToList();
        if (literals.Count == 0)
        {
            diagnostics.Unsupported(where, "a keyword of wildcards only matches every event");
            return SigmaExpression.True;
        }
        if (source?.LineBased != true)
        {
            diagnostics.Inexact(where, "keywords search the event's message, which for records shipped as JSON is not the whole record");
        }
        var wordsOnly = literals.All(l => l.Text.All(TextTokens.IsWordChar));
        if (!wordsOnly)
        {
            return Term(pattern.Contains().ToQueryValue(), where);
        }
        if (literals is [var single] && pattern.Parts.All(p => p.Kind != SigmaPatternPart.AnyOne))
        {
            return Term($"*{single.Text}*", where);
        }
        diagnostics.Inexact(where, "a keyword of words joined by wildcards is matched word by word: each word must appear in the message, in any order");
        return SigmaExpression.And(literals.Select(l => Term($"*{l.Text}*", where)));
    }

    private SigmaExpression Exists(SigmaTarget target, SigmaScalar value, string where)
    {
        if (value.Kind != SigmaScalarKind.Boolean || target.Kind is not (SigmaTargetKind.Attribute or SigmaTargetKind.Reserved))
        {
            diagnostics.Unsupported(where, "'exists' takes true or false and applies to a field");
            return SigmaExpression.True;
        }
        var exists = Term($"{target.QueryField}:*", where);
        return value.Text == "true" ? exists : SigmaExpression.Not(exists);
    }

    private SigmaExpression Cidr(SigmaTarget target, IReadOnlyList<SigmaScalar> values, string where)
    {
        if (target.Kind != SigmaTargetKind.Attribute)
        {
            diagnostics.Unsupported(where, "'cidr' applies to IP attributes");
            return SigmaExpression.True;
        }
        foreach (var value in values)
        {
            if (value.Kind != SigmaScalarKind.String || !IpRange.TryParse(value.Text, out _))
            {
                diagnostics.Unsupported(where, $"'{value.Text}' is not a network such as 10.0.0.0/8");
                return SigmaExpression.True;
            }
        }
        return Term($"CIDR({target.QueryField}, {string.Join(", ", values.Select(v => v.Text))})", where);
    }

    private SigmaExpression Comparison(SigmaTarget target, string modifier, SigmaScalar value, string where)
    {
        if (target.Kind != SigmaTargetKind.Attribute
            || !double.TryParse(value.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number))
        {
            diagnostics.Unsupported(where, $"'{modifier}' compares a numeric attribute with a number");
            return SigmaExpression.True;
        }
        var op = modifier switch
        {
            "lt" => "<",
            "lte" => "<=",
            "gt" => ">",
            _ => ">=",
        };
        return Term($"{target.QueryField}:{op}{AttributeValue.FormatNumber(number)}", where);
    }

    private SigmaExpression Regex(SigmaTarget target, string flags, SigmaScalar value, string where)
    {
        if (SigmaRegex.ToPattern(value.Text, out var usesDot, out var reason) is not { } pattern)
        {
            diagnostics.Unsupported(where, $"regular expression '{value.Text}': Vigil's query language has none, and this one is not a wildcard pattern ({reason})");
            return SigmaExpression.True;
        }
        if (usesDot && !flags.Contains('s', StringComparison.Ordinal))
        {
            diagnostics.Inexact(where, "the regex '.' became '?', which also matches a line break");
        }
        if (flags.Contains('m', StringComparison.Ordinal) && (value.Text.StartsWith('^') || value.Text.EndsWith('$')))
        {
            diagnostics.Inexact(where, "with the 'm' flag '^' and '$' also match at line breaks; they were converted as the ends of the value");
        }
        return Render(target, pattern, where);
    }

    /// <summary>A term, checked by the query parser so that no conversion emits a query Vigil cannot run.</summary>
    private SigmaExpression Term(string text, string where)
    {
        if (!QueryParser.TryParse(text, out _, out var error))
        {
            diagnostics.Unsupported(where, $"the query term '{text}' is not valid: {error!.Message}");
            return SigmaExpression.True;
        }
        return SigmaExpression.Term(text);
    }
}
