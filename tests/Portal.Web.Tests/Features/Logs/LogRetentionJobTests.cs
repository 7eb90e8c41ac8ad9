using Portal.Web.Features.Logs;

namespace Portal.Web.Tests.Features.Logs;

public class LogRetentionJobTests
{
    [Theory]
    [InlineData("2026-11-28T05:00:00Z", 15, "2026-11-13")]
    [InlineData("2026-11-28T23:59:59Z", 1, "2026-11-27")]
    [InlineData("2026-11-28T00:17:00Z", 1, "2026-11-27")]
    [InlineData("2026-11-28T00:30:00+02:00", 2, "2026-11-25")]
    [InlineData("2026-11-28T05:00:00Z", 0, "2026-11-27")]
    public void FirstKeptDay_RetentionInDays_KeepsEveryLogAtLeastThatLong(string now, int days, string expected)
    {
        Assert.Equal(DateOnly.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), LogRetentionJob.FirstKeptDay(DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture), days));
    }
}
