using System.Globalization;
using System.Text;
using Portal.Detection.Events;

namespace Portal.Detection.Query;

/// <summary>
/// Parses Datadog's log search syntax into a <see cref="QueryNode"/> tree:
/// <c>service:web @http.status_code:>=500 -status:info "failed password" (a OR b) @usr.name:adm*</c>,
/// wildcards anywhere (<c>@http.url:*/wp-?ogin*</c>), ranges (<c>@duration:[100 TO 500}</c>, dates too),
/// and networks (<c>CIDR(@network.client.ip, 10.0.0.0/8)</c>). Special characters are escaped with <c>\</c>.
/// Throws only <see cref="QuerySyntaxException"/>, with the position of the fault.
/// </summary>
public sealed class QueryParser
{
    private const int MaxDepth = 64;

    /// <summary>
    /// Most '?' a pattern with a '*' may hold: the index's automaton grows exponentially with '?' after '*'
    /// (<c>*a??????????????????</c>), and one such search must not stall the store.
    /// </summary>
    private const int MaxSingleWildcards = 8;
    private readonly string _text;
    private int _pos;
    private int _depth;

    /// <summary>The field of the value group being parsed (<c>@usr.name:(root OR admin)</c>), else null.</summary>
    private FieldRef? _groupField;

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
            SkipWhitespace();
            if (!AtEnd && Current == ')')
            {
                throw new QuerySyntaxException("expected a term after OR", _pos);
            }
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
                if (children.Count == 0)
                {
                    throw new QuerySyntaxException("expected a term before AND", _pos - 3);
                }
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
        if (Current == '-' && _groupField is null)
        {
            // A free-text "-" has no word to search (it matched nothing, and so did the whole query); in a field's group it
            // is a value (an access log's empty referrer).
            throw new QuerySyntaxException("expected a term after '-'", _pos + 1);
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
            return new TermNode(_groupField ?? FieldRef.FreeText, ReadPhrase(), TermKind.Phrase, start);
        }
        if (_groupField is { } grouped)
        {
            // A group's values are read as the field's value alone is: @http.status_code:(>=500 OR 404) compares.
            return ParseValue(grouped, start);
        }
        if (IsCidrCall())
        {
            return ParseCidr(field: null, start);
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
        if (Current == '(')
        {
            return ParseValueGroup(field);
        }
        return ParseValue(field, start);
    }

    /// <summary>A value of <paramref name="field"/>: a phrase, a comparison, a range, networks or a word.</summary>
    private QueryNode ParseValue(FieldRef field, int start)
    {
        if (Current == '"')
        {
            return new TermNode(field, ReadPhrase(), TermKind.Phrase, start);
        }
        if (Current is '>' or '<')
        {
            return ParseComparison(field, start);
        }
        if (Current is '[' or '{')
        {
            return ParseRange(field, start);
        }
        if (IsCidrCall())
        {
            return ParseCidr(field, start);
        }
        return ValueNode(field, ReadWord(stopAtColon: false), start);
    }

    /// <summary>
    /// <c>field:(a OR b)</c>, <c>field:(a b)</c>, <c>field:(a OR NOT b)</c>: the words and phrases of the group are values of
    /// the field, combined as in a query. It desugars to the terms it stands for, so no interpreter needs to know it.
    /// </summary>
    private QueryNode ParseValueGroup(FieldRef field)
    {
        var open = _pos;
        _pos++;
        var outer = _groupField;
        _groupField = field;
        try
        {
            var inner = Nested(ParseOr);
            SkipWhitespace();
            if (AtEnd || Current != ')')
            {
                throw new QuerySyntaxException("expected ')' to close the '(' at position " + open, _pos);
            }
            _pos++;
            return inner;
        }
        finally
        {
            _groupField = outer;
        }
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
        // A free-text pattern of word characters searches each word; one that holds a space or punctuation (escaped where
        // the syntax needs it) can only be met across words, so it searches the whole message. Both are case-insensitive.
        var acrossWords = field.Kind == FieldKind.FreeText
            && Enumerable.Range(0, word.Text.Length).Any(i => !word.WildcardAt.Contains(i) && !TextTokens.IsWordChar(word.Text[i]));
        if (!acrossWords && word.WildcardAt is [var only] && only == word.Text.Length - 1 && word.Text[only] == '*')
        {
            return PrefixNode(field, word, start);
        }
        var singles = word.WildcardAt.Count(i => word.Text[i] == '?');
        if (singles > MaxSingleWildcards && singles < word.WildcardAt.Count)
        {
            throw new QuerySyntaxException($"a pattern with '*' may hold at most {MaxSingleWildcards} '?'", word.Position);
        }
        var pattern = word.Pattern();
        return field.Kind != FieldKind.FreeText
            ? new TermNode(field, pattern, TermKind.Wildcard, start)
            : new TermNode(field, pattern.ToLowerInvariant(), acrossWords ? TermKind.MessagePattern : TermKind.Wildcard, start);
    }

    private QueryNode PrefixNode(FieldRef field, Word word, int start)
    {
        var prefix = word.Text[..^1];
        if (prefix.Length == 0)
        {
            return field.Kind == FieldKind.FreeText ? new MatchAllNode(start) : new ExistsNode(field, start);
        }
        return new TermNode(field, prefix, TermKind.Prefix, start);
    }

    private RangeNode ParseComparison(FieldRef field, int start)
    {
        RequireAttribute(field, "comparisons", _pos);
        var greater = Current == '>';
        _pos++;
        var inclusive = !AtEnd && Current == '=';
        if (inclusive)
        {
            _pos++;
        }
        var word = ReadWord(stopAtColon: false);
        var value = word.WildcardAt.Count > 0 || word.Text.Length == 0 ? null : ParseBound(word.Text, word.Position, allowOpen: false);
        if (value is null)
        {
            throw new QuerySyntaxException("expected a number or a date after the comparison operator", word.Position);
        }
        return greater
            ? new RangeNode(field, value, inclusive, null, false, start)
            : new RangeNode(field, null, false, value, inclusive, start);
    }

    /// <summary><c>[a TO b]</c> includes its bounds, <c>{a TO b}</c> excludes them; brackets may be mixed and <c>*</c> leaves a side open.</summary>
    private RangeNode ParseRange(FieldRef field, int start)
    {
        RequireAttribute(field, "ranges", _pos);
        var includeLower = Current == '[';
        _pos++;
        SkipWhitespace();
        var lowerAt = _pos;
        var lower = ParseBound(ReadBound(), lowerAt, allowOpen: true);
        if (!TryKeyword("TO"))
        {
            throw new QuerySyntaxException("expected 'TO' between the bounds of the range", SkipWhitespace());
        }
        var upperAt = SkipWhitespace();
        var upper = ParseBound(ReadBound(), upperAt, allowOpen: true);
        SkipWhitespace();
        if (AtEnd || Current is not (']' or '}'))
        {
            throw new QuerySyntaxException("expected ']' or '}' to close the range", _pos);
        }
        var includeUpper = Current == ']';
        _pos++;
        return new RangeNode(field, lower, includeLower && lower is not null, upper, includeUpper && upper is not null, start);
    }

    private string ReadBound()
    {
        var from = _pos;
        while (!AtEnd && !char.IsWhiteSpace(Current) && Current is not (']' or '}' or '(' or ')' or '"'))
        {
            _pos++;
        }
        return _text[from.._pos];
    }

    /// <summary>A number, an ISO 8601 date (as epoch milliseconds), or null for an open bound <c>*</c>.</summary>
    private static double? ParseBound(string text, int position, bool allowOpen)
    {
        if (allowOpen && text == "*")
        {
            return null;
        }
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
        {
            return number;
        }
        if (DateText.TryParseEpochMs(text, out var epochMs))
        {
            return epochMs;
        }
        var expected = allowOpen ? "expected a number, a date or '*'" : "expected a number or a date";
        throw new QuerySyntaxException(text.Length == 0 ? expected : $"{expected}, not '{text}'", position);
    }

    private static void RequireAttribute(FieldRef field, string what, int position)
    {
        if (field.Kind != FieldKind.Attribute)
        {
            throw new QuerySyntaxException($"{what} apply to numeric or date attributes (@{field.Name}), not to '{field}'", position);
        }
    }

    private bool IsCidrCall() =>
        _pos + 5 <= _text.Length && string.Compare(_text, _pos, "CIDR(", 0, 5, StringComparison.OrdinalIgnoreCase) == 0;

    /// <summary>
    /// Datadog's <c>CIDR(@network.client.ip, 10.0.0.0/8, 192.168.0.0/16)</c>, or <c>@network.client.ip:CIDR(10.0.0.0/8)</c>
    /// when <paramref name="field"/> was already read.
    /// </summary>
    private CidrNode ParseCidr(FieldRef? field, int start)
    {
        var open = _pos + 4;
        _pos += 5;
        if (field is null)
        {
            SkipWhitespace();
            field = TryReadCidrField() ?? throw new QuerySyntaxException("expected an @attribute as the first argument of CIDR", _pos);
            SkipWhitespace();
            if (AtEnd || Current != ',')
            {
                throw new QuerySyntaxException("expected ',' and a network after the attribute", _pos);
            }
            _pos++;
        }
        else if (field.Kind != FieldKind.Attribute)
        {
            throw new QuerySyntaxException($"CIDR applies to IP attributes (@{field.Name}), not to '{field}'", open - 4);
        }
        var networks = new List<IpRange>();
        while (true)
        {
            var at = SkipWhitespace();
            while (!AtEnd && !char.IsWhiteSpace(Current) && Current is not (',' or ')'))
            {
                _pos++;
            }
            var text = _text[at.._pos];
            if (!IpRange.TryParse(text, out var network))
            {
                throw new QuerySyntaxException(
                    text.Length == 0 ? "expected a network such as 10.0.0.0/8" : $"expected a network such as 10.0.0.0/8, not '{text}'",
                    at);
            }
            networks.Add(network);
            SkipWhitespace();
            if (AtEnd)
            {
                throw new QuerySyntaxException($"expected ')' to close the CIDR( at position {open}", _pos);
            }
            if (Current == ')')
            {
                _pos++;
                return new CidrNode(field, networks, start);
            }
            if (Current != ',')
            {
                throw new QuerySyntaxException("expected ',' or ')' after the network", _pos);
            }
            _pos++;
        }
    }

    private FieldRef? TryReadCidrField()
    {
        if (AtEnd || Current != '@' || FieldNameEnd(_pos + 1) is not { } end)
        {
            return null;
        }
        var name = _text[(_pos + 1)..end];
        _pos = end;
        return new FieldRef(FieldKind.Attribute, name);
    }

    /// <summary>Where a field name starting at <paramref name="start"/> ends, or null when none starts there (empty, or a leading or trailing '.').</summary>
    private int? FieldNameEnd(int start)
    {
        var i = start;
        while (i < _text.Length && IsFieldChar(_text[i]))
        {
            i++;
        }
        return i == start || _text[start] == '.' || _text[i - 1] == '.' ? null : i;
    }

    private FieldRef? TryReadField()
    {
        var isAttribute = Current == '@';
        var nameStart = isAttribute ? _pos + 1 : _pos;
        if (FieldNameEnd(nameStart) is not { } i || i >= _text.Length || _text[i] != ':')
        {
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
            else if (Current is '*' or '?')
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
            && (end == _text.Length || char.IsWhiteSpace(_text[end]) || _text[end] is '(' or ')');
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

    /// <summary>A value as written: unescaped text, and the offsets in it of unescaped <c>*</c> and <c>?</c>.</summary>
    private readonly record struct Word(string Text, int Position, List<int> WildcardAt)
    {
        /// <summary>The value as a <see cref="WildcardPattern"/>: wildcards kept, escaped literals re-escaped.</summary>
        public string Pattern()
        {
            var wildcards = WildcardAt.ToHashSet();
            var sb = new StringBuilder(Text.Length + 4);
            for (var i = 0; i < Text.Length; i++)
            {
                if (!wildcards.Contains(i) && Text[i] is '*' or '?' or '\\')
                {
                    sb.Append('\\');
                }
                sb.Append(Text[i]);
            }
            return sb.ToString();
        }
    }
}
