using Microsoft.AspNetCore.Components;
using Portal.Detection.Intake;
using Portal.Search;
using Portal.Web.Components.Shared;

namespace Portal.Web.Features.Logs;

/// <summary>
/// Matches over time as bars, each stacked by status when the counts by status are given (<see cref="ByStatus"/>), the
/// most severe on top, as Datadog colours its log histogram. A segment's colour is its status's (<c>seg-error</c>...,
/// grouped in the stylesheet as the status chips are). The Signals page draws its signals by severity with it
/// (<see cref="BySeverity"/>, <see cref="SegmentClass"/>).
/// </summary>
public partial class LogsHistogram
{
    /// <summary>Each bucket's counts by status, from the least severe (drawn at the bottom); computed when the parameters change.</summary>
    private List<(string? Status, long Count)>[] _parts = [];

    private long _max;

    /// <summary>The bars, for moving the focus between them.</summary>
    private ElementReference[] _bars = [];

    /// <summary>The bar in the tab order: the last focused, or the newest with matches.</summary>
    private int _active = -1;

    /// <summary>The start of the bucket of <see cref="_active"/>, which keeps its place while the buckets shift (live tail).</summary>
    private DateTimeOffset? _activeStart;

    /// <summary>Buckets in time order. Default: none.</summary>
    [Parameter] public IReadOnlyList<HistogramBucket> Buckets { get; set; } = [];

    /// <summary>The same matches by status, each with a histogram of the same buckets. Default: none (bars of one colour).</summary>
    [Parameter] public IReadOnlyList<SeriesGroup> ByStatus { get; set; } = [];

    /// <summary>Raised with a bucket's start when the user zooms in to it; without a handler the bars are not buttons.</summary>
    [Parameter] public EventCallback<DateTimeOffset> OnZoom { get; set; }

    /// <summary>The zone times are shown in (the organisation's). Default: UTC.</summary>
    [Parameter] public TimeZoneInfo Zone { get; set; } = TimeZoneInfo.Utc;

    /// <summary>Width of a bucket. Default: one minute.</summary>
    [Parameter] public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>What the bars count, in the plural, as the axis and the tooltips say it. Default: events.</summary>
    [Parameter] public string Noun { get; set; } = "events";

    /// <summary>The values of <see cref="ByStatus"/> from the most severe. Default: the log statuses (<see cref="LogStatuses.BySeverity"/>).</summary>
    [Parameter] public IReadOnlyList<string> BySeverity { get; set; } = LogStatuses.BySeverity;

    /// <summary>What a segment's class is made of, before its value (<c>seg-</c> and <c>error</c>). Default: <c>seg-</c>, the log statuses' colours.</summary>
    [Parameter] public string SegmentClass { get; set; } = "seg-";

    /// <summary>The chart's element id. Default: <c>logs-histogram</c>.</summary>
    [Parameter] public string Id { get; set; } = "logs-histogram";

    /// <summary>Where <paramref name="value"/> stands in <see cref="BySeverity"/>: 0 the most severe, any other after them all.</summary>
    private int Rank(string value)
    {
        for (var i = 0; i < BySeverity.Count; i++)
        {
            if (BySeverity[i] == value)
            {
                return i;
            }
        }
        return BySeverity.Count;
    }

    protected override void OnParametersSet()
    {
        _max = Buckets.Count == 0 ? 0 : Buckets.Max(b => b.Count);
        // Resized, not replaced: a bar the renderer keeps is captured once, when it was created.
        Array.Resize(ref _bars, Buckets.Count);
        _active = _activeStart is { } start && FindIndex(start) is var same and >= 0 && Buckets[same].Count > 0
            ? same
            : LastIndexWithMatches(Buckets.Count - 1);
        _activeStart = _active >= 0 ? Buckets[_active].Start : null;
        var groups = ByStatus.OrderByDescending(g => Rank(g.Value)).ToList();
        _parts = new List<(string?, long)>[Buckets.Count];
        for (var i = 0; i < Buckets.Count; i++)
        {
            var parts = new List<(string?, long)>();
            foreach (var group in groups)
            {
                // Only a group of the same buckets counts: another interval's would mislabel the bar.
                if (i < group.Histogram.Count && group.Histogram[i].Start == Buckets[i].Start && group.Histogram[i].Count > 0)
                {
                    parts.Add((group.Value, group.Histogram[i].Count));
                }
            }
            var rest = Buckets[i].Count - parts.Sum(p => p.Item2);
            if (rest > 0)
            {
                // Matches of a status beyond the groups (or all of them, without groups), at the bottom.
                parts.Insert(0, (null, rest));
            }
            _parts[i] = parts;
        }
    }

    private double Height(long count) => _max == 0 || count == 0 ? 0 : Math.Max(4, 100.0 * count / _max);

    /// <summary>Moves the focus from bar <paramref name="from"/> to the next or previous bar with matches (arrows), or the first or last (Home, End).</summary>
    private async Task MoveAsync(int from, string key)
    {
        var to = key switch
        {
            "ArrowLeft" => LastIndexWithMatches(from - 1),
            "ArrowRight" => FirstIndexWithMatches(from + 1),
            "Home" => FirstIndexWithMatches(0),
            "End" => LastIndexWithMatches(Buckets.Count - 1),
            _ => -1,
        };
        if (to >= 0 && to != from && _bars[to].Id is not null)
        {
            Activate(to);
            await _bars[to].FocusAsync();
        }
    }

    /// <summary>Makes bar <paramref name="index"/> the one in the tab order.</summary>
    private void Activate(int index) => (_active, _activeStart) = (index, Buckets[index].Start);

    private int FindIndex(DateTimeOffset start)
    {
        for (var i = 0; i < Buckets.Count; i++)
        {
            if (Buckets[i].Start == start)
            {
                return i;
            }
        }
        return -1;
    }

    private int FirstIndexWithMatches(int from)
    {
        for (var i = Math.Max(0, from); i < Buckets.Count; i++)
        {
            if (Buckets[i].Count > 0)
            {
                return i;
            }
        }
        return -1;
    }

    private int LastIndexWithMatches(int from)
    {
        for (var i = Math.Min(from, Buckets.Count - 1); i >= 0; i--)
        {
            if (Buckets[i].Count > 0)
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>A bar's tooltip: its time and count, and its counts by status from the most severe.</summary>
    private string Tooltip(HistogramBucket bucket, List<(string? Status, long Count)> parts)
    {
        var head = $"{DisplayTime.Second(bucket.Start, Zone)} {DisplayTime.NameOf(Zone)} · {bucket.Count:N0} {Noun}";
        return parts.Any(p => p.Status is not null)
            ? head + ": " + string.Join(", ", parts.AsEnumerable().Reverse().Select(p => $"{p.Count:N0} {p.Status ?? "other"}"))
            : head;
    }

    /// <summary>A bucket's width as the axis says it.</summary>
    internal static string Describe(TimeSpan interval) => interval.TotalSeconds switch
    {
        < 60 => $"{interval.TotalSeconds:0} s",
        < 3600 => $"{interval.TotalMinutes:0} min",
        < 86400 => $"{interval.TotalHours:0} h",
        _ => $"{interval.TotalDays:0} d",
    };
}
