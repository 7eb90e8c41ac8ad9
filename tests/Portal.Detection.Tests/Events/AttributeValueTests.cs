using System.Globalization;
using Portal.Detection.Events;

namespace Portal.Detection.Tests.Events;

public class AttributeValueTests
{
    [Theory]
    [InlineData(0d)]
    [InlineData(443d)]
    [InlineData(65_535d)]
    [InlineData(65_536d)]
    [InlineData(-1d)]
    [InlineData(-70_000d)]
    [InlineData(1_234_567_890_123d)]
    [InlineData(999_999_999_999_999d)]
    [InlineData(-999_999_999_999_999d)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    [InlineData(double.MaxValue)]
    [InlineData(double.Epsilon)]
    [InlineData(1e15)]
    [InlineData(-1e15)]
    [InlineData(1e21)]
    [InlineData(0.25)]
    [InlineData(70_000.5)]
    [InlineData(-2.5e-7)]
    public void FormatNumber_WritesWhatRoundTripFormattingWrites(double number) =>
        Assert.Equal(number.ToString("R", CultureInfo.InvariantCulture), AttributeValue.FormatNumber(number));

    [Fact]
    public void FormatNumber_NegativeZero_KeepsItsSign() => Assert.Equal((-0d).ToString("R", CultureInfo.InvariantCulture), AttributeValue.FormatNumber(-0d));

    [Fact]
    public void FormatNumber_RandomWholeNumbers_SameAsRoundTripFormatting()
    {
        var random = new Random(7);
        for (var i = 0; i < 10_000; i++)
        {
            var number = Math.Floor((random.NextDouble() - 0.5) * Math.Pow(10, random.Next(1, 17)));
            Assert.Equal(number.ToString("R", CultureInfo.InvariantCulture), AttributeValue.FormatNumber(number));
        }
    }
}
