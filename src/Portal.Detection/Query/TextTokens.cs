namespace Portal.Detection.Query;

/// <summary>
/// How free text is split into words, shared by the in-memory matcher and every store so that
/// all of them agree: runs of letters, digits and underscores, lower-cased (free text is case-insensitive).
/// </summary>
public static class TextTokens
{
    /// <summary>The words of <paramref name="text"/>, lower-cased, in order.</summary>
    public static List<string> Tokenize(string? text) => Tokenize(text, text?.ToLowerInvariant());

    /// <summary>
    /// The words of <paramref name="text"/>, cut from <paramref name="lowered"/>, its <see cref="string.ToLowerInvariant"/>
    /// form (same length, char for char): lowering once and cutting words from it saves a copy per word.
    /// </summary>
    public static List<string> Tokenize(string? text, string? lowered)
    {
        var tokens = new List<string>();
        if (string.IsNullOrEmpty(text))
        {
            return tokens;
        }
        // Invariant lower-casing maps char for char; should a future runtime change that, lower word by word instead.
        var sameLength = lowered is not null && lowered.Length == text.Length;
        foreach (var (start, end) in Words(text))
        {
            tokens.Add(sameLength ? lowered![start..end] : text[start..end].ToLowerInvariant());
        }
        return tokens;
    }

    /// <summary>Where the words of <paramref name="text"/> lie, in order, as <c>[Start, End)</c>: runs of <see cref="IsWordChar"/> characters.</summary>
    public static WordRanges Words(string text) => new(text);

    /// <summary>The words' ranges of a text, enumerated without allocating (<see cref="Words"/>).</summary>
    public struct WordRanges(string text)
    {
        private int _next;

        public readonly WordRanges GetEnumerator() => this;

        public (int Start, int End) Current { get; private set; }

        public bool MoveNext()
        {
            var i = _next;
            while (i < text.Length && !IsWordChar(text[i]))
            {
                i++;
            }
            if (i == text.Length)
            {
                _next = i;
                return false;
            }
            var start = i;
            while (i < text.Length && IsWordChar(text[i]))
            {
                i++;
            }
            (Current, _next) = ((start, i), i);
            return true;
        }
    }

    /// <summary>
    /// True when <paramref name="word"/> starts a word of the lower-cased <paramref name="text"/> (and ends it, for a
    /// <paramref name="wholeWord"/>): the words <see cref="Tokenize(string?)"/> would cut, found without cutting them.
    /// </summary>
    public static bool HasWord(string text, string word, bool wholeWord)
    {
        for (var from = 0; from <= text.Length - word.Length;)
        {
            var at = text.IndexOf(word, from, StringComparison.Ordinal);
            if (at < 0)
            {
                return false;
            }
            var end = at + word.Length;
            if ((at == 0 || !IsWordChar(text[at - 1])) && (!wholeWord || end == text.Length || !IsWordChar(text[end])))
            {
                return true;
            }
            from = at + 1;
        }
        return false;
    }

    /// <summary>True for characters that belong to a word.</summary>
    public static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_';
}
