using Portal.Detection.Events;
using Portal.Detection.Query;
using Portal.Search;

namespace Portal.Web.Components.Shared;

/// <summary>A completion of the query being typed: what the list shows and the query once it is picked.</summary>
public sealed record Completion(string Label, string Detail, string Query);

/// <summary>
/// Completes the last term of a log query as it is typed: field names (reserved attributes, tag keys, the tenant's
/// attributes, most common first) and, after <c>field:</c>, the values the facets counted for that field.
/// </summary>
public static class QueryCompletion
{
    private const int MaxSuggestions = 8;

    /// <summary>Suggestions for <paramref name="query"/>, whose last term is being typed.</summary>
    public static IReadOnlyList<Completion> Suggest(string? query, IReadOnlyList<FieldSummary> fields, IReadOnlyDictionary<string, IReadOnlyList<FacetValue>> facets)
    {
        query ??= "";
        if (query.Length == 0 || char.IsWhiteSpace(query[^1]) || query.Count(c => c == '"') % 2 == 1)
        {
            return [];
        }
        var start = query.LastIndexOfAny([' ', '\t', '(', ')']) + 1;
        var head = query[..start];
        var term = query[start..];
        if (term.StartsWith('-'))
        {
            head += "-";
            term = term[1..];
        }
        var colon = term.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0)
        {
            var field = term[..colon];
            var typed = term[(colon + 1)..];
            return facets.TryGetValue(field, out var values)
                ? values
                    .Where(v => v.Value.StartsWith(typed, StringComparison.OrdinalIgnoreCase) && v.Value != typed)
                    .Take(MaxSuggestions)
                    .Select(v => new Completion($"{field}:{v.Value}", $"{v.Count:N0}", head + field + ":" + Quote(v.Value)))
                    .ToList()
                : [];
        }
        if (term.Length == 0)
        {
            return [];
        }
        var reserved = ReservedAttributes.Facets.Order(StringComparer.Ordinal)
            .Where(name => name.StartsWith(term, StringComparison.OrdinalIgnoreCase))
            .Select(name => new Completion(name + ":", "reserved", head + name + ":"));
        // Names starting with what was typed come first, then names containing it, each most common first.
        var bare = term.TrimStart('@');
        var named = fields
            .Where(f => f.QueryName != term && (f.QueryName.StartsWith(term, StringComparison.OrdinalIgnoreCase) || f.Name.Contains(bare, StringComparison.OrdinalIgnoreCase)))
            .Where(f => !term.StartsWith('@') || f.Kind == FieldKind.Attribute)
            .OrderBy(f => f.QueryName.StartsWith(term, StringComparison.OrdinalIgnoreCase) ? 0 : 1)
            .Select(f => new Completion(f.QueryName + ":", $"{(f.Kind == FieldKind.Tag ? "tag" : "attribute")} · {f.Documents:N0}", head + f.QueryName + ":"));
        return reserved.Concat(named).Take(MaxSuggestions).ToList();
    }

    /// <summary>
    /// The query term that keeps the events whose <paramref name="field"/> (<c>host</c>, <c>@http.method</c>) has
    /// <paramref name="value"/>, or with <paramref name="exclude"/> those that do not: what a facet value or an event's
    /// attribute adds to the query when picked.
    /// </summary>
    public static string Term(string field, string value, bool exclude = false) => $"{(exclude ? "-" : "")}{field}:{Quote(value)}";

    /// <summary>
    /// The query term that keeps the events tagged <paramref name="tag"/> (<c>env:prod</c>), or with
    /// <paramref name="exclude"/> those that are not; null for a tag the query language cannot name as a tag: one without
    /// a key, or whose key is a reserved attribute (<c>host:web-1</c> as a tag) or holds query syntax.
    /// </summary>
    public static string? TagTerm(string tag, bool exclude = false)
    {
        var colon = tag.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            return null;
        }
        var key = tag[..colon];
        return ReservedAttributes.IsFacet(key) || key == ReservedAttributes.Message || key[0] is '@' or '-' || Quote(key) != key
            ? null
            : Term(key, tag[(colon + 1)..], exclude);
    }

    /// <summary><paramref name="query"/> narrowed by <paramref name="term"/> (implicit AND), or the term alone for an empty query.</summary>
    public static string Narrowed(string? query, string term) => string.IsNullOrWhiteSpace(query) ? term : $"{query.Trim()} {term}";

    /// <summary>A value as a query term: quoted when it holds spaces or query syntax.</summary>
    public static string Quote(string value) =>
        value.Length == 0 || value[0] is '<' or '>' or '-' || value.Any(c => char.IsWhiteSpace(c) || c is '(' or ')' or ':' or '"' or '*' or '?' or '\\' or '[' or ']' or '{' or '}')
            ? "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\""
            : value;
}
