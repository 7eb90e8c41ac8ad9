using System.Text.Json.Nodes;
using Portal.Detection.Events;
using Portal.Detection.Intake;

namespace Portal.Detection.Tests.Intake;

/// <summary>
/// What a parser's attribute does to a draft: it fills what is absent and never replaces what the sender stated, however
/// the sender spelled the path (nested, flat with dots, or half and half), before or after the parsers' own objects.
/// </summary>
public class IntakeDraftTests
{
    [Theory]
    [InlineData("\"x\"")]
    [InlineData("[1,2]")]
    [InlineData("7")]
    public void Parser_PathThroughASendersValue_LeavesTheValue(string network)
    {
        // The sshd parser writes network.client.ip and port: a sender's own "network" that is not an object stays as sent.
        var e = IntakeSamples.Json($$"""{"ddsource":"sshd","network":{{network}},"message":"Failed password for invalid user bob from 203.0.113.9 port 2222 ssh2"}""");

        Assert.Equal(JsonNode.Parse(network)!.ToJsonString(), e.Attributes["network"]!.ToJsonString());
        Assert.Equal("bob", e.Text("usr.name"));
        Assert.Empty(e.GetAttribute("network.client.ip"));
    }

    [Fact]
    public void Add_ToEmptyAttributes_NestsThePath()
    {
        var draft = new IntakeDraft();

        draft.AddText("network.client.ip", "203.0.113.7");
        draft.Add("network.client.port", 22);
        draft.AddText("evt.name", "authentication");

        Assert.Equal("""{"network":{"client":{"ip":"203.0.113.7","port":22}},"evt":{"name":"authentication"}}""", draft.Attributes.ToJsonString());
    }

    [Fact]
    public void Add_SamePathTwice_KeepsTheFirst()
    {
        var draft = new IntakeDraft();

        draft.AddText("usr.name", "alice");
        draft.AddText("usr.name", "mallory");

        Assert.Equal("alice", draft.Text("usr.name"));
    }

    [Theory]
    [InlineData("""{"network.client.ip":"10.0.0.1"}""")]
    [InlineData("""{"network.client":{"ip":"10.0.0.1"}}""")]
    [InlineData("""{"network":{"client.ip":"10.0.0.1"}}""")]
    [InlineData("""{"network":{"client":{"ip":"10.0.0.1"}}}""")]
    [InlineData("""{"network":{"client":{"ip":["10.0.0.1"]}}}""")]
    public void Add_WhereTheSenderStatedThePath_ChangesNothing(string sent)
    {
        var draft = Adopting(sent);

        draft.AddText("network.client.ip", "203.0.113.7");

        Assert.Equal(sent, draft.Attributes.ToJsonString());
    }

    [Fact]
    public void Add_IntoTheSendersObject_KeepsItsOtherValues()
    {
        var draft = Adopting("""{"network":{"bytes":512}}""");

        draft.AddText("network.client.ip", "203.0.113.7");

        Assert.Equal("""{"network":{"bytes":512,"client":{"ip":"203.0.113.7"}}}""", draft.Attributes.ToJsonString());
    }

    [Fact]
    public void Add_AfterAFlatKeyJoinsTheParsersObjects_LeavesTheFlatKeyAlone()
    {
        var draft = new IntakeDraft();
        draft.AddText("usr.id", "u-1");
        // A JSON message's properties arrive after the parsers' first attributes, at the root.
        draft.Attributes["usr.name"] = "sent";

        draft.AddText("usr.name", "parsed");
        draft.AddText("usr.email", "a@example.com");

        Assert.Equal("""{"usr":{"id":"u-1","email":"a@example.com"},"usr.name":"sent"}""", draft.Attributes.ToJsonString());
    }

    /// <summary>
    /// The draft's one-walk insertion against the general rule it stands in for (add unless <see cref="AttributePath.Exists"/>
    /// or <see cref="AttributePath.SetWouldReplace"/>, then <see cref="AttributePath.Set"/>): the same attributes after every
    /// step, over senders' objects of every shape and paths in both orders, so that the parsers' objects made early meet the
    /// later paths.
    /// </summary>
    [Theory]
    [InlineData("{}")]
    [InlineData("""{"a":null}""")]
    [InlineData("""{"a":"text"}""")]
    [InlineData("""{"a":[]}""")]
    [InlineData("""{"a":[{"b":1}]}""")]
    [InlineData("""{"a":{"b":null}}""")]
    [InlineData("""{"a":{"b.c":1}}""")]
    [InlineData("""{"a.b":{"c":1}}""")]
    [InlineData("""{"x":1,"a.b.c":2}""")]
    [InlineData("""{"":{"a":1},"x":{}}""")]
    public void Add_AnySendersObjectAndPaths_DoesWhatTheGeneralRuleDoes(string sent)
    {
        string[] paths = ["a.b.c", "a.b", "a", "a.b.d", "x.y", "x", "a..b", ".a", "a.", "", "x.y.z", "a.b.c.d"];
        foreach (var order in new[] { paths, paths.Reverse().ToArray() })
        {
            var draft = Adopting(sent);
            var expected = JsonNode.Parse(sent)!.AsObject();
            foreach (var path in order)
            {
                AddBothWays(draft, expected, path);
                Assert.Equal(expected.ToJsonString(), draft.Attributes.ToJsonString());
            }
        }
    }

    /// <summary>
    /// The draft's leaves (no tree until the end) against the general rule, over random runs of up to 39 paths that share segments,
    /// lie on each other's way, repeat, and share prefixes that are not whole segments (<c>a.b</c> and <c>a.bc</c>): the
    /// same tree, in the same order, once the leaves build it.
    /// </summary>
    [Fact]
    public void Add_RandomPathsAsLeaves_DoesWhatTheGeneralRuleDoes()
    {
        string[] segments = ["a", "b", "bc", "b_c", "http"];
        var random = new Random(20261205);
        for (var run = 0; run < 2_000; run++)
        {
            var draft = new IntakeDraft();
            var expected = new JsonObject();
            for (var step = random.Next(1, 40); step > 0; step--)
            {
                AddBothWays(draft, expected, string.Join('.', Enumerable.Range(0, random.Next(1, 5)).Select(_ => segments[random.Next(segments.Length)])));
            }
            Assert.Equal(expected.ToJsonString(), draft.Attributes.ToJsonString());
        }
    }

    /// <summary>
    /// The same paths (the same strings, as a parser's constants are) added in the same orders, run after run on the thread's
    /// draft: each place learned after the same leaves before (<see cref="IntakeDraft.Placement"/>) is the one the general
    /// rule gives, conflicts included.
    /// </summary>
    [Fact]
    public void Add_RecurringPathsAsLeaves_PlacedAsTheGeneralRulePlacesThem()
    {
        string[] segments = ["a", "b", "bc", "http", "url"];
        var random = new Random(20261206);
        string[] pool = [];
        for (var run = 0; run < 3_000; run++)
        {
            if (run % 200 == 0)
            {
                // A few paths at a time, so that runs repeat each other's beginnings.
                pool = Enumerable.Range(0, 8).Select(_ => string.Join('.', Enumerable.Range(0, random.Next(1, 4)).Select(_ => segments[random.Next(segments.Length)]))).ToArray();
            }
            var draft = IntakeDraft.ForThread();
            var expected = new JsonObject();
            for (var step = random.Next(1, 9); step > 0; step--)
            {
                AddBothWays(draft, expected, pool[random.Next(pool.Length)]);
            }
            Assert.Equal(expected.ToJsonString(), draft.Attributes.ToJsonString());
        }
    }

    /// <summary>
    /// A parser's texts added by the same steps event after event (<see cref="IntakeDraft.Placement.Step.LastText"/>), each
    /// drawn from texts that differ by a character or by their length, some longer than the thread shares, and a path in
    /// the way of others (<c>http</c> beside <c>http.method</c>): every event holds its own texts, never the one its step
    /// met before, placed as the general rule places them.
    /// </summary>
    [Fact]
    public void AddText_RecurringStepsWithTextsThatChange_KeepEachEventsOwn()
    {
        string[] paths = ["http.method", "http", "http.url", "network.client.ip", "usr.name"];
        var longer = new string('u', RecurringText.MaxLength);
        string[] texts = ["GET", "PUT", "GET", "GEX", "-", "GE", "GETS", "get", longer + "a", longer + "b"];
        var random = new Random(20261205);
        for (var run = 0; run < 2_000; run++)
        {
            var draft = IntakeDraft.ForThread();
            var expected = new JsonObject();
            foreach (var path in paths.Where(_ => random.Next(4) != 0))
            {
                // Read from a longer line, as a parser's parts are.
                var text = texts[random.Next(texts.Length)];
                draft.AddText(path, ("[" + text + "]").AsSpan(1, text.Length));
                if (text != "-" && !AttributePath.Exists(expected, path) && !AttributePath.SetWouldReplace(expected, path))
                {
                    AttributePath.Set(expected, path, JsonValue.Create(text));
                }
            }
            Assert.Equal(expected.ToJsonString(), draft.Attributes.ToJsonString());
        }
    }

    /// <summary>
    /// Texts found in one walk of the leaves (<see cref="IntakeDraft.Texts"/>) are those found one path at a time, for paths
    /// of every length the walk tells apart by its mask of lengths (up to 62 each its own, 63 and longer sharing one) and
    /// paths absent, numeric or of a length no leaf has.
    /// </summary>
    [Fact]
    public void Texts_PathsOfAnyLength_FindWhatTextFinds()
    {
        var long63 = "a." + new string('b', 61);
        var long64 = "a." + new string('b', 62);
        var long70 = "c." + new string('d', 68);
        var draft = new IntakeDraft();
        draft.AddText("x", "short");
        draft.AddText(long63, "sixty-three");
        draft.AddText(long70, "seventy");
        draft.Add("n.port", 22);
        draft.AddText("n.host", "h");

        string[] paths = ["x", long63, long64, long70, "n.port", "n.host", "missing", "x.y"];
        var found = new string?[paths.Length];
        draft.Texts(paths, found);

        Assert.Equal(new[] { "short", "sixty-three", null, "seventy", null, "h", null, null }, found);
        Assert.Equal(paths.Select(draft.Text).ToArray(), found);
    }

    /// <summary>The shortcut the draft takes for two paths under one first segment answers as the general comparison does.</summary>
    [Fact]
    public void SharedUnderFirst_AnswersAsShared()
    {
        string[] paths =
        [
            "a", "a.b", "a.b.c", "a.bc", "a.bc.d", "a.b_c", "a.b.c.d", "a.b.cd", "a.x.b", "ab", "ab.c",
            "http", "http.url", "http.url_details.path", "http.url_details", "http.url_detailsx", "http.method",
        ];
        foreach (var path in paths)
        {
            foreach (var other in paths)
            {
                var first = LeafTree.PlainFirstSegment(path);
                if (other.Length >= first && other.AsSpan(0, first).SequenceEqual(path.AsSpan(0, first)) && (other.Length == first || other[first] == '.'))
                {
                    Assert.Equal(LeafTree.Shared(path, other), IntakeDraft.SharedUnderFirst(path, other, first));
                }
            }
        }
    }

    [Fact]
    public void Add_AfterTheRootsKeysMoved_StillSeesADottedKey()
    {
        var draft = Adopting("""{"a":1,"b":2}""");
        draft.AddText("c.d", "v");
        draft.Attributes.Remove("a");
        draft.Attributes["x.y"] = "sent";

        draft.AddText("x.y", "parsed");

        Assert.Equal("""{"b":2,"c":{"d":"v"},"x.y":"sent"}""", draft.Attributes.ToJsonString());
    }

    /// <summary>
    /// Adds a text at <paramref name="path"/> to the draft, and to <paramref name="expected"/> by the general rule the draft
    /// stands in for: unless something is at the path or on its way (<see cref="AttributePath.Exists"/>,
    /// <see cref="AttributePath.SetWouldReplace"/>), <see cref="AttributePath.Set"/>.
    /// </summary>
    private static void AddBothWays(IntakeDraft draft, JsonObject expected, string path)
    {
        draft.AddText(path, "v:" + path);
        if (!AttributePath.Exists(expected, path) && !AttributePath.SetWouldReplace(expected, path))
        {
            AttributePath.Set(expected, path, JsonValue.Create("v:" + path));
        }
    }

    private static IntakeDraft Adopting(string json)
    {
        var draft = new IntakeDraft();
        draft.Adopt(JsonNode.Parse(json)!.AsObject());
        return draft;
    }
}
