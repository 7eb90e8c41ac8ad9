using Portal.Detection.Events;

namespace Portal.Detection.Query;

/// <summary>Evaluates a parsed query against one event in memory (rule tests, previews, real-time rules).</summary>
public static class QueryMatcher
{
    /// <summary>True when <paramref name="e"/> satisfies <paramref name="query"/>.</summary>
    public static bool Matches(QueryNode query, LogEvent e) => query switch
    {
        MatchAllNode => true,
        AndNode and => and.Children.All(c => Matches(c, e)),
        OrNode or => or.Children.Any(c => Matches(c, e)),
        NotNode not => !Matches(not.Child, e),
        TermNode term => MatchesTerm(term, e),
        RangeNode range => e.GetAttribute(range.Field.Name).Any(v => v.RangeValue is { } n && range.Contains(n)),
        CidrNode cidr => e.GetAttribute(cidr.Field.Name).Any(v => InNetworks(cidr, v.Text)),
        ExistsNode exists => Values(exists.Field, e).Any(),
        _ => throw new NotSupportedException($"Unknown query node {query.GetType().Name}"),
    };

    private static bool InNetworks(CidrNode cidr, string text)
    {
        if (!IpText.TryParse(text, out var ip))
        {
            return false;
        }
        var address = IpText.ToUInt128(ip);
        return cidr.Networks.Any(n => n.Contains(address));
    }

    private static bool MatchesTerm(TermNode term, LogEvent e)
    {
        if (term.Field.Kind == FieldKind.FreeText)
        {
            return MatchesText(term, TextTokens.Tokenize(e.Message));
        }
        if (term.Field.Kind == FieldKind.Tag)
        {
            var key = term.Field.Name + ":";
            return e.Tags.Any(t => t.StartsWith(key, StringComparison.Ordinal) && MatchesValue(term, t[key.Length..]));
        }
        return Values(term.Field, e).Any(v => MatchesValue(term, v));
    }

    private static bool MatchesValue(TermNode term, string value) => term.Kind switch
    {
        TermKind.Prefix => value.StartsWith(term.Value, StringComparison.Ordinal),
        TermKind.Wildcard => WildcardPattern.IsMatch(term.Value, value),
        _ => string.Equals(value, term.Value, StringComparison.Ordinal),
    };

    private static bool MatchesText(TermNode term, List<string> words)
    {
        if (term.Kind == TermKind.Wildcard)
        {
            // The pattern is one lower-cased word with wildcards; tokenizing it would drop them.
            return words.Any(w => WildcardPattern.IsMatch(term.Value, w));
        }
        var wanted = TextTokens.Tokenize(term.Value);
        if (wanted.Count == 0)
        {
            return false;
        }
        if (term.Kind == TermKind.Prefix)
        {
            return words.Any(w => w.StartsWith(wanted[0], StringComparison.Ordinal));
        }
        for (var i = 0; i + wanted.Count <= words.Count; i++)
        {
            var j = 0;
            while (j < wanted.Count && words[i + j] == wanted[j])
            {
                j++;
            }
            if (j == wanted.Count)
            {
                return true;
            }
        }
        return false;
    }

    private static IEnumerable<string> Values(FieldRef field, LogEvent e) => field.Kind switch
    {
        FieldKind.Reserved or FieldKind.FreeText => e.GetReserved(field.Name) is { } v ? [v] : [],
        FieldKind.Tag => e.Tags.Where(t => t.StartsWith(field.Name + ":", StringComparison.Ordinal)),
        FieldKind.Attribute => e.GetAttribute(field.Name).Select(v => v.Text),
        _ => [],
    };
}
