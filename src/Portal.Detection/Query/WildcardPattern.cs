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
