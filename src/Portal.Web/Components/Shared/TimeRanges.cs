namespace Portal.Web.Components.Shared;

/// <summary>The relative time ranges offered by the explorers, by URL key.</summary>
public static class TimeRanges
{
    /// <summary>Every range: URL key, label, span.</summary>
    public static readonly IReadOnlyList<(string Key, string Label, TimeSpan Span)> All =
    [
        ("15m", "Past 15 minutes", TimeSpan.FromMinutes(15)),
        ("1h", "Past 1 hour", TimeSpan.FromHours(1)),
        ("4h", "Past 4 hours", TimeSpan.FromHours(4)),
        ("1d", "Past 1 day", TimeSpan.FromDays(1)),
        ("7d", "Past 7 days", TimeSpan.FromDays(7)),
        ("30d", "Past 30 days", TimeSpan.FromDays(30)),
    ];

    /// <summary>The span of <paramref name="key"/>, or of <paramref name="fallback"/> for an unknown key.</summary>
    public static TimeSpan SpanOf(string? key, string fallback = "1h") =>
        All.FirstOrDefault(r => r.Key == key).Span is { Ticks: > 0 } span ? span : All.First(r => r.Key == fallback).Span;

    /// <summary>A histogram interval giving about 60 buckets over <paramref name="span"/>, rounded to a natural step.</summary>
    public static TimeSpan IntervalFor(TimeSpan span)
    {
        TimeSpan[] steps = [TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5),
            TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(30), TimeSpan.FromHours(1), TimeSpan.FromHours(3), TimeSpan.FromHours(12), TimeSpan.FromDays(1)];
        return steps.FirstOrDefault(s => span / s <= 60, steps[^1]);
    }
}
