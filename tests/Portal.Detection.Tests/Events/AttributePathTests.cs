using System.Text.Json.Nodes;
using Portal.Detection.Events;

namespace Portal.Detection.Tests.Events;

public class AttributePathTests
{
    /// <summary>
    /// Flattening remembers which path it found at each position of an object; objects whose keys come in another order, or
    /// with other keys at the same places, must still get their own paths.
    /// </summary>
    [Fact]
    public void Flatten_ObjectsWithKeysInAnyOrder_NameEachLeafByItsOwnPath()
    {
        string[] documents =
        [
            """{"usr":{"name":"alice","id":"u-1"},"evt":{"name":"login"}}""",
            """{"evt":{"name":"logout"},"usr":{"id":"u-2","name":"bob"}}""",
            """{"usr":{"email":"c@example.com","name":"carol"},"network":{"client":{"ip":"10.0.0.1"}}}""",
            """{"usr":[{"name":"dave"},{"id":"u-4","name":"erin"}],"evt":{"name":"login"}}""",
            // Parsed keys are new strings each time: the same text at the same place is the same path.
            """{"usr":{"name":"alice","id":"u-1"},"evt":{"name":"login"}}""",
        ];
        string[] expected =
        [
            "usr.name=alice usr.id=u-1 evt.name=login",
            "evt.name=logout usr.id=u-2 usr.name=bob",
            "usr.email=c@example.com usr.name=carol network.client.ip=10.0.0.1",
            "usr.name=dave usr.id=u-4 usr.name=erin evt.name=login",
            "usr.name=alice usr.id=u-1 evt.name=login",
        ];

        var flattened = documents.Select(json => string.Join(' ', AttributePath.Flatten(JsonNode.Parse(json)!.AsObject()).Select(l => $"{l.Key}={l.Value.Text}")));

        Assert.Equal(expected, flattened);
    }
    /// <summary>
    /// A path remembers the strings a reader met there, so that the next event's is known by its bytes; one whose values
    /// are all new (none met again in eight) rests for 56 strings, keeping what it remembers, then remembers again, and a
    /// string met again keeps it remembering.
    /// </summary>
    [Fact]
    public void RememberText_ValuesNeverMetAgain_RestsAWhileThenRemembersAgain()
    {
        var node = new AttributePath.PathNode("request.id");
        string Remembered() => node.Remembered[0]!.Text;
        void Remember(string text) => node.RememberText(text, System.Text.Encoding.ASCII.GetBytes(text), 128, ways: 1);

        for (var i = 0; i < 8; i++)
        {
            Remember($"id-{i}");
            Assert.Equal($"id-{i}", Remembered());
        }
        for (var i = 8; i < 64; i++)
        {
            Remember($"id-{i}");
            Assert.Equal("id-7", Remembered());
        }
        Remember("id-64");
        Assert.Equal("id-64", Remembered());

        // Met again now and then: never rests.
        for (var i = 65; i < 200; i++)
        {
            if (i % 7 == 0)
            {
                node.RememberedHit();
            }
            Remember($"id-{i}");
            Assert.Equal($"id-{i}", Remembered());
        }
    }
}
