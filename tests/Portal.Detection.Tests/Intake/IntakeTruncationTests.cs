using System.Text;
using System.Text.Json.Nodes;
using Portal.Detection.Intake;

namespace Portal.Detection.Tests.Intake;

/// <summary>
/// Events over 1 MiB are accepted cut to fit and flagged, as Datadog does; events under it are kept whole, whatever
/// their characters. Sizes are the event's UTF-8 bytes.
/// </summary>
public class IntakeTruncationTests
{
    private const int MiB = 1024 * 1024;

    private static List<Portal.Detection.Events.LogEvent> Read(JsonArray events)
    {
        var (read, error) = IntakePayload.Read(Encoding.UTF8.GetBytes(events.ToJsonString()), IntakeSamples.ReceivedAt, null);
        Assert.Null(error);
        return read!;
    }

    [Fact]
    public void EventUnderOneMebibyteOfNonAsciiText_InALargeBody_KeptWhole()
    {
        // 600 KB of UTF-8, which written with escapes (\u0436) would measure 1.8 MB.
        var cyrillic = new string('ж', 300_000);

        var events = Read([new JsonObject { ["message"] = cyrillic }, new JsonObject { ["message"] = new string('a', 500_000) }]);

        Assert.Equal(cyrillic, events[0].Message);
        Assert.Empty(events[0].GetAttribute("vigil.truncated"));
        Assert.Empty(events[1].GetAttribute("vigil.truncated"));
    }

    [Fact]
    public void EventUnderOneMebibyteOfLines_InALargeBody_KeptWhole()
    {
        // A stack trace: newlines are two bytes written (\n), not six.
        var lines = string.Concat(Enumerable.Repeat("a\n", 340_000)) + "end";

        var events = Read([new JsonObject { ["message"] = lines }, new JsonObject { ["message"] = new string('a', 100_000) }]);

        Assert.Equal(lines, events[0].Message);
        Assert.Empty(events[0].GetAttribute("vigil.truncated"));
    }

    [Fact]
    public void EventOverOneMebibyteOfNonAsciiText_CutToJustUnderIt()
    {
        var e = Assert.Single(Read([new JsonObject { ["message"] = new string('ж', 700_000) }]));

        var kept = Encoding.UTF8.GetByteCount(e.Message!);
        Assert.InRange(kept, MiB - 4096, MiB);
        Assert.True(e.GetAttribute("vigil.truncated").Single().Text == "true");
        Assert.InRange(e.GetAttribute("vigil.original_bytes").Single().Number!.Value, 1_400_000, 1_400_100);
    }

    [Theory]
    [InlineData(800_000, 900_000, true)]
    [InlineData(100_000, 1_100_000, false)]
    public void LargeMessageAndLargeAttributes_MessageCutWhenThatMakesRoom(int message, int payload, bool payloadKept)
    {
        var e = Assert.Single(Read([new JsonObject { ["message"] = new string('m', message), ["payload"] = new string('p', payload) }]));

        // Cutting the message is enough in the first (its 800 KB hold the 650 KB of excess): the attributes stay. Not in
        // the second: the attributes go, and the message, which then fits, is kept whole.
        Assert.Equal(payloadKept, e.GetAttribute("payload").Count == 1);
        Assert.InRange(Encoding.UTF8.GetByteCount(e.Message!), payloadKept ? MiB - payload - 2048 : message, payloadKept ? MiB - payload : message);
        Assert.True(e.GetAttribute("vigil.truncated").Single().Text == "true");
    }

    [Fact]
    public void MessageOfSurrogatePairs_CutBetweenPairs()
    {
        var e = Assert.Single(Read([new JsonObject { ["message"] = string.Concat(Enumerable.Repeat("😀", 300_000)) }]));

        var message = e.Message!;
        Assert.InRange(Encoding.UTF8.GetByteCount(message), MiB - 4096, MiB);
        Assert.True(message.Length % 2 == 0 && !char.IsHighSurrogate(message[^1]), "the cut split a pair");
        Assert.DoesNotContain('\uFFFD', message);
    }

    [Fact]
    public void LargeAttributesDropped_MessageAndStatusFieldsKept()
    {
        var e = Assert.Single(Read([new JsonObject { ["level"] = "error", ["service"] = "api", ["message"] = "short", ["payload"] = new string('p', 1_200_000) }]));

        // The excess was the attributes': the message is not cut for them.
        Assert.Equal("short", e.Message);
        Assert.Equal("error", e.Status);
        Assert.Equal("api", e.Service);
        Assert.Empty(e.GetAttribute("payload"));
        Assert.True(e.GetAttribute("vigil.truncated").Single().Text == "true");
    }

    /// <summary>
    /// Reserved fields kept as text that are themselves too large (a "date" that is no date, a huge host or tag list): they
    /// are cut to a few kilobytes, and the message, which made no excess, is kept whole (it was cut to nothing, and the
    /// event stayed over the limit).
    /// </summary>
    [Theory]
    [InlineData("date")]
    [InlineData("hostname")]
    [InlineData("level")]
    [InlineData("ddtags")]
    public void LargeReservedTextField_CutToAFewKilobytes_TheMessageKept(string field)
    {
        var message = "Failed password for root from 203.0.113.5 port 22 ssh2 " + new string('m', 10_000);

        var e = Assert.Single(Read([new JsonObject { ["message"] = message, [field] = new string('x', 2_000_000), ["extra"] = 1 }]));

        Assert.Equal(message, e.Message);
        Assert.True(e.GetAttribute("vigil.truncated").Single().Text == "true");
        Assert.True(Encoding.UTF8.GetByteCount(Portal.Detection.Events.LogEventJson.Serialize(e)) < 64 * 1024);
    }

    /// <summary>
    /// A reserved field sent as an object stays an attribute (ECS's host), and goes with the other attributes when they
    /// make the event too large: the event fits, as any other.
    /// </summary>
    [Theory]
    [InlineData("message")]
    [InlineData("host")]
    public void LargeReservedFieldOfAnotherType_DroppedAsAnAttribute(string field)
    {
        var e = Assert.Single(Read([new JsonObject { ["service"] = "api", [field] = new JsonObject { ["text"] = new string('x', 1_200_000) }, ["small"] = 1 }]));

        Assert.Equal("api", e.Service);
        Assert.Empty(e.GetAttribute(field + ".text"));
        Assert.True(e.GetAttribute("vigil.truncated").Single().Text == "true");
        Assert.True(Encoding.UTF8.GetByteCount(Portal.Detection.Events.LogEventJson.Serialize(e)) < MiB);
    }
}
