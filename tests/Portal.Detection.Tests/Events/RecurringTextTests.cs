using System.Text.Json;
using Portal.Detection.Events;
using Portal.Detection.Intake;

namespace Portal.Detection.Tests.Events;

public class RecurringTextTests
{
    [Fact]
    public void Of_ARecurringValue_IsOneInstance_AndADifferentValueItsOwn()
    {
        var first = RecurringText.Of("bastion-1".AsSpan());
        var again = RecurringText.Of("xbastion-1".AsSpan(1));

        Assert.Equal("bastion-1", first);
        Assert.Same(first, again);
        Assert.Equal("bastion-2", RecurringText.Of("bastion-2".AsSpan()));
        Assert.Same(string.Empty, RecurringText.Of([]));
    }

    [Theory]
    [InlineData(RecurringText.MaxLength)]
    [InlineData(RecurringText.MaxLength + 1)]
    public void Of_ALongValue_IsReadWhole_AndOnlyShortOnesAreShared(int length)
    {
        var text = new string('a', length - 1) + "Z";

        var first = RecurringText.Of(text.AsSpan());
        var again = RecurringText.Of(text.AsSpan());

        Assert.Equal(text, first);
        Assert.Equal(text, again);
        Assert.Equal(length <= RecurringText.MaxLength, ReferenceEquals(first, again));
    }

    [Theory]
    [InlineData("\"us-east-1\"")]
    [InlineData("\"\"")]
    [InlineData("\"caf\u00e9 \u65e5\u672c \ud83d\ude00\"")]
    [InlineData("\"say \\\"hi\\\" \\u00e9\\n\"")]
    [InlineData("\"\\ud83d\\ude00\"")]
    public void Of_AJsonString_ReadsWhatGetStringReads(string json)
    {
        using var document = JsonDocument.Parse(json);

        Assert.Equal(document.RootElement.GetString(), RecurringText.Of(document.RootElement));
    }

    [Theory]
    [InlineData(RecurringText.MaxLength)]
    [InlineData(RecurringText.MaxLength + 1)]
    public void Of_ARecurringJsonString_IsOneInstance_UpToTheLimit(int length)
    {
        var text = new string('a', length - 1) + "Z";
        using var document = JsonDocument.Parse($"[\"{text}\",\"{text}\",\"{text[..^1]}Y\"]");
        var items = document.RootElement.EnumerateArray().ToArray();

        var first = RecurringText.Of(items[0]);
        var again = RecurringText.Of(items[1]);

        Assert.Equal(text, first);
        Assert.Equal(text, again);
        Assert.Equal(length <= RecurringText.MaxLength, ReferenceEquals(first, again));
        Assert.Equal(text[..^1] + "Y", RecurringText.Of(items[2]));
    }

    [Fact]
    public void Of_AJsonStringOfMultiByteCharacters_ReadsWhole()
    {
        var text = new string('\u00e9', RecurringText.MaxLength);
        using var document = JsonDocument.Parse($"\"{text}\"");

        Assert.Equal(text, RecurringText.Of(document.RootElement));
    }

    [Fact]
    public void Of_ManyValuesThatEvictEachOther_AlwaysReadsEachAsItIs()
    {
        // More values than slots, recurring in a random order: whatever a slot holds, each read is its own text.
        var random = new Random(7);
        var alphabet = new[] { "a", "b", "c", "X", "Y", "0", "9", " ", "-", ".", ":", "/", "\\", "\"", "\u00e9", "\u00c4", "\u65e5", "\ud83d\ude00" };
        var values = Enumerable.Range(0, 6_000)
            .Select(_ => string.Concat(Enumerable.Range(0, random.Next(0, 40)).Select(_ => alphabet[random.Next(alphabet.Length)])))
            .ToArray();
        using var document = JsonDocument.Parse(JsonSerializer.Serialize(values));
        var elements = document.RootElement.EnumerateArray().ToArray();

        for (var i = 0; i < 30_000; i++)
        {
            var at = random.Next(values.Length);
            Assert.Equal(values[at], RecurringText.Of(values[at].AsSpan()));
            Assert.Equal(values[at], RecurringText.Of(elements[at]));
        }
    }

    [Fact]
    public void Of_TwoValuesOfOnePair_BothStayShared_AndAThirdForgetsTheOlder()
    {
        // Values whose hashes pick the same pair of slots; the last two fill the pair first, whatever it held.
        var values = Enumerable.Range(0, 100_000).Select(i => $"user-{i}").GroupBy(v => RecurringText.PairOf(v)).First(g => g.Count() >= 5).Take(5).ToArray();
        _ = (RecurringText.Of(values[3].AsSpan()), RecurringText.Of(values[4].AsSpan()));
        var (a, b, c) = (RecurringText.Of(values[0].AsSpan()), RecurringText.Of(values[1].AsSpan()), RecurringText.Of(values[2].AsSpan()));
        var (b2, c2) = (RecurringText.Of(values[1].AsSpan()), RecurringText.Of(values[2].AsSpan()));

        Assert.Same(b, b2);
        Assert.Same(c, c2);
        // The pair held b and c: a was forgotten, and is made again.
        var a2 = RecurringText.Of(values[0].AsSpan());
        Assert.Equal(values[0], a2);
        Assert.NotSame(a, a2);
        // The pair holds a, then c; c read again comes first, so the next new value forgets a, not c.
        Assert.Same(c, RecurringText.Of(values[2].AsSpan()));
        _ = RecurringText.Of(values[3].AsSpan());
        Assert.Same(c, RecurringText.Of(values[2].AsSpan()));
        Assert.NotSame(a2, RecurringText.Of(values[0].AsSpan()));
    }

    [Fact]
    public void Tags_AreCutAtTheLimit_AfterLowerCasing()
    {
        var tags = new List<string>();

        IntakeFields.AddTags(tags, $" Env:PROD ,, \t ,{new string('X', 300)}, team:Web,R\u00c4UME:\u00c9T\u00c9,{new string('Y', IntakeFields.MaxTagLength)}");

        Assert.Equal(["env:prod", new string('x', IntakeFields.MaxTagLength), "team:web", "r\u00e4ume:\u00e9t\u00e9", new string('y', IntakeFields.MaxTagLength)], tags);
    }

    [Fact]
    public void Tags_CutAtTheLimitWithinACharacterOfTwoHalves_LoseItWhole()
    {
        var tags = new List<string>();
        var before = new string('a', IntakeFields.MaxTagLength - 1);

        IntakeFields.AddTags(tags, $"{before}\U0001F600b,{before.ToUpperInvariant()}\U0001F600");

        // Compared ordinally (a collection's comparison would not see a lone half).
        Assert.Equal(2, tags.Count);
        Assert.True(tags.All(t => string.Equals(t, before, StringComparison.Ordinal)), string.Join(",", tags.Select(t => t.Length)));
    }
}
