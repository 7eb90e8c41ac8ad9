using System.Globalization;
using Portal.Detection.Query;

namespace Portal.Detection.Sigma;

/// <summary>
/// Sigma's condition language: search identifiers, <c>and</c>, <c>or</c>, <c>not</c>, parentheses, and the quantifiers
/// <c>1 of</c>/<c>any of</c>/<c>all of</c>/<c>N of</c> over a pattern (<c>selection_*</c>) or <c>them</c> (every identifier
/// not starting with <c>_</c>). Precedence, tightest first: <c>not</c>, <c>and</c>, <c>or</c>.
/// Throws <see cref="FormatException"/> for text that is not a condition; <see cref="NotSupportedException"/> for
/// Sigma v1 aggregations (<c>| count() by x &gt; 5</c>), which Sigma v2 replaced by correlation rules.
/// </summary>
internal sealed class SigmaCondition
{
    /// <summary>Most combinations <c>N of</c> may expand to.</summary>
    private const int MaxCombinations = 256;

    private readonly List<string> _tokens;
    private readonly IReadOnlyList<string> _names;
    private readonly Func<string, SigmaExpression> _selection;
    private int _pos;

    private SigmaCondition(List<string> tokens, IReadOnlyList<string> names, Func<string, SigmaExpression> selection)
    {
        _tokens = tokens;
        _names = names;
        _selection = selection;
    }

    /// <summary>
    /// The expression of <paramref name="condition"/>, where <paramref name="names"/> are the search identifiers in
    /// order and <paramref name="selection"/> converts one of them.
    /// </summary>
    public static SigmaExpression Parse(string condition, IReadOnlyList<string> names, Func<string, SigmaExpression> selection)
    {
        if (condition.Contains('|', StringComparison.Ordinal))
        {
            throw new NotSupportedException("aggregations in the condition ('| count() ...') are Sigma v1; Sigma v2 expresses them as correlation rules, which convert");
        }
        var parser = new SigmaCondition(Tokenize(condition), names, selection);
        var result = parser.ParseOr();
        if (parser._pos < parser._tokens.Count)
        {
            throw new FormatException($"unexpected '{parser._tokens[parser._pos]}' in the condition");
        }
        return result;
    }

    private static List<string> Tokenize(string text)
    {
        var tokens = new List<string>();
        var i = 0;
        while (i < text.Length)
        {
            if (char.IsWhiteSpace(text[i]))
            {
                i++;
            }
            else if (text[i] is '(' or ')')
            {
                tokens.Add(text[i++].ToString());
            }
            else
            {
                var start = i;
                while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not ('(' or ')'))
                {
                    i++;
                }
                tokens.Add(text[start..i]);
            }
        }
        return tokens;
    }

    private string? Peek => _pos < _tokens.Count ? _tokens[_pos] : null;

    private bool TryKeyword(string keyword)
    {
        if (Peek is { } token && string.Equals(token, keyword, StringComparison.OrdinalIgnoreCase))
        {
            _pos++;
            return true;
        }
        return false;
    }

    private SigmaExpression ParseOr()
    {
        var children = new List<SigmaExpression> { ParseAnd() };
        while (TryKeyword("or"))
        {
            children.Add(ParseAnd());
        }
        return SigmaExpression.Or(children);
    }

    private SigmaExpression ParseAnd()
    {
        var children = new List<SigmaExpression> { ParseNot() };
        while (TryKeyword("and"))
        {
            children.Add(ParseNot());
        }
        return SigmaExpression.And(children);
    }

    private SigmaExpression ParseNot() => TryKeyword("not") ? SigmaExpression.Not(ParseNot()) : ParsePrimary();

    private SigmaExpression ParsePrimary()
    {
        var token = Peek ?? throw new FormatException("the condition ended where a search identifier was expected");
        _pos++;
        if (token == "(")
        {
            var inner = ParseOr();
            if (!TryKeyword(")"))
            {
                throw new FormatException("expected ')' in the condition");
            }
            return inner;
        }
        if (token == ")" || IsOperator(token))
        {
            throw new FormatException($"unexpected '{token}' where a search identifier was expected");
        }
        if (TryKeyword("of"))
        {
            return Quantifier(token, Peek ?? throw new FormatException($"expected a pattern or 'them' after '{token} of'"));
        }
        if (!_names.Contains(token))
        {
            throw new FormatException($"'{token}' is not a search identifier of the detection");
        }
        return _selection(token);
    }

    private SigmaExpression Quantifier(string quantity, string pattern)
    {
        _pos++;
        var matched = string.Equals(pattern, "them", StringComparison.OrdinalIgnoreCase)
            ? _names.Where(n => !n.StartsWith('_')).ToList()
            : _names.Where(n => WildcardPattern.IsMatch(pattern, n)).ToList();
        if (matched.Count == 0)
        {
            throw new FormatException($"'{quantity} of {pattern}' matches no search identifier");
        }
        var selections = matched.Select(_selection).ToList();
        if (string.Equals(quantity, "all", StringComparison.OrdinalIgnoreCase))
        {
            return SigmaExpression.And(selections);
        }
        if (quantity == "1" || string.Equals(quantity, "any", StringComparison.OrdinalIgnoreCase))
        {
            return SigmaExpression.Or(selections);
        }
        if (!int.TryParse(quantity, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count < 1)
        {
            throw new FormatException($"'{quantity} of' is not a quantifier (1, any, all or a number)");
        }
        if (count > selections.Count)
        {
            throw new FormatException($"'{quantity} of {pattern}' asks for more than the {selections.Count} identifiers it matches");
        }
        // N of k: any N of them at once, that is an OR over the combinations of N.
        var combinations = Combinations(selections.Count, count).Take(MaxCombinations + 1).ToList();
        if (combinations.Count > MaxCombinations)
        {
            throw new NotSupportedException($"'{quantity} of {pattern}' expands to more than {MaxCombinations} combinations");
        }
        return SigmaExpression.Or(combinations.Select(c => SigmaExpression.And(c.Select(i => selections[i]))));
    }

    private static IEnumerable<int[]> Combinations(int n, int k)
    {
        var indexes = Enumerable.Range(0, k).ToArray();
        while (true)
        {
            yield return [.. indexes];
            var i = k - 1;
            while (i >= 0 && indexes[i] == n - k + i)
            {
                i--;
            }
            if (i < 0)
            {
                yield break;
            }
            indexes[i]++;
            for (var j = i + 1; j < k; j++)
            {
                indexes[j] = indexes[j - 1] + 1;
            }
        }
    }

    private static bool IsOperator(string token) =>
        token.Equals("and", StringComparison.OrdinalIgnoreCase) || token.Equals("or", StringComparison.OrdinalIgnoreCase) || token.Equals("not", StringComparison.OrdinalIgnoreCase);
}
