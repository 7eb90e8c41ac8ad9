using System.Text;

namespace Portal.Detection.Query;

/// <summary>
/// Wildcard patterns as Lucene and Elasticsearch read them: <c>*</c> matches any run of characters,
/// <c>?</c> exactly one, and <c>\</c> makes the next character literal. The in-memory matcher uses
/// <see cref="IsMatch"/> so that it agrees with both stores.
/// </summary>
public static class WildcardPattern
{
    /// <summary>Escapes a literal so that it matches only itself.</summary>
    public static string Escape(string literal)
    {
        if (literal.AsSpan().IndexOfAny('*', '?', '\\') < 0)
        {
            return literal;
        }
        var sb = new StringBuilder(literal.Length + 4);
        foreach (var c in literal)
        {
            if (c is '*' or '?' or '\\')
            {
                sb.Append('\\');
            }
            sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>
    /// The literal runs of <paramref name="pattern"/> (the text between wildcards), unescaped, in order, each with whether
    /// it begins or ends the pattern (so is anchored there).
    /// </summary>
    public static List<(string Text, bool AtStart, bool AtEnd)> LiteralRuns(string pattern)
    {
        var runs = new List<(string, bool, bool)>();
        var run = new StringBuilder();
        var runStart = 0;
        for (var i = 0; i <= pattern.Length; i++)
        {
            if (i == pattern.Length || pattern[i] is '*' or '?')
            {
                if (run.Length > 0)
                {
                    runs.Add((run.ToString(), runStart == 0, i == pattern.Length));
                    run.Clear();
                }
                runStart = i + 1;
                continue;
            }
            if (pattern[i] == '\\' && i + 1 < pattern.Length)
            {
                i++;
            }
            run.Append(pattern[i]);
        }
        return runs;
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Func<string, bool>> Compiled = new(StringComparer.Ordinal);

    /// <summary>
    /// A matcher for <paramref name="pattern"/>, built once per pattern: the common shapes <c>*text*</c>, <c>text*</c>
    /// and <c>*text</c> become vectorised ordinal searches, anything else uses <see cref="IsMatch"/>.
    /// </summary>
    public static Func<string, bool> Matcher(string pattern)
    {
        if (Compiled.TryGetValue(pattern, out var matcher))
        {
            return matcher;
        }
        if (Compiled.Count > 10_000)
        {
            Compiled.Clear();
        }
        return Compiled[pattern] = Build(pattern);
    }

    private static Func<string, bool> Build(string pattern)
    {
        var leading = pattern.StartsWith('*');
        var trailing = pattern.Length > 1 && pattern.EndsWith('*') && !IsEscaped(pattern, pattern.Length - 1);
        var inner = pattern[(leading ? 1 : 0)..(trailing ? pattern.Length - 1 : pattern.Length)];
        var literal = new System.Text.StringBuilder(inner.Length);
        for (var i = 0; i < inner.Length; i++)
        {
            var c = inner[i];
            if (c is '*' or '?')
            {
                return value => IsMatch(pattern, value);
            }
            if (c == '\\' && i + 1 < inner.Length)
            {
                c = inner[++i];
            }
            literal.Append(c);
        }
        var text = literal.ToString();
        return (leading, trailing) switch
        {
            (true, true) => value => value.Contains(text, StringComparison.Ordinal),
            (true, false) => value => value.EndsWith(text, StringComparison.Ordinal),
            (false, true) => value => value.StartsWith(text, StringComparison.Ordinal),
            _ => value => string.Equals(value, text, StringComparison.Ordinal),
        };
    }

    private static bool IsEscaped(string pattern, int index)
    {
        var backslashes = 0;
        for (var i = index - 1; i >= 0 && pattern[i] == '\\'; i--)
        {
            backslashes++;
        }
        return backslashes % 2 == 1;
    }

    /// <summary>True when the whole of <paramref name="value"/> matches <paramref name="pattern"/>.</summary>
    public static bool IsMatch(string pattern, string value)
    {
        // Greedy matching with one backtrack point (the last '*'): linear in practice, never exponential.
        int p = 0, v = 0, starP = -1, starV = 0;
        while (v < value.Length)
        {
            if (p < pattern.Length && pattern[p] == '*')
            {
                starP = ++p;
                starV = v;
                continue;
            }
            if (p < pattern.Length && MatchesOne(pattern, ref p, value, v))
            {
                v = NextChar(value, v);
                continue;
            }
            if (starP < 0)
            {
                return false;
            }
            p = starP;
            v = starV = NextChar(value, starV);
        }
        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }
        return p == pattern.Length;
    }

    /// <summary>Matches one pattern element (a literal, an escape or '?') at <paramref name="v"/>; advances <paramref name="p"/> on success.</summary>
    private static bool MatchesOne(string pattern, ref int p, string value, int v)
    {
        var c = pattern[p];
        if (c == '?')
        {
            p++;
            return true;
        }
        var literalAt = c == '\\' && p + 1 < pattern.Length ? p + 1 : p;
        var length = char.IsHighSurrogate(pattern[literalAt]) && literalAt + 1 < pattern.Length ? 2 : 1;
        if (string.CompareOrdinal(pattern, literalAt, value, v, length) != 0)
        {
            return false;
        }
        p = literalAt + length;
        return true;
    }

    /// <summary>The index after the code point at <paramref name="i"/> (Lucene's '?' is one code point).</summary>
    private static int NextChar(string value, int i) =>
        char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]) ? i + 2 : i + 1;
}
