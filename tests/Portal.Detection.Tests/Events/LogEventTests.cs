using System.Text.Json.Nodes;
using Portal.Detection.Events;
using Portal.Detection.Tests.Intake;

namespace Portal.Detection.Tests.Events;

public class LogEventTests
{
    [Fact]
    public void GetAttribute_AnyPath_FindsWhatAWalkOfTheTreeFinds()
    {
        var e = IntakeSamples.Json("""
            {"ddsource":"app","message":"x","usr":{"name":"alice","roles":[{"name":"admin","id":1},{"name":"dev","id":2}]},"aws.region":"eu-west-1","http":{"status_code":503}}
            """);

        // A small event (its leaves are scanned); the roles' names and ids lie apart among its leaves.
        foreach (var path in new[] { "usr.name", "usr.roles.name", "usr.roles.id", "aws.region", "http.status_code", "usr", "missing", "usr.name.first", "" })
        {
            Assert.Equal(AttributePath.Values(e.Attributes, path), e.GetAttribute(path));
            Assert.Equal(AttributePath.Values(e.Attributes, path).Cast<AttributeValue?>().FirstOrDefault(), AttributePath.First(e.Attributes, path));
        }
        Assert.Equal(["admin", "dev"], e.GetAttribute("usr.roles.name").Select(v => v.Text));
        Assert.Equal(["admin", "dev"], new LogEvent { Id = e.Id, Attributes = e.Attributes }.GetAttribute("usr.roles.name").Select(v => v.Text));
        Assert.Equal(503, e.GetAttribute("http.status_code")[0].Number);
    }

    [Fact]
    public void GetAttribute_RandomTrees_FindsWhatAWalkOfTheTreeFinds()
    {
        // Short keys from a small alphabet make paths collide in the leaf table; arrays of objects interleave paths.
        var random = new Random(5);
        JsonNode? Draw(int depth) => random.Next(depth > 2 ? 2 : 5) switch
        {
            0 => JsonValue.Create(random.Next(100)),
            1 => JsonValue.Create(new string('a', random.Next(0, 3)) + "x"),
            2 => new JsonArray([.. Enumerable.Range(0, random.Next(0, 4)).Select(_ => Draw(depth + 1))]),
            _ => Object(depth + 1),
        };
        JsonObject Object(int depth)
        {
            var o = new JsonObject();
            foreach (var key in Enumerable.Range(0, random.Next(1, depth == 0 ? 40 : 5)).Select(_ => "abcdefg"[random.Next(7)] + (random.Next(3) == 0 ? "" : random.Next(9).ToString(System.Globalization.CultureInfo.InvariantCulture))).Distinct())
            {
                o[key] = Draw(depth);
            }
            return o;
        }
        for (var round = 0; round < 200; round++)
        {
            var e = new LogEvent { Id = $"e{round}", Attributes = Object(0) };
            foreach (var path in e.Leaves.Select(l => l.Key).Distinct().Concat(["zz", "a.zz", "a0.b"]))
            {
                // A small event's lookups scan its leaves until one meets a path's values apart (an array of objects),
                // which builds the index: each path is also looked up first, on a copy.
                Assert.Equal(AttributePath.Values(e.Attributes, path), e.GetAttribute(path));
                Assert.Equal(AttributePath.Values(e.Attributes, path), new LogEvent { Id = e.Id, Attributes = e.Attributes }.GetAttribute(path));
            }
        }
    }

    [Fact]
    public void GetAttribute_KeysChosenToLookAlike_StayInShortProbes()
    {
        // 20,000 keys of one length that share their first, middle and last characters: a hash of a few characters
        // would put them all in one slot, and indexing the event would take time quadratic in its keys.
        var attributes = new JsonObject();
        for (var i = 0; i < 20_000; i++)
        {
            attributes[$"k{i:D5}x"] = i;
        }
        var e = new LogEvent { Id = "crafted", Attributes = attributes };

        Assert.Equal(12_345, e.GetAttribute("k12345x")[0].Number);
        Assert.InRange(e.LongestProbe(), 1, 200);
    }

    [Fact]
    public void Serialize_AfterDetectionReadTheEvent_HoldsOnlyTheEventsOwnFields()
    {
        var e = IntakeSamples.Line("sshd", "Failed password for root from 203.0.113.77 port 41822 ssh2");
        _ = (e.MessageWords, e.MessageLower, e.Leaves, e.GetAttribute("usr.name"));

        var json = JsonNode.Parse(LogEventJson.Serialize(e))!.AsObject();

        Assert.Empty(json.Select(p => p.Key).Except(["id", "timestamp", "host", "service", "source", "status", "message", "tags", "attributes"]));
        Assert.Equal(["failed", "password", "for", "root", "from", "203", "0", "113", "77", "port", "41822", "ssh2"], e.MessageWords);
    }
}
