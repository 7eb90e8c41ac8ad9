using Portal.Detection.Events;
using Portal.Detection.Query;
using Portal.Search;
using Portal.Web.Components.Shared;

namespace Portal.Web.Features.Logs;

/// <summary>
/// The facets a user adds to the Logs page's panel (Datadog's "add facet"): attributes and tag keys counted besides the
/// reserved facets, whatever their share of the logs (one of the range's most common attributes, added, stays whatever
/// the range and gets its range filter when a number), kept in the view's address (<c>facets=@usr.name,env</c>).
/// </summary>
public static class PinnedFacets
{
    /// <summary>The most facets a panel adds: each is counted apart at every search.</summary>
    public const int Max = 6;

    /// <summary>The values a pinned facet shows: its most common.</summary>
    public const int Values = 10;

    /// <summary>The longest name a facet takes (the address holds it).</summary>
    private const int MaxNameLength = 256;

    /// <summary>
    /// Whether <paramref name="field"/> (<c>@usr.name</c>, <c>env</c>) can be added: an attribute or a tag key the store
    /// can count and the query language can name (its values then filter the search), not a reserved facet (always
    /// shown), and no comma (the address separates facets with commas).
    /// </summary>
    public static bool CanPin(string field) =>
        field.Length is > 0 and <= MaxNameLength && !field.Contains(',') && AggregateFields.Parse(field) is { Kind: not FieldKind.Reserved }
        && QueryCompletion.Exists(field) is not null;

    /// <summary>The facets an address's parameter names (<see cref="Format"/>): in order, each once, at most <see cref="Max"/>; a name none can take left out.</summary>
    public static List<string> Parse(string? text) =>
        [.. (text ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Where(CanPin).Distinct(StringComparer.Ordinal).Take(Max)];

    /// <summary>The address's parameter for <paramref name="facets"/>; null for none, which leaves it out.</summary>
    public static string? Format(IReadOnlyList<string> facets) => facets.Count == 0 ? null : string.Join(',', facets);

    /// <summary>
    /// The panel's facets: the reserved ones as counted (<paramref name="counted"/>, in its order), then the pinned ones
    /// in the order added, then the range's most common attributes not pinned. A pinned facet not counted yet shows the
    /// values the range's own counted, if any, else none; without <paramref name="uncounted"/> it is left out instead
    /// (what the query bar completes from: a facet left out is asked for its values).
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<FacetValue>> Compose(
        IReadOnlyDictionary<string, IReadOnlyList<FacetValue>> counted, IReadOnlyList<string> pinned, IReadOnlyDictionary<string, IReadOnlyList<FacetValue>> pinnedValues,
        bool uncounted = true)
    {
        var panel = new Dictionary<string, IReadOnlyList<FacetValue>>(StringComparer.Ordinal);
        foreach (var (field, values) in counted.Where(f => !f.Key.StartsWith('@')))
        {
            panel[field] = values;
        }
        foreach (var field in pinned)
        {
            // Its own count first, unless empty where the range's counted values (with no cap on their number) are at hand.
            if (pinnedValues.TryGetValue(field, out var values) && values.Count > 0 || counted.TryGetValue(field, out values) || pinnedValues.TryGetValue(field, out values))
            {
                panel[field] = values;
            }
            else if (uncounted)
            {
                panel[field] = [];
            }
        }
        foreach (var (field, values) in counted.Where(f => f.Key.StartsWith('@') && !panel.ContainsKey(f.Key)))
        {
            panel[field] = values;
        }
        return panel;
    }

    /// <summary>
    /// The store's request for the values of <paramref name="field"/> among the matches, by count: the
    /// <paramref name="limit"/> most common (a pinned facet's <see cref="Values"/>). The field is one
    /// <see cref="AggregateFields.Parse"/> reads.
    /// </summary>
    public static AggregateRequest Request(string field, QueryNode query, DateTimeOffset from, DateTimeOffset to, int limit = Values) =>
        new(query, from, to, [new AggregateMeasure(AggregateFunction.Count)], [new AggregateGroupBy(AggregateFields.Parse(field)!, limit)]);

    /// <summary>
    /// The values of pinned facet <paramref name="field"/> among the matches (<see cref="Request"/>), of
    /// <paramref name="tenant"/>'s logs, and when they read as numbers the least and the greatest of the matches' numbers
    /// (a second request; none when the field holds text, or is a tag key: ranges are of attributes); none, and why, when
    /// it has too many to count (a busy number, its range still).
    /// </summary>
    public static async Task<FacetCount> CountAsync(ILogStore logs, Guid tenant, string field, QueryNode query, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        try
        {
            var groups = await logs.AggregateAsync(tenant, Request(field, query, from, to), cancellationToken);
            // Values read as numbers may be a number's (the store then has its least and greatest) or text that looks like one.
            var numbers = groups.Count > 0 && groups.All(g => AttributeValue.ParseFinite(g.By[0].ToString()) is not null);
            return new FacetCount(ValuesOf(groups), Range: numbers ? await RangeAsync(logs, tenant, field, query, from, to, cancellationToken) : null);
        }
        catch (AggregateTooLargeException)
        {
            return new FacetCount([], "too many values to count: narrow the search", await RangeAsync(logs, tenant, field, query, from, to, cancellationToken));
        }
    }

    /// <summary>The least and the greatest number of attribute <paramref name="field"/> among the matches; none for a tag key, or without numbers.</summary>
    private static async Task<(double Min, double Max)?> RangeAsync(ILogStore logs, Guid tenant, string field, QueryNode query, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        if (AggregateFields.MetricOf(AggregateFunction.Min, field) is not { } metric)
        {
            return null;
        }
        var bounds = await logs.AggregateAsync(tenant,
            new AggregateRequest(query, from, to, [new AggregateMeasure(AggregateFunction.Min, metric), new AggregateMeasure(AggregateFunction.Max, metric)], []),
            cancellationToken);
        return bounds is [{ Computes: [{ Total: { } min }, { Total: { } max }] }] ? (min, max) : null;
    }

    /// <summary>The values of a pinned facet as the panel shows them, from the store's groups (<see cref="Request"/>).</summary>
    public static IReadOnlyList<FacetValue> ValuesOf(IReadOnlyList<AggregateBucket> groups) =>
        [.. groups.Select(g => new FacetValue(g.By[0].ToString(), (long)(g.Computes[0].Total ?? 0)))];
}

/// <summary>
/// What the panel shows of an added facet: its commonest values; why it has none (too many to count); and when its
/// values are numbers, the least and the greatest of the matches', which its range filter starts from.
/// </summary>
public sealed record FacetCount(IReadOnlyList<FacetValue> Values, string? Note = null, (double Min, double Max)? Range = null);
