using Portal.Detection.Query;

namespace Portal.Search;

/// <summary>
/// An aggregation of the events matching <see cref="Query"/> in <c>[From, To)</c>, as Datadog's log analytics computes
/// them: <see cref="Computes"/> (a total or a timeseries each) over all matches, or per group of up to four nested facets
/// (<see cref="GroupBy"/>), each level keeping its <see cref="AggregateGroupBy.Limit"/> first groups in its own order
/// within each group of the level above.
/// </summary>
public sealed record AggregateRequest(
    QueryNode Query, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<AggregateMeasure> Computes, IReadOnlyList<AggregateGroupBy> GroupBy)
{
    /// <summary>
    /// How far ahead of UTC the clock is whose multiples of a timeseries' interval its points start on (a zone's offset at
    /// the window's start, as the Logs Explorer's histogram has it: a day's point at that zone's midnight). Default: UTC.
    /// </summary>
    public TimeSpan Offset { get; init; }
}

/// <summary>Fields as Datadog names them in a facet or metric: <c>service</c>, <c>@http.status_code</c>, a tag key such as <c>env</c>.</summary>
public static class AggregateFields
{
    /// <summary>The field <paramref name="name"/> names, or none (nothing, the message, or a name no tag key has).</summary>
    public static FieldRef? Parse(string? name) => name switch
    {
        null or "" or "@" or Portal.Detection.Events.ReservedAttributes.Message => null,
        ['@', .. var path] => new FieldRef(FieldKind.Attribute, path),
        _ when Portal.Detection.Events.ReservedAttributes.IsFacet(name) => new FieldRef(FieldKind.Reserved, name),
        _ when name.All(c => char.IsLetterOrDigit(c) || c is '_' or '-' or '.' or '/') => new FieldRef(FieldKind.Tag, name),
        _ => null,
    };

    /// <summary>The field <paramref name="function"/> can measure, named <paramref name="name"/>: any field for a unique count, an attribute (a number) for the others; none for a count.</summary>
    public static FieldRef? MetricOf(AggregateFunction function, string? name) => Parse(name) switch
    {
        { } field when function == AggregateFunction.Cardinality || function != AggregateFunction.Count && field.Kind == FieldKind.Attribute => field,
        _ => null,
    };
}

/// <summary>Datadog's aggregation functions (<c>count</c>, <c>cardinality</c>, <c>sum</c>, ..., <c>pc99</c>).</summary>
public enum AggregateFunction
{
    Count,
    Cardinality,
    Sum,
    Min,
    Max,
    Avg,
    Median,
    Pc75,
    Pc90,
    Pc95,
    Pc98,
    Pc99,
}

/// <summary>
/// One value to compute: <see cref="Function"/> of <see cref="Metric"/> (none for <c>count</c>; a field of any kind for
/// <c>cardinality</c>; a numeric attribute for the others), over the whole window, or with <see cref="Interval"/> as a
/// timeseries of buckets on multiples of it.
/// </summary>
public sealed record AggregateMeasure(AggregateFunction Function, FieldRef? Metric = null, TimeSpan? Interval = null)
{
    /// <summary>The function's name in Datadog's requests.</summary>
    public static string NameOf(AggregateFunction function) => function.ToString().ToLowerInvariant();

    /// <summary>The function named <paramref name="name"/> in Datadog's requests, or null.</summary>
    public static AggregateFunction? Parse(string? name) =>
        Enum.GetValues<AggregateFunction>().Select(f => (AggregateFunction?)f).FirstOrDefault(f => NameOf(f!.Value) == name);

    /// <summary>Whether the function reads numbers (all but <c>count</c> and <c>cardinality</c>).</summary>
    public bool IsNumeric => Function is not (AggregateFunction.Count or AggregateFunction.Cardinality);
}

/// <summary>
/// One level of grouping: the values of <see cref="Facet"/> (a reserved attribute, a tag key or an attribute; an event
/// with several values counts in each), or, with <see cref="Histogram"/>, the bins of a numeric attribute's values.
/// </summary>
public sealed record AggregateGroupBy(FieldRef Facet, int Limit = AggregateGroupBy.DefaultLimit)
{
    public const int DefaultLimit = 10;

    /// <summary>The order the level's groups are kept and returned in: by count, most first, unless set.</summary>
    public AggregateSort Sort { get; init; } = AggregateSort.ByCount;

    /// <summary>The group of the events without the facet; without it, they are left out of this level.</summary>
    public GroupKey? Missing { get; init; }

    /// <summary>A group, returned after the others, of every event of the level above (whatever its value here).</summary>
    public GroupKey? Total { get; init; }

    /// <summary>Numeric bins instead of values.</summary>
    public NumericBins? Histogram { get; init; }
}

/// <summary>
/// A level's order: alphabetical (numbers by value, before text), or by a measure's value (groups without one last);
/// ties by value.
/// </summary>
public sealed record AggregateSort(bool Descending, AggregateMeasure? Measure)
{
    public static readonly AggregateSort ByCount = new(Descending: true, new AggregateMeasure(AggregateFunction.Count));

    public bool Alphabetical => Measure is null;
}

/// <summary>
/// Bins of <see cref="Interval"/> over a numeric attribute's values in <c>[Min, Max]</c> (values outside are left out): a
/// value falls in the bin starting at the multiple of the interval at or below it.
/// </summary>
public sealed record NumericBins(double Interval, double Min, double Max)
{
    /// <summary>The most bins a histogram may have, <c>(max - min) / interval</c>, as Datadog allows.</summary>
    public const int MaxBins = 100;

    public double? BinOf(double value) => value < Min || value > Max ? null : Math.Floor(value / Interval) * Interval;
}

/// <summary>A group's value at one level: text, or a number (a histogram's bin, a numeric missing value), or the level's total group.</summary>
public readonly record struct GroupKey(string? Text, double Number, bool IsTotal = false)
{
    public static GroupKey Of(string text) => new(text, 0);

    public static GroupKey Of(double number) => new(null, number);

    /// <summary>Alphabetical order: numbers by value, before text, text by ordinal order.</summary>
    public static readonly IComparer<GroupKey> Order = Comparer<GroupKey>.Create((a, b) => (a.Text, b.Text) switch
    {
        (null, null) => a.Number.CompareTo(b.Number),
        (null, _) => -1,
        (_, null) => 1,
        _ => string.CompareOrdinal(a.Text, b.Text),
    });

    public override string ToString() => Text ?? Number.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>One group's values (<see cref="By"/>, one per level; none without grouping) and its computes, in the request's order.</summary>
public sealed record AggregateBucket(IReadOnlyList<GroupKey> By, IReadOnlyList<AggregateValue> Computes);

/// <summary>
/// A compute's result: a total, or a timeseries. Over no value (a group, or a timeseries point, without the measured
/// field's values) counts, unique counts and sums are 0, the other functions have none (null).
/// </summary>
public sealed record AggregateValue(double? Total, IReadOnlyList<AggregatePoint>? Series = null);

/// <summary>A timeseries point: the bucket's start and the value over it.</summary>
public readonly record struct AggregatePoint(DateTimeOffset Time, double? Value);

/// <summary>An aggregation larger than a store computes (too many groups, or additions to them): narrower filters or fewer facets are needed.</summary>
public sealed class AggregateTooLargeException(string message) : Exception(message);
