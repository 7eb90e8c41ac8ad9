namespace Portal.Detection.Query;

/// <summary>
/// Where the free-text terms of a query are found in a message, for a list or a detail to highlight them as Datadog's Log
/// Explorer does: words, word sequences, prefixes and patterns found as the matcher finds them (<see cref="TextTokens"/>'s
/// words, case-insensitively), and a message pattern's literal text wherever it occurs. Terms under a negation are not
/// highlighted: a message shown never holds them.
/// </summary>
public static class TextHighlights
{
    /// <summary>The free-text terms of <paramref name="query"/> that a matching message may hold (none under a negation).</summary>
    public static IReadOnlyList<TermNode> Terms(QueryNode? query)
    {
        var terms = new List<TermNode>();
        Collect(query, terms);
        return terms;
    }

    private static void Collect(QueryNode? node, List<TermNode> terms)
    {
        switch (node)
        {
            case TermNode { Field.Kind: FieldKind.FreeText } term:
                terms.Add(term);
                break;
            case AndNode and:
                foreach (var child in and.Children)
                {
                    Collect(child, terms);
                }
                break;
            case OrNode or:
                foreach (var child in or.Children)
                {
                    Collect(child, terms);
                }
                break;
        }
    }

    /// <summary>
    /// The spans of <paramref name="message"/> the <paramref name="terms"/> find, as (start, length), in order and
    /// merged where they meet or overlap; none when no term is found.
    /// </summary>
    public static List<(int Start, int Length)> Find(string? message, IReadOnlyList<TermNode> terms)
    {
        var spans = new List<(int Start, int End)>();
        if (string.IsNullOrEmpty(message) || terms.Count == 0)
        {
            return [];
        }
        var lowered = message.ToLowerInvariant();
        // Invariant lower-casing maps char for char (as TextTokens assumes): positions in the lowered text are the message's.
        if (lowered.Length != message.Length)
        {
            return [];
        }
        var words = Words(lowered);
        foreach (var term in terms)
        {
            switch (term.Kind)
            {
                case TermKind.MessagePattern:
                    foreach (var (text, _, _) in WildcardPattern.LiteralRuns(term.Value))
                    {
                        Occurrences(lowered, text.ToLowerInvariant(), spans);
                    }
                    break;
                case TermKind.Wildcard:
                    var pattern = WildcardPattern.Matcher(term.Value.ToLowerInvariant());
                    spans.AddRange(words.Where(w => pattern(w.Text)).Select(w => (w.Start, w.End)));
                    break;
                default:
                    var wanted = TextTokens.Tokenize(term.Value);
                    if (wanted.Count == 0)
                    {
                        break;
                    }
                    if (term.Kind == TermKind.Prefix)
                    {
                        spans.AddRange(words.Where(w => w.Text.StartsWith(wanted[0], StringComparison.Ordinal)).Select(w => (w.Start, w.End)));
                        break;
                    }
                    for (var i = 0; i + wanted.Count <= words.Count; i++)
                    {
                        if (Enumerable.Range(0, wanted.Count).All(k => words[i + k].Text == wanted[k]))
                        {
                            spans.Add((words[i].Start, words[i + wanted.Count - 1].End));
                        }
                    }
                    break;
            }
        }
        return Merged(spans);
    }

    /// <summary>The words of lower-cased text, as <see cref="TextTokens.Tokenize(string?)"/> cuts them, with where each lies.</summary>
    private static List<(string Text, int Start, int End)> Words(string lowered)
    {
        var words = new List<(string, int, int)>();
        foreach (var (start, end) in TextTokens.Words(lowered))
        {
            words.Add((lowered[start..end], start, end));
        }
        return words;
    }

    private static void Occurrences(string lowered, string text, List<(int Start, int End)> spans)
    {
        if (text.Length == 0)
        {
            return;
        }
        for (var at = lowered.IndexOf(text, StringComparison.Ordinal); at >= 0; at = lowered.IndexOf(text, at + text.Length, StringComparison.Ordinal))
        {
            spans.Add((at, at + text.Length));
        }
    }

    private static List<(int Start, int Length)> Merged(List<(int Start, int End)> spans)
    {
        var merged = new List<(int Start, int Length)>();
        var (start, end) = (-1, -1);
        foreach (var (s, e) in spans.OrderBy(s => s.Start))
        {
            if (start >= 0 && s <= end)
            {
                end = Math.Max(end, e);
                continue;
            }
            if (start >= 0)
            {
                merged.Add((start, end - start));
            }
            (start, end) = (s, e);
        }
        if (start >= 0)
        {
            merged.Add((start, end - start));
        }
        return merged;
    }
}
