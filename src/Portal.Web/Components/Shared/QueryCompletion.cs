using Portal.Detection.Events;
using Portal.Detection.Query;
using Portal.Search;

namespace Portal.Web.Components.Shared;

/// <summary>A completion of the query being typed: what the list shows and the query once it is picked.</summary>
/// <remarks>A completion that <paramref name="Runs"/> (a recent search) is run as it is chosen, not only written into the field.</remarks>
public sealed record Completion(string Label, string Detail, string Query, bool Runs = false);

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
        if (LastTerm(query) is not var (head, term, colon))
        {
            return [];
        }
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
    /// The field whose value the last term of <paramref name="query"/> is typing (<c>@usr.name</c> in
    /// <c>service:sshd @usr.name:ro</c>), or none: what <see cref="Suggest"/> completes from that field's counted values.
    /// </summary>
    public static string? ValueField(string? query) => LastTerm(query) is var (_, term, colon) && colon > 0 ? term[..colon] : null;

    /// <summary>
    /// The term being typed at the end of <paramref name="query"/> (its leading minus left in the head), and where its
    /// colon is (-1 without one); none after white space or inside a quoted phrase.
    /// </summary>
    private static (string Head, string Term, int Colon)? LastTerm(string? query)
    {
        if (string.IsNullOrEmpty(query) || char.IsWhiteSpace(query[^1]) || query.Count(c => c == '"') % 2 == 1)
        {
            return null;
        }
        var start = query.LastIndexOfAny([' ', '\t', '(', ')']) + 1;
        var head = query[..start];
        var term = query[start..];
        if (term.StartsWith('-'))
        {
            head += "-";
            term = term[1..];
        }
        return (head, term, term.IndexOf(':', StringComparison.Ordinal));
    }

    /// <summary>
    /// The query term that keeps the events whose <paramref name="field"/> (<c>host</c>, <c>@http.method</c>) has
    /// <paramref name="value"/>, or with <paramref name="exclude"/> those that do not: what a facet value or an event's
    /// attribute adds to the query when picked. Null when the query language cannot say it: a field it cannot name (an
    /// attribute key with a space or a colon), or a value longer than <see cref="MaxTermValue"/>. The term is read back
    /// to make sure it names that field and that value, so that a button never adds a term that means something else.
    /// </summary>
    public static string? Term(string field, string value, bool exclude = false)
    {
        var expected = field.StartsWith('@') ? FieldKind.Attribute : ReservedAttributes.IsFacet(field) ? FieldKind.Reserved : FieldKind.Tag;
        return Checked(field, value, exclude, read => read.Kind == expected);
    }

    /// <summary>Why <see cref="Term"/> has no term for <paramref name="value"/> of <paramref name="field"/>, as a page says it.</summary>
    public static string WhyNoTerm(string field, string value) => value.Length > MaxTermValue
        ? $"This value is too long to search by (over {MaxTermValue:N0} characters)."
        : $"{field} is not a name the query language can search by.";

    /// <summary>
    /// The query term that keeps the events tagged <paramref name="tag"/> (<c>env:prod</c>), or with
    /// <paramref name="exclude"/> those that are not; null for a tag the query language cannot name as a tag: one without
    /// a key, or whose key is a reserved attribute (<c>host:web-1</c> as a tag, unless <paramref name="searchedAsTag"/>
    /// says that field is searched as the tag where these tags are: a signal's <c>source:sshd</c>) or not a field name.
    /// </summary>
    public static string? TagTerm(string tag, bool exclude = false, Func<FieldRef, bool>? searchedAsTag = null)
    {
        var colon = tag.IndexOf(':', StringComparison.Ordinal);
        return colon <= 0 ? null
            : Checked(tag[..colon], tag[(colon + 1)..], exclude, read => read.Kind == FieldKind.Tag || searchedAsTag?.Invoke(read) == true);
    }

    /// <summary>
    /// The query term that keeps the events with a value of <paramref name="field"/> (<c>@http.method:*</c>), or with
    /// <paramref name="absent"/> those without one (<c>-@http.method:*</c>); null for a name the query language cannot
    /// search by.
    /// </summary>
    public static string? Exists(string field, bool absent = false)
    {
        var term = $"{(absent ? "-" : "")}{field}:*";
        return ReadBack(term, absent) is ExistsNode read && read.Field.ToString() == field ? term : null;
    }

    /// <summary>
    /// The query term that keeps the events whose number at <paramref name="field"/> lies between <paramref name="from"/>
    /// and <paramref name="to"/>, both included (<c>@duration:[10 TO 200]</c>), or above or below one bound alone
    /// (<c>@duration:&gt;=10</c>); null without a bound, for bounds the wrong way round or not finite, or for a field
    /// the query language cannot name a range of (ranges are of attributes).
    /// </summary>
    public static string? Range(string field, double? from, double? to)
    {
        if (from is null && to is null || from > to || from is { } f && !double.IsFinite(f) || to is { } t && !double.IsFinite(t))
        {
            return null;
        }
        var term = (from, to) switch
        {
            ({ } low, { } high) => $"{field}:[{AttributeValue.FormatNumber(low)} TO {AttributeValue.FormatNumber(high)}]",
            ({ } low, null) => $"{field}:>={AttributeValue.FormatNumber(low)}",
            _ => $"{field}:<={AttributeValue.FormatNumber(to!.Value)}",
        };
        return ReadBack(term, negated: false) is RangeNode read && read.Field.ToString() == field ? term : null;
    }

    /// <summary>
    /// The longest value a term is offered for: the store indexes a value's first 10,922 characters only, and a query
    /// lives in the page's address.
    /// </summary>
    public const int MaxTermValue = 1024;

    private static string? Checked(string field, string value, bool exclude, Func<FieldRef, bool> expected)
    {
        if (value.Length > MaxTermValue)
        {
            return null;
        }
        var term = $"{(exclude ? "-" : "")}{field}:{Quote(value)}";
        return ReadBack(term, exclude) is TermNode { Kind: TermKind.Exact or TermKind.Phrase } read && expected(read.Field) && read.Field.ToString() == field && read.Value == value
            ? term
            : null;
    }

    /// <summary>
    /// A term built for a button, read back as the query language reads it (what it negates, when <paramref name="negated"/>),
    /// so that it is offered only when it says what it was built to say; null when it does not parse as that.
    /// </summary>
    private static QueryNode? ReadBack(string term, bool negated) => !QueryParser.TryParse(term, out var node, out _) ? null
        : negated ? (node as NotNode)?.Child
        : node;

    /// <summary>
    /// <paramref name="query"/> narrowed by <paramref name="term"/>, or the term alone for an empty query. Terms side by
    /// side are joined by AND, which binds tighter than OR: a query with an OR at its top is put in parentheses first, so
    /// that the term narrows all of it. A value the query already keeps or excludes at its top (<c>host:web-1</c>,
    /// <c>-host:web-1</c>, <c>NOT host:web-1</c>) is not asked for twice: the same term leaves the query as it is, and its
    /// opposite takes the place of the one written, which would otherwise leave a query no event matches. Keeping a value
    /// of a reserved attribute (host, service, source, status: one value an event) whose other value the query keeps
    /// takes that one's place too, as picking a facet's value shows that value's events in Datadog; exclusions add up, and
    /// so do values of tags and attributes, which an event may hold several of. A range of a number takes the place of
    /// the query's first range of the same field at its top (the facet's range changed); others are left as written.
    /// </summary>
    public static string Narrowed(string? query, string term)
    {
        if (string.IsNullOrWhiteSpace(query))
        {
            return term;
        }
        var trimmed = query.Trim();
        if (!QueryParser.TryParse(trimmed, out var node, out _))
        {
            return $"{trimmed} {term}";
        }
        if (node is OrNode)
        {
            return $"({trimmed}) {term}";
        }
        if (QueryParser.TryParse(term, out var added, out _) && ValueTerm(added!) is { } wanted)
        {
            IReadOnlyList<QueryNode> children = node is AndNode and ? and.Children : [node!];
            for (var i = 0; i < children.Count; i++)
            {
                if (ValueTerm(children[i]) is not { } written || written.Term.Field != wanted.Term.Field)
                {
                    continue;
                }
                var sameValue = written.Term.Value == wanted.Term.Value;
                if (sameValue && written.Excluded == wanted.Excluded)
                {
                    return trimmed;
                }
                if (!sameValue && (written.Excluded || wanted.Excluded || wanted.Term.Field.Kind != FieldKind.Reserved))
                {
                    // Exclusions add up; so do values of a tag or attribute, which an event may hold several of.
                    continue;
                }
                // The written term's text, read again to be sure it is that term alone (one in parentheses is left, and the term added).
                var (start, text) = TextOf(trimmed, children, i);
                if (QueryParser.TryParse(text, out var alone, out _) && ValueTerm(alone!) == written)
                {
                    return string.Concat(trimmed.AsSpan(0, start), term, trimmed.AsSpan(start + text.Length));
                }
            }
        }
        // A term the query already has at its top, as written (a group excluded twice: -(a b)), is not asked for twice.
        IReadOnlyList<QueryNode> top = node is AndNode all ? all.Children : [node!];
        var range = QueryParser.TryParse(term, out var asked, out _) ? asked as RangeNode : null;
        for (var i = 0; i < top.Count; i++)
        {
            var (start, text) = TextOf(trimmed, top, i);
            if (text == term)
            {
                return trimmed;
            }
            if (range is not null && top[i] is RangeNode written && written.Field == range.Field
                && QueryParser.TryParse(text, out var alone, out _) && alone is RangeNode)
            {
                return string.Concat(trimmed.AsSpan(0, start), term, trimmed.AsSpan(start + text.Length));
            }
        }
        return $"{trimmed} {term}";
    }

    /// <summary>
    /// Where the top-level term <paramref name="i"/> of <paramref name="query"/> starts and its text: to where the next
    /// begins, without the space and any AND between them.
    /// </summary>
    private static (int Start, string Text) TextOf(string query, IReadOnlyList<QueryNode> children, int i)
    {
        var start = children[i].Position;
        var text = query[start..(i + 1 < children.Count ? children[i + 1].Position : query.Length)].TrimEnd();
        if (text.EndsWith(" AND", StringComparison.Ordinal))
        {
            text = text[..^4].TrimEnd();
        }
        return (start, text);
    }

    /// <summary>A term keeping one value of a field (<c>host:web-1</c>, <c>@usr.name:"a b"</c>) or excluding it; null for any other node.</summary>
    private static (TermNode Term, bool Excluded)? ValueTerm(QueryNode node) => node switch
    {
        TermNode { Kind: TermKind.Exact or TermKind.Phrase, Field.Kind: not FieldKind.FreeText } kept => (kept with { Position = 0, Kind = TermKind.Exact }, false),
        NotNode { Child: TermNode { Kind: TermKind.Exact or TermKind.Phrase, Field.Kind: not FieldKind.FreeText } dropped } => (dropped with { Position = 0, Kind = TermKind.Exact }, true),
        _ => null,
    };

    /// <summary>A value as a query term: quoted when it holds spaces or query syntax.</summary>
    public static string Quote(string value) =>
        value.Length == 0 || value[0] is '<' or '>' or '-' || value.Any(c => char.IsWhiteSpace(c) || c is '(' or ')' or ':' or '"' or '*' or '?' or '\\' or '[' or ']' or '{' or '}')
            ? "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\""
            : value;
}
