using System.Globalization;
using Microsoft.AspNetCore.Components;
using Portal.Search;
using Portal.Web.Components.Shared;

namespace Portal.Web.Features.Logs;

/// <summary>
/// Each group's measure over the window, one line a group in its colour (<c>series-0</c> to <c>series-9</c> in the
/// stylesheet, in the groups' order), on the histogram's buckets; a line breaks where its group has no value (an average
/// without logs). The scale runs from zero, or below it for negative values, to the largest value rounded up.
/// </summary>
public partial class LogSeriesChart
{
    /// <summary>The colours of the palette, taken in the groups' order.</summary>
    public const int Colours = 10;

    private const double Width = 1000;
    private const double Height = 150;

    /// <summary>The groups, largest first: their value, then their computes, of which <see cref="SeriesCompute"/> is the measure's timeseries.</summary>
    [Parameter] public IReadOnlyList<AggregateBucket> Rows { get; set; } = [];

    /// <summary>The index of the timeseries among a row's computes. Default: 2 (after the total and the count of logs).</summary>
    [Parameter] public int SeriesCompute { get; set; } = 2;

    /// <summary>The function measured, for the values' format (counts whole).</summary>
    [Parameter] public AggregateFunction Function { get; set; }

    /// <summary>What is drawn, as the axis and the chart's accessible name say it (<c>count by service</c>).</summary>
    [Parameter] public string Title { get; set; } = "";

    /// <summary>The zone the times are shown in (the organisation's). Default: UTC.</summary>
    [Parameter] public TimeZoneInfo Zone { get; set; } = TimeZoneInfo.Utc;

    /// <summary>The buckets' width, as the axis says it. Default: one minute.</summary>
    [Parameter] public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(1);

    private List<DateTimeOffset> _times = [];

    /// <summary>Each group's line as the runs of buckets with a value.</summary>
    private List<List<string>> _lines = [];

    /// <summary>The scale's top and bottom: the largest value rounded up (<see cref="NiceCeiling"/>), and zero or the least rounded down.</summary>
    private double _top;

    private double _bottom;

    /// <summary>A bucket's width in the plot's units.</summary>
    private double _step;

    protected override void OnParametersSet()
    {
        var series = Rows.Select(r => r.Computes.Count > SeriesCompute ? r.Computes[SeriesCompute].Series ?? [] : []).ToList();
        _times = series.FirstOrDefault(s => s.Count > 0)?.Select(p => p.Time).ToList() ?? [];
        var values = series.SelectMany(s => s).Select(p => p.Value ?? 0).Where(double.IsFinite).DefaultIfEmpty(0).ToList();
        var (least, largest) = (values.Min(), values.Max());
        _bottom = least < 0 ? -NiceCeiling(-least) : 0;
        _top = largest > 0 || _bottom == 0 ? NiceCeiling(largest) : 0;
        _step = _times.Count == 0 ? 0 : Width / _times.Count;
        _lines = [.. series.Select(Runs)];
    }

    /// <summary>The polylines of one group: consecutive buckets with a value joined, a lone one drawn as a short dash.</summary>
    private List<string> Runs(IReadOnlyList<AggregatePoint> points)
    {
        var runs = new List<string>();
        var run = new List<(double X, double Y)>();
        for (var i = 0; i <= points.Count; i++)
        {
            if (i < points.Count && points[i].Value is { } value && double.IsFinite(value))
            {
                run.Add(((i + 0.5) * _step, Height - 0.5 - Math.Clamp((value - _bottom) / (_top - _bottom), 0, 1) * (Height - 1)));
                continue;
            }
            if (run is [var (x, y)])
            {
                var half = Math.Min(3, _step / 3);
                run = [(x - half, y), (x + half, y)];
            }
            if (run.Count > 0)
            {
                runs.Add(string.Join(' ', run.Select(p => $"{Coordinate(p.X)},{Coordinate(p.Y)}")));
                run.Clear();
            }
        }
        return runs;
    }

    /// <summary>A bucket's tooltip: its time, then each group's value in the groups' order.</summary>
    private string Tooltip(int bucket)
    {
        var head = $"{DisplayTime.Second(_times[bucket], Zone)} {DisplayTime.NameOf(Zone)}";
        var values = Rows.Where(r => ValueAt(r, bucket) is not null).Select(r => $"{r.By[0]}: {LogGrouping.Format(ValueAt(r, bucket), Function)}");
        return string.Join("\n", values.Prepend(head));
    }

    /// <summary>A group's value in bucket <paramref name="bucket"/>, or none.</summary>
    private double? ValueAt(AggregateBucket row, int bucket) =>
        row.Computes.Count > SeriesCompute && row.Computes[SeriesCompute].Series is { } points && bucket < points.Count ? points[bucket].Value : null;

    /// <summary>A value of the scale: as the groups' values are written, but a half between whole counts keeps its decimal.</summary>
    private string Label(double value) => value % 1 == 0 ? LogGrouping.Format(value, Function) : LogGrouping.Format(value, AggregateFunction.Avg);

    private static string Coordinate(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>The least of 1, 2 and 5 times a power of ten at or above <paramref name="value"/>; 1 for nothing above zero.</summary>
    internal static double NiceCeiling(double value)
    {
        if (value <= 0)
        {
            return 1;
        }
        var power = Math.Pow(10, Math.Floor(Math.Log10(value)));
        foreach (var step in (ReadOnlySpan<double>)[1, 2, 5, 10])
        {
            if (step * power >= value * (1 - 1e-12))
            {
                return step * power;
            }
        }
        return 10 * power;
    }
}
