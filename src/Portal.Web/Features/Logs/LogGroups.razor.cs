using System.Globalization;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using Portal.Search;

namespace Portal.Web.Features.Logs;

/// <summary>
/// The grouping card of the Logs Explorer: its controls (group into fields or patterns; by, then by, measure, number of
/// groups; shown as a top list, a timeseries or a table) and what each view shows.
/// </summary>
public partial class LogGroups
{
    /// <summary>The grouping shown; none: only the control to start one.</summary>
    [Parameter] public LogGrouping? Grouping { get; set; }

    /// <summary>The groups: their value (<see cref="AggregateBucket.By"/>), the measure, then the count of logs.</summary>
    [Parameter] public IReadOnlyList<AggregateBucket> Rows { get; set; } = [];

    /// <summary>The attributes and tag keys of the window, most common first: the fields offered.</summary>
    [Parameter] public IReadOnlyList<FieldSummary> Fields { get; set; } = [];

    /// <summary>Why the groups could not be computed (too many of them).</summary>
    [Parameter] public string? Error { get; set; }

    /// <summary>Whether the groups or patterns are being computed (their empty state then says so).</summary>
    [Parameter] public bool Loading { get; set; }

    /// <summary>Whether the logs are grouped into the patterns of their messages (<see cref="PatternRows"/>) rather than by a field.</summary>
    [Parameter] public bool Patterns { get; set; }

    /// <summary>The patterns of the latest <see cref="PatternSample"/> logs, commonest first.</summary>
    [Parameter] public IReadOnlyList<LogPattern> PatternRows { get; set; } = [];

    /// <summary>How many logs the patterns were found in (the latest <see cref="LogPatterns.SampleSize"/> at most).</summary>
    [Parameter] public int PatternSample { get; set; }

    /// <summary>Raised with true when patterns are asked for, false when fields are again.</summary>
    [Parameter] public EventCallback<bool> OnPatterns { get; set; }

    /// <summary>Raised with a pattern's query when its logs are asked for.</summary>
    [Parameter] public EventCallback<string> OnPatternSearch { get; set; }

    private string PatternSampleText => PatternSample switch
    {
        0 => "",
        LogPatterns.SampleSize => string.Create(CultureInfo.InvariantCulture, $"of the latest {PatternSample:N0} logs"),
        _ => string.Create(CultureInfo.InvariantCulture, $"of the {PatternSample:N0} logs"),
    };

    /// <summary>The zone and bucket width of a timeseries' points (the histogram's).</summary>
    [Parameter] public TimeZoneInfo Zone { get; set; } = TimeZoneInfo.Utc;

    /// <inheritdoc cref="Zone"/>
    [Parameter] public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Raised with the new grouping, or none to list the logs again.</summary>
    [Parameter] public EventCallback<LogGrouping?> OnChange { get; set; }

    /// <summary>Raised with a group when its value is clicked: the query then keeps that group's logs.</summary>
    [Parameter] public EventCallback<GroupCell> OnPick { get; set; }

    /// <summary>Raised with a group when its exclude button is clicked; without a handler there is none.</summary>
    [Parameter] public EventCallback<GroupCell> OnExclude { get; set; }

    /// <summary>The group of <paramref name="row"/> at <paramref name="level"/>: its values down to that level.</summary>
    private static GroupCell Cell(IReadOnlyList<string> levels, AggregateBucket row, int level) =>
        new([.. Enumerable.Range(0, level + 1).Select(l => (levels[l], row.By[l] == LogGrouping.NoValue ? null : (string?)row.By[l].ToString()))]);

    /// <summary>
    /// The fields offered to group by: the reserved facets, then the window's attributes and tag keys most common first
    /// (Vigil's own flags, and names no query can use, left out), and the one chosen wherever it is.
    /// </summary>
    private List<string> ByOptions
    {
        get
        {
            var options = Portal.Detection.Events.ReservedAttributes.Facets
                .Concat(Fields.Where(f => !f.Name.StartsWith("vigil.", StringComparison.Ordinal)).Select(f => f.QueryName))
                .Where(f => AggregateFields.Parse(f) is not null)
                .Distinct(StringComparer.Ordinal)
                .Take(MaxOptions)
                .ToList();
            if (Grouping?.By is { } chosen && !options.Contains(chosen))
            {
                options.Add(chosen);
            }
            return options;
        }
    }

    /// <summary>The fields <paramref name="function"/> may measure: any for a unique count, attributes for the others.</summary>
    private IEnumerable<string> MetricOptions(AggregateFunction function) =>
        ByOptions.Append(Grouping?.Metric ?? "").Where(f => f.Length > 0 && LogGrouping.MetricOf(function, f) is not null).Distinct(StringComparer.Ordinal);

    private const int MaxOptions = 60;

    private Task ByChangedAsync(string by)
    {
        if (by.Length == 0)
        {
            return OnChange.InvokeAsync(null);
        }
        var grouping = Grouping ?? new LogGrouping(by);
        // A table's second field is never its first.
        return OnChange.InvokeAsync(grouping with { By = by, Then = grouping.Then == by ? null : grouping.Then });
    }

    private Task FunctionChangedAsync(AggregateFunction function)
    {
        var grouping = Grouping! with { Function = function };
        if (function == AggregateFunction.Count)
        {
            grouping = grouping with { Metric = null };
        }
        else if (LogGrouping.MetricOf(function, grouping.Metric) is null)
        {
            // The first field the function can measure, until another is chosen.
            grouping = grouping with { Metric = MetricOptions(function).FirstOrDefault(f => f.StartsWith('@')) ?? MetricOptions(function).FirstOrDefault() };
        }
        return OnChange.InvokeAsync(grouping);
    }

    private Task MetricChangedAsync(string metric) => OnChange.InvokeAsync(Grouping! with { Metric = metric });

    private Task LimitChangedAsync(int limit) => OnChange.InvokeAsync(Grouping! with { Limit = limit });

    private Task ThenChangedAsync(string then) => OnChange.InvokeAsync(Grouping! with { Then = then.Length == 0 ? null : then });

    private Task ViewChangedAsync(LogGroupView view) => view == Grouping!.View ? Task.CompletedTask : OnChange.InvokeAsync(Grouping.In(view));

    private static readonly (LogGroupView View, string Label, string Icon)[] Views =
    [
        (LogGroupView.TopList, "Top list", Icons.Material.Outlined.BarChart),
        (LogGroupView.Timeseries, "Timeseries", Icons.Material.Outlined.ShowChart),
        (LogGroupView.Table, "Table", Icons.Material.Outlined.TableChart),
    ];

    /// <summary>
    /// The rows' blocks (first row, count): in a table of two levels each first-level group's consecutive rows (the store
    /// returns them so), else all the rows in one.
    /// </summary>
    private List<(int First, int Count)> Blocks(int levels)
    {
        var blocks = new List<(int, int)>();
        for (var i = 0; i < Rows.Count;)
        {
            var count = levels > 1 ? Rows.Skip(i).TakeWhile(r => r.By[0] == Rows[i].By[0]).Count() : Rows.Count;
            blocks.Add((i, count));
            i += count;
        }
        return blocks;
    }

    /// <summary>A bar's length: its measure against the largest of the list (none for a negative value or none).</summary>
    private double BarPercent(double? value)
    {
        var largest = Rows.Select(r => r.Computes[0].Total ?? 0).DefaultIfEmpty(0).Max();
        return value is > 0 && largest > 0 ? Math.Round(value.Value / largest * 100, 1) : 0;
    }
}
