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
    public void Tags_AreCutAtTheLimit_AfterLowerCasing()
    {
        var tags = new List<string>();

        IntakeFields.AddTags(tags, $" Env:PROD ,,{new string('X', 300)}, team:Web");

        Assert.Equal(["env:prod", new string('x', IntakeFields.MaxTagLength), "team:web"], tags);
    }
}
