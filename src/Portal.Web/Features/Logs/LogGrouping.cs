using System.Globalization;
using Portal.Detection.Query;
using Portal.Search;

namespace Portal.Web.Features.Logs;

/// <summary>
/// The Logs Explorer's top list: the matches grouped by <see cref="By"/> (a reserved attribute, a tag key or an
/// <c>@attribute</c>), the <see cref="Limit"/> groups with the largest <see cref="Function"/> of <see cref="Metric"/>, as
/// Datadog's "top list" visualisation shows them. In the address as <c>by</c>, <c>measure</c> (<c>count</c>,
/// <c>avg(@duration)</c>) and <c>top</c>.
/// </summary>
public sealed record LogGrouping(string By, AggregateFunction Function = AggregateFunction.Count, string? Metric = null, int Limit = LogGrouping.DefaultLimit)
{
    public const int DefaultLimit = 10;

    /// <summary>The numbers of groups offered.</summary>
    public static readonly int[] Limits = [10, 25, 50];

    /// <summary>The functions offered, in the order of the menu, with their names there.</summary>
    public static readonly (AggregateFunction Function, string Label)[] Functions =
    [
        (AggregateFunction.Count, "Count of logs"),
        (AggregateFunction.Cardinality, "Unique count of"),
        (AggregateFunction.Sum, "Sum of"),
        (AggregateFunction.Avg, "Average of"),
        (AggregateFunction.Min, "Minimum of"),
        (AggregateFunction.Max, "Maximum of"),
        (AggregateFunction.Median, "Median of"),
        (AggregateFunction.Pc90, "90th percentile of"),
        (AggregateFunction.Pc95, "95th percentile of"),
        (AggregateFunction.Pc99, "99th percentile of"),
    ];

    /// <summary>The measure as the address and the column's header write it: <c>count</c>, <c>avg(@duration)</c>.</summary>
    public string Measure => Function == AggregateFunction.Count ? "count" : $"{AggregateMeasure.NameOf(Function)}({Metric})";

    /// <summary>Whether the measure names its field (every function but the count of logs).</summary>
    public bool NeedsMetric => Function != AggregateFunction.Count;

    /// <summary>
    /// The grouping an address holds, or none: no <paramref name="by"/>, or one that is no field. A measure or limit that
    /// cannot be read falls back to the count of logs and ten groups.
    /// </summary>
    public static LogGrouping? Parse(string? by, string? measure, string? top)
    {
        if (AggregateFields.Parse(by) is null)
        {
            return null;
        }
        var limit = int.TryParse(top, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && Limits.Contains(n) ? n : DefaultLimit;
        var grouping = new LogGrouping(by!, Limit: limit);
        // "avg()": the function chosen before its field, which the page then asks for.
        if (measure is [.., ')'] && measure.IndexOf('(', StringComparison.Ordinal) is > 0 and var open
            && AggregateMeasure.Parse(measure[..open]) is { } function && function != AggregateFunction.Count
            && measure[(open + 1)..^1] is var metric && (metric.Length == 0 || MetricOf(function, metric) is not null))
        {
            grouping = grouping with { Function = function, Metric = metric.Length == 0 ? null : metric };
        }
        return grouping;
    }

    /// <summary>The store's request for this grouping over the window: the measure, then the count of logs, largest first.</summary>
    public AggregateRequest Request(QueryNode query, DateTimeOffset from, DateTimeOffset to)
    {
        var measure = MetricOf(Function, Metric) is { } metric ? new AggregateMeasure(Function, metric) : new AggregateMeasure(AggregateFunction.Count);
        return new AggregateRequest(query, from, to, [measure, new AggregateMeasure(AggregateFunction.Count)],
            [new AggregateGroupBy(AggregateFields.Parse(By)!, Limit) { Sort = new AggregateSort(Descending: true, measure) }]);
    }

    /// <inheritdoc cref="AggregateFields.MetricOf"/>
    public static FieldRef? MetricOf(AggregateFunction function, string? name) => AggregateFields.MetricOf(function, name);
}
