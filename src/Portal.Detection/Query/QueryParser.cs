using System.Globalization;
using System.Text;
using Portal.Detection.Events;

namespace Portal.Detection.Query;

/// <summary>
/// Parses Datadog's log search syntax into a <see cref="QueryNode"/> tree:
/// <c>service:web @http.status_code:>=500 -status:info "failed password" (a OR b) @usr.name:adm*</c>.
/// Throws only <see cref="QuerySyntaxException"/>, with the position of the fault.
/// </summary>
public sealed class QueryParser
{
    private const int MaxDepth = 64;
    private readonly string _text;
    private int _pos;
    private int _depth;

    private QueryParser(string text) => _text = text;

    /// <summary>Parses <paramref name="query"/>; an empty or blank query matches everything.</summary>
    public static QueryNode Parse(string? query)
    {
        var parser = new QueryParser(query ?? string.Empty);
        var node = parser.ParseOr();
        parser.SkipWhitespace();
        if (!parser.AtEnd)
        {
            throw new QuerySyntaxException(parser.Current == ')' ? "unexpected ')' without a matching '('" : "expected an operator or the end of the query", parser._pos);
        }
        return node;
    }

    /// <summary>Parses without throwing: the error, if any, is returned instead.</summary>
    public static bool TryParse(string? query, out QueryNode? node, out QuerySyntaxException? error)
    {
        try
        {
            node = Parse(query);
            error = null;
            return true;
        }
        catch (QuerySyntaxException e)
        {
            node = null;
            error = e;
            return false;
        }
    }

    private bool AtEnd => _pos >= _text.Length;

    private char Current => _text[_pos];

    private QueryNode ParseOr()
    {
        var start = SkipWhitespace();
        var children = new List<QueryNode> { ParseAnd() };
        while (TryKeyword("OR"))
        {
            children.Add(ParseAnd(required: true));
        }
        return children.Count == 1 ? children[0] : new OrNode(children, start);
    }

    private QueryNode ParseAnd(bool required = false)
    {
        var start = SkipWhitespace();
        var children = new List<QueryNode>();
        while (true)
        {
            SkipWhitespace();
            if (AtEnd || Current == ')' || IsKeyword("OR"))
            {
                break;
            }
            if (TryKeyword("AND"))
            {
                SkipWhitespace();
                if (AtEnd || Current == ')' || IsKeyword("OR") || IsKeyword("AND"))
                {
                    throw new QuerySyntaxException("expected a term after AND", _pos);
                }
                continue;
            }
            children.Add(ParseUnary());
        }
        if (children.Count == 0)
        {
            if (required || _depth > 0 || !AtEnd && Current == ')' || IsKeyword("OR"))
            {
                throw new QuerySyntaxException(AtEnd ? "expected a term but the query ended" : "expected a term", _pos);
            }
            return new MatchAllNode(start);
        }
        return children.Count == 1 ? children[0] : new AndNode(children, start);
    }

    private QueryNode ParseUnary()
    {
        var start = _pos;
        if (TryKeyword("NOT"))
        {
            SkipWhitespace();
            if (AtEnd || Current == ')')
            {
                throw new QuerySyntaxException("expected a term after NOT", _pos);
            }
            return new NotNode(Nested(ParseUnary), start);
        }
        if (Current == '-' && _pos + 1 < _text.Length && !char.IsWhiteSpace(_text[_pos + 1]) && _text[_pos + 1] != ')')
        {
            _pos++;
            return new NotNode(Nested(ParsePrimary), start);
        }
        return ParsePrimary();
    }

    private QueryNode ParsePrimary()
    {
        var start = _pos;
        if (Current == '(')
        {
            _pos++;
            var inner = Nested(ParseOr);
            SkipWhitespace();
            if (AtEnd || Current != ')')
            {
                throw new QuerySyntaxException("expected ')' to close the '(' at position " + start, _pos);
            }
            _pos++;
            return inner;
        }
        if (Current == ')')
        {
            throw new QuerySyntaxException("unexpected ')'", _pos);
        }
        if (Current == '"')
        {
            return new TermNode(FieldRef.FreeText, ReadPhrase(), TermKind.Phrase, start);
        }
        return ParseTerm(start);
    }

    private QueryNode ParseTerm(int start)
    {
        var field = TryReadField();
        if (field is null)
        {
            var word = ReadWord(stopAtColon: false);
            return ValueNode(FieldRef.FreeText, word, start);
        }
        if (AtEnd || char.IsWhiteSpace(Current) || Current == ')')
        {
            throw new QuerySyntaxException($"expected a value after '{field}:'", _pos);
        }
        if (Current == '"')
        {
            return new TermNode(field, ReadPhrase(), TermKind.Phrase, start);
        }
        if (Current is '>' or '<')
        {
            return ParseComparison(field, start);
        }
        return ValueNode(field, ReadWord(stopAtColon: false), start);
    }

    private QueryNode ValueNode(FieldRef field, Word word, int start)
    {
        if (word.Text.Length == 0)
        {
            throw new QuerySyntaxException("expected a term", word.Position);
        }
        if (word.WildcardAt.Count == 0)
        {
            if (field.Kind == FieldKind.FreeText && (word.Text is "AND" or "OR" or "NOT"))
            {
                throw new QuerySyntaxException($"expected a term before {word.Text}", word.Position);
            }
            return new TermNode(field, word.Text, TermKind.Exact, start);
        }
        if (word.WildcardAt.Count > 1 || word.WildcardAt[0] != word.Text.Length - 1)
        {
            throw new QuerySyntaxException("a wildcard '*' is only supported at the end of a value", word.Position + word.WildcardAt[0]);
        }
        var prefix = word.Text[..^1];
        if (prefix.Length == 0)
        {
            return field.Kind == FieldKind.FreeText ? new MatchAllNode(start) : new ExistsNode(field, start);
        }
        if (field.Kind == FieldKind.FreeText && TextTokens.Tokenize(prefix) is var tokens && (tokens.Count != 1 || !TextTokens.IsWordChar(prefix[^1])))
        {
            throw new QuerySyntaxException("a free-text wildcard must follow a single word", word.Position);
        }
        return new TermNode(field, prefix, TermKind.Prefix, start);
    }

    private ComparisonNode ParseComparison(FieldRef field, int start)
    {
        if (field.Kind != FieldKind.Attribute)
        {
            throw new QuerySyntaxException($"comparisons apply to numeric attributes (@{field.Name}), not to '{field}'", _pos);
        }
        var op = Current == '>' ? ComparisonOperator.GreaterThan : ComparisonOperator.LessThan;
        _pos++;
        if (!AtEnd && Current == '=')
        {
            op = op == ComparisonOperator.GreaterThan ? ComparisonOperator.GreaterThanOrEqual : ComparisonOperator.LessThanOrEqual;
            _pos++;
        }
        var word = ReadWord(stopAtColon: false);
        if (word.WildcardAt.Count > 0
            || !double.TryParse(word.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            || !double.IsFinite(number))
        {
            throw new QuerySyntaxException("expected a number after the comparison operator", word.Position);
        }
        return new ComparisonNode(field, op, number, start);
    }

    private FieldRef? TryReadField()
    {
        var save = _pos;
        var isAttribute = Current == '@';
        var i = isAttribute ? _pos + 1 : _pos;
        var nameStart = i;
        while (i < _text.Length && IsFieldChar(_text[i]))
        {
            i++;
        }
        if (i == nameStart || i >= _text.Length || _text[i] != ':' || _text[nameStart] == '.' || _text[i - 1] == '.')
        {
            _pos = save;
            return null;
        }
        var name = _text[nameStart..i];
        _pos = i + 1;
        if (isAttribute)
        {
            return new FieldRef(FieldKind.Attribute, name);
        }
        if (name == ReservedAttributes.Message)
        {
            return FieldRef.FreeText;
        }
        return new FieldRef(ReservedAttributes.IsFacet(name) ? FieldKind.Reserved : FieldKind.Tag, name);
    }

    private static bool IsFieldChar(char c) => char.IsLetterOrDigit(c) || c is '_' or '.' or '-' or '/';

    private string ReadPhrase()
    {
        var open = _pos;
        _pos++;
        var sb = new StringBuilder();
        while (!AtEnd && Current != '"')
        {
            if (Current == '\\' && _pos + 1 < _text.Length)
            {
                _pos++;
            }
            sb.Append(Current);
            _pos++;
        }
        if (AtEnd)
        {
            throw new QuerySyntaxException("unterminated quoted phrase", open);
        }
        _pos++;
        return sb.ToString();
    }

    private Word ReadWord(bool stopAtColon)
    {
        var start = _pos;
        var sb = new StringBuilder();
        var wildcards = new List<int>();
        while (!AtEnd && !char.IsWhiteSpace(Current) && Current is not '(' and not ')' and not '"' && !(stopAtColon && Current == ':'))
        {
            if (Current == '\\')
            {
                if (_pos + 1 >= _text.Length)
                {
                    throw new QuerySyntaxException("a '\\' must escape a character", _pos);
                }
                _pos++;
            }
            else if (Current == '*')
            {
                wildcards.Add(sb.Length);
            }
            sb.Append(Current);
            _pos++;
        }
        return new Word(sb.ToString(), start, wildcards);
    }

    private T Nested<T>(Func<T> parse)
    {
        if (++_depth > MaxDepth)
        {
            throw new QuerySyntaxException($"the query nests deeper than {MaxDepth} levels", _pos);
        }
        try
        {
            return parse();
        }
        finally
        {
            _depth--;
        }
    }

    private int SkipWhitespace()
    {
        while (!AtEnd && char.IsWhiteSpace(Current))
        {
            _pos++;
        }
        return _pos;
    }

    private bool IsKeyword(string keyword)
    {
        var end = _pos + keyword.Length;
        return end <= _text.Length
            && string.CompareOrdinal(_text, _pos, keyword, 0, keyword.Length) == 0
            && (end == _text.Length || char.IsWhiteSpace(_text[end]) || _text[end] == '(');
    }

    private bool TryKeyword(string keyword)
    {
        SkipWhitespace();
        if (!IsKeyword(keyword))
        {
            return false;
        }
        _pos += keyword.Length;
        return true;
    }

    private readonly record struct Word(string Text, int Position, List<int> WildcardAt);
}
