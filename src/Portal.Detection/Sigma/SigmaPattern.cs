using System.Text;
using Portal.Detection.Query;

namespace Portal.Detection.Sigma;

/// <summary>What a part of a <see cref="SigmaPattern"/> is.</summary>
internal enum SigmaPatternPart
{
    /// <summary>Text matched as it is.</summary>
    Literal,

    /// <summary><c>*</c>: any run of characters, empty included.</summary>
    AnyRun,

    /// <summary><c>?</c>: exactly one character.</summary>
    AnyOne,
}

/// <summary>
/// A Sigma value as literal text and wildcards. Sigma reads <c>*</c> and <c>?</c> as wildcards; <c>\*</c>, <c>\?</c> and
/// <c>\\</c> as the literal characters; and any other backslash as itself (as pySigma does), so <c>C:\Windows\</c> stays as written.
/// Adjacent literals are merged and runs of wildcards are written one way, so equal patterns have equal parts.
/// </summary>
internal sealed class SigmaPattern
{
    private SigmaPattern(List<(SigmaPatternPart Kind, string Text)> parts) => Parts = Normalize(parts);

    /// <summary>The parts, in order; a literal part is never empty.</summary>
    public IReadOnlyList<(SigmaPatternPart Kind, string Text)> Parts { get; }

    /// <summary>True when the pattern has no wildcard.</summary>
    public bool IsLiteral => Parts.All(p => p.Kind == SigmaPatternPart.Literal);

    /// <summary>The text of a pattern without wildcards.</summary>
    public string LiteralText => string.Concat(Parts.Select(p => p.Text));

    /// <summary>A pattern that matches only <paramref name="text"/>.</summary>
    public static SigmaPattern Literal(string text) => new([(SigmaPatternPart.Literal, text)]);

    /// <summary>Reads a Sigma string value with its wildcards and escapes.</summary>
    public static SigmaPattern Parse(string text)
    {
        var parts = new List<(SigmaPatternPart, string)>();
        var literal = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\\' && i + 1 < text.Length && text[i + 1] is '*' or '?' or '\\')
            {
                literal.Append(text[++i]);
            }
            else if (c is '*' or '?')
            {
                parts.Add((SigmaPatternPart.Literal, literal.ToString()));
                literal.Clear();
                parts.Add((c == '*' ? SigmaPatternPart.AnyRun : SigmaPatternPart.AnyOne, ""));
            }
            else
            {
                literal.Append(c);
            }
        }
        parts.Add((SigmaPatternPart.Literal, literal.ToString()));
        return new SigmaPattern(parts);
    }

    /// <summary>The pattern from its parts.</summary>
    public static SigmaPattern FromParts(IEnumerable<(SigmaPatternPart Kind, string Text)> parts) => new([.. parts]);

    /// <summary><c>contains</c>: a <c>*</c> on each side.</summary>
    public SigmaPattern Contains() => new([(SigmaPatternPart.AnyRun, ""), .. Parts, (SigmaPatternPart.AnyRun, "")]);

    /// <summary><c>startswith</c>: a <c>*</c> after.</summary>
    public SigmaPattern StartsWith() => new([.. Parts, (SigmaPatternPart.AnyRun, "")]);

    /// <summary><c>endswith</c>: a <c>*</c> before.</summary>
    public SigmaPattern EndsWith() => new([(SigmaPatternPart.AnyRun, ""), .. Parts]);

    /// <summary>
    /// The pattern as a value of Vigil's query syntax: literals escaped, wildcards kept; <c>""</c> for the empty string.
    /// A lone <c>*</c> is Vigil's "has a value", which is what Sigma's <c>*</c> matches.
    /// </summary>
    public string ToQueryValue()
    {
        if (Parts.Count == 0)
        {
            return "\"\"";
        }
        var sb = new StringBuilder();
        foreach (var (kind, text) in Parts)
        {
            sb.Append(kind switch
            {
                SigmaPatternPart.AnyRun => "*",
                SigmaPatternPart.AnyOne => "?",
                _ => QueryText.Escape(text),
            });
        }
        return sb.ToString();
    }

    /// <summary>The pattern written back in Sigma's syntax, for messages.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        foreach (var (kind, text) in Parts)
        {
            sb.Append(kind switch
            {
                SigmaPatternPart.AnyRun => "*",
                SigmaPatternPart.AnyOne => "?",
                _ => text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("*", "\\*", StringComparison.Ordinal).Replace("?", "\\?", StringComparison.Ordinal),
            });
        }
        return sb.ToString();
    }

    /// <summary>
    /// Merges adjacent literals and writes each run of wildcards as its <c>?</c> then at most one <c>*</c>
    /// (<c>*?*</c> and <c>?*</c> match the same: at least one character).
    /// </summary>
    private static List<(SigmaPatternPart Kind, string Text)> Normalize(List<(SigmaPatternPart Kind, string Text)> parts)
    {
        var result = new List<(SigmaPatternPart Kind, string Text)>();
        int ones = 0;
        var anyRun = false;
        foreach (var part in parts)
        {
            switch (part.Kind)
            {
                case SigmaPatternPart.AnyOne:
                    ones++;
                    continue;
                case SigmaPatternPart.AnyRun:
                    anyRun = true;
                    continue;
                case SigmaPatternPart.Literal when part.Text.Length == 0:
                    continue;
            }
            FlushWildcards();
            if (result.Count > 0 && result[^1].Kind == SigmaPatternPart.Literal)
            {
                result[^1] = (SigmaPatternPart.Literal, result[^1].Text + part.Text);
                continue;
            }
            result.Add(part);
        }
        FlushWildcards();
        return result;

        void FlushWildcards()
        {
            result.AddRange(Enumerable.Repeat((SigmaPatternPart.AnyOne, ""), ones));
            if (anyRun)
            {
                result.Add((SigmaPatternPart.AnyRun, ""));
            }
            ones = 0;
            anyRun = false;
        }
    }
}
