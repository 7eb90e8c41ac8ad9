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
        ComparisonNode cmp => e.GetAttribute(cmp.Field.Name).Any(v => v.Number is { } n && Compare(n, cmp.Operator, cmp.Value)),
        ExistsNode exists => Values(exists.Field, e).Any(),
        _ => throw new NotSupportedException($"Unknown query node {query.GetType().Name}"),
    };

    /// <summary>Applies a comparison operator.</summary>
    public static bool Compare(double actual, ComparisonOperator op, double expected) => op switch
    {
        ComparisonOperator.GreaterThan => actual > expected,
        ComparisonOperator.GreaterThanOrEqual => actual >= expected,
        ComparisonOperator.LessThan => actual < expected,
        ComparisonOperator.LessThanOrEqual => actual <= expected,
        _ => false,
    };

    private static bool MatchesTerm(TermNode term, LogEvent e)
    {
        if (term.Field.Kind == FieldKind.FreeText)
        {
            return MatchesText(term, TextTokens.Tokenize(e.Message));
        }
        if (term.Field.Kind == FieldKind.Tag)
        {
            var tag = term.Field.Name + ":" + term.Value;
            return term.Kind == TermKind.Prefix
                ? e.Tags.Any(t => t.StartsWith(tag, StringComparison.Ordinal))
                : e.Tags.Contains(tag, StringComparer.Ordinal);
        }
        return term.Kind == TermKind.Prefix
            ? Values(term.Field, e).Any(v => v.StartsWith(term.Value, StringComparison.Ordinal))
            : Values(term.Field, e).Any(v => string.Equals(v, term.Value, StringComparison.Ordinal));
    }

    private static bool MatchesText(TermNode term, List<string> words)
    {
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
