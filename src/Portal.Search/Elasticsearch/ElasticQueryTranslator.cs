using Elastic.Clients.Elasticsearch;
using Elastic.Clients.Elasticsearch.Core.Search;
using Elastic.Clients.Elasticsearch.QueryDsl;
using Portal.Detection.Query;
using EsQuery = Elastic.Clients.Elasticsearch.QueryDsl.Query;
using EsSearchRequest = Elastic.Clients.Elasticsearch.SearchRequest;

namespace Portal.Search.Elasticsearch;

/// <summary>
/// Translates the query AST into Elasticsearch Query DSL (the official client's types) with the same hits as
/// <see cref="QueryMatcher"/> and the Lucene store, over documents laid out as <see cref="ElasticFields"/> describes.
/// Everything runs in filter context: log search ranks by time, never by score.
/// </summary>
public static class ElasticQueryTranslator
{
    /// <summary>Translates <paramref name="node"/>.</summary>
    public static EsQuery Translate(QueryNode node) => node switch
    {
        MatchAllNode => new MatchAllQuery(),
        AndNode and => new BoolQuery { Filter = [.. and.Children.Select(Translate)] },
        OrNode or => AnyOf(AnyOfClauses(or.Children)),
        NotNode not => new BoolQuery { MustNot = [Translate(not.Child)] },
        TermNode term => TranslateTerm(term),
        RangeNode range => new NumberRangeQuery(ElasticFields.Numeric(range.Field.Name))
        {
            // Documents index -0 as +0, as the Lucene store does.
            Gt = range is { Lower: { } gt, IncludeLower: false } ? gt + 0d : null,
            Gte = range is { Lower: { } gte, IncludeLower: true } ? gte + 0d : null,
            Lt = range is { Upper: { } lt, IncludeUpper: false } ? lt + 0d : null,
            Lte = range is { Upper: { } lte, IncludeUpper: true } ? lte + 0d : null,
        },
        CidrNode cidr => AnyOf(cidr.Networks.Select(n => (EsQuery)new TermQuery(ElasticFields.Ip(cidr.Field.Name), n.ToString()))),
        ExistsNode exists => exists.Field.Kind switch
        {
            FieldKind.Tag => new PrefixQuery(ElasticFields.Tags, exists.Field.Name + ":"),
            // Not "exists": on a name an index has not mapped it matches the fields below it (attr.usr finds attr.usr.name),
            // where @usr:* means a value at usr itself.
            FieldKind.Attribute => new WildcardQuery(FieldName(exists.Field)) { Value = "*" },
            _ => new ExistsQuery(FieldName(exists.Field)),
        },
        _ => throw new NotSupportedException($"Unknown query node {node.GetType().Name}"),
    };

    /// <summary>
    /// The search request of one page of a tenant's logs: the query within <c>[from, to)</c>, newest first (or
    /// <paramref name="oldestFirst"/>), after an optional cursor (<c>search_after</c> on timestamp, then the embedded
    /// store's key of the id, then the id, so that both stores order events of one millisecond alike).
    /// </summary>
    public static EsSearchRequest LogSearch(Guid tenantId, QueryNode query, DateTimeOffset from, DateTimeOffset to, int limit, SearchCursor? after, bool oldestFirst = false) => new(ElasticFields.LogIndexPattern(tenantId))
    {
        Query = new BoolQuery
        {
            Filter =
            [
                new NumberRangeQuery(ElasticFields.Timestamp) { Gte = from.ToUnixTimeMilliseconds(), Lt = to.ToUnixTimeMilliseconds() },
                Translate(query),
            ],
        },
        Size = limit,
        Sort =
        [
            new SortOptions { Field = new FieldSort(ElasticFields.Timestamp) { Order = oldestFirst ? SortOrder.Asc : SortOrder.Desc } },
            new SortOptions { Field = new FieldSort(ElasticFields.TieBreak) { Order = oldestFirst ? SortOrder.Asc : SortOrder.Desc } },
            new SortOptions { Field = new FieldSort(ElasticFields.EventId) { Order = oldestFirst ? SortOrder.Asc : SortOrder.Desc } },
        ],
        SearchAfter = after is { } cursor ? [FieldValue.Long(cursor.TimestampMs), FieldValue.Long(Lucene.TieBreak.Of(cursor.Id)), FieldValue.String(cursor.Id)] : null,
        TrackTotalHits = new TrackHits(true),
        IgnoreUnavailable = true,
        AllowNoIndices = true,
    };

    private static BoolQuery AnyOf(IEnumerable<EsQuery> queries) => new() { Should = [.. queries], MinimumShouldMatch = 1 };

    /// <summary>
    /// An OR's clauses, the values one field must equal taken together in one <c>terms</c> query (where the first of them
    /// stood): Elasticsearch counts every term query towards its limit of clauses (1,024 and up with the heap), which a
    /// converted rule's list of hashes or accounts passes, and a <c>terms</c> query as one.
    /// </summary>
    private static List<EsQuery> AnyOfClauses(IEnumerable<QueryNode> children)
    {
        var clauses = new List<EsQuery>();
        var equal = new Dictionary<string, (int At, List<FieldValue> Values)>(StringComparer.Ordinal);
        foreach (var child in children)
        {
            if (child is not TermNode { Kind: TermKind.Exact or TermKind.Phrase } term || term.Field.Kind == FieldKind.FreeText)
            {
                clauses.Add(Translate(child));
                continue;
            }
            var field = FieldName(term.Field);
            if (!equal.TryGetValue(field, out var values))
            {
                equal[field] = values = (clauses.Count, []);
                clauses.Add(Translate(child));
            }
            values.Values.Add(FieldValue.String(TermValue(term)));
        }
        foreach (var (field, (at, values)) in equal.Where(e => e.Value.Values.Count > 1))
        {
            clauses[at] = new TermsQuery { Field = field, Terms = new TermsQueryField(values) };
        }
        return clauses;
    }

    /// <summary>The value a field's term names: a tag's as the tags field holds it (<c>key:value</c>).</summary>
    private static string TermValue(TermNode term) => term.Field.Kind == FieldKind.Tag ? term.Field.Name + ":" + term.Value : term.Value;

    private static EsQuery TranslateTerm(TermNode term)
    {
        if (term.Field.Kind == FieldKind.FreeText)
        {
            return FreeText(term);
        }
        var field = FieldName(term.Field);
        var value = TermValue(term);
        return term.Kind switch
        {
            TermKind.Prefix => new PrefixQuery(field, value),
            // Tag keys hold no wildcard characters, so "key:" + pattern is still the pattern.
            TermKind.Wildcard => new WildcardQuery(field) { Value = value },
            _ => new TermQuery(field, value),
        };
    }

    /// <summary>The message is analysed as <see cref="TextTokens"/> splits it (the template's <c>vigil_words</c> analyzer).</summary>
    private static EsQuery FreeText(TermNode term)
    {
        if (term.Kind == TermKind.MessagePattern)
        {
            return new WildcardQuery(ElasticFields.WholeMessage) { Value = term.Value, CaseInsensitive = true };
        }
        if (term.Kind == TermKind.Wildcard)
        {
            return new WildcardQuery(ElasticFields.Message) { Value = term.Value };
        }
        var tokens = TextTokens.Tokenize(term.Value);
        return tokens.Count switch
        {
            0 => new MatchNoneQuery(),
            _ when term.Kind == TermKind.Prefix => new PrefixQuery(ElasticFields.Message, tokens[0]),
            1 => new TermQuery(ElasticFields.Message, tokens[0]),
            _ => new MatchPhraseQuery(ElasticFields.Message, string.Join(' ', tokens)),
        };
    }

    private static string FieldName(FieldRef field) => field.Kind switch
    {
        FieldKind.Attribute => ElasticFields.Attribute(field.Name),
        FieldKind.Tag => ElasticFields.Tags,
        FieldKind.FreeText => ElasticFields.Message,
        _ => field.Name,
    };
}
