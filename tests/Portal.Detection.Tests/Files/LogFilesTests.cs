using System.Text;
using System.Text.Json.Nodes;
using Portal.Detection.Events;
using Portal.Detection.Files;
using Portal.Detection.Intake;
using Portal.Detection.Tests.Intake;

namespace Portal.Detection.Tests.Files;

/// <summary>
/// <c>vigil detect</c> reads a file's JSON records as parsed, with their leaves, as the intake reads a sender's object. Every
/// event it makes so must be exactly the event of the record's tree (<see cref="IntakeNormalizer.NormalizeRecorded(JsonObject, DateTimeOffset, RequestFields?)"/>,
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
    [InlineData(false, "cloudtrail")]
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

    [Fact]
    public void Read_RecordsObjectRepeatingAKey_IsRefusedWhole()
    {
        var errors = new List<FileError>();
        var read = LogFiles.Read("a.json", """{"Records":[{"message":"a"}],"Records":[{"message":"b"}]}""", null, 2026, errors);

        Assert.Empty(read);
        Assert.Equal("a.json: the object holding Records repeats the key \"Records\"", Assert.Single(errors).ToString());
    }

    [Theory]
    [InlineData("{0}\n{0}\n")]
    [InlineData("{0}")]
    [InlineData("[{0},{0}]")]
    public void Read_CloudTrailRecordWithoutItsSource_IsReadAsCloudTrailWhereverItLies(string file)
    {
        const string Record = """{"eventVersion":"1.09","eventSource":"s3.amazonaws.com","eventName":"GetObject","eventID":"x-1","sourceIPAddress":"203.0.113.9"}""";
        var errors = new List<FileError>();
        var read = LogFiles.Read("a.json", string.Format(System.Globalization.CultureInfo.InvariantCulture, file, Record), null, 2026, errors);

        Assert.Empty(errors);
        Assert.All(read, e => Assert.Equal(("cloudtrail", "x-1", "GetObject", "203.0.113.9"), (e.Source, e.Id, e.GetAttribute("evt.name").Single().Text, e.GetAttribute("network.client.ip").Single().Text)));
        Assert.NotEmpty(read);
    }

    /// <summary>
    /// Syslog lines have no year: a file running past New Year (December, then January) puts its January lines in the next
    /// year, in order; a date that is no day of its year is named with its line, not read as 1970.
    /// </summary>
    [Fact]
    public void Read_SyslogLinesAcrossNewYear_TakeTheNextYear_AnImpossibleDateIsNamed()
    {
        var errors = new List<FileError>();
        const string Text = "Dec 31 23:59:58 bastion-1 sshd[7]: Failed password for root from 203.0.113.9 port 22 ssh2\n"
            + "Jan  1 00:00:01 bastion-1 sshd[7]: Failed password for root from 203.0.113.9 port 22 ssh2\n"
            + "Feb 29 10:00:00 bastion-1 sshd[7]: Failed password for root from 203.0.113.9 port 22 ssh2\n"
            + "Jan  1 00:00:02 bastion-1 sshd[7]: Failed password for root from 203.0.113.9 port 22 ssh2\n";

        var read = LogFiles.Read("auth.log", Text, "sshd", 2026, errors);

        Assert.Equal(
            [new DateTimeOffset(2026, 12, 31, 23, 59, 58, TimeSpan.Zero), new DateTimeOffset(2027, 1, 1, 0, 0, 1, TimeSpan.Zero), new DateTimeOffset(2027, 1, 1, 0, 0, 2, TimeSpan.Zero)],
            read.Select(e => e.Timestamp));
        var error = Assert.Single(errors);
        Assert.Equal(3, error.Line);
        Assert.Contains("'Feb 29 10:00:00' is not a time of 2027", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_RawSshdLines_CarryTheirParsersLeavesWithoutATree()
    {
        var errors = new List<FileError>();
        var read = LogFiles.Read("auth.log", "Mar  3 14:00:00 bastion-1 sshd[7]: Failed password for root from 203.0.113.9 port 22 ssh2\n", "sshd", 2026, errors);

        var e = Assert.Single(read);
        Assert.True(e.HasLeafSource);
        Assert.Equal("203.0.113.9", e.GetAttribute("network.client.ip").Single().Text);
        // Reading a file builds no attribute tree for an event made from leaves: detection reads the leaves.
        Assert.Null(typeof(LogEvent).GetField("_attributes", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(e));
    }

    [Fact]
    public void Read_UnpairedSurrogateEscape_IsRefusedWithItsLineWhicheverWayTheRecordIsRead()
    {
        var errors = new List<FileError>();
        // Read as parsed, and (a dotted key) from its tree.
        var read = LogFiles.Read("a.ndjson", "{\"a\":{\"b\":\"\\ud800\"}}\n{\"a.b\":1,\"c\":{\"d\":\"\\ud800\"}}\n{\"message\":\"kept\"}\n", null, 2026, errors);

        Assert.Equal("kept", Assert.Single(read).Message);
        Assert.Equal([1, 2], errors.Select(e => e.Line));
    }

    /// <summary>The event of <paramref name="json"/>'s tree, refused where the file reader refuses a record it reads from its tree.</summary>
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
        // ...and deeper: a key repeated in a nested object fails when that object is first read, a lone surrogate when its string is.
        AttributePath.ReadAll(e.Attributes, strings: true);
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
