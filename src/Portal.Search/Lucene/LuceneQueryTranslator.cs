using global::Lucene.Net.Index;
using global::Lucene.Net.Search;
using Portal.Detection.Events;
using Portal.Detection.Query;

namespace Portal.Search.Lucene;

/// <summary>
/// Translates the query AST into a Lucene.NET query with the same hits as <see cref="QueryMatcher"/>, except for ranges
/// and networks on the attribute paths an index met beyond its limit, which have no numeric or address fields
/// (<see cref="AttributeFields"/>).
/// </summary>
public static class LuceneQueryTranslator
{
    /// <summary>Translates <paramref name="node"/>.</summary>
    public static global::Lucene.Net.Search.Query Translate(QueryNode node) => node switch
    {
        MatchAllNode => new MatchAllDocsQuery(),
        AndNode and => Bool(and.Children, Occur.MUST),
        OrNode or => Bool(or.Children, Occur.SHOULD),
        NotNode not => new BooleanQuery
        {
            { new MatchAllDocsQuery(), Occur.MUST },
            { Translate(not.Child), Occur.MUST_NOT },
        },
        TermNode term => TranslateTerm(term),
        RangeNode range => Range(range),
        CidrNode cidr => Cidr(cidr),
        // A field exists when it has any term: no marker field is written for it.
        ExistsNode { Field.Kind: FieldKind.Tag } exists => new PrefixQuery(new Term(LuceneFields.Tags, exists.Field.Name + ":")),
        ExistsNode { Field.Kind: FieldKind.Attribute } exists => OwnOrOverflow(
            new TermRangeQuery(LuceneFields.Attribute(exists.Field.Name), null, null, true, true),
            new PrefixQuery(new Term(LuceneFields.OverflowAttributes, LuceneFields.Overflowing(exists.Field.Name, "")))),
        ExistsNode exists => new TermRangeQuery(exists.Field.Name, null, null, true, true),
        _ => throw new NotSupportedException($"Unknown query node {node.GetType().Name}"),
    };

    private static BooleanQuery Bool(IEnumerable<QueryNode> children, Occur occur) => Clauses(children.Select(Translate), occur);

    /// <summary>
    /// A query of <paramref name="clauses"/>, each with <paramref name="occur"/> (all MUST, or all SHOULD): beyond
    /// <see cref="BooleanQuery.MaxClauseCount"/> (1,024), which Lucene refuses with an exception, they are nested in queries of
    /// at most that many (an AND of ANDs, an OR of ORs: the same hits), so that a long list of values (a Sigma rule's) or
    /// of words searches as the matcher judges it.
    /// </summary>
    internal static BooleanQuery Clauses(IEnumerable<global::Lucene.Net.Search.Query> clauses, Occur occur)
    {
        var level = clauses.ToList();
        var most = BooleanQuery.MaxClauseCount;
        while (level.Count > most)
        {
            level = [.. level.Chunk(most).Select(chunk => (global::Lucene.Net.Search.Query)Flat(chunk, occur))];
        }
        return Flat(level, occur);
    }

    private static BooleanQuery Flat(IEnumerable<global::Lucene.Net.Search.Query> clauses, Occur occur)
    {
        var query = new BooleanQuery();
        foreach (var clause in clauses)
        {
            query.Add(clause, occur);
        }
        return query;
    }

    private static global::Lucene.Net.Search.Query TranslateTerm(TermNode term)
    {
        if (term.Field.Kind == FieldKind.FreeText)
        {
            return FreeText(term);
        }
        return term.Field.Kind switch
        {
            // Tag keys hold no wildcard characters, so "key:" + pattern is still the pattern.
            FieldKind.Tag => Term(LuceneFields.Tags, term.Field.Name + ":" + term.Value, term.Kind),
            FieldKind.Attribute => OwnOrOverflow(
                Term(LuceneFields.Attribute(term.Field.Name), term.Value, term.Kind),
                Term(LuceneFields.OverflowAttributes, LuceneFields.Overflowing(term.Kind == TermKind.Wildcard ? WildcardPattern.Escape(term.Field.Name) : term.Field.Name, term.Value), term.Kind)),
            _ => Term(term.Field.Name, term.Value, term.Kind),
        };
    }

    private static global::Lucene.Net.Search.Query Term(string field, string value, TermKind kind) => kind switch
    {
        TermKind.Prefix => new PrefixQuery(new Term(field, value)),
        TermKind.Wildcard => new WildcardQuery(new Term(field, value)),
        _ => new TermQuery(new Term(field, value)),
    };

    /// <summary>
    /// An attribute's values in its own field, or, for a path that came beyond its index's limit, in the shared field of
    /// <see cref="LuceneFields.OverflowAttributes"/> (<see cref="AttributeFields"/>).
    /// </summary>
    private static BooleanQuery OwnOrOverflow(global::Lucene.Net.Search.Query own, global::Lucene.Net.Search.Query overflow) => new()
    {
        { own, Occur.SHOULD },
        { overflow, Occur.SHOULD },
    };

    private static global::Lucene.Net.Search.Query FreeText(TermNode term)
    {
        if (term.Kind == TermKind.MessagePattern)
        {
            return MessagePatternQuery.Create(term);
        }
        if (term.Kind == TermKind.Wildcard)
        {
            return new WildcardQuery(new Term(LuceneFields.Text, term.Value));
        }
        var tokens = TextTokens.Tokenize(term.Value);
        if (tokens.Count == 0)
        {
            return new BooleanQuery();
        }
        if (term.Kind == TermKind.Prefix)
        {
            return new PrefixQuery(new Term(LuceneFields.Text, tokens[0]));
        }
        if (tokens.Count == 1)
        {
            return new TermQuery(new Term(LuceneFields.Text, tokens[0]));
        }
        var phrase = new PhraseQuery();
        foreach (var token in tokens)
        {
            phrase.Add(new Term(LuceneFields.Text, token));
        }
        return phrase;
    }

    private static NumericRangeQuery<double> Range(RangeNode range) =>
        // Lucene orders -0 below +0 (documents index -0 as +0); QueryMatcher compares them as equal.
        NumericRangeQuery.NewDoubleRange(
            LuceneFields.Numeric(range.Field.Name),
            LuceneFields.NumericPrecisionStep,
            range.Lower is { } low ? low + 0d : null,
            range.Upper is { } high ? high + 0d : null,
            range.IncludeLower,
            range.IncludeUpper);

    private static BooleanQuery Cidr(CidrNode cidr)
    {
        var field = LuceneFields.Ip(cidr.Field.Name);
        return Clauses(
            cidr.Networks.Select(network => TermRangeQuery.NewStringRange(field, IpText.SortKey(network.First), IpText.SortKey(network.Last), true, true)),
            Occur.SHOULD);
    }
}
