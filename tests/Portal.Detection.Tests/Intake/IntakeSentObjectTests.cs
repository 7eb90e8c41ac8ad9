using System.Text;
using System.Text.Json.Nodes;
using Portal.Detection.Events;
using Portal.Detection.Intake;

namespace Portal.Detection.Tests.Intake;

/// <summary>
/// The intake reads a sender's object as parsed, with its leaves, without making its tree. Every event it makes so must be
/// exactly the event made the general way, from the object's tree (<see cref="IntakeNormalizer.NormalizeOwned"/>):
/// reserved fields, attributes and their node types, leaves in order, and stored JSON; and an object the general way
/// refuses, the intake refuses too. Over CloudTrail records and thousands of generated objects: reserved fields of every
/// type, the parsers' own paths sent by the sender, dotted, empty and repeated keys, arrays, nulls and numbers of every
/// form.
/// </summary>
public class IntakeSentObjectTests
{
    [Fact]
    public void Read_CloudTrailRecords_AreTheEventsTheTreeGives()
    {
        foreach (var line in File.ReadLines(IntakeSamples.Fixture("otrf-aws-ec2-proxy-s3-exfiltration", "records.ndjson")))
        {
            var record = JsonNode.Parse(line)!.AsObject();
            record["ddsource"] = "cloudtrail";
            record["ddtags"] = "env:prod";
            // A recent time: an old record is flagged as late, and the flags are set on a tree.
            record["eventTime"] = "2026-03-03T14:00:00Z";
            record["@timestamp"] = "2026-03-03T14:00:00.000Z";
            var e = AssertSame(record.ToJsonString());
            Assert.True(e!.HasLeafSource);
        }
    }

    [Fact]
    public void Read_GeneratedObjects_AreTheEventsTheTreeGives()
    {
        var random = new Random(20261203);
        var sentWithoutTree = 0;
        for (var i = 0; i < 4_000; i++)
        {
            if (AssertSame(Generated(random)) is { HasLeafSource: true })
            {
                sentWithoutTree++;
            }
        }
        // Most generated objects hold only plain keys: the comparison is mostly of events made without the tree.
        Assert.True(sentWithoutTree > 500, $"{sentWithoutTree} of 4,000");
    }

    /// <summary>Keys spelled two ways, objects of many keys (whose repeats a set finds), and paths too long to keep.</summary>
    [Theory]
    [InlineData("""{"ddsource":"cloudtrail","eventName":"a","a":1,"\u0061":2}""")]
    [InlineData("""{"ddsource":"cloudtrail","eventName":"a","o":{"k\u00e9":1,"ké":2}}""")]
    [InlineData("""{"k0":0,"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":9,"k10":10,"k11":11,"k12":12,"k13":13,"k14":14,"k15":15,"k16":16,"k7":17}""")]
    [InlineData("""{"o":{"k0":0,"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":9,"k10":10,"k11":11,"k12":12,"k13":13,"k14":14,"k15":15,"k16":16,"k17":17}}""")]
    [InlineData("""{"o":{"k0":0,"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":9,"k10":10,"k11":11,"k12":12,"k13":13,"k14":14,"k15":15,"k16":16,"k0":17}}""")]
    public void Read_OddKeys_AreTheEventsTheTreeGives(string json) => AssertSame(json);

    [Fact]
    public void Read_PathTooLongToKeep_IsTheEventTheTreeGives()
    {
        var key = new string('k', 200);
        AssertSame("{\"ddsource\":\"cloudtrail\",\"eventName\":\"a\",\"" + key + "\":{\"" + key + "\":{\"x\":1,\"y\":[1,\"2\",null]}}}");
    }

    /// <summary>The intake's event from <paramref name="json"/> against the general way's; null when both refuse it.</summary>
    private static LogEvent? AssertSame(string json)
    {
        var at = $"Object {json}";
        LogEvent? expected;
        try
        {
            expected = IntakeNormalizer.NormalizeOwned(JsonNode.Parse(json)!.AsObject(), IntakeSamples.ReceivedAt, "team:a", IntakeSamples.Feed);
            AttributePath.ReadAll(expected.Attributes);
        }
        catch (Exception e) when (e is IntakeFieldException or ArgumentException or InvalidOperationException or FormatException)
        {
            expected = null;
        }
        LogEvent? actual = null;
        // As a document's object, and as a line of newline-delimited JSON.
        foreach (var lines in new[] { false, true })
        {
            var (events, error) = IntakePayload.Read(Encoding.UTF8.GetBytes(json), IntakeSamples.ReceivedAt, "team:a", lines, IntakeSamples.Feed);
            if (expected is null)
            {
                Assert.True(error is not null, $"{at}: the general way refuses it, the intake made {events?[0].Attributes.ToJsonString()}.");
                continue;
            }
            Assert.True(error is null, $"{at}: the intake refused it ({error?.Detail}).");
            actual = Assert.Single(events!);
            AssertSameEvent(expected, actual, lines ? $"{at} as a line" : at);
        }
        return actual;
    }

    /// <summary>
    /// <paramref name="actual"/> is <paramref name="expected"/> in every respect but its id: reserved fields, tags, attributes
    /// and their node types, leaves in order, and stored JSON (read back too).
    /// </summary>
    internal static void AssertSameEvent(LogEvent expected, LogEvent actual, string at)
    {
        var stored = LogEventJson.Serialize(actual.WithTime("x", expected.Timestamp));
        Assert.True(LogEventJson.Serialize(expected.WithTime("x", expected.Timestamp)) == stored, $"{at}: stored as {stored}.");
        Assert.Equal((expected.Timestamp, expected.Host, expected.Service, expected.Source, expected.Status, expected.Message),
            (actual.Timestamp, actual.Host, actual.Service, actual.Source, actual.Status, actual.Message));
        Assert.Equal(expected.Tags, actual.Tags);
        Assert.Equal(AttributePath.FlattenToArray(expected.Attributes), actual.Leaves);
        Assert.Equal(expected.Attributes.ToJsonString(), actual.Attributes.ToJsonString());
        Assert.True(JsonNode.DeepEquals(expected.Attributes, actual.Attributes), at);
        Assert.Equal(expected.Attributes.ToJsonString(), LogEventJson.Deserialize(stored).Attributes.ToJsonString());
    }

    private static readonly string[] Keys =
    [
        "message", "ddsource", "ddtags", "service", "hostname", "host", "status", "level", "severity", "timestamp", "date", "@timestamp",
        "eventName", "errorCode", "sourceIPAddress", "userIdentity", "arn", "userName", "type", "responseElements", "ConsoleLogin", "eventTime",
        "evt", "name", "usr", "network", "client", "ip", "syslog", "http", "threat_intel", "a", "b", "c", "network.client.ip", "", "a.b", "é",
    ];

    private static readonly string[] Texts =
    [
        "\"x\"", "\"\"", "\"-\"", "\"203.0.113.250\"", "\"192.0.2.1\"", "\"GetObject\"", "\"Failure\"", "\"error\"", "\"warning\"",
        "\"2026-03-03T14:00:00Z\"", "\"1772546400\"", "\"caf\\u00e9 \\\"q\\\" \\n\"", "\"漢字\"", "\"sshd\"", "\"cloudtrail\"", "\"nginx\"", "\"other\"",
        "\"env:prod,team:b\"", "\"Failed password for root from 203.0.113.250 port 22 ssh2\"",
        "\"203.0.113.5 - - [03/Mar/2026:14:00:00 +0000] \\\"GET /a?b=1 HTTP/1.1\\\" 404 12 \\\"-\\\" \\\"ua\\\"\"", "\"{\\\"k\\\":1,\\\"evt\\\":{\\\"name\\\":\\\"j\\\"}}\"",
    ];

    private static readonly string[] Numbers = ["0", "-0", "7", "22", "1.5", "1e3", "1.0", "12345678901234567890", "1e400", "-3", "1772546400000", "3"];

    /// <summary>The parsers' own objects and paths, as a sender may also write them.</summary>
    private static readonly string[] ParserKeys = ["evt", "usr", "network", "syslog", "http", "ssh", "network.client.ip", "usr.name", "evt.name", "threat_intel"];

    /// <summary>
    /// A random object as JSON text (keys may repeat, since the text is written, not built): most start as a line or record a
    /// parser reads (sshd, access, CloudTrail), then take a few random properties, often named as the parsers' attributes.
    /// </summary>
    internal static string Generated(Random random)
    {
        var text = new StringBuilder("{");
        switch (random.Next(4))
        {
            case 0:
                text.Append("\"ddsource\":\"sshd\",\"message\":\"Mar  3 14:00:00 bastion-1 sshd[7]: Failed password for invalid user ann from 203.0.113.250 port 22 ssh2\"");
                break;
            case 1:
                text.Append("\"ddsource\":\"nginx\",\"message\":\"203.0.113.250 - - [03/Mar/2026:14:00:00 +0000] \\\"GET /a?b=1 HTTP/1.1\\\" 500 12 \\\"-\\\" \\\"ua\\\"\"");
                break;
            case 2:
                text.Append("\"ddsource\":\"cloudtrail\",\"eventName\":\"GetObject\",\"sourceIPAddress\":")
                    .Append(random.Next(2) == 0 ? "\"203.0.113.250\"" : "\"192.0.2.1\"")
                    .Append(",\"userIdentity\":{\"arn\":\"arn:aws:iam::1:user/u\",\"userName\":\"u\"},\"eventTime\":\"2026-03-03T14:00:00Z\"");
                break;
            default:
                text.Append("\"service\":\"s\"");
                break;
        }
        for (var i = random.Next(0, 5); i > 0; i--)
        {
            var key = random.Next(2) == 0 ? ParserKeys[random.Next(ParserKeys.Length)] : Keys[random.Next(random.Next(4) == 0 ? Keys.Length : Keys.Length - 3)];
            text.Append(",\"").Append(key).Append("\":");
            Value(random, text, depth: 1);
        }
        return text.Append('}').ToString();
    }

    private static void Value(Random random, StringBuilder text, int depth, bool forceObject = false)
    {
        var kind = forceObject ? 0 : random.Next(depth > 2 ? 2 : 0, 8);
        switch (kind)
        {
            case 0 or 1:
                text.Append('{');
                var count = random.Next(forceObject ? 1 : 0, forceObject ? 9 : 5);
                for (var i = 0; i < count; i++)
                {
                    // The root draws mostly reserved and parser names, and plain keys far more often than odd ones.
                    var key = Keys[random.Next(random.Next(4) == 0 ? Keys.Length : Keys.Length - 3)];
                    text.Append(i > 0 ? "," : "").Append('"').Append(key).Append("\":");
                    Value(random, text, depth + 1);
                }
                text.Append('}');
                break;
            case 2:
                text.Append('[');
                for (var i = random.Next(0, 3); i > 0; i--)
                {
                    Value(random, text, depth + 1);
                    text.Append(i > 1 ? "," : "");
                }
                text.Append(']');
                break;
            case 3 or 4 or 5:
                text.Append(Texts[random.Next(Texts.Length)]);
                break;
            case 6:
                text.Append(Numbers[random.Next(Numbers.Length)]);
                break;
            default:
                text.Append(random.Next(3) switch { 0 => "true", 1 => "false", _ => "null" });
                break;
        }
    }
}
