namespace Portal.Search;

/// <summary>Counts over a search: a histogram of matches over time and top values of facet fields.</summary>
public sealed record LogAnalytics(
    long Total,
    TimeSpan Interval,
    IReadOnlyList<HistogramBucket> Histogram,
    IReadOnlyDictionary<string, IReadOnlyList<FacetValue>> Facets);

/// <summary>Matches in <c>[Start, Start + interval)</c>.</summary>
public sealed record HistogramBucket(DateTimeOffset Start, long Count);

/// <summary>A facet value and how many matches carry it.</summary>
public sealed record FacetValue(string Value, long Count);
