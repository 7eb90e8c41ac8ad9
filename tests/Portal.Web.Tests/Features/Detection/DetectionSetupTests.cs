using Portal.Web.Features.Detection;

namespace Portal.Web.Tests.Features.Detection;

/// <summary>
/// The evaluation's schedule, and how the rules page says it: the same intervals, each rounded down to a step that divides
/// its minute, hour or day, so that runs are evenly spaced.
/// </summary>
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
    [InlineData(45, "*/30 * * * * *", "30 s")]
    [InlineData(2700, "*/30 * * * *", "30 min")]
    [InlineData(18000, "0 */4 * * *", "4 h")]
    [InlineData(82800, "0 */12 * * *", "12 h")]
    [InlineData(86400, "0 0 * * *", "day")]
    [InlineData(604800, "0 0 * * *", "day")]
    public void Interval_ScheduledAndSaidAlike(int seconds, string cron, string every)
    {
        Assert.Equal(cron, DetectionSetup.CronFor(seconds));
        Assert.Equal(every, DetectionSetup.EveryFor(seconds));
    }
}
