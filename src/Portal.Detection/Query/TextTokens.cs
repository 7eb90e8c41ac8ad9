namespace Portal.Detection.Query;

/// <summary>
/// How free text is split into words, shared by the in-memory matcher and every store so that
/// all of them agree: runs of letters, digits and underscores, lower-cased (free text is case-insensitive).
/// </summary>
public static class TextTokens
{
    /// <summary>The words of <paramref name="text"/>, lower-cased, in order.</summary>
    public static List<string> Tokenize(string? text)
    {
        var tokens = new List<string>();
        if (string.IsNullOrEmpty(text))
        {
            return tokens;
        }
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            var isWordChar = i < text.Length && IsWordChar(text[i]);
            if (isWordChar && start < 0)
            {
                start = i;
            }
            else if (!isWordChar && start >= 0)
            {
                tokens.Add(text[start..i].ToLowerInvariant());
                start = -1;
            }
        }
        return tokens;
    }

    /// <summary>True for characters that belong to a word.</summary>
    public static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_';
}
