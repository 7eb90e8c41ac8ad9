using global::Lucene.Net.Index;
using global::Lucene.Net.Search;
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
        ComparisonNode cmp => Compare(cmp),
        ExistsNode exists => new TermQuery(new Term(LuceneFields.Exists, ExistsKey(exists.Field))),
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
        return term.Kind == TermKind.Prefix
            ? new PrefixQuery(new Term(field, value))
            : new TermQuery(new Term(field, value));
    }

    private static global::Lucene.Net.Search.Query FreeText(TermNode term)
    {
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

    private static NumericRangeQuery<double> Compare(ComparisonNode cmp)
    {
        var field = LuceneFields.Numeric(cmp.Field.Name);
        // Lucene orders -0 below +0 (documents index -0 as +0); QueryMatcher compares them as equal.
        var value = cmp.Value == 0 ? 0d : cmp.Value;
        return cmp.Operator switch
        {
            ComparisonOperator.GreaterThan => NumericRangeQuery.NewDoubleRange(field, value, null, false, true),
            ComparisonOperator.GreaterThanOrEqual => NumericRangeQuery.NewDoubleRange(field, value, null, true, true),
            ComparisonOperator.LessThan => NumericRangeQuery.NewDoubleRange(field, null, value, true, false),
            _ => NumericRangeQuery.NewDoubleRange(field, null, value, true, true),
        };
    }

    private static string ExistsKey(FieldRef field) => field.Kind switch
    {
        FieldKind.Attribute => LuceneFields.Attribute(field.Name),
        FieldKind.Tag => LuceneFields.TagKey(field.Name),
        _ => field.Name,
    };
}
