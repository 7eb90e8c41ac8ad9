using System.Text;
using System.Text.Json.Nodes;
using Portal.Detection.Events;
using Portal.Detection.Files;
using Portal.Detection.Intake;
using Portal.Detection.Tests.Intake;

namespace Portal.Detection.Tests.Files;

/// <summary>
/// <c>vigil detect</c> reads a file's JSON records as parsed, with their leaves, as the intake reads a sender's object. Every
/// event it makes so must be exactly the event of the record's tree (<see cref="IntakeNormalizer.NormalizeRecorded(JsonObject, DateTimeOffset, string?)"/>,
/// how files were read before), own id included, and a record the tree refuses is refused with the same message at the same
/// line: in NDJSON, in a JSON array and in CloudTrail's <c>Records</c>, with and without <c>--source</c>.
/// </summary>
public class LogFilesTests
{
    [Fact]
    public void Read_CloudTrailRecords_AreTheEventsOfTheirTrees()
    {
        var lines = File.ReadAllLines(IntakeSamples.Fixture("otrf-aws-ec2-proxy-s3-exfiltration", "records.ndjson"));
        var errors = new List<FileError>();
        var read = LogFiles.Read("records.json", "{\"Records\":[" + string.Join(",", lines) + "]}", source: null, 2026, errors);

        Assert.Empty(errors);
        Assert.Equal(lines.Length, read.Count);
        for (var i = 0; i < lines.Length; i++)
        {
            var expected = ByTree(lines[i], "cloudtrail");
            Assert.Equal("cloudtrail", read[i].Source);
            Assert.Equal(expected.Id, read[i].Id);
            Assert.True(read[i].HasLeafSource, $"record {i} was read from its tree");
            IntakeSentObjectTests.AssertSameEvent(expected, read[i], $"record {i}");
        }
    }

    [Theory]
    [InlineData(false, null)]
    [InlineData(true, null)]
    [InlineData(true, "apache")]
    [InlineData(false, "json")]
    public void Read_GeneratedRecords_AreTheEventsOfTheirTrees(bool array, string? source)
    {
        var random = new Random(20261204);
        var records = Enumerable.Range(0, 2_000).Select(_ => WithId(random, IntakeSentObjectTests.Generated(random))).ToList();
        var text = array ? "[" + string.Join(",\n", records) + "]" : string.Join("\n", records);
        var errors = new List<FileError>();

        var read = LogFiles.Read("records.json", text, source, 2026, errors);

        var expectedErrors = new List<FileError>();
        var next = 0;
        var withoutTree = 0;
        for (var i = 0; i < records.Count; i++)
        {
            var at = $"record {i}: {records[i]}";
            LogEvent expected;
            try
            {
                expected = ByTree(records[i], source);
            }
            catch (Exception e) when (e is IntakeFieldException or ArgumentException or InvalidOperationException or FormatException)
            {
                expectedErrors.Add(array ? new FileError("records.json", 0, $"record {i}: {e.Message}") : new FileError("records.json", i + 1, e.Message));
                continue;
            }
            Assert.True(next < read.Count, $"{at}: not read");
            var actual = read[next++];
            // An id of the record's own is the same; one drawn differs from draw to draw.
            if (ByTree(records[i], source).Id == expected.Id)
            {
                Assert.Equal(expected.Id, actual.Id);
            }
            withoutTree += actual.HasLeafSource ? 1 : 0;
            IntakeSentObjectTests.AssertSameEvent(expected, actual, at);
        }
        Assert.Equal(next, read.Count);
        Assert.Equal(expectedErrors, errors);
        // Most records hold only plain keys: the comparison is mostly of events read without their trees.
        Assert.True(withoutTree > 600, $"{withoutTree} of {read.Count} read without their trees");
        Assert.NotEmpty(errors);
    }

    [Fact]
    public void Read_RecordsThatAreNotObjects_AreNamed()
    {
        var errors = new List<FileError>();
        var read = LogFiles.Read("a.json", """[{"message":"m","id":"e-1"}, 3, null]""", null, 2026, errors);

        Assert.Equal("e-1", Assert.Single(read).Id);
        Assert.Equal(["a.json: record 1: expected a JSON object", "a.json: record 2: expected a JSON object"], errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Read_NdjsonWithABadLine_KeepsTheOthersAndNamesTheLine()
    {
        var errors = new List<FileError>();
        var read = LogFiles.Read("a.ndjson", "{\"message\":\"one\"}\n{\"message\":\n[1]\n{\"message\":\"four\",\"k\":1,\"k\":2}\n{\"message\":\"five\"}\n", null, 2026, errors);

        Assert.Equal(["one", "five"], read.Select(e => e.Message));
        Assert.Equal(["a.ndjson:2: invalid JSON at byte 12", "a.ndjson:3: expected a JSON object"], errors.Take(2).Select(e => e.ToString()));
        Assert.StartsWith("a.ndjson:4: ", errors[2].ToString());
        Assert.Equal(3, errors.Count);
    }

    /// <summary>The event of <paramref name="json"/>'s tree, as files were read before records were read as parsed.</summary>
    private static LogEvent ByTree(string json, string? source)
    {
        var tree = JsonNode.Parse(json)!.AsObject();
        // A repeated key fails when the object is first read.
        _ = tree.Count;
        if (source is not null && source != "json" && !tree.ContainsKey("ddsource"))
        {
            tree["ddsource"] = source;
        }
        var e = IntakeNormalizer.NormalizeRecorded(tree, DateTimeOffset.UnixEpoch);
        // ...and deeper: a key repeated in a nested object fails when that object is first read.
        AttributePath.ReadAll(e.Attributes);
        return e;
    }

    private static readonly string[] Ids = ["eventID", "uuid", "insertId", "_document_id", "id"];

    private static readonly string[] IdValues = ["\"e-1\"", "\"\"", "17", "1.5e3", "null", "true", "{\"a\":1}", "[\"x\"]", "\"caf\\u00e9\""];

    /// <summary>Half the records carry one or two of the fields that name a recorded event, of every type.</summary>
    private static string WithId(Random random, string json)
    {
        var text = new StringBuilder("{");
        for (var i = random.Next(2) == 0 ? 0 : random.Next(1, 3); i > 0; i--)
        {
            text.Append('"').Append(Ids[random.Next(Ids.Length)]).Append("\":").Append(IdValues[random.Next(IdValues.Length)]).Append(',');
        }
        return text.Append(json.AsSpan(1)).ToString();
    }
}
