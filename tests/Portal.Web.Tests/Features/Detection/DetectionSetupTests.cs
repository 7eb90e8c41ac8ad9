using Portal.Web.Features.Detection;

namespace Portal.Web.Tests.Features.Detection;

/// <summary>The evaluation's schedule, and how the rules page says it: the same intervals, as the cron rounds them.</summary>
public sealed class DetectionSetupTests
{
    [Theory]
    [InlineData(10, "*/10 * * * * *", "10 s")]
    [InlineData(0, "*/1 * * * * *", "1 s")]
    [InlineData(60, "*/1 * * * *", "minute")]
    [InlineData(90, "*/1 * * * *", "minute")]
    [InlineData(300, "*/5 * * * *", "5 min")]
    [InlineData(3600, "0 */1 * * *", "hour")]
    [InlineData(21600, "0 */6 * * *", "6 h")]
    [InlineData(86400, "0 */23 * * *", "23 h")]
    public void Interval_ScheduledAndSaidAlike(int seconds, string cron, string every)
    {
        Assert.Equal(cron, DetectionSetup.CronFor(seconds));
        Assert.Equal(every, DetectionSetup.EveryFor(seconds));
    }
}
