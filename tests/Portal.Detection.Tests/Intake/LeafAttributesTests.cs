using System.Text.Json.Nodes;
using Portal.Detection.Events;
using Portal.Detection.Intake;
using Portal.Detection.Intake.Parsers;

namespace Portal.Detection.Tests.Intake;

/// <summary>
/// A draft whose sender stated no attributes keeps the parsers' attributes as leaves, and the event made from it builds its
/// tree only when asked: the leaves, the tree built from them and the stored JSON written from them must be exactly what
/// the tree the same adds build gives (values, node types and order).
/// </summary>
public class LeafAttributesTests
{
    /// <summary>Random paths over a few segments, so that they share objects, meet leaves and lie below them.</summary>
    [Fact]
    public void Adds_InAnyOrder_GiveTheTreeTheGeneralRuleBuilds()
    {
        var random = new Random(20261203);
        string[] segments = ["a", "b", "c", "ab"];
        for (var round = 0; round < 2_000; round++)
        {
            var leafDraft = new IntakeDraft();
            var treeDraft = new IntakeDraft();
            treeDraft.Adopt([]);
            var expected = new JsonObject();
            for (var i = random.Next(1, 14); i > 0; i--)
            {
                var path = string.Join('.', Enumerable.Range(0, random.Next(1, 4)).Select(_ => segments[random.Next(segments.Length)]));
                JsonValue value;
                switch (random.Next(4))
                {
                    case 0:
                        var text = "v" + random.Next(100);
                        value = JsonValue.Create(text);
                        leafDraft.AddText(path, text);
                        treeDraft.AddText(path, text);
                        break;
                    case 1:
                        var small = random.Next(-5, 70_000);
                        value = JsonValue.Create(small);
                        leafDraft.Add(path, small);
                        treeDraft.Add(path, small);
                        break;
                    case 2:
                        // Beyond 2^53 too, which a leaf's double cannot hold exactly.
                        var large = random.Next(4) == 0 ? long.MaxValue - random.Next(1000) : random.NextInt64(-5, 1L << 40);
                        value = JsonValue.Create(large);
                        leafDraft.Add(path, large);
                        treeDraft.Add(path, large);
                        break;
                    default:
                        var flag = random.Next(2) == 0;
                        value = JsonValue.Create(flag);
                        leafDraft.Add(path, flag);
                        treeDraft.Add(path, flag);
                        break;
                }
                if (!AttributePath.Exists(expected, path) && !AttributePath.SetWouldReplace(expected, path))
                {
                    AttributePath.Set(expected, path, value);
                }
            }

            Assert.Equal(expected.ToJsonString(), treeDraft.Attributes.ToJsonString());
            if (leafDraft.TakeLeaves() is { } leaves)
            {
                AssertSameAttributes(expected, Event(leaves));
            }
            else
            {
                // A long a double cannot hold sent the draft to the tree (added, or refused where the tree refuses it).
                Assert.Equal(expected.ToJsonString(), leafDraft.Attributes.ToJsonString());
            }
        }
    }

    [Theory]
    [InlineData("a..b")]
    [InlineData(".a")]
    [InlineData("a.")]
    [InlineData("")]
    public void Add_PathWithAnEmptySegment_BuildsTheTreeAndAddsAsItDoes(string path)
    {
        var draft = new IntakeDraft();
        draft.AddText("a.c", "first");

        draft.AddText(path, "v");

        Assert.Null(draft.TakeLeaves());
        var expected = new JsonObject { ["a"] = new JsonObject { ["c"] = "first" } };
        if (!AttributePath.Exists(expected, path) && !AttributePath.SetWouldReplace(expected, path))
        {
            AttributePath.Set(expected, path, JsonValue.Create("v"));
        }
        Assert.Equal(expected.ToJsonString(), draft.Attributes.ToJsonString());
    }

    [Fact]
    public void Add_BeyondTheLeavesAMaskHolds_BuildsTheTreeWithEveryValue()
    {
        var draft = new IntakeDraft();
        for (var i = 0; i <= LeafAttributes.MaxLeaves; i++)
        {
            draft.Add($"k{i}.n", i);
        }

        Assert.Null(draft.TakeLeaves());
        Assert.Equal(LeafAttributes.MaxLeaves + 1, draft.Attributes.Count);
        Assert.Equal(LeafAttributes.MaxLeaves, (int)draft.Attributes[$"k{LeafAttributes.MaxLeaves}"]!["n"]!);
    }

    [Fact]
    public void GiveLeaves_PutsTheDraftsLeavesInTheEvent_AndADraftHoldingATreeRefuses()
    {
        var draft = new IntakeDraft();
        draft.AddText("usr.name", "alice");
        draft.Add("usr.id", 7);
        var e = new LogEvent { Id = "e" };

        draft.GiveLeaves(e);

        Assert.False(draft.HoldsTree);
        Assert.Equal("""{"usr":{"name":"alice","id":7}}""", e.Attributes.ToJsonString());
        Assert.Equal(["alice", "7"], e.Leaves.Select(leaf => leaf.Value.Text));
        // The thread's draft, used again for the next event, leaves the first one's leaves as they were.
        var first = IntakeDraft.ForThread();
        first.AddText("usr.name", "bob");
        var one = new LogEvent { Id = "1" };
        first.GiveLeaves(one);
        var next = IntakeDraft.ForThread();
        next.AddText("usr.name", "carol");
        next.AddText("evt.name", "login");
        var two = new LogEvent { Id = "2" };
        next.GiveLeaves(two);
        Assert.Same(first, next);
        Assert.Equal(["bob"], one.Leaves.Select(leaf => leaf.Value.Text));
        Assert.Equal(["carol", "login"], two.Leaves.Select(leaf => leaf.Value.Text));
        var tree = new IntakeDraft();
        tree.AddText("a.c", "first");
        tree.AddText("a.", "v");
        Assert.True(tree.HoldsTree);
        Assert.Throws<InvalidOperationException>(() => tree.GiveLeaves(new LogEvent { Id = "t" }));
    }

    [Fact]
    public void Lookup_OnTheDraft_ReadsTheLeavesWithoutBuildingTheTree()
    {
        var draft = new IntakeDraft();
        draft.AddText("usr.name", "alice");
        draft.Add("usr.id", 7);

        Assert.Equal("alice", draft.Text("usr.name"));
        Assert.Null(draft.Text("usr.id"));
        Assert.Null(draft.Text("usr"));

        Assert.NotNull(draft.TakeLeaves());
        Assert.Equal("""{"usr":{"name":"alice","id":7}}""", draft.Attributes.ToJsonString());
    }

    [Fact]
    public void ThreatIntel_ReadsTheLeavesAndBuildsTheTreeOnlyForAMatch()
    {
        JsonObject Line(string ip) => new() { ["ddsource"] = "sshd", ["message"] = $"Failed password for root from {ip} port 52211 ssh2" };

        var missed = IntakeNormalizer.Normalize(Line("192.0.2.1"), IntakeSamples.ReceivedAt, threatIntel: IntakeSamples.Feed);
        var matched = IntakeNormalizer.Normalize(Line("203.0.113.250"), IntakeSamples.ReceivedAt, threatIntel: IntakeSamples.Feed);

        Assert.True(missed.HasLeafSource);
        Assert.Empty(missed.GetAttribute("threat_intel.results.intention"));
        Assert.False(matched.HasLeafSource);
        Assert.Equal("203.0.113.250", matched.GetAttribute("threat_intel.indicators_matched").Single().Text);
        Assert.Equal("root", matched.GetAttribute("usr.name").Single().Text);
    }

    [Fact]
    public void WithTime_SharesTheAttributesAsMadeButNotLeavesReadFromATree()
    {
        var line = IntakeNormalizer.Normalize(new JsonObject { ["ddsource"] = "sshd", ["message"] = "Invalid user a from 192.0.2.1 port 2" }, IntakeSamples.ReceivedAt);
        var record = IntakeNormalizer.Normalize(new JsonObject { ["ddsource"] = "cloudtrail", ["eventName"] = "GetObject" }, IntakeSamples.ReceivedAt);
        _ = record.Leaves;

        var lineCopy = line.WithTime("copy-1", IntakeSamples.ReceivedAt.AddHours(1));
        var recordCopy = record.WithTime("copy-2", IntakeSamples.ReceivedAt.AddHours(1));

        Assert.True(lineCopy.HasLeafSource);
        Assert.Same(line.Leaves.Values, lineCopy.Leaves.Values);
        Assert.Same(line.Leaves.Paths, lineCopy.Leaves.Paths);
        Assert.False(recordCopy.HasLeafSource);
        Assert.Same(record.Attributes, recordCopy.Attributes);
        Assert.NotSame(record.Leaves.Values, recordCopy.Leaves.Values);
        Assert.Equal(record.Leaves, recordCopy.Leaves);
        Assert.Equal(("copy-1", IntakeSamples.ReceivedAt.AddHours(1), line.Message, line.Source, line.Tags),
            (lineCopy.Id, lineCopy.Timestamp, lineCopy.Message, lineCopy.Source, lineCopy.Tags));
    }

    /// <summary>Every sshd line of the parser tests and every access line of the Apache sample, through the intake.</summary>
    [Theory]
    [MemberData(nameof(Lines))]
    public void ParsedLine_LeavesTreeAndStoredFormAreThoseOfTheTree(string source, string message)
    {
        var raw = new JsonObject { ["ddsource"] = source, ["service"] = source, ["hostname"] = "h-1", ["ddtags"] = "env:prod", ["message"] = message };
        // As recorded, so that an old line keeps its time instead of being flagged late (a flag is set on the tree).
        var e = IntakeNormalizer.NormalizeRecorded(raw, IntakeSamples.ReceivedAt);

        // The same parser over a draft that holds a tree from the start.
        var draft = new IntakeDraft { Message = e.Message, Source = source, Host = "h-1" };
        draft.Adopt([]);
        (source == "sshd" ? (Action<IntakeDraft>)SshdParser.Parse : AccessLogParser.Parse)(draft);

        AssertSameAttributes(draft.Attributes, e);
    }

    public static TheoryData<string, string> Lines()
    {
        var data = new TheoryData<string, string>();
        foreach (var line in File.ReadLines(IntakeSamples.Fixture("elastic-examples-apache-access", "apache_logs_sample.log")).Take(300))
        {
            data.Add("apache", line);
        }
        foreach (var line in SshdLines)
        {
            data.Add("sshd", line);
        }
        // Escapes, quotes and text beyond ASCII in the fields that keep them.
        data.Add("nginx", """203.0.113.5 - bob [03/Dec/2026:10:00:00 +0100] "GET /caf%C3%A9?q=\"x\"&é=1 HTTP/2.0" 404 - "https://ex.test/<p>" "Mozilla \"quoted\" ü 漢字 \\ end" """);
        data.Add("nginx", """proxy.example - - [03/Dec/2026:10:00:00 +0000] "POST http://upstream.test:8080/api/v1?k=v HTTP/1.1" 502 0 "-" "-" """);
        data.Add("nginx", """203.0.113.5 - - [03/Dec/2026:10:00:00 +0000] "\x16\x03\x01" 400 150 "-" "-" """);
        // A byte count a double cannot hold exactly.
        data.Add("nginx", """203.0.113.5 - - [03/Dec/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 9007199254740993 "-" "-" """);
        return data;
    }

    private static readonly string[] SshdLines =
    [
        "Mar  3 14:02:11 bastion-2 sshd[31877]: Failed password for invalid user oracle from 203.0.113.77 port 41822 ssh2",
        "Failed password for root from 198.51.100.23 port 53011 ssh2",
        "Jan 17 08:45:02 web-1 sshd[1204]: Accepted password for deploy from 192.0.2.14 port 60122 ssh2",
        "Accepted publickey for carol from 10.20.0.8 port 49866 ssh2: ED25519 SHA256:q0Y5cW1jv3Zr8m0bYcK1p0Zt5h9x3nQe2VwqLrY7s4A",
        "Invalid user tomcat from 203.0.113.9 port 50514",
        "Feb 28 23:59:59 db-1 sshd[992]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=198.51.100.200  user=root",
        "Feb 28 23:59:59 db-1 sshd[992]: PAM 5 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=198.51.100.200",
        "Connection closed by 192.0.2.55 port 39120 [preauth]",
        "2026-03-03T14:00:00.123456+00:00 bastion-1 sshd-session[88]: Connection closed by authenticating user root 192.0.2.55 port 39120 [preauth]",
        "Apr  9 10:11:12 bastion-1 sshd[4410]: Failed keyboard-interactive/pam for admin from 2001:db8::17 port 51000 ssh2",
        "Jun  1 00:00:01 db-1 sshd[2201]: pam_unix(sshd:session): session opened for user alice(uid=1000) by (uid=0)",
        "Mar  3 14:00:00 bastion-1 sshd[600]: Server listening on 0.0.0.0 port 22.",
        "Mar  3 14:00:00 bastion-1 sshd[600]: error: maximum authentication attempts exceeded for invalid user ü漢 from 203.0.113.1 port 22 ssh2 [preauth]",
        "Mar  3 14:00:00 bastion-1 sshd[600]: Received disconnect from 203.0.113.1 port 22:11: Bye Bye [preauth]",
        "Mar  3 14:00:00 bastion-1 sshd[600]: Disconnected from invalid user x 203.0.113.1 port 22 [preauth]",
        "Mar  3 14:00:00 bastion-1 sshd[600]: Did not receive identification string from scanner.example.test",
    ];

    /// <summary>
    /// Events whose leaves took the same learned steps share one array of paths (<see cref="LeafList"/>); an event whose
    /// leaves moved otherwise (a sent time taken out of them, a line another parser read) has its own, and every event's
    /// leaves are those of the same object normalised the general way, as a tree.
    /// </summary>
    [Fact]
    public void Read_EventsOfTheSameShape_ShareTheirPaths_AndOthersHoldTheirOwn()
    {
        const string Line = "Mar  3 14:00:00 bastion-1 sshd[7]: Failed password for invalid user ann from 203.0.113.250 port 22 ssh2";
        JsonObject[] objects =
        [
            new() { ["ddsource"] = "sshd", ["message"] = Line, ["k"] = "v" },
            new() { ["ddsource"] = "sshd", ["message"] = Line.Replace("ann", "bob"), ["k"] = "w" },
            new() { ["ddsource"] = "sshd", ["k"] = "v", ["timestamp"] = IntakeSamples.ReceivedAt.AddMinutes(-1).ToString("O"), ["message"] = Line },
            new() { ["ddsource"] = "sshd", ["message"] = "Accepted publickey for ann from 203.0.113.9 port 22 ssh2: RSA SHA256:x", ["k"] = "v" },
            new() { ["ddsource"] = "sshd", ["message"] = Line, ["k"] = "x" },
            // No parser: the sent time taken out is the last change to the leaves, then the same keys with a time that is not one.
            new() { ["ddsource"] = "custom", ["k"] = "v", ["timestamp"] = IntakeSamples.ReceivedAt.AddMinutes(-2).ToString("O"), ["message"] = "m" },
            new() { ["ddsource"] = "custom", ["k"] = "v", ["timestamp"] = "not a time", ["message"] = "m" },
            new() { ["ddsource"] = "custom", ["k"] = "v", ["timestamp"] = IntakeSamples.ReceivedAt.AddMinutes(-3).ToString("O"), ["message"] = "m" },
        ];
        var body = System.Text.Encoding.UTF8.GetBytes(new JsonArray([.. objects.Select(o => o.DeepClone())]).ToJsonString());

        var (events, error) = IntakePayload.Read(body, IntakeSamples.ReceivedAt, null);

        Assert.Null(error);
        Assert.All(events!, e => Assert.True(e.HasLeafSource));
        Assert.Same(events![0].Leaves.Paths, events[1].Leaves.Paths);
        Assert.Same(events[0].Leaves.Paths, events[4].Leaves.Paths);
        Assert.NotSame(events[0].Leaves.Paths, events[2].Leaves.Paths);
        Assert.NotSame(events[0].Leaves.Paths, events[3].Leaves.Paths);
        for (var i = 0; i < objects.Length; i++)
        {
            var tree = IntakeNormalizer.Normalize((JsonObject)objects[i].DeepClone(), IntakeSamples.ReceivedAt);
            Assert.Equal(tree.Leaves, events[i].Leaves);
        }
    }

    /// <summary>An event made from <paramref name="leaves"/>, as normalisation makes one.</summary>
    private static LogEvent Event(LeafAttributes leaves) => new() { Id = "e-1", Timestamp = IntakeSamples.ReceivedAt, LeafSource = leaves };

    /// <summary>
    /// The leaf-made event against <paramref name="expected"/>: its leaves are the tree's, in order; its stored form is
    /// written from the leaves, before anything builds its tree, as the tree's; the tree it builds is the same, node types
    /// included; and the stored form reads back to it.
    /// </summary>
    private static void AssertSameAttributes(JsonObject expected, LogEvent e)
    {
        var withTree = new LogEvent
        {
            Id = e.Id, Timestamp = e.Timestamp, Host = e.Host, Service = e.Service, Source = e.Source, Status = e.Status, Message = e.Message,
            Tags = e.Tags, Attributes = expected,
        };
        var stored = LogEventJson.Serialize(e);
        Assert.Equal(LogEventJson.Serialize(withTree), stored);
        Assert.Equal(AttributePath.FlattenToArray(expected), e.Leaves);

        Assert.True(JsonNode.DeepEquals(expected, e.Attributes));
        Assert.Equal(expected.ToJsonString(), e.Attributes.ToJsonString());
        foreach (var (path, value) in e.Leaves)
        {
            Assert.Equal(AttributePath.First(expected, path)!.Value, value);
            var node = (JsonValue)FindNode(e.Attributes, path);
            Assert.Equal(FindNode(expected, path).GetValueKind(), node.GetValueKind());
            Assert.Equal(((JsonValue)FindNode(expected, path)).GetValue<object>().GetType(), node.GetValue<object>().GetType());
        }
        Assert.True(JsonNode.DeepEquals(expected, LogEventJson.Deserialize(stored).Attributes));
    }

    private static JsonNode FindNode(JsonObject root, string path) =>
        path.Split('.').Aggregate((JsonNode)root, (node, key) => node[key]!);
}
