namespace Portal.Search;

/// <summary>
/// Counts over a search: a histogram of matches over time and top values of facet fields; when asked, the histogram
/// stacked by a reserved facet's most frequent values (<see cref="Stacks"/>), each with its count and histogram over the
/// same buckets and the same snapshot of the index, so that they add up to <see cref="Histogram"/> but for matches
/// without the facet or with a value beyond the most frequent. They are counted in the analysis's own pass (and, when a
/// segment holds too many of the facet's values to keep every histogram, in a second over the values kept).
/// </summary>
public sealed record LogAnalytics(
    long Total,
    TimeSpan Interval,
    IReadOnlyList<HistogramBucket> Histogram,
    IReadOnlyDictionary<string, IReadOnlyList<FacetValue>> Facets,
    IReadOnlyList<SeriesGroup>? Stacks = null);

/// <summary>Matches in <c>[Start, Start + interval)</c>.</summary>
public sealed record HistogramBucket(DateTimeOffset Start, long Count)
{
    /// <summary>The most buckets a histogram has: a window needing more is counted only as far as they reach.</summary>
    public const int MaxCount = 10_000;

    /// <summary>
    /// Where the first bucket of a histogram of <paramref name="intervalMs"/> over a window from <paramref name="fromMs"/>
    /// starts: on the multiple of the interval since the epoch at or before the window's start, in a clock
    /// <paramref name="offsetMs"/> ahead of UTC (a time zone's offset: day bars start at its midnight).
    /// </summary>
    /// <remarks>Never before the earliest time there is (year 1), where a window starting then begins its first bucket.</remarks>
    public static long StartMs(long fromMs, long intervalMs, long offsetMs = 0) =>
        Math.Max(EarliestMs, fromMs - ((((fromMs + offsetMs) % intervalMs) + intervalMs) % intervalMs));

    private static readonly long EarliestMs = DateTimeOffset.MinValue.ToUnixTimeMilliseconds();

    /// <summary>
    /// The buckets a histogram of <paramref name="interval"/> takes over <c>[from, to)</c>, uncapped: whole intervals from
    /// <see cref="StartMs"/> until the window ends (at least one).
    /// </summary>
    public static long CountFor(DateTimeOffset from, DateTimeOffset to, TimeSpan interval, TimeSpan offset = default)
    {
        var intervalMs = Math.Max(1, (long)interval.TotalMilliseconds);
        var startMs = StartMs(from.ToUnixTimeMilliseconds(), intervalMs, (long)offset.TotalMilliseconds);
        return Math.Max(1, (to.ToUnixTimeMilliseconds() - startMs + intervalMs - 1) / intervalMs);
    }
}

/// <summary>A facet value and how many matches carry it.</summary>
public sealed record FacetValue(string Value, long Count);

/// <summary>
/// A field present in a tenant's documents: an attribute (<see cref="Portal.Detection.Query.FieldKind.Attribute"/>, the path without
/// <c>@</c>) or a tag key, and the number of documents carrying it (deleted documents may still count until merged).
/// </summary>
public sealed record FieldSummary(Portal.Detection.Query.FieldKind Kind, string Name, long Documents)
{
    /// <summary>The field as written in a query: <c>@http.status_code</c>, <c>env</c>.</summary>
    public string QueryName => Kind == Portal.Detection.Query.FieldKind.Attribute ? "@" + Name : Name;
}

/// <summary>
/// A timeseries grouped by a facet: every match's count and histogram, then the most frequent values of the facet,
/// most frequent first, each with its own count and histogram (matches without the facet count only in the totals).
/// </summary>
public sealed record GroupedSeries(long Total, IReadOnlyList<HistogramBucket> Histogram, IReadOnlyList<SeriesGroup> Groups);

/// <summary>One value of a grouped timeseries: how many matches carry it, and when.</summary>
public sealed record SeriesGroup(string Value, long Count, IReadOnlyList<HistogramBucket> Histogram);
