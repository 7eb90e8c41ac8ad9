using global::Lucene.Net.Index;
using global::Lucene.Net.Search;
using Portal.Detection.Events;
using Portal.Detection.Query;

namespace Portal.Search.Lucene;

/// <summary>Translates the query AST into a Lucene.NET query with the same hits as <see cref="QueryMatcher"/>.</summary>
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
        ExistsNode exists => new TermRangeQuery(ExistsField(exists.Field), null, null, true, true),
        _ => throw new NotSupportedException($"Unknown query node {node.GetType().Name}"),
    };

    private static BooleanQuery Bool(IEnumerable<QueryNode> children, Occur occur)
    {
        var query = new BooleanQuery();
        foreach (var child in children)
        {
            query.Add(Translate(child), occur);
        }
        return query;
    }

    private static global::Lucene.Net.Search.Query TranslateTerm(TermNode term)
    {
        if (term.Field.Kind == FieldKind.FreeText)
        {
            return FreeText(term);
        }
        var (field, value) = term.Field.Kind switch
        {
            FieldKind.Tag => (LuceneFields.Tags, term.Field.Name + ":" + term.Value),
            FieldKind.Attribute => (LuceneFields.Attribute(term.Field.Name), term.Value),
            _ => (term.Field.Name, term.Value),
        };
        return term.Kind switch
        {
            TermKind.Prefix => new PrefixQuery(new Term(field, value)),
            // Tag keys hold no wildcard characters, so "key:" + pattern is still the pattern.
            TermKind.Wildcard => new WildcardQuery(new Term(field, value)),
            _ => new TermQuery(new Term(field, value)),
        };
    }

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
        var query = new BooleanQuery();
        foreach (var network in cidr.Networks)
        {
            var field = LuceneFields.Ip(cidr.Field.Name);
            query.Add(TermRangeQuery.NewStringRange(field, IpText.SortKey(network.First), IpText.SortKey(network.Last), true, true), Occur.SHOULD);
        }
        return query;
    }

    private static string ExistsField(FieldRef field) => field.Kind == FieldKind.Attribute ? LuceneFields.Attribute(field.Name) : field.Name;
}
