using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
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

    [Fact]
    public void FormatNumber_WholeNumbersAsIntegers_SameAsTheirDoubles()
    {
        var random = new Random(11);
        long[] edges = [0, 1, -1, 1023, 1024, -1024, 65_535, 65_536, int.MaxValue, int.MinValue, 999_999_999_999_999, 1_000_000_000_000_000,
            -999_999_999_999_999, -1_000_000_000_000_000, 1L << 53, (1L << 53) + 1, long.MaxValue, long.MinValue];
        foreach (var number in edges.Concat(Enumerable.Range(0, 10_000).Select(_ => (long)Math.Floor((random.NextDouble() - 0.5) * Math.Pow(10, random.Next(1, 19))))))
        {
            Assert.Equal(AttributeValue.FormatNumber((double)number), AttributeValue.FormatNumber(number));
            if (number is >= int.MinValue and <= int.MaxValue)
            {
                Assert.Equal(AttributeValue.FormatNumber((double)number), AttributeValue.FormatNumber((int)number));
            }
        }
    }

    /// <summary>Every kind of leaf node: built by code (parsers, normalisation) and parsed from JSON.</summary>
    public static TheoryData<string, JsonNode?> Leaves() => new()
    {
        { "built string", JsonValue.Create("he said \"hi\" <é> \u2028 \\ end") },
        { "built empty string", JsonValue.Create("") },
        { "built int", JsonValue.Create(443) },
        { "built negative int", JsonValue.Create(-70_000) },
        { "built long", JsonValue.Create(9_007_199_254_740_993L) },
        { "built double", JsonValue.Create(0.25) },
        { "built negative zero", JsonValue.Create(-0d) },
        { "built decimal", JsonValue.Create(12.5m) },
        { "built float", JsonValue.Create(1.5f) },
        { "built short", JsonValue.Create((short)7) },
        { "built ulong", JsonValue.Create(ulong.MaxValue) },
        { "built bool", JsonValue.Create(true) },
        { "built date", JsonValue.Create(DateTimeOffset.UnixEpoch) },
        { "built element", JsonValue.Create(JsonDocument.Parse("\"q\\\"z\"").RootElement) },
        { "parsed string", JsonNode.Parse("\"x\\\"y\\u00e9\"") },
        { "parsed lone surrogate", JsonNode.Parse("\"\\ud800\"") },
        { "deserialized string", JsonSerializer.Deserialize<JsonNode>("\"a\\\"b\"") },
        { "deserialized number", JsonSerializer.Deserialize<JsonNode>("1.5") },
        { "deserialized true", JsonSerializer.Deserialize<JsonNode>("true") },
        { "built char", JsonValue.Create('c') },
        { "parsed int", JsonNode.Parse("42") },
        { "parsed negative zero", JsonNode.Parse("-0") },
        { "parsed large", JsonNode.Parse("9007199254740993") },
        { "parsed fraction", JsonNode.Parse("1.5e3") },
        { "parsed overflow", JsonNode.Parse("1e400") },
        { "parsed false", JsonNode.Parse("false") },
        { "parsed null", JsonNode.Parse("null") },
        { "object", new JsonObject { ["a"] = 1 } },
        { "array", new JsonArray(1, 2) },
    };

    /// <summary>
    /// From reads the common nodes by their type rather than through generic virtual calls: it must read every node as
    /// those calls do (the reading below is From's before that change).
    /// </summary>
    [Theory]
    [MemberData(nameof(Leaves))]
    public void From_ReadsEveryKindOfNodeAsTheGenericAccessorsDo(string kind, JsonNode? node)
    {
        // A value of another type that is a JSON string (a date) is not text to either: both throw alike.
        Assert.Equal(Outcome(() => Generic(node)), Outcome(() => AttributeValue.From(node)));
        if (node is JsonValue && node.GetValueKind() == JsonValueKind.String && kind.StartsWith("built string", StringComparison.Ordinal))
        {
            // A built string's text is the string itself, not a copy.
            Assert.Same(node.GetValue<string>(), AttributeValue.From(node)!.Value.Text);
        }
    }

    private static string Outcome(Func<AttributeValue?> read)
    {
        try
        {
            return read() is { } value ? $"{value.Text}|{value.Number?.ToString("R", CultureInfo.InvariantCulture)}" : "none";
        }
        catch (Exception e)
        {
            return e.GetType().Name;
        }
    }

    private static AttributeValue? Generic(JsonNode? node)
    {
        if (node is not JsonValue value)
        {
            return null;
        }
        switch (value.GetValueKind())
        {
            case JsonValueKind.String:
                return new AttributeValue(value.GetValue<string>(), null);
            case JsonValueKind.Number:
                if (value.TryGetValue<JsonElement>(out var element) && element.TryGetDouble(out var parsed) && double.IsFinite(parsed))
                {
                    return new AttributeValue(AttributeValue.FormatNumber(parsed), parsed);
                }
                if (value.TryGetValue<long>(out var integer))
                {
                    return new AttributeValue(AttributeValue.FormatNumber(integer), integer);
                }
                if (value.TryGetValue<int>(out var small))
                {
                    return new AttributeValue(AttributeValue.FormatNumber(small), small);
                }
                var json = value.ToJsonString();
                var number = double.Parse(json, NumberStyles.Float, CultureInfo.InvariantCulture);
                return double.IsFinite(number) ? new AttributeValue(AttributeValue.FormatNumber(number), number) : new AttributeValue(json, null);
            case JsonValueKind.True:
                return new AttributeValue("true", null);
            case JsonValueKind.False:
                return new AttributeValue("false", null);
            default:
                return null;
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData(0d)]
    [InlineData(42d)]
    [InlineData(double.NaN)]
    [InlineData(double.NegativeInfinity)]
    [InlineData(double.Epsilon)]
    public void Number_IsWhatWasGiven(double? number)
    {
        var value = new AttributeValue("x", number);
        Assert.Equal(number, value.Number);
        Assert.Equal(number is { } given ? BitConverter.DoubleToInt64Bits(given) : (long?)null, value.Number is { } read ? BitConverter.DoubleToInt64Bits(read) : (long?)null);
        var (text, deconstructed) = value;
        Assert.Equal(("x", number), (text, deconstructed));
        Assert.Equal(number, (value with { Text = "y" }).Number);
        Assert.Null((value with { Number = null }).Number);
    }

    [Fact]
    public void Number_NegativeZeroAndTheSentinelsBits_StayNumbers()
    {
        Assert.True(double.IsNegative(new AttributeValue("-0", -0d).Number!.Value));
        // The one NaN whose bits stand for "no number" is still a NaN number.
        var sentinel = BitConverter.Int64BitsToDouble(0x7FF4_0000_0000_0A11);
        Assert.True(new AttributeValue("NaN", sentinel).Number is { } nan && double.IsNaN(nan));
    }

    [Fact]
    public void Equality_IsTheTextAndTheNumberOrNone()
    {
        // As the positional record compared them: a NaN is a number, not none; zero and negative zero are the same number.
        Assert.Null(default(AttributeValue).Number);
        Assert.Equal(new AttributeValue(null!, null), default);
        Assert.NotEqual(new AttributeValue("x", null), new AttributeValue("x", double.NaN));
        Assert.Equal(new AttributeValue("x", double.NaN), new AttributeValue("x", double.NaN));
        Assert.Equal(new AttributeValue("0", 0d), new AttributeValue("0", -0d));
        Assert.Equal(new AttributeValue("0", 0d).GetHashCode(), new AttributeValue("0", -0d).GetHashCode());
        Assert.NotEqual(new AttributeValue("1", 1d), new AttributeValue("1", null));
        Assert.NotEqual(new AttributeValue("1", 1d), new AttributeValue("2", 1d));
        Assert.True(new AttributeValue("a", null) == new AttributeValue("a", null));
        Assert.StartsWith("AttributeValue { Text = 443, Number = 443,", new AttributeValue("443", 443).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Layout_IsSixteenBytes() =>
        // A text and a double, no flag: every event holds a dozen or more leaves.
        Assert.Equal(16, System.Runtime.CompilerServices.Unsafe.SizeOf<AttributeValue>());
}
