using System.Globalization;
using Portal.Detection.Intake;

namespace Portal.Detection.Tests.Intake;

/// <summary>
/// UTC times in ISO 8601 are read without the general parser (<see cref="IntakeTimestamps.TryUtcIso"/>): each must be
/// the time the general parser reads, and anything it does not take must be left to that parser.
/// </summary>
public class IntakeTimestampsTests
{
    [Theory]
    [InlineData("2026-03-03T14:05:00Z")]
    [InlineData("2026-03-03T14:05:00.1Z")]
    [InlineData("2026-03-03T14:05:00.123Z")]
    [InlineData("2026-03-03T14:05:00.1234567Z")]
    [InlineData("2024-02-29T23:59:59.9999999Z")]
    [InlineData("0001-01-01T00:00:00Z")]
    [InlineData("9999-12-31T23:59:59Z")]
    public void TryUtcIso_UtcTimes_AreTheGeneralParsersTimes(string text)
    {
        var expected = DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).ToUniversalTime();
        Assert.Equal((expected.Ticks, expected.Offset), IntakeTimestamps.TryUtcIso(text) is { } read ? (read.Ticks, read.Offset) : default);
        Assert.Equal(expected, IntakeTimestamps.FromText(text));
    }

    [Theory]
    [InlineData(" 2026-03-03T14:05:00Z ", "2026-03-03T14:05:00.0000000Z")]
    [InlineData("\t2026-03-03T14:05:00.25Z", "2026-03-03T14:05:00.2500000Z")]
    [InlineData("2026-03-03T14:05:00+01:00", "2026-03-03T13:05:00.0000000Z")]
    [InlineData("1772546700", "2026-03-03T14:05:00.0000000Z")]
    [InlineData("1772546700123", "2026-03-03T14:05:00.1230000Z")]
    [InlineData("2026-03-03 14:05:00", "2026-03-03T14:05:00.0000000Z")]
    public void FromText_OtherForms_AreTheirTimes(string text, string utc)
    {
        var read = IntakeTimestamps.FromText(text);
        Assert.Equal(utc, read?.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        Assert.Equal(TimeSpan.Zero, read?.Offset);
    }

    [Theory]
    [InlineData("2026-03-03T14:05:00+01:00")]
    [InlineData("2026-03-03 14:05:00Z")]
    [InlineData("2026-03-03T14:05:00.12345678Z")]
    [InlineData("2026-03-03T14:05:00.Z")]
    [InlineData("2026-03-03T14:05:60Z")]
    [InlineData("2026-02-29T14:05:00Z")]
    [InlineData("2026-13-03T14:05:00Z")]
    [InlineData("2026-03-03T24:00:00Z")]
    [InlineData("2026-03-03T14:05:00z")]
    [InlineData("2026-0a-03T14:05:00Z")]
    [InlineData("0000-03-03T14:05:00Z")]
    [InlineData("2026-03-03T14:05:00,5Z")]
    public void TryUtcIso_OtherTexts_AreLeftToTheGeneralParser(string text)
    {
        Assert.Null(IntakeTimestamps.TryUtcIso(text));
    }

    [Fact]
    public void FromText_RandomUtcTimes_AreTheGeneralParsersTimes()
    {
        var random = new Random(20261205);
        for (var i = 0; i < 20_000; i++)
        {
            var at = new DateTime(random.NextInt64(DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks), DateTimeKind.Utc);
            var digits = random.Next(0, 8);
            var text = at.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture)
                + (digits == 0 ? "" : "." + (at.Ticks % TimeSpan.TicksPerSecond).ToString("D7", CultureInfo.InvariantCulture)[..digits]) + "Z";
            var expected = DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).ToUniversalTime();
            Assert.Equal(expected.Ticks, IntakeTimestamps.TryUtcIso(text)?.Ticks);
        }
    }
}
