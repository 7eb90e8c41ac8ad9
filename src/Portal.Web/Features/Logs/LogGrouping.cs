using System.Globalization;
using Portal.Detection.Query;
using Portal.Search;

namespace Portal.Web.Features.Logs;

/// <summary>
/// The Logs Explorer's grouping: the matches grouped by <see cref="By"/> (a reserved attribute, a tag key or an
/// <c>@attribute</c>), the <see cref="Limit"/> groups with the largest <see cref="Function"/> of <see cref="Metric"/>, as
/// Datadog's "top list" visualisation shows them, or with <see cref="LogGroupView.Timeseries"/> each group's measure over
/// the window as well, one line a group. In the address as <c>by</c>, <c>measure</c> (<c>count</c>,
/// <c>avg(@duration)</c>), <c>top</c> and <c>viz</c> (<c>timeseries</c>; Datadog's name).
/// </summary>
public sealed record LogGrouping(
    string By, AggregateFunction Function = AggregateFunction.Count, string? Metric = null, int Limit = LogGrouping.DefaultLimit, LogGroupView View = LogGroupView.TopList)
{
    public const int DefaultLimit = 10;

    /// <summary>The numbers of groups offered in a top list.</summary>
    public static readonly int[] Limits = [10, 25, 50];

    /// <summary>The numbers of groups offered in a timeseries: more lines than ten no eye follows.</summary>
    public static readonly int[] SeriesLimits = [5, 10];

    /// <summary>The numbers of groups offered in <paramref name="view"/>.</summary>
    public static int[] LimitsOf(LogGroupView view) => view == LogGroupView.Timeseries ? SeriesLimits : Limits;

    /// <summary>The view's name in the address (none for the top list, the default).</summary>
    public string? ViewName => View == LogGroupView.Timeseries ? "timeseries" : null;

    /// <summary>This grouping shown as <paramref name="view"/>: its number of groups kept when that view offers it, else the default.</summary>
    public LogGrouping In(LogGroupView view) => this with { View = view, Limit = LimitsOf(view).Contains(Limit) ? Limit : DefaultLimit };

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
    public static LogGrouping? Parse(string? by, string? measure, string? top, string? viz = null)
    {
        if (AggregateFields.Parse(by) is null)
        {
            return null;
        }
        var view = viz == "timeseries" ? LogGroupView.Timeseries : LogGroupView.TopList;
        var limit = int.TryParse(top, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && LimitsOf(view).Contains(n) ? n : DefaultLimit;
        var grouping = new LogGrouping(by!, Limit: limit, View: view);
        // "avg()": the function chosen before its field, which the page then asks for.
        if (measure is [.., ')'] && measure.IndexOf('(', StringComparison.Ordinal) is > 0 and var open
            && AggregateMeasure.Parse(measure[..open]) is { } function && function != AggregateFunction.Count
            && measure[(open + 1)..^1] is var metric && (metric.Length == 0 || MetricOf(function, metric) is not null))
        {
            grouping = grouping with { Function = function, Metric = metric.Length == 0 ? null : metric };
        }
        return grouping;
    }

    /// <summary>
    /// The store's request for this grouping over the window, largest measure first: the measure, then the count of logs,
    /// and in a timeseries the measure over buckets of <paramref name="interval"/> on multiples of it in a clock
    /// <paramref name="offset"/> ahead of UTC (the histogram's buckets).
    /// </summary>
    public AggregateRequest Request(QueryNode query, DateTimeOffset from, DateTimeOffset to, TimeSpan interval, TimeSpan offset)
    {
        var measure = MetricOf(Function, Metric) is { } metric ? new AggregateMeasure(Function, metric) : new AggregateMeasure(AggregateFunction.Count);
        List<AggregateMeasure> computes = [measure, new AggregateMeasure(AggregateFunction.Count)];
        if (View == LogGroupView.Timeseries)
        {
            computes.Add(measure with { Interval = interval });
        }
        return new AggregateRequest(query, from, to, computes,
            [new AggregateGroupBy(AggregateFields.Parse(By)!, Limit) { Sort = new AggregateSort(Descending: true, measure) }]) { Offset = offset };
    }

    /// <summary>Counts whole, other measures to two decimals at most; a group without values of a numeric measure shows a dash.</summary>
    public static string Format(double? value, AggregateFunction function) => value switch
    {
        null => "—",
        { } v when function is AggregateFunction.Count or AggregateFunction.Cardinality => v.ToString("N0", CultureInfo.InvariantCulture),
        { } v => v.ToString("#,0.##", CultureInfo.InvariantCulture),
    };

    /// <inheritdoc cref="AggregateFields.MetricOf"/>
    public static FieldRef? MetricOf(AggregateFunction function, string? name) => AggregateFields.MetricOf(function, name);
}

/// <summary>How the Logs Explorer shows its groups: a ranked list, or each group's measure over time above it.</summary>
public enum LogGroupView
{
    TopList,
    Timeseries,
}
