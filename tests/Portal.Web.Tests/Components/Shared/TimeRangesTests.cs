using Portal.Web.Components.Shared;
using Portal.Web.Features.Signals;

namespace Portal.Web.Tests.Components.Shared;

public class TimeRangesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("2026-11-28 10:00", "", "2026-11-28T10:00:00Z", "2026-11-28T12:00:00Z")]
    [InlineData("now-2h", "now-1h", "2026-11-28T10:00:00Z", "2026-11-28T11:00:00Z")]
    [InlineData("2026-11-28T09:00:00+01:00", "2026-11-28 09:30", "2026-11-28T08:00:00Z", "2026-11-28T09:30:00Z")]
    public void TryResolveCustom_ValidBounds_AreUtcInstants(string from, string to, string expectedFrom, string expectedTo)
    {
        Assert.True(TimeRanges.TryResolveCustom(from, to, Now, out var start, out var end, out var error));

        Assert.Null(error);
        Assert.Equal(DateTimeOffset.Parse(expectedFrom, System.Globalization.CultureInfo.InvariantCulture), start);
        Assert.Equal(DateTimeOffset.Parse(expectedTo, System.Globalization.CultureInfo.InvariantCulture), end);
    }

    [Theory]
    [InlineData(900, 30)]
    [InlineData(3600, 60)]
    [InlineData(3601, 300)]
    [InlineData(4 * 3600, 300)]
    [InlineData(86400, 1800)]
    [InlineData(7 * 86400, 3 * 3600)]
    public void IntervalFor_PresetSpans_GiveAboutSixtyBuckets(int seconds, int expected)
    {
        // A page asks with a preset's nominal span (its window less the look-ahead): a second more is another step.
        Assert.Equal(TimeSpan.FromSeconds(expected), TimeRanges.IntervalFor(TimeSpan.FromSeconds(seconds)));
    }

    [Theory]
    [InlineData("", "", "From: expected a time")]
    [InlineData("yesterday", "", "From: expected a time")]
    [InlineData("now-1h", "later", "To: expected a time")]
    [InlineData("now-1h", "now-2h", "To must be after From")]
    public void TryResolveCustom_BadBound_NamesIt(string from, string to, string expected)
    {
        Assert.False(TimeRanges.TryResolveCustom(from, to, Now, out _, out _, out var error));

        Assert.StartsWith(expected, error);
    }

    [Theory]
    [InlineData("10:00", "", "2026-11-28 10:00:00", "")]
    [InlineData("10:00", "11:30", "2026-11-28 10:00:00", "2026-11-28 11:30:00")]
    [InlineData("now-2h", "now-1h/h", "now-2h", "now-1h/h")]
    [InlineData("1795687200000", " now ", "2026-11-26 10:00:00", " now ")]
    public void Shareable_KeepsDateMathAsTypedAndOtherBoundsAsTheMomentRead(string from, string to, string expectedFrom, string expectedTo)
    {
        Assert.True(TimeRanges.TryResolveCustom(from, to, Now, out var start, out var end, out _));

        Assert.Equal((expectedFrom, expectedTo), TimeRanges.Shareable(from, to, start, end, zone: null));
        // Read again a day later, the kept bounds are the same window (date math moves with the clock, as meant).
        if (!TimeParameter.IsRelative(from))
        {
            Assert.True(TimeRanges.TryResolveCustom(expectedFrom, "now", Now.AddDays(1), out var later, out _, out _));
            Assert.Equal(start, later);
        }
    }

    [Fact]
    public void Format_ExactBound_KeepsItsMillisecondsAndReadsBackToItself()
    {
        var bound = Now.AddMilliseconds(1_234);

        Assert.Equal("2026-11-28 12:00:01", TimeRanges.Format(bound));
        Assert.Equal("2026-11-28 12:00:01.234", TimeRanges.Format(bound, exact: true));
        Assert.Equal("2026-11-28 12:00:00", TimeRanges.Format(Now, exact: true));
        // Another offset is written as the same instant in UTC.
        Assert.Equal("2026-11-28 12:00:01.234", TimeRanges.Format(bound.ToOffset(TimeSpan.FromHours(5.5)), exact: true));
        Assert.True(TimeRanges.TryResolveCustom(TimeRanges.Format(bound, exact: true), TimeRanges.Format(bound.AddMinutes(1), exact: true), Now, out var from, out var to, out _));
        Assert.Equal((bound, bound.AddMinutes(1)), (from, to));
    }

    [Fact]
    public void TryResolveView_PresetLiveOrCustom_TheWindowThePageShows()
    {
        Assert.True(TimeRanges.TryResolveView("4h", live: false, null, null, Now, out var from, out var to, out _));
        Assert.Equal((Now.AddHours(-4), Now + TimeRanges.Lookahead), (from, to));
        // Live tail shows its own span, whatever the range says.
        Assert.True(TimeRanges.TryResolveView(TimeRanges.Custom, live: true, "bad", null, Now, out from, out to, out _));
        Assert.Equal((Now.AddMinutes(-15), Now + TimeRanges.Lookahead), (from, to));
        Assert.False(TimeRanges.TryResolveView(TimeRanges.Custom, live: false, "bad", null, Now, out _, out _, out var error));
        Assert.StartsWith("From:", error);
    }

    [Fact]
    public void BucketWindow_BucketsPastTheWindow_StartAndEndWithIt()
    {
        var start = Now.AddMilliseconds(412);

        Assert.Equal((start, start.AddMinutes(1)), TimeRanges.BucketWindow(start, TimeSpan.FromMinutes(1), (start, start.AddHours(1))));
        Assert.Equal((start, start.AddSeconds(1)), TimeRanges.BucketWindow(start, TimeSpan.FromMinutes(1), (start.AddMinutes(-5), start.AddSeconds(1))));
        // The first bucket starts on the interval, before a window that starts within it.
        Assert.Equal((start.AddSeconds(20), start.AddMinutes(1)), TimeRanges.BucketWindow(start, TimeSpan.FromMinutes(1), (start.AddSeconds(20), start.AddHours(1))));
    }

    /// <summary>A time typed without an offset is in the organisation's zone; one with an offset or a Z is as written; a time the zone skips is refused.</summary>
    [Fact]
    public void TryResolveCustom_InAZone_ReadsTypedTimesThere()
    {
        var paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");

        Assert.True(TimeRanges.TryResolveCustom("2026-01-15 10:00", "2026-07-15 11:00:30.5", Now, out var from, out var to, out _, paris));
        Assert.Equal(new DateTimeOffset(2026, 1, 15, 9, 0, 0, TimeSpan.Zero), from); // winter: UTC+1
        Assert.Equal(new DateTimeOffset(2026, 7, 15, 9, 0, 30, 500, TimeSpan.Zero), to); // summer: UTC+2
        Assert.True(TimeRanges.TryResolveCustom("2026-01-15T10:00:00Z", "2026-01-15T12:00:00+01:00", Now, out from, out to, out _, paris));
        Assert.Equal((new DateTimeOffset(2026, 1, 15, 10, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 1, 15, 11, 0, 0, TimeSpan.Zero)), (from, to));
        Assert.False(TimeRanges.TryResolveCustom("2026-03-29 02:30", "2026-03-29 04:00", Now, out _, out _, out var error, paris));
        Assert.StartsWith("From:", error);
        // Written back in the zone, it reads as the same moment.
        var moment = new DateTimeOffset(2026, 7, 15, 9, 0, 30, 500, TimeSpan.Zero);
        Assert.Equal("2026-07-15 11:00:30.500", TimeRanges.Format(moment, exact: true, paris));
        Assert.True(TimeRanges.TryResolveCustom(TimeRanges.Format(moment, exact: true, paris), "now", Now, out from, out _, out _, paris));
        Assert.Equal(moment, from);
        // In the hour Paris shows twice (clocks back at 03:00 on 25 October), the offset is written, and read.
        var first = new DateTimeOffset(2026, 10, 25, 0, 30, 0, TimeSpan.Zero);
        var second = first.AddHours(1);
        Assert.Equal("2026-10-25 02:30:00+02:00", TimeRanges.Format(first, zone: paris));
        Assert.Equal("2026-10-25 02:30:00+01:00", TimeRanges.Format(second, zone: paris));
        Assert.True(TimeRanges.TryResolveCustom(TimeRanges.Format(first, zone: paris), TimeRanges.Format(second, zone: paris), Now, out from, out to, out _, paris));
        Assert.Equal((first, second), (from, to));
        Assert.Equal("2026-07-15 11:00:30.500 Europe/Paris", DisplayTime.Full(moment, paris));
        Assert.Equal("2026-07-15 09:00:30.500 UTC", DisplayTime.Full(moment));
    }

    /// <summary>A time typed without a date is today's in the organisation's zone, whatever the server's date.</summary>
    [Fact]
    public void TryResolveCustom_TimeWithoutDate_TodayInTheZone()
    {
        var tokyo = TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo");
        var now = new DateTimeOffset(2026, 1, 15, 23, 30, 0, TimeSpan.Zero); // already 16 January, 08:30, in Tokyo

        Assert.True(TimeRanges.TryResolveCustom("07:00", "8:15:30", now, out var from, out var to, out _, tokyo));
        Assert.Equal((new DateTimeOffset(2026, 1, 15, 22, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 1, 15, 23, 15, 30, TimeSpan.Zero)), (from, to));
        Assert.True(TimeRanges.TryResolveCustom("22:00", "now", now, out from, out _, out _));
        Assert.Equal(new DateTimeOffset(2026, 1, 15, 22, 0, 0, TimeSpan.Zero), from);
    }
}
