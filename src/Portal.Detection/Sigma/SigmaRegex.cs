using System.Text;

namespace Portal.Detection.Sigma;

/// <summary>
/// Vigil's query language has no regular expressions, so a Sigma <c>re</c> value converts only when it is really a
/// wildcard pattern: literal characters (escaped metacharacters included), <c>.</c>, <c>.*</c>, <c>.+</c>, and the anchors
/// <c>^</c> and <c>$</c> at the ends. Sigma regexes search (they are not anchored), so a missing anchor becomes a <c>*</c>.
/// </summary>
internal static class SigmaRegex
{
    /// <summary>Characters a regex must escape to mean themselves.</summary>
    private const string Metacharacters = @"\^$.|?*+()[]{}";

    /// <summary>
    /// The wildcard pattern <paramref name="regex"/> is, or null with the reason when it is none.
    /// <paramref name="usesDot"/> tells whether a <c>.</c> was translated: without the <c>s</c> flag it does not match a line break while <c>?</c> does.
    /// </summary>
    public static SigmaPattern? ToPattern(string regex, out bool usesDot, out string? reason)
    {
        usesDot = false;
        var parts = new List<(SigmaPatternPart, string)>();
        var literal = new StringBuilder();
        var i = 0;
        var anchoredStart = regex.StartsWith('^');
        if (anchoredStart)
        {
            i++;
        }
        var end = regex.Length;
        var anchoredEnd = end > i && regex[end - 1] == '$' && !IsEscaped(regex, end - 1);
        if (anchoredEnd)
        {
            end--;
        }
        if (!anchoredStart)
        {
            parts.Add((SigmaPatternPart.AnyRun, ""));
        }
        while (i < end)
        {
            var c = regex[i];
            if (c == '\\')
            {
                if (i + 1 >= end || !Metacharacters.Contains(regex[i + 1], StringComparison.Ordinal) && regex[i + 1] is not ('/' or '-' or '"' or '\'' or ' ' or '#' or ':' or '=' or '&' or '%' or ',' or '<' or '>' or '@' or '!' or '~' or '`'))
                {
                    // \d, \w, \s, \b and friends are classes or assertions, not characters.
                    reason = i + 1 < end ? $"the escape '\\{regex[i + 1]}' is a character class or assertion" : "a trailing '\\'";
                    return null;
                }
                literal.Append(regex[i + 1]);
                i += 2;
                continue;
            }
            if (c == '.')
            {
                usesDot = true;
                Flush();
                var next = i + 1 < end ? regex[i + 1] : '\0';
                if (next == '*')
                {
                    parts.Add((SigmaPatternPart.AnyRun, ""));
                    i += 2;
                }
                else if (next == '+')
                {
                    parts.Add((SigmaPatternPart.AnyOne, ""));
                    parts.Add((SigmaPatternPart.AnyRun, ""));
                    i += 2;
                }
                else
                {
                    parts.Add((SigmaPatternPart.AnyOne, ""));
                    i++;
                }
                if (i < end && regex[i] is '?' or '+' or '*' or '{')
                {
                    reason = "a quantifier after '.*' or '.+'";
                    return null;
                }
                continue;
            }
            if (Metacharacters.Contains(c, StringComparison.Ordinal))
            {
                reason = $"'{c}' at position {i} is a regex operator (groups, classes, alternation and quantifiers have no wildcard equivalent)";
                return null;
            }
            if (i + 1 < end && regex[i + 1] is '?' or '*' or '+' or '{')
            {
                reason = $"the quantifier '{regex[i + 1]}' at position {i + 1} has no wildcard equivalent";
                return null;
            }
            literal.Append(c);
            i++;
        }
        Flush();
        if (!anchoredEnd)
        {
            parts.Add((SigmaPatternPart.AnyRun, ""));
        }
        reason = null;
        return SigmaPattern.FromParts(parts);

        void Flush()
        {
            if (literal.Length > 0)
            {
                parts.Add((SigmaPatternPart.Literal, literal.ToString()));
                literal.Clear();
            }
        }
    }

    private static bool IsEscaped(string text, int index)
    {
        var backslashes = 0;
        for (var i = index - 1; i >= 0 && text[i] == '\\'; i--)
        {
            backslashes++;
        }
        return backslashes % 2 == 1;
    }
}
