using Portal.Detection.Events;

namespace Portal.Detection.Query;

/// <summary>
/// Evaluates a parsed query against events in memory (detection, rule tests, previews). <see cref="Compile"/> turns
/// the query into a predicate once, with every wildcard, word list and network prepared, so that testing an event
/// costs only the comparisons; <see cref="Matches"/> is the one-off form.
/// </summary>
public static class QueryMatcher
{
    /// <summary>True when <paramref name="e"/> satisfies <paramref name="query"/>.</summary>
    public static bool Matches(QueryNode query, LogEvent e) => Compile(query)(e);

    /// <summary>A predicate equivalent to <paramref name="query"/>, to test many events.</summary>
    public static Func<LogEvent, bool> Compile(QueryNode query)
    {
        switch (query)
        {
            case MatchAllNode:
                return _ => true;
            case AndNode and:
                var all = and.Children.Select(Compile).ToArray();
                return e =>
                {
                    foreach (var child in all)
                    {
                        if (!child(e))
                        {
                            return false;
                        }
                    }
                    return true;
                };
            case OrNode or:
                var any = Alternatives(or.Children);
                return e =>
                {
                    foreach (var child in any)
                    {
                        if (child(e))
                        {
                            return true;
                        }
                    }
                    return false;
                };
            case NotNode not:
                var inner = Compile(not.Child);
                return e => !inner(e);
            case TermNode term:
                return CompileTerm(term);
            case RangeNode range:
                return AnyAttribute(range.Field.Name, v => v.RangeValue is { } n && range.Contains(n));
            case CidrNode cidr:
                var networks = cidr.Networks.ToArray();
                return AnyAttribute(cidr.Field.Name, v => InNetworks(networks, v.Text));
            case ExistsNode exists:
                return exists.Field.Kind switch
                {
                    FieldKind.Attribute => e => e.GetAttribute(exists.Field.Name).Count > 0,
                    FieldKind.Tag => AnyTag(exists.Field.Name, _ => true),
                    _ => e => e.GetReserved(exists.Field.Name) is not null,
                };
            default:
                throw new NotSupportedException($"Unknown query node {query.GetType().Name}");
        }
    }

    /// <summary>
    /// The children of an OR, with the terms on one attribute joined: a Sigma list of 40 URL patterns looks the attribute
    /// up once and tests its values against each pattern, instead of looking it up 40 times. Order does not matter to an OR.
    /// </summary>
    private static Func<LogEvent, bool>[] Alternatives(IReadOnlyList<QueryNode> children)
    {
        var compiled = new List<Func<LogEvent, bool>>();
        foreach (var group in children.OfType<TermNode>().Where(t => t.Field.Kind == FieldKind.Attribute).GroupBy(t => t.Field.Name, StringComparer.Ordinal))
        {
            var path = group.Key;
            var tests = group.Select(ValueTest).ToArray();
            compiled.Add(tests.Length == 1 ? CompileTerm(group.First()) : e =>
            {
                var values = e.GetAttribute(path);
                for (var i = 0; i < values.Count; i++)
                {
                    var text = values[i].Text;
                    foreach (var test in tests)
                    {
                        if (test(text))
                        {
                            return true;
                        }
                    }
                }
                return false;
            });
        }
        compiled.AddRange(children.Where(c => c is not TermNode { Field.Kind: FieldKind.Attribute }).Select(Compile));
        return [.. compiled];
    }

    private static Func<LogEvent, bool> CompileTerm(TermNode term)
    {
        if (term.Field.Kind == FieldKind.FreeText)
        {
            return CompileText(term);
        }
        var test = ValueTest(term);
        return term.Field.Kind switch
        {
            FieldKind.Tag => AnyTag(term.Field.Name, test),
            FieldKind.Attribute => AnyAttribute(term.Field.Name, v => test(v.Text)),
            _ => e => e.GetReserved(term.Field.Name) is { } reserved && test(reserved),
        };
    }

    /// <summary>How a facet term compares one value: ordinally, as Datadog's facets do.</summary>
    private static Func<string, bool> ValueTest(TermNode term)
    {
        var expected = term.Value;
        return term.Kind switch
        {
            TermKind.Prefix => value => value.StartsWith(expected, StringComparison.Ordinal),
            TermKind.Wildcard => WildcardPattern.Matcher(expected),
            _ => value => string.Equals(value, expected, StringComparison.Ordinal),
        };
    }

    /// <summary>Free text: a word (or a word sequence, for phrases) among the message's lower-cased words, or a pattern over the whole lower-cased message.</summary>
    private static Func<LogEvent, bool> CompileText(TermNode term)
    {
        if (term.Kind == TermKind.MessagePattern)
        {
            var whole = WildcardPattern.Matcher(term.Value);
            return e => whole(e.MessageLower);
        }
        if (term.Kind == TermKind.Wildcard)
        {
            if (term.Value.Length > 2 && term.Value[0] == '*' && term.Value[^1] == '*' && term.Value[1..^1].All(TextTokens.IsWordChar))
            {
                // '*word*': a run of word characters lies within one word wherever it occurs, so a word contains it exactly
                // when the message does. One vectorised search instead of cutting the message into words.
                var inner = term.Value[1..^1];
                return e => e.MessageLower.Contains(inner, StringComparison.Ordinal);
            }
            // The pattern is one lower-cased word with wildcards; tokenizing it would drop them.
            var pattern = WildcardPattern.Matcher(term.Value);
            return e => AnyWord(e.MessageWords, pattern);
        }
        var wanted = TextTokens.Tokenize(term.Value);
        if (wanted.Count == 0)
        {
            return _ => false;
        }
        if (term.Kind == TermKind.Prefix)
        {
            var prefix = wanted[0];
            return e => TextTokens.HasWord(e.MessageLower, prefix, wholeWord: false);
        }
        if (wanted.Count == 1)
        {
            var word = wanted[0];
            return e => TextTokens.HasWord(e.MessageLower, word, wholeWord: true);
        }
        return e => ContainsSequence(e.MessageWords, wanted);
    }

    private static bool AnyWord(IReadOnlyList<string> words, Func<string, bool> test)
    {
        for (var i = 0; i < words.Count; i++)
        {
            if (test(words[i]))
            {
                return true;
            }
        }
        return false;
    }

    private static bool ContainsSequence(IReadOnlyList<string> words, List<string> wanted)
    {
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

    private static Func<LogEvent, bool> AnyAttribute(string path, Func<AttributeValue, bool> test) => e =>
    {
        var values = e.GetAttribute(path);
        for (var i = 0; i < values.Count; i++)
        {
            if (test(values[i]))
            {
                return true;
            }
        }
        return false;
    };

    private static Func<LogEvent, bool> AnyTag(string key, Func<string, bool> test)
    {
        var prefix = key + ":";
        return e =>
        {
            foreach (var tag in e.Tags)
            {
                if (tag.StartsWith(prefix, StringComparison.Ordinal) && test(tag[prefix.Length..]))
                {
                    return true;
                }
            }
            return false;
        };
    }

    private static bool InNetworks(IpRange[] networks, string text)
    {
        if (!IpText.TryParse(text, out var ip))
        {
            return false;
        }
        var address = IpText.ToUInt128(ip);
        foreach (var network in networks)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }
        return false;
    }
}
