using System.Globalization;
using Portal.Web.Features.Signals;

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

    /// <summary>The range live tail shows (its URL key).</summary>
    public const string Live = "15m";

    /// <summary>The URL key of an absolute range given by <c>from</c> and <c>to</c>.</summary>
    public const string Custom = "custom";

    /// <summary>
    /// Reads a custom range typed by a user: ISO 8601, or <c>2026-11-28 10:00</c> in <paramref name="zone"/> (UTC when
    /// none), epoch milliseconds, <c>now</c>, <c>now-2h</c>. The error names the bound at fault.
    /// </summary>
    public static bool TryResolveCustom(string? fromText, string? toText, DateTimeOffset now, out DateTimeOffset from, out DateTimeOffset to, out string? error, TimeZoneInfo? zone = null)
    {
        error = null;
        to = now;
        if (string.IsNullOrWhiteSpace(fromText) || !TimeParameter.TryParse(fromText, now, now, out from, zone))
        {
            from = now;
            error = "From: expected a time such as 2026-11-28 10:00, 2026-11-28T10:00:00Z or now-2h";
            return false;
        }
        if (!TimeParameter.TryParse(toText, now, now, out to, zone))
        {
            error = "To: expected a time such as 2026-11-28 11:00, now or now-5m (empty means now)";
            return false;
        }
        if (to <= from)
        {
            error = "To must be after From";
            return false;
        }
        return true;
    }

    /// <summary>
    /// A custom range's bounds as its address keeps them, once read as <paramref name="from"/> and <paramref name="to"/>:
    /// date math and an empty To as typed (now-2h is meant to move), any other bound as the moment it was read (in
    /// <paramref name="zone"/>, <see cref="Format"/>), so that a time typed without a date ("10:00") opens that day's window
    /// from a link followed tomorrow, not the next day's.
    /// </summary>
    public static (string? From, string? To) Shareable(string? fromText, string? toText, DateTimeOffset from, DateTimeOffset to, TimeZoneInfo? zone) =>
        (TimeParameter.IsRelative(fromText) ? fromText : Format(from, exact: true, zone), TimeParameter.IsRelative(toText) ? toText : Format(to, exact: true, zone));

    /// <summary>
    /// The window a view shows: a custom range's bounds (<see cref="TryResolveCustom"/>), or else a preset's span
    /// (<see cref="Live"/>'s in live tail) up to now and the <see cref="Lookahead"/>.
    /// </summary>
    public static bool TryResolveView(
        string range, bool live, string? customFrom, string? customTo, DateTimeOffset now, out DateTimeOffset from, out DateTimeOffset to, out string? error,
        TimeZoneInfo? zone = null)
    {
        if (range == Custom && !live)
        {
            return TryResolveCustom(customFrom, customTo, now, out from, out to, out error, zone);
        }
        error = null;
        to = now + Lookahead;
        from = now - SpanOf(live ? Live : range);
        return true;
    }

    /// <summary>
    /// How a custom bound is written back into the form and the URL, in <paramref name="zone"/> (UTC when none), as
    /// <see cref="TryResolveCustom"/> reads it: to the second, or, <paramref name="exact"/>, with its milliseconds when it
    /// has some (finer than a millisecond is dropped, as the stores keep times). A time the zone shows twice (the hour
    /// its clocks go back) carries its offset, so that it reads as the moment it was.
    /// </summary>
    public static string Format(DateTimeOffset time, bool exact = false, TimeZoneInfo? zone = null)
    {
        var local = DisplayTime.In(time, zone);
        var text = local.ToString(exact && time.Millisecond != 0 ? "yyyy-MM-dd HH:mm:ss.fff" : "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        return zone is not null && zone.IsAmbiguousTime(local) ? text + local.ToString("zzz", CultureInfo.InvariantCulture) : text;
    }

    /// <summary>
    /// The window of a histogram's bucket starting at <paramref name="start"/>: its width, but within the window the
    /// histogram counted (<paramref name="window"/>), which its first and last buckets often reach past (they start on
    /// multiples of the interval).
    /// </summary>
    public static (DateTimeOffset From, DateTimeOffset To) BucketWindow(DateTimeOffset start, TimeSpan interval, (DateTimeOffset From, DateTimeOffset To) window) =>
        (start > window.From ? start : window.From, start + interval < window.To ? start + interval : window.To);

    /// <summary>The span of <paramref name="key"/>, or of <paramref name="fallback"/> for an unknown key.</summary>
    public static TimeSpan SpanOf(string? key, string fallback = "1h") =>
        All.FirstOrDefault(r => r.Key == key).Span is { Ticks: > 0 } span ? span : All.First(r => r.Key == fallback).Span;

    /// <summary>
    /// How far past now the pages' preset windows reach: their upper bound is exclusive, and events stamped "now" by a
    /// clock a little ahead belong in them. A preset's nominal span is its window less this.
    /// </summary>
    public static readonly TimeSpan Lookahead = TimeSpan.FromSeconds(1);

    /// <summary>A histogram interval giving about 60 buckets over <paramref name="span"/>, rounded to a natural step.</summary>
    public static TimeSpan IntervalFor(TimeSpan span)
    {
        TimeSpan[] steps = [TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5),
            TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(30), TimeSpan.FromHours(1), TimeSpan.FromHours(3), TimeSpan.FromHours(12), TimeSpan.FromDays(1)];
        return steps.FirstOrDefault(s => span / s <= 60, steps[^1]);
    }
}
