using System.Globalization;
using System.Text;
using Portal.Detection.Events;
using Portal.Detection.Intake;
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
        if (target.Kind == SigmaTargetKind.FreeText && !modifiers.All && modifiers.Special is null && modifiers.Transforms.Count == 0)
        {
            values = WithoutWordlessKeywords(values, where);
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
            case SigmaTargetKind.Status:
                if (!pattern.IsLiteral)
                {
                    diagnostics.Unsupported(where, "the intake keeps a record's 'status' only as the log status it maps to, so it can be matched by exact value only");
                    return SigmaExpression.True;
                }
                var status = LogStatuses.Map(pattern.LiteralText);
                diagnostics.Inexact(where, $"the intake keeps a record's 'status' only as the log status it maps to ('{pattern.LiteralText}' → '{status}'); matched as status:{status}, which other values mapping to '{status}' also match");
                return Term("status:" + SigmaQueryText.Escape(status), where);
            case SigmaTargetKind.PathExtension:
                var extension = pattern.IsLiteral ? pattern.LiteralText : "";
                if (extension.Length == 0 || extension.Contains('.', StringComparison.Ordinal) || extension.Contains('/', StringComparison.Ordinal))
                {
                    diagnostics.Unsupported(where, "an extension converts only as an exact value without '.' or '/' (matched as the end of @http.url_details.path)");
                    return SigmaExpression.True;
                }
                return Term($"{target.QueryField}:*{SigmaQueryText.Escape("." + extension)}", where);
            case SigmaTargetKind.Attribute when source?.Fields is not null && pattern.IsLiteral && pattern.LiteralText == "-":
                // Access logs write '-' for an empty field, and the access-log parser leaves such a field out.
                return SigmaExpression.Not(Term($"{target.QueryField}:*", where));
            default:
                return Term($"{target.QueryField}:{pattern.ToQueryValue()}", where);
        }
    }

    /// <summary>
    /// Keywords search the whole event in Sigma, as substrings; Vigil's full text is words (letters, digits, '_'), so a keyword
    /// becomes its word sequence, and each run between wildcards a sequence that must appear, which matches differently.
    /// The exception is a single word in a line-based log, which converts exactly.
    /// </summary>
    private SigmaExpression Keyword(SigmaPattern pattern, string where)
    {
        var literals = pattern.Parts.Where(p => p.Kind == SigmaPatternPart.Literal).ToList();
        if (source?.LineBased == true && literals is [var single] && single.Text.All(TextTokens.IsWordChar) && pattern.Parts.All(p => p.Kind != SigmaPatternPart.AnyOne))
        {
            // A keyword of word characters only lies within one word wherever it occurs, and the message is the whole line:
            // '*keyword*' over the words is exactly a case-insensitive substring search of the event.
            return Term($"*{single.Text}*", where);
        }
        var terms = new List<SigmaExpression>();
        foreach (var (kind, text) in pattern.Parts)
        {
            if (kind != SigmaPatternPart.Literal || !text.Any(TextTokens.IsWordChar))
            {
                continue;
            }
            var word = SigmaQueryText.Escape(text);
            // A lone AND, OR or NOT would read as an operator; full text is case-insensitive, so lower case means the same.
            terms.Add(Term(word is "AND" or "OR" or "NOT" ? word.ToLowerInvariant() : word, where));
        }
        if (terms.Count == 0)
        {
            diagnostics.Unsupported(where, $"the keyword '{pattern}' has no letters or digits, and Vigil's full-text search matches words");
            return SigmaExpression.True;
        }
        diagnostics.Inexact(where, "keywords are matched as the words of the message (whole words, in order), not as substrings of the event");
        return SigmaExpression.And(terms);
    }

    /// <summary>
    /// Leaves out of a keyword list (an OR) the keywords without a letter or digit, which full-text search cannot find,
    /// so that the others still convert; a list of nothing else is left whole, to be reported as unsupported.
    /// </summary>
    private List<SigmaScalar> WithoutWordlessKeywords(List<SigmaScalar> values, string where)
    {
        var wordless = values.Where(v => v.Kind != SigmaScalarKind.Null && !v.Text.Any(TextTokens.IsWordChar)).ToList();
        if (wordless.Count == 0 || wordless.Count == values.Count)
        {
            return values;
        }
        diagnostics.Inexact(where, $"the keywords {string.Join(", ", wordless.Select(v => $"'{v.Text}'"))} have no letters or digits, and Vigil's full-text search matches words: they are left out of the list");
        return [.. values.Except(wordless)];
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
