using Portal.Web.Features.Signals;

namespace Portal.Web.Tests.Features.Signals;

/// <summary>The search APIs' and the console's time parameters: Datadog's forms, date math from now included.</summary>
public class TimeParameterTests
{
    /// <summary>A Wednesday afternoon.</summary>
    private static readonly DateTimeOffset Now = new(2026, 12, 9, 15, 42, 17, 345, TimeSpan.Zero);

    [Theory]
    [InlineData("now", "2026-12-09T15:42:17.345Z")]
    [InlineData("now-15m", "2026-12-09T15:27:17.345Z")]
    [InlineData("now+5m", "2026-12-09T15:47:17.345Z")]
    [InlineData("now-1d/d", "2026-12-08T00:00:00.000Z")]
    [InlineData("now/d", "2026-12-09T00:00:00.000Z")]
    [InlineData("now-1h/h", "2026-12-09T14:00:00.000Z")]
    [InlineData("now/w", "2026-12-07T00:00:00.000Z")]
    [InlineData("now-1M", "2026-11-09T15:42:17.345Z")]
    [InlineData("now-1y/M", "2025-12-01T00:00:00.000Z")]
    [InlineData("now-1d+2h-30s", "2026-12-08T17:41:47.345Z")]
    [InlineData("now/y", "2026-01-01T00:00:00.000Z")]
    [InlineData("1765294937345", "2025-12-09T15:42:17.345Z")]
    [InlineData("2026-12-01T10:00:00Z", "2026-12-01T10:00:00.000Z")]
    public void TryParse_DatadogForms(string text, string expected)
    {
        Assert.True(TimeParameter.TryParse(text, Now, default, out var value));

        Assert.Equal(expected, value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void TryParse_RoundedToTheDay_OfTheOrganisationsZone()
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

        Assert.True(TimeParameter.TryParse("now/d", Now, default, out var value, zone));

        Assert.Equal(new DateTimeOffset(2026, 12, 9, 5, 0, 0, TimeSpan.Zero), value);
    }

    /// <summary>In the hour a clock goes back (01:30 EDT, the first pass), the hour rounds to 01:00 EDT, not to an hour ahead.</summary>
    [Fact]
    public void TryParse_RoundedInTheHourAClockGoesBack_StaysInThePast()
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        var now = new DateTimeOffset(2026, 11, 1, 5, 30, 0, TimeSpan.Zero);

        Assert.True(TimeParameter.TryParse("now/h", now, default, out var hour, zone));
        Assert.True(TimeParameter.TryParse("now/m", now, default, out var minute, zone));

        Assert.Equal((new DateTimeOffset(2026, 11, 1, 5, 0, 0, TimeSpan.Zero), now), (hour.ToUniversalTime(), minute.ToUniversalTime()));
    }

    [Theory]
    [InlineData("now-")]
    [InlineData("now-1q")]
    [InlineData("now/")]
    [InlineData("now/d-1h")]
    [InlineData("now-999999y")]
    [InlineData("yesterday")]
    public void TryParse_NotATime_Refused(string text)
    {
        Assert.False(TimeParameter.TryParse(text, Now, Now, out _));
    }
}
