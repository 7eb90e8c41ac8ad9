using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Portal.Detection.Intake;

namespace Portal.Detection.Tests.Intake;

/// <summary>
/// The streamed intake reads JSON with its own cursor (<see cref="JsonCursor"/>) and leaves to the framework's reader
/// whatever the cursor does not take. The cursor must take exactly what the framework's reader takes with the intake's
/// options, and decode every string as it does: texts generated, then mutated a byte at a time, say so.
/// </summary>
public class JsonCursorTests
{
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = JsonCursor.MaxDepth };

    [Theory]
    [InlineData("{}")]
    [InlineData(" [ 1 , -0 , 0.5 , -12.5e+3 , 1E9 , true , false , null , \"\" ] ")]
    [InlineData("{\"a\":{\"b\":[{\"c\":\"\\u00e9\\ud83d\\ude00\\n\\\"\\\\\\/\\b\\f\\r\\t\"}]}}")]
    [InlineData("\t\r\n{\"a\" : 1}\r\n")]
    [InlineData("[01]")]
    [InlineData("[1.]")]
    [InlineData("[.5]")]
    [InlineData("[1e]")]
    [InlineData("[+1]")]
    [InlineData("[-]")]
    [InlineData("[1,]")]
    [InlineData("{\"a\":1,}")]
    [InlineData("{\"a\" 1}")]
    [InlineData("{1:1}")]
    [InlineData("[tru]")]
    [InlineData("[truex]")]
    [InlineData("[nul]")]
    [InlineData("[\"\\x\"]")]
    [InlineData("[\"\\u12g4\"]")]
    [InlineData("[\"a\tb\"]")]
    [InlineData("[\"unclosed]")]
    [InlineData("[1] [2]")]
    [InlineData("[1]\u0000")]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("\uFEFF[1]")]
    [InlineData("[\"\\ud800\"]")]
    [InlineData("[\"\\udc00\\ud800\"]")]
    public void SkipValue_EdgeTexts_TakesWhatTheFrameworkTakes(string text) => AssertSameVerdict(Encoding.UTF8.GetBytes(text));

    [Fact]
    public void SkipValue_NestingAtTheLimit_TakesWhatTheFrameworkTakes()
    {
        foreach (var depth in new[] { JsonCursor.MaxDepth - 1, JsonCursor.MaxDepth, JsonCursor.MaxDepth + 1 })
        {
            AssertSameVerdict(Encoding.UTF8.GetBytes(new string('[', depth) + new string(']', depth)));
            AssertSameVerdict(Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth)));
        }
    }

    [Fact]
    public void SkipValue_GeneratedAndMutatedTexts_TakesWhatTheFrameworkTakes()
    {
        var random = new Random(20261205);
        var accepted = 0;
        for (var i = 0; i < 20_000; i++)
        {
            var text = Encoding.UTF8.GetBytes(Generated(random, 0));
            accepted += AssertSameVerdict(text) ? 1 : 0;
            for (var m = 0; m < 3; m++)
            {
                accepted += AssertSameVerdict(Mutated(random, text)) ? 1 : 0;
            }
        }
        // Every generated text, and some of the mutated ones.
        Assert.True(accepted > 20_000, $"{accepted} of 80,000 taken");
    }

    /// <summary>
    /// Plain runs are copied 16 bytes at a time as they are searched: runs of every length up to and past two blocks,
    /// before, between and after escapes of each kind, strings that end with an escape, and a string that is a run alone,
    /// decode as the framework decodes, and nothing is written past the raw text's length.
    /// </summary>
    [Fact]
    public void Unescape_RunsOfEveryLengthAroundEscapes_DecodeAsTheFrameworkDecodes()
    {
        string[] escapes = ["\\\"", "\\\\", "\\n", "\\u00e9", "\\ud83d\\ude00", "\\/"];
        for (var before = 0; before <= 40; before++)
        {
            for (var after = 0; after <= 40; after++)
            {
                foreach (var escape in escapes)
                {
                    AssertDecoded("\"" + new string('a', before) + escape + new string('b', after) + escape + "é" + new string('c', after) + "\"");
                    AssertDecoded("\"" + new string('a', before) + escape + new string('b', after) + escape + "\"");
                }
                AssertDecoded("\"" + new string('a', before + after) + "\"");
            }
        }
    }

    /// <summary>The string <paramref name="json"/> decoded into a buffer as long as its raw text, marked past it: as the framework decodes it, the mark untouched.</summary>
    private static void AssertDecoded(string json)
    {
        var text = Encoding.UTF8.GetBytes(json);
        var cursor = new JsonCursor(text);
        Assert.True(cursor.String(out var raw, out _));
        var buffer = new byte[raw.Length + 32];
        buffer.AsSpan().Fill(0xEE);
        var written = JsonCursor.Unescape(raw, buffer.AsSpan(0, raw.Length));
        var reader = new Utf8JsonReader(text);
        reader.Read();
        Assert.Equal(reader.GetString(), Encoding.UTF8.GetString(buffer, 0, written));
        Assert.All(buffer[raw.Length..], b => Assert.Equal(0xEE, b));
    }

    [Fact]
    public void Unescape_GeneratedStrings_DecodeAsTheFrameworkDecodes()
    {
        var random = new Random(5);
        var buffer = new byte[4096];
        var decoded = 0;
        for (var i = 0; i < 20_000; i++)
        {
            var text = Encoding.UTF8.GetBytes(GeneratedString(random, pairedOnly: random.Next(4) != 0));
            var cursor = new JsonCursor(text);
            Assert.True(cursor.String(out var raw, out var escaped));
            Assert.Equal(text.Length, cursor.At);
            var reader = new Utf8JsonReader(text);
            reader.Read();
            Assert.Equal(reader.ValueIsEscaped, escaped);
            string? expected;
            try
            {
                expected = reader.GetString();
            }
            catch (InvalidOperationException)
            {
                // An unpaired surrogate: the framework refuses the string, and the cursor leaves it to the framework.
                expected = null;
            }
            var written = JsonCursor.Unescape(raw, buffer);
            Assert.Equal(expected, written < 0 ? null : Encoding.UTF8.GetString(buffer, 0, written));
            decoded += expected is null ? 0 : 1;
        }
        // Three in four strings have no lone surrogate.
        Assert.True(decoded > 14_000, $"{decoded} of 20,000 decoded");
    }

    /// <summary>Asserts that the cursor and the framework's reader agree on whether <paramref name="text"/> is one JSON value; returns their verdict.</summary>
    private static bool AssertSameVerdict(byte[] text)
    {
        if (!Utf8.IsValid(text))
        {
            // The cursor does not check UTF-8 (the streamed reader checks each string it decodes, the general way the body).
            return false;
        }
        var cursor = new JsonCursor(text);
        var taken = cursor.SkipValue(0) && cursor.Peek() == 0 && cursor.AtEnd;
        var reader = new Utf8JsonReader(text, ReaderOptions);
        bool expected;
        try
        {
            while (reader.Read())
            {
            }
            expected = text.Length > 0 && reader.BytesConsumed == text.Length;
        }
        catch (JsonException)
        {
            expected = false;
        }
        Assert.True(expected == taken, $"The cursor {(taken ? "took" : "refused")} {Encoding.UTF8.GetString(text)}");
        return taken;
    }

    private static string Generated(Random random, int depth)
    {
        var space = random.Next(4) == 0 ? " \t\r\n"[random.Next(4)].ToString() : "";
        switch (depth > 4 ? random.Next(4) : random.Next(6))
        {
            case 0:
                return space + GeneratedString(random, pairedOnly: true);
            case 1:
                return space + GeneratedNumber(random);
            case 2:
                return space + new[] { "true", "false", "null" }[random.Next(3)];
            case 3:
                return space + random.Next(-1000, 1000);
            case 4:
                return "[" + string.Join("," + space, Enumerable.Range(0, random.Next(4)).Select(_ => Generated(random, depth + 1))) + space + "]";
            default:
                return "{" + space + string.Join(",", Enumerable.Range(0, random.Next(4)).Select(_ => GeneratedString(random, pairedOnly: true) + space + ":" + Generated(random, depth + 1))) + "}" + space;
        }
    }

    private static string GeneratedNumber(Random random)
    {
        var number = new StringBuilder();
        if (random.Next(3) == 0)
        {
            number.Append('-');
        }
        number.Append(random.Next(3) == 0 ? "0" : random.NextInt64(1, long.MaxValue).ToString(System.Globalization.CultureInfo.InvariantCulture) is var digits ? digits[..random.Next(1, digits.Length + 1)] : "");
        if (random.Next(3) == 0)
        {
            number.Append('.').Append(random.Next(0, 99999));
        }
        if (random.Next(4) == 0)
        {
            number.Append("eE"[random.Next(2)]).Append(new[] { "", "+", "-" }[random.Next(3)]).Append(random.Next(0, 400));
        }
        return number.ToString();
    }

    /// <summary>A JSON string: plain text, any escape JSON has, characters beyond ASCII, and (unless <paramref name="pairedOnly"/>) lone surrogate escapes.</summary>
    private static string GeneratedString(Random random, bool pairedOnly = false)
    {
        var text = new StringBuilder("\"");
        for (var i = random.Next(0, 40); i > 0; i--)
        {
            text.Append(random.Next(12) switch
            {
                0 => "\\\"",
                1 => "\\\\",
                2 => "\\/",
                3 => new[] { "\\b", "\\f", "\\n", "\\r", "\\t" }[random.Next(5)],
                4 => $"\\u{random.Next(0, 0xD800):x4}",
                5 => $"\\u{random.Next(0xD800, 0xDC00):X4}\\u{random.Next(0xDC00, 0xE000):x4}",
                6 when !pairedOnly => $"\\u{random.Next(0xD800, 0xE000):x4}",
                7 => "é日😀",
                _ => ((char)random.Next(0x20, 0x7F)) is var c && c is '"' or '\\' ? "x" : c.ToString(),
            });
        }
        return text.Append('"').ToString();
    }

    /// <summary><paramref name="text"/> with one byte replaced, inserted or removed, mostly by a byte that matters to JSON.</summary>
    private static byte[] Mutated(Random random, byte[] text)
    {
        var bytes = text.ToList();
        var at = random.Next(bytes.Count + 1);
        var significant = "{}[]\",:\\.-+eE0 \tnulltruefalse\u0001"u8;
        var b = random.Next(5) == 0 ? (byte)random.Next(0, 128) : significant[random.Next(significant.Length)];
        switch (random.Next(3))
        {
            case 0 when at < bytes.Count:
                bytes[at] = b;
                break;
            case 1 when at < bytes.Count:
                bytes.RemoveAt(at);
                break;
            default:
                bytes.Insert(at, b);
                break;
        }
        return [.. bytes];
    }
}
