using System.Globalization;

namespace Portal.Detection.Rules;

/// <summary>
/// A case condition such as <c>a > 5 &amp;&amp; (b >= 1 || c == 0)</c>, compiled once and evaluated
/// against the aggregated value of each rule query for a group.
/// </summary>
public sealed class CaseCondition
{
    private readonly Func<IReadOnlyDictionary<string, double>, bool> _evaluate;

    private CaseCondition(Func<IReadOnlyDictionary<string, double>, bool> evaluate, IReadOnlySet<string> names)
    {
        _evaluate = evaluate;
        QueryNames = names;
    }

    /// <summary>The condition of a case written without one (new value, anomaly, impossible travel): always true.</summary>
    public static readonly CaseCondition Always = new(_ => true, new HashSet<string>(StringComparer.Ordinal));

    /// <summary>Query names the condition refers to.</summary>
    public IReadOnlySet<string> QueryNames { get; }

    /// <summary>Evaluates the condition; queries without a value count as 0.</summary>
    public bool Evaluate(IReadOnlyDictionary<string, double> values) => _evaluate(values);

    /// <summary>Parses a condition; throws <see cref="FormatException"/> with the position of the fault.</summary>
    public static CaseCondition Parse(string text)
    {
        var parser = new Parser(text);
        var expr = parser.ParseOr();
        parser.SkipWhitespace();
        if (!parser.AtEnd)
        {
            throw new FormatException($"unexpected '{text[parser.Pos]}' at position {parser.Pos}");
        }
        return new CaseCondition(expr, parser.Names);
    }

    private sealed class Parser(string text)
    {
        public int Pos;
        public readonly HashSet<string> Names = new(StringComparer.Ordinal);
        private int _depth;

        public bool AtEnd => Pos >= text.Length;

        public void SkipWhitespace()
        {
            while (!AtEnd && char.IsWhiteSpace(text[Pos]))
            {
                Pos++;
            }
        }

        public Func<IReadOnlyDictionary<string, double>, bool> ParseOr()
        {
            var left = ParseAnd();
            while (TryRead("||"))
            {
                var l = left;
                var r = ParseAnd();
                left = v => l(v) || r(v);
            }
            return left;
        }

        private Func<IReadOnlyDictionary<string, double>, bool> ParseAnd()
        {
            var left = ParsePrimary();
            while (TryRead("&&"))
            {
                var l = left;
                var r = ParsePrimary();
                left = v => l(v) && r(v);
            }
            return left;
        }

        private Func<IReadOnlyDictionary<string, double>, bool> ParsePrimary()
        {
            SkipWhitespace();
            if (TryRead("("))
            {
                if (++_depth > 32)
                {
                    throw new FormatException($"the condition nests too deeply at position {Pos}");
                }
                var inner = ParseOr();
                _depth--;
                if (!TryRead(")"))
                {
                    throw new FormatException($"expected ')' at position {Pos}");
                }
                return inner;
            }
            var left = ParseOperand();
            SkipWhitespace();
            var opPos = Pos;
            string? op = null;
            foreach (var candidate in new[] { ">=", "<=", "==", "!=", ">", "<" })
            {
                if (TryRead(candidate))
                {
                    op = candidate;
                    break;
                }
            }
            if (op is null)
            {
                throw new FormatException($"expected a comparison (>, >=, <, <=, ==, !=) at position {opPos}");
            }
            var right = ParseOperand();
            return op switch
            {
                ">" => v => left(v) > right(v),
                ">=" => v => left(v) >= right(v),
                "<" => v => left(v) < right(v),
                "<=" => v => left(v) <= right(v),
                "==" => v => left(v) == right(v),
                _ => v => left(v) != right(v),
            };
        }

        private Func<IReadOnlyDictionary<string, double>, double> ParseOperand()
        {
            SkipWhitespace();
            var start = Pos;
            if (!AtEnd && (char.IsDigit(text[Pos]) || text[Pos] == '.'))
            {
                while (!AtEnd && (char.IsDigit(text[Pos]) || text[Pos] == '.'))
                {
                    Pos++;
                }
                if (!double.TryParse(text.AsSpan(start, Pos - start), NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                {
                    throw new FormatException($"invalid number at position {start}");
                }
                return _ => number;
            }
            while (!AtEnd && (char.IsLetterOrDigit(text[Pos]) || text[Pos] == '_'))
            {
                Pos++;
            }
            if (Pos == start)
            {
                throw new FormatException(AtEnd ? "the condition ended where a query name or number was expected" : $"expected a query name or number at position {start}");
            }
            var name = text[start..Pos];
            Names.Add(name);
            return v => v.TryGetValue(name, out var value) ? value : 0;
        }

        private bool TryRead(string token)
        {
            SkipWhitespace();
            if (string.CompareOrdinal(text, Pos, token, 0, token.Length) == 0 && Pos + token.Length <= text.Length)
            {
                Pos += token.Length;
                return true;
            }
            return false;
        }
    }
}
