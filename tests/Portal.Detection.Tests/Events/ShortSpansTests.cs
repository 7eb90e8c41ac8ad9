using System.Text;
using Portal.Detection.Events;

namespace Portal.Detection.Tests.Events;

/// <summary>
/// <see cref="ShortSpans"/> compares in overlapping words: every length up to and past the 16-byte words and vectors, with
/// a difference at every place (the first and last bytes of a word, the bytes only one of two overlapping words reads),
/// must give the framework's answer.
/// </summary>
public class ShortSpansTests
{
    [Fact]
    public void Same_EveryLengthAndPlaceOfADifference_AsTheFramework()
    {
        for (var length = 0; length <= 70; length++)
        {
            var a = Enumerable.Range(0, length).Select(i => (byte)('a' + i % 26)).ToArray();
            Assert.True(ShortSpans.Same(a, a.ToArray()), $"{length} bytes, the same");
            for (var at = 0; at < length; at++)
            {
                var b = a.ToArray();
                b[at] ^= 0x20;
                Assert.False(ShortSpans.Same(a, b), $"{length} bytes, differing at {at}");
                Assert.False(ShortSpans.Same(a.AsSpan(0, at), b.AsSpan(0, at + 1)), $"{at} and {at + 1} bytes");
            }
        }
    }

    [Fact]
    public void StartsWith_BytesAndCharacters_AsTheFramework()
    {
        var random = new Random(20261206);
        for (var run = 0; run < 20_000; run++)
        {
            var text = Enumerable.Range(0, random.Next(0, 48)).Select(_ => (char)random.Next('a', 'd')).ToArray();
            var prefix = random.Next(3) == 0
                ? text.AsSpan(0, random.Next(0, text.Length + 1)).ToArray()
                : Enumerable.Range(0, random.Next(0, 50)).Select(_ => (char)random.Next('a', 'd')).ToArray();
            Assert.Equal(text.AsSpan().StartsWith(prefix), ShortSpans.StartsWith(text, prefix));
            Assert.Equal(text.AsSpan().SequenceEqual(prefix), ShortSpans.Same(text, prefix));
            var (textBytes, prefixBytes) = (Encoding.ASCII.GetBytes(text), Encoding.ASCII.GetBytes(prefix));
            Assert.Equal(textBytes.AsSpan().StartsWith(prefixBytes), ShortSpans.StartsWith(textBytes, prefixBytes));
        }
    }

    [Fact]
    public void IsPrintableAscii_EveryLengthAndPlaceOfAnOddByte_AsTheFramework()
    {
        for (var length = 0; length <= 70; length++)
        {
            var text = Enumerable.Range(0, length).Select(i => (byte)(' ' + i % 95)).ToArray();
            Assert.True(ShortSpans.IsPrintableAscii(text), $"{length} printable bytes");
            for (var at = 0; at < length; at++)
            {
                foreach (var odd in (byte[])[0x00, 0x1f, 0x7f, 0x80, 0xc3, 0xff])
                {
                    var bytes = text.ToArray();
                    bytes[at] = odd;
                    Assert.False(ShortSpans.IsPrintableAscii(bytes), $"{length} bytes, 0x{odd:x2} at {at}");
                }
            }
        }
    }

    [Fact]
    public void Same_CharactersDifferingInOneByteOfTheirTwo_AreNotTheSame()
    {
        // 'a' (0x0061) and 'š' (0x0161) differ in their high bytes only.
        foreach (var length in (int[])[1, 3, 4, 8, 9, 16, 17, 40])
        {
            var a = new string('a', length);
            var b = new string('a', length - 1) + 'š';
            Assert.False(ShortSpans.Same(a, b));
            Assert.False(ShortSpans.StartsWith(a, b));
        }
    }
}
