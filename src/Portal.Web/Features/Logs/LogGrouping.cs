using System.Globalization;
using Portal.Detection.Query;
using Portal.Search;

namespace Portal.Web.Features.Logs;

/// <summary>
/// The Logs Explorer's grouping: the matches grouped by <see cref="By"/> (a reserved attribute, a tag key or an
/// <c>@attribute</c>), the <see cref="Limit"/> groups with the largest <see cref="Function"/> of <see cref="Metric"/>, as
/// Datadog's "top list" visualisation shows them; with <see cref="LogGroupView.Timeseries"/> each group's measure over
/// the window as well, one line a group; with <see cref="LogGroupView.Table"/> each group's largest groups by a second
/// field (<see cref="Then"/>) too, as Datadog's table does. In the address as <c>by</c>, <c>measure</c> (<c>count</c>,
/// <c>avg(@duration)</c>), <c>top</c>, <c>viz</c> (<c>timeseries</c>, <c>table</c>; Datadog's names) and <c>then</c>.
/// </summary>
public sealed record LogGrouping(
    string By, AggregateFunction Function = AggregateFunction.Count, string? Metric = null, int Limit = LogGrouping.DefaultLimit, LogGroupView View = LogGroupView.TopList,
    string? Then = null)
{
    public const int DefaultLimit = 10;

    /// <summary>The groups of the second field a table shows within each group of the first.</summary>
    public const int ThenLimit = 10;

    /// <summary>
    /// The key of a table's second-level group of the logs without a value of its field (a private-use character no
    /// sender's value is taken for), so that every first-level group shows its logs.
    /// </summary>
    public static readonly GroupKey NoValue = GroupKey.Of("\uE001");

    /// <summary>The numbers of groups offered in a top list.</summary>
    public static readonly int[] Limits = [10, 25, 50];

    /// <summary>The numbers of groups offered in a timeseries: more lines than ten no eye follows.</summary>
    public static readonly int[] SeriesLimits = [5, 10];

    /// <summary>The numbers of groups offered in <paramref name="view"/>.</summary>
    public static int[] LimitsOf(LogGroupView view) => view == LogGroupView.Timeseries ? SeriesLimits : Limits;

    /// <summary>The view's name in the address (none for the top list, the default).</summary>
    public string? ViewName => View switch
    {
        LogGroupView.Timeseries => "timeseries",
        LogGroupView.Table => "table",
        _ => null,
    };

    /// <summary>
    /// This grouping shown as <paramref name="view"/>: its number of groups kept when that view offers it, else the
    /// default; its second field only in a table.
    /// </summary>
    public LogGrouping In(LogGroupView view) => this with
    {
        View = view, Limit = LimitsOf(view).Contains(Limit) ? Limit : DefaultLimit, Then = view == LogGroupView.Table ? Then : null,
    };

    /// <summary>The fields the groups are by: <see cref="By"/>, then in a table <see cref="Then"/> when chosen.</summary>
    public IReadOnlyList<string> Levels => View == LogGroupView.Table && Then is { } then ? [By, then] : [By];

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
    public static LogGrouping? Parse(string? by, string? measure, string? top, string? viz = null, string? then = null)
    {
        if (AggregateFields.Parse(by) is null)
        {
            return null;
        }
        var view = viz switch
        {
            "timeseries" => LogGroupView.Timeseries,
            "table" => LogGroupView.Table,
            _ => LogGroupView.TopList,
        };
        var limit = int.TryParse(top, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && LimitsOf(view).Contains(n) ? n : DefaultLimit;
        var second = view == LogGroupView.Table && then != by && AggregateFields.Parse(then) is not null ? then : null;
        var grouping = new LogGrouping(by!, Limit: limit, View: view, Then: second);
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
    /// The store's request for this grouping over the window, largest measure first at each level (the second's
    /// <see cref="ThenLimit"/> within each group of the first): the measure, then the count of logs, and in a timeseries the
    /// measure over buckets of <paramref name="interval"/> on multiples of it in a clock <paramref name="offset"/> ahead of
    /// UTC (the histogram's buckets).
    /// </summary>
    public AggregateRequest Request(QueryNode query, DateTimeOffset from, DateTimeOffset to, TimeSpan interval, TimeSpan offset)
    {
        var measure = MetricOf(Function, Metric) is { } metric ? new AggregateMeasure(Function, metric) : new AggregateMeasure(AggregateFunction.Count);
        List<AggregateMeasure> computes = [measure, new AggregateMeasure(AggregateFunction.Count)];
        if (View == LogGroupView.Timeseries)
        {
            computes.Add(measure with { Interval = interval });
        }
        var sort = new AggregateSort(Descending: true, measure);
        return new AggregateRequest(query, from, to, computes,
            [.. Levels.Select((field, level) => new AggregateGroupBy(AggregateFields.Parse(field)!, level == 0 ? Limit : ThenLimit)
            {
                Sort = sort, Missing = level > 0 ? NoValue : null,
            })]) { Offset = offset };
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

/// <summary>How the Logs Explorer shows its groups: a ranked list, each group's measure over time above it, or a table of two levels.</summary>
public enum LogGroupView
{
    TopList,
    Timeseries,
    Table,
}
