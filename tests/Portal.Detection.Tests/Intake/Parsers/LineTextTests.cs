using System.Net;
using Portal.Detection.Intake.Parsers;

namespace Portal.Detection.Tests.Intake.Parsers;

/// <summary>
/// The parsers tell addresses from host names without the general parser for the usual IPv4 form
/// (<see cref="LineText.IsDottedQuad"/>): every text it takes must be an address to <see cref="IPAddress.IsValid(ReadOnlySpan{char})"/>,
/// and <see cref="LineText.IsAddress"/> must answer as that method does for any text.
/// </summary>
public class LineTextTests
{
    [Theory]
    [InlineData("203.0.113.7", true)]
    [InlineData("0.0.0.0", true)]
    [InlineData("255.255.255.255", true)]
    [InlineData("256.1.1.1", false)]
    [InlineData("01.2.3.4", false)]
    [InlineData("1.2.3", false)]
    [InlineData("1.2.3.4.", false)]
    [InlineData("1.2.3.4.5", false)]
    [InlineData("1..3.4", false)]
    [InlineData("1.2.3.1234", false)]
    [InlineData("١.٢.٣.٤", false)]
    [InlineData("bastion-1", false)]
    [InlineData("::1", false)]
    public void IsDottedQuad_Texts_TakesOnlyTheUsualForm(string text, bool expected) => Assert.Equal(expected, LineText.IsDottedQuad(text));

    [Fact]
    public void IsAddress_RandomTexts_AnswersAsTheGeneralParser()
    {
        var random = new Random(20261205);
        const string Alphabet = "0123456789...:abcfx%-";
        for (var i = 0; i < 50_000; i++)
        {
            var text = i % 2 == 0
                ? $"{random.Next(-1, 300)}.{random.Next(0, 300)}.{random.Next(0, 300)}.{(random.Next(4) == 0 ? "0" : "")}{random.Next(0, 300)}"
                : new string(Enumerable.Range(0, random.Next(1, 16)).Select(_ => Alphabet[random.Next(Alphabet.Length)]).ToArray());
            Assert.True(IPAddress.IsValid(text) == LineText.IsAddress(text), text);
            Assert.True(!LineText.IsDottedQuad(text) || IPAddress.IsValid(text), text);
        }
    }
    [Fact]
    public void TryDigits_RandomTexts_AnswersAsTheFrameworksParser()
    {
        string[] edges = ["", "0", "007", "2147483647", "2147483648", "9223372036854775807", "9223372036854775808", "-1", "+1", " 1", "1 ", "1_0", "١٢", "00000000000000000000000000042"];
        var random = new Random(20261206);
        var texts = edges.Concat(Enumerable.Range(0, 20_000).Select(_ => new string(Enumerable.Range(0, random.Next(0, 22))
            .Select(_ => random.Next(12) switch { 0 => '-', 1 => ' ', _ => (char)('0' + random.Next(10)) }).ToArray())));
        foreach (var text in texts)
        {
            var asInt = int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var i);
            Assert.Equal((asInt, (long)i), (LineText.TryDigits(text, int.MaxValue, out var j), j));
            var asLong = long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var l);
            Assert.Equal((asLong, l), (LineText.TryDigits(text, long.MaxValue, out var m), m));
        }
    }
}
