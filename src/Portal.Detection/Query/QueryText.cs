using System.Text;

namespace Portal.Detection.Query;

/// <summary>Writes literal text into Vigil's query syntax (docs/SEARCH-SYNTAX.md).</summary>
public static class QueryText
{
    /// <summary>
    /// Backslash-escapes every character Datadog's search syntax calls special (<c>+ - = &amp; | &gt; &lt; ! ( ) { } [ ] ^ " “ ” ~ * ? : \ /</c>)
    /// and whitespace, so that <paramref name="literal"/> reads back as one value that matches only itself. Vigil's parser
    /// needs fewer (whitespace, <c>( ) " * ? \</c>, and <c>: &lt; &gt; [ { -</c> where they start a term), but a rule
    /// exported to Datadog must parse there too. The empty string has no escaped form: write it as <c>""</c>.
    /// </summary>
    public static string Escape(string literal)
    {
        var sb = new StringBuilder(literal.Length + 8);
        foreach (var c in literal)
        {
            if (IsSpecial(c))
            {
                sb.Append('\\');
            }
            sb.Append(c);
        }
        return sb.ToString();
    }

    private static bool IsSpecial(char c) =>
        char.IsWhiteSpace(c)
        || c is '+' or '-' or '=' or '&' or '|' or '>' or '<' or '!' or '(' or ')' or '{' or '}' or '[' or ']'
            or '^' or '"' or '\u201C' or '\u201D' or '~' or '*' or '?' or ':' or '\\' or '/';
}
