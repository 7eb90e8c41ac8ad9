using System.Text;
using System.Text.Json.Nodes;
using Portal.Detection.Events;
using Portal.Detection.Intake;

namespace Portal.Detection.Tests.Intake;

/// <summary>
/// The intake reads a JSON document's objects as its cursor walks it (<see cref="StreamedEvents"/>), falling back to
/// the general way for objects that reader does not take. Both ways must give the same answer: the same events with the
/// same ids, attributes, leaves and stored JSON, or the same fault, chosen in the same order (syntax, then the number of
/// events, unpaired surrogates, then the first event at fault).
/// </summary>
public class StreamedEventsTests
{
    private static readonly UInt128 Seed = 0x1234_5678_9ABC_DEF0;

    public static TheoryData<string> Payloads
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var row in IntakePayloadCheckTests.Payloads.Where(row => !(bool)row[1]))
            {
                data.Add((string)row[0]);
            }
            foreach (var payload in (string[])
                     [
                         """[{"message":{"no":1}},{"a":1}""",
                         """[{"message":{"no":1}},{"m":"\ud800"}]""",
                         """[{"message":{"no":1}},{"message":true}]""",
                         """[5,{"message":{"no":1}},{"m":"\ud800"}]""",
                         // Surrogate escapes in either case, alone or paired, in objects the cursor reads and skips, after
                         // escapes of other units.
                         """[{"q":"\u0022"},{"n":null,"m":"\uD800"}]""",
                         """[{"q":"\u0022"},{"n":null,"m":"x\uDBFF"}]""",
                         """[{"q":"\u0022"},{"n":null,"m":"\uDC00 x"}]""",
                         """[{"q":"\u0022"},{"n":null,"m":"\uD83D\uDE00"}]""",
                         """[{"q":"\u0022"},{"n":null,"m":"\ud7ff\ue000"}]""",
                         "[{\"message\":{\"no\":1}}," + string.Join(',', Enumerable.Repeat("{\"a\":1}", 1000)) + "]",
                         """[{"a":1}] x""",
                         """{}""",
                         """[{}]""",
                         """[{"a":[1,2]},{"b":null},{"c":1.5},{"d":{}},{"e":-0},{"f":9007199254740993},{"g":1e2},{"h":{"i":{"j":true}}},{"k":"v"}]""",
                         """[{"hostname":"a","host":"b"},{"hostname":" ","message":"x"},{"host":"h","status":"warning","level":"error"}]""",
                         """[{"status":" ","level":"err","timestamp":"not a time","date":1772546400}]""",
                         """[{"status":9,"timestamp":-5,"@timestamp":"2026-03-03T14:01:00Z"}]""",
                         """[{"status":true},{"timestamp":false},{"date":{"x":1}}]""",
                         """[{"message":"  padded  ","ddsource":" sshd ","service":"","ddtags":" env:prod , ,TEAM:A "}]""",
                         """[{"a":1,"b":{"a":2,"b":{"a":3}},"a":4}]""",
                         """[{"o":{"k":1,"k":2}}]""",
                         """[{"caf\u00e9":1,"é":{"ü":"ö"}}]""",
                         """[{"ddsource":"cloudtrail","eventName":"GetObject","usr":{"id":"mine"},"network":"flat"}]""",
                         // A number where the CloudTrail parser reads text counts as absent: the call succeeded.
                         """[{"ddsource":"cloudtrail","eventName":"GetObject","errorCode":403,"sourceIPAddress":"198.51.100.4","userIdentity":{"arn":7}}]""",
                         // Objects as deep as the intake reads, and one level deeper, read by the streamed reader itself.
                         string.Concat(Enumerable.Repeat("{\"a\":", 65)) + "1" + new string('}', 65),
                         "[" + string.Concat(Enumerable.Repeat("{\"a\":", 64)) + "1" + new string('}', 64) + "]",
                         "[" + string.Concat(Enumerable.Repeat("{\"a\":", 63)) + "1" + new string('}', 63) + "]",
                         // Bodies that end or hold a NUL where the cursor stands.
                         "[{\"a\":1}]\u0000",
                         "{\"a\":1}\u0000",
                         "[{\"a\":\"x\"}\u0000]",
                         """[{"a":"x\""",
                         """[{"a":"\u12""",
                         """[{"a":tr""",
                         """[{"a":-""",
                         """[{"a":1""",
                     ])
            {
                data.Add(payload);
            }
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Payloads))]
    public void Read_Payload_SameAnswerAsTheParsedDocument(string payload) => AssertSameAnswer(payload);

    [Fact]
    public void Read_GeneratedDocuments_SameAnswerAsTheParsedDocument()
    {
        var random = new Random(20261205);
        for (var i = 0; i < 400; i++)
        {
            var objects = Enumerable.Range(0, random.Next(1, 30)).Select(_ => IntakeSentObjectTests.Generated(random));
            AssertSameAnswer("[" + string.Join(',', objects) + "]");
        }
    }

    /// <summary>
    /// Objects whose keys and values nearly repeat those before them: the reader knows a key or a string met at the same
    /// place before by its bytes alone, and must not take one that merely begins the same, is escaped, spaced, dotted or
    /// empty for it. Faults (repeated keys) are in one document in ten only: one sends its whole document the general way.
    /// </summary>
    [Fact]
    public void Read_KeysAndValuesThatNearlyRecur_SameAnswerAsTheParsedDocument()
    {
        string[] variants =
        [
            """{"ddsource":"sshd","service":"sshd","status":"error","k":"v"}""",
            """{"ddsource":"sshd","service":"sshd","status":"errors","k":"v"}""",
            """{"ddsource":"sshd","service":"sshd","status":"err\u006fr","k":"v"}""",
            """{"ddsource":"sshd","service":"sshd","status":"err","k":"v "}""",
            """{"ddsource" :"sshd","service":"sshd","k":"v"}""",
            """{"ddsourc\u0065":"sshd","k":"v"}""",
            """{"\u006b":"v","ddsource":"sshd"}""",
            """{"ddsource.x":"sshd","k":"v"}""",
            """{"ddsourcex":"sshd","k":"v"}""",
            """{"ddsource":"sshd2","k":"v"}""",
            """{"ddsource":"","k":""}""",
            """{"":"v","ddsource":"sshd"}""",
            """{"k":"v","ddsource":"sshd"}""",
            """{"k":{"k":"v"},"ddsource":"sshd"}""",
            """{"message":"same","message2":"same"}""",
            """{"k":"v\"","x":1}""",
            """{"k":"v\\","x":1}""",
            """{"k":"é","x":1}""",
            """{"k":"\u00e9","x":1}""",
            """{"k":1,"x":"v"}""",
            """{"k":true}""",
            """{"k":"true"}""",
            """{"k":null}""",
            """{"k":"v","x":{"k":"v","x":"1"}}""",
            """{"hostname":"h","host":"h"}""",
            """{"host":"h","k":"v"}""",
        ];
        // Repeated keys are faults, which send a whole document the general way: one document in ten holds one.
        string[] faults = ["""{"k":"v","k":"v"}""", """{"ddsource":"sshd","ddsource":"sshd"}""", """{"k":{"a":1,"a":1}}"""];
        var random = new Random(20261205);
        for (var run = 0; run < 300; run++)
        {
            var objects = Enumerable.Range(0, random.Next(2, 40)).Select(_ => variants[random.Next(variants.Length)]).ToList();
            if (run % 10 == 0)
            {
                objects.Insert(random.Next(objects.Count), faults[random.Next(faults.Length)]);
            }
            AssertSameAnswer("[" + string.Join(',', objects) + "]");
        }
    }

    /// <summary>
    /// A request mixing sources, whose reserved fields take turns among more values than their paths remember, values that
    /// begin alike, differ only in their last character, or are empty: each object is streamed (not left to the general
    /// way), and each event holds the values it was sent.
    /// </summary>
    [Fact]
    public void Read_ReservedFieldsTakingTurns_SameAnswerAsTheParsedDocument()
    {
        string[] sources = ["sshd", "sshd2", "nginx", "nginy", "cloudtrail", "", "s"];
        string[] hosts = ["web-1", "web-2", "web-10", "bastion-1", "w"];
        string[] tags = ["env:prod,team:web", "env:prod,team:wex", "env:prod", "env:prod,account:123456789012"];
        var random = new Random(20261205);
        for (var run = 0; run < 200; run++)
        {
            var objects = Enumerable.Range(0, random.Next(2, 60)).Select(i =>
            {
                var source = sources[random.Next(sources.Length)];
                var host = random.Next(8) == 0 ? "" : $",\"{(random.Next(2) == 0 ? "hostname" : "host")}\":\"{hosts[random.Next(hosts.Length)]}\"";
                return $"{{\"ddsource\":\"{source}\",\"service\":\"{sources[random.Next(sources.Length)]}\"{host},\"ddtags\":\"{tags[random.Next(tags.Length)]}\",\"message\":\"m{i}\"}}";
            }).ToList();
            foreach (var json in objects)
            {
                var cursor = new JsonCursor(Encoding.UTF8.GetBytes(json));
                Assert.NotNull(StreamedEvents.TryRead(ref cursor, 1, IntakeSamples.ReceivedAt, null, null, Seed));
            }
            AssertSameAnswer("[" + string.Join(',', objects) + "]");
        }
    }

    [Fact]
    public void TryRead_GeneratedObjects_TakesMostPlainOnesAsTheTreeGivesThem()
    {
        var random = new Random(20261206);
        var taken = 0;
        for (var i = 0; i < 4_000; i++)
        {
            var json = IntakeSentObjectTests.Generated(random);
            var bytes = Encoding.UTF8.GetBytes(json);
            var cursor = new JsonCursor(bytes);
            LogEvent? streamed;
            try
            {
                streamed = StreamedEvents.TryRead(ref cursor, 1, IntakeSamples.ReceivedAt, "team:a", IntakeSamples.Feed, Seed);
            }
            catch (Exception e) when (e is IntakeFieldException or ArgumentException or InvalidOperationException or FormatException)
            {
                streamed = null;
            }
            if (streamed is null)
            {
                continue;
            }
            taken++;
            Assert.Equal(bytes.Length, cursor.At);
            var expected = IntakeNormalizer.NormalizeOwned(JsonNode.Parse(json)!.AsObject(), IntakeSamples.ReceivedAt, "team:a", IntakeSamples.Feed, Seed);
            IntakeSentObjectTests.AssertSameEvent(expected, streamed, json);
            Assert.Equal(expected.Id, streamed.Id);
        }
        // Nearly half the generated objects hold an array, a null, a fraction or an odd key somewhere: the rest are taken.
        Assert.True(taken > 1_000, $"{taken} of 4,000 taken");
    }

    /// <summary>Objects the streamed reader must take (not leave to the general way), at the edges of what it takes.</summary>
    public static TheoryData<string> Streamed => new(
        """{"status":" ","level":"err","timestamp":"not a time","date":1772546400}""",
        """{"status":9,"timestamp":-5,"@timestamp":"2026-03-03T14:01:00Z"}""",
        """{"severity":"2","date":"2026-03-03T14:01:00.5Z"}""",
        """{"timestamp":1772546400000,"status":0}""",
        """{"message":"  padded  ","ddsource":" sshd ","service":"","ddtags":" env:prod , ,TEAM:A "}""",
        """{"message":"a \"quoted\" \\ line\nnext \u00e9 \ud83d\ude00","host":"h"}""",
        """{"message":"café 日本 😀 sent as UTF-8, then plain text","host":"h"}""",
        """{"n":2147483647,"m":2147483648,"o":-2147483648,"p":-2147483649,"q":9007199254740992,"r":-9007199254740992,"s":1000000000000000,"t":0}""",
        """{"é":{"ü":"ö"},"deep":{"a":{"b":{"c":true,"d":false}}}}""",
        """{"ddsource":"sshd","message":"Mar  3 14:00:00 bastion-1 sshd[7]: Failed password for invalid user ann from 203.0.113.250 port 22 ssh2","evt":{"x":1},"network":{"client":{"port":1}},"usr":"flat"}""",
        """{"ddsource":"cloudtrail","eventName":"GetObject","usr":{"id":"mine"},"network":"flat","sourceIPAddress":"198.51.100.4"}""",
        "{" + string.Join(',', Enumerable.Range(0, 64).Select(i => $"\"k{i}\":{i}")) + "}",
        "{\"timestamp\":\"2026-03-03T14:01:00Z\"," + string.Join(',', Enumerable.Range(0, 63).Select(i => $"\"k{i}\":\"v{i}\"")) + "}",
        "{" + string.Join(',', Enumerable.Range(0, 63).Select(i => $"\"k{i}\":\"v{i}\"")) + ",\"date\":\"2026-03-03T14:01:00Z\"}",
        // The sshd parser's leaves after 62 and 63 of the sender's: the last places, then the tree when the leaves are full.
        SshdWith(62),
        SshdWith(63));

    private static string SshdWith(int keys) =>
        "{\"ddsource\":\"sshd\",\"message\":\"Mar  3 14:00:00 bastion-1 sshd[7]: Failed password for invalid user ann from 203.0.113.250 port 22 ssh2\","
        + string.Join(',', Enumerable.Range(0, keys).Select(i => $"\"k{i}\":{i}")) + "}";

    [Theory]
    [MemberData(nameof(Streamed))]
    public void TryRead_ObjectsAtTheEdges_AreTakenAsTheTreeGivesThem(string json)
    {
        foreach (var extraTags in new[] { "team:a", null, "", "  ", "Env:Prod,team:a" })
        {
            var tags = string.IsNullOrEmpty(extraTags) ? null : extraTags;
            var cursor = new JsonCursor(Encoding.UTF8.GetBytes(json));
            var streamed = StreamedEvents.TryRead(ref cursor, 1, IntakeSamples.ReceivedAt, tags, IntakeSamples.Feed, Seed);
            Assert.True(streamed is not null, $"{json} was left to the general way.");
            var expected = IntakeNormalizer.NormalizeOwned(JsonNode.Parse(json)!.AsObject(), IntakeSamples.ReceivedAt, tags, IntakeSamples.Feed, Seed);
            IntakeSentObjectTests.AssertSameEvent(expected, streamed, $"{json} tagged '{extraTags}'");
            AssertSameAnswer("[" + json + "," + json + "]", extraTags);
        }
    }

    [Fact]
    public void Read_MoreLeavesThanTheReaderTakes_SameAnswerAsTheParsedDocument()
    {
        var json = "{" + string.Join(',', Enumerable.Range(0, 65).Select(i => $"\"k{i}\":{i}")) + "}";
        var cursor = new JsonCursor(Encoding.UTF8.GetBytes(json));
        Assert.Null(StreamedEvents.TryRead(ref cursor, 1, IntakeSamples.ReceivedAt, null, null, Seed));
        AssertSameAnswer("[" + json + "]");
    }

    [Fact]
    public void Read_WorkloadShapes_AreAllStreamed()
    {
        string[] objects =
        [
            """{"ddsource":"sshd","service":"sshd","hostname":"bastion-1","ddtags":"env:prod,team:infra","message":"Mar  3 14:00:00 bastion-1 sshd[7]: Failed password for invalid user ann from 203.0.113.250 port 22 ssh2"}""",
            """{"ddsource":"nginx","service":"web","hostname":"web-1","ddtags":"env:prod","message":"203.0.113.5 - - [03/Mar/2026:14:00:00 +0000] \"GET /a?b=1 HTTP/1.1\" 200 12 \"-\" \"ua\""}""",
            """{"ddsource":"cloudtrail","service":"cloudtrail","ddtags":"env:prod","eventVersion":"1.09","eventTime":"2026-03-03T14:00:00Z","eventName":"GetObject","sourceIPAddress":"203.0.113.7","userIdentity":{"type":"IAMUser","userName":"u","arn":"arn:aws:iam::1:user/u","accountId":"1"},"requestParameters":{"bucketName":"b","key":"k"}}""",
        ];
        foreach (var json in objects)
        {
            var cursor = new JsonCursor(Encoding.UTF8.GetBytes(json));
            Assert.NotNull(StreamedEvents.TryRead(ref cursor, 1, IntakeSamples.ReceivedAt, null, null, Seed));
            AssertSameAnswer("[" + json + "]");
        }
    }

    /// <summary>Objects of three sources, as shippers write them, the <paramref name="i"/>th of each taking its turn.</summary>
    private static string SourceObject(int i) => (i % 3) switch
    {
        0 => $$"""{"ddsource":"sshd","service":"sshd","hostname":"bastion-{{i % 2}}","message":"Mar  3 14:00:{{i % 60:00}} bastion-1 sshd[{{i}}]: Failed password for invalid user u{{i}} from 203.0.113.{{i % 250}} port {{1000 + i}} ssh2"}""",
        1 => $$"""{"ddsource":"nginx","service":"web","hostname":"web-1","message":"203.0.113.{{i % 250}} - - [03/Mar/2026:14:00:00 +0000] \"GET /p/{{i}}?q=1 HTTP/1.1\" {{(i % 4 == 1 ? 500 : 200)}} {{i}} \"-\" \"ua\""}""",
        _ => $$$"""{"ddsource":"cloudtrail","service":"cloudtrail","eventTime":"2026-03-03T14:00:00Z","eventName":"GetObject","sourceIPAddress":"203.0.113.{{{i % 250}}}","userIdentity":{"arn":"arn:aws:iam::1:user/u{{{i}}}"},"requestParameters":{"key":"k{{{i}}}"}}""",
    };

    [Fact]
    public void Read_SourcesTakingTurns_AreReadSourceBySource_AndKeepTheirPlaces()
    {
        var payload = "[" + string.Join(',', Enumerable.Range(0, 30).Select(SourceObject)) + "]";
        var body = Encoding.UTF8.GetBytes(payload);

        var bySource = IntakePayload.ReadBySource(body, IntakeSamples.ReceivedAt, "team:a", IntakeSamples.Feed, Seed);

        Assert.NotNull(bySource);
        var (expected, _) = IntakePayload.Read(body, IntakeSamples.ReceivedAt, "team:a", IntakeSamples.Feed, Seed, streamed: false);
        Assert.Equal(expected!.Count, bySource.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Id, bySource[i].Id);
            IntakeSentObjectTests.AssertSameEvent(expected[i], bySource[i], $"[{i}]");
        }
        Assert.Equal(["sshd", "nginx", "cloudtrail", "sshd"], bySource.Take(4).Select(e => e.Source));
        AssertSameAnswer(payload);
    }

    /// <summary>
    /// A thread normalises with what it keeps between events (<see cref="IntakeThread"/>: its draft, the arrays the draft
    /// fills, its learned placements, its recurring values, parsers and tag lists): threads reading requests of mixed
    /// sources at once each give the events a request gives read alone.
    /// </summary>
    [Fact]
    public async Task Read_OnSeveralThreadsAtOnce_GivesTheEventsOfEachRequestReadAlone()
    {
        var random = new Random(20261206);
        // Generated objects of every shape, those an intake takes (the others refuse their whole request).
        var generated = Enumerable.Range(0, 400).Select(_ => IntakeSentObjectTests.Generated(random))
            .Where(json => IntakePayload.Read(Encoding.UTF8.GetBytes("[" + json + "]"), IntakeSamples.ReceivedAt, null).Error is null).ToList();
        var bodies = Enumerable.Range(0, 12).Select(b => Encoding.UTF8.GetBytes("[" + string.Join(',', Enumerable.Range(0, 60).Select(i =>
            random.Next(4) == 0 ? generated[random.Next(generated.Count)] : SourceObject(b * 60 + i))) + "]")).ToArray();
        var alone = bodies.Select(body => IntakePayload.Read(body, IntakeSamples.ReceivedAt, "team:a", IntakeSamples.Feed, Seed, streamed: false)).ToArray();
        Assert.All(alone, read => Assert.Null(read.Error));

        var threads = Enumerable.Range(0, 4).Select(worker => Task.Factory.StartNew(() =>
        {
            for (var round = 0; round < 4; round++)
            {
                for (var b = 0; b < bodies.Length; b++)
                {
                    // Each thread takes the requests in another order, so that their sources and objects meet out of step.
                    var at = (b * (worker + 1) + round) % bodies.Length;
                    var (events, error) = IntakePayload.Read(bodies[at], IntakeSamples.ReceivedAt, "team:a", IntakeSamples.Feed, Seed, streamed: true);
                    var (expected, expectedError) = alone[at];
                    Assert.Equal(expectedError?.Detail, error?.Detail);
                    Assert.Equal(expected?.Count, events?.Count);
                    for (var i = 0; i < (expected?.Count ?? 0); i++)
                    {
                        Assert.Equal(expected![i].Id, events![i].Id);
                        IntakeSentObjectTests.AssertSameEvent(expected[i], events[i], $"request {at} [{i}] on thread {worker}");
                    }
                }
            }
        }, TaskCreationOptions.LongRunning)).ToArray();
        await Task.WhenAll(threads);
    }

    /// <summary>
    /// The streamed reader checks the UTF-8 of the strings it decodes, not the whole body first: bytes that are not UTF-8
    /// anywhere a string may hold them (a message, a reserved field, a short recurring value, a long one, an escaped one, a
    /// key at the root or nested, an object the reader leaves to the general way) refuse the body as the general way does.
    /// </summary>
    [Fact]
    public void Read_BytesThatAreNotUtf8_RefusedAsTheParsedDocumentRefusesThem()
    {
        byte[][] faults = [[0xFF], [0xC3], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0x80]];
        string[] shapes =
        [
            """{"ddsource":"sshd","message":"Failed password for ann from 203.0.113.9 port 22 ssh2 @"}""",
            """{"ddsource":"sshd@","message":"m"}""",
            """{"service":"web","hostname":"h@","message":"m"}""",
            """{"k":"v@"}""",
            "{\"k\":\"@" + new string('x', 200) + "\"}",
            """{"k":"a\"b@"}""",
            """{"k@":"v"}""",
            """{"o":{"k@":1}}""",
            """{"o":{"k":"@v"}}""",
            """{"a":[1,"@"],"k":"v"}""",
            """{"ddsource":"cloudtrail","eventName":"Get@Object","userIdentity":{"arn":"arn:aws:iam::1:user/@"}}""",
        ];
        var plain = Enumerable.Range(0, 40).Select(SourceObject).ToList();
        foreach (var shape in shapes)
        {
            foreach (var fault in faults)
            {
                var at = shape.IndexOf('@');
                var bytes = Encoding.UTF8.GetBytes(shape[..at]).Concat(fault).Concat(Encoding.UTF8.GetBytes(shape[(at + 1)..])).ToArray();
                foreach (var place in (int[])[0, 17, 39])
                {
                    var before = Encoding.UTF8.GetBytes("[" + string.Concat(plain.Take(place).Select(o => o + ",")));
                    var after = Encoding.UTF8.GetBytes(string.Concat(plain.Skip(place).Select(o => "," + o)) + "]");
                    var body = before.Concat(bytes).Concat(after).ToArray();
                    var (events, error) = IntakePayload.Read(body, IntakeSamples.ReceivedAt, null);
                    Assert.True(events is null && error is { Status: 400 }, $"{shape} with {Convert.ToHexString(fault)} was accepted.");
                    Assert.Contains("UTF-8", error.Detail);
                    AssertSameAnswer(body);
                }
                // Alone, as the body's only object.
                AssertSameAnswer(bytes);
            }
        }
    }

    /// <summary>Objects of sources taking turns, one of which holds an array of objects.</summary>
    private static string WithNestedArray =>
        "[" + SourceObject(0) + """,{"ddsource":"app","items":[{"a":1},{"b":2}],"message":"m"},""" + SourceObject(1) + "," + SourceObject(2) + "]";

    public static TheoryData<string> PayloadsReadInOrder => new()
    {
        // "},{" inside a string, and between objects of a nested array: not where objects of the array begin.
        "[" + SourceObject(0) + """,{"ddsource":"sshd","message":"a},{b"},""" + SourceObject(1) + "]",
        WithNestedArray,
        "[" + SourceObject(0) + """,{"ddsource":"app","items":[{"a":1},{"b":{"c":[{"d":1},{"e":2}]}}]},""" + SourceObject(1) + "]",
        // Whitespace between objects, before or after the comma.
        "[" + SourceObject(0) + ", " + SourceObject(1) + "," + SourceObject(2) + "]",
        "[" + SourceObject(0) + "," + SourceObject(1) + " ," + SourceObject(2) + "]",
        "[" + SourceObject(0) + "," + SourceObject(1) + ",\n" + SourceObject(2) + "]",
        // A value other than an object.
        "[" + SourceObject(0) + ",5," + SourceObject(1) + "]",
        // An event at fault, and a body with more events than a request may hold.
        "[" + SourceObject(0) + """,{"ddsource":"sshd","message":"m","ddtags":{"env":"prod"}},""" + SourceObject(1) + "]",
        "[" + string.Join(',', Enumerable.Range(0, 1001).Select(SourceObject)) + "]",
    };

    [Theory]
    [MemberData(nameof(PayloadsReadInOrder))]
    public void Read_ObjectsNotFoundWhereTheyBegin_AreReadInOrder_WithTheSameAnswer(string payload)
    {
        Assert.Null(IntakePayload.ReadBySource(Encoding.UTF8.GetBytes(payload), IntakeSamples.ReceivedAt, "team:a", IntakeSamples.Feed, Seed));
        // The intake's own way tries by source first, then drops what it read and reads in order.
        IntakePayload.ForgetMisses();
        AssertSameAnswer(payload);
    }

    public static TheoryData<string> BodiesReadBySource => new()
    {
        "[" + string.Join(',', Enumerable.Range(0, 9).Select(SourceObject)) + "]  ",
        "[" + SourceObject(0) + """,{"a":1},{},""" + SourceObject(1) + """,{"a":1}]""",
        "[" + string.Join(',', Enumerable.Range(0, 9).Select(SourceObject)),
        "[" + string.Join(',', Enumerable.Range(0, 9).Select(SourceObject)) + "] x",
        "[" + string.Join(',', Enumerable.Range(0, 9).Select(SourceObject)) + "][]",
        "[" + string.Join(',', Enumerable.Range(0, 9).Select(SourceObject)) + """,{"ddsource":"sshd","message":"\ud800"}]""",
        "[" + string.Join(',', Enumerable.Range(0, 9).Select(SourceObject)) + """,{"ddsource":"nginx","message":"m","timestamp":true}]""",
    };

    [Theory]
    [MemberData(nameof(BodiesReadBySource))]
    public void Read_BodiesReadBySource_EndAndFailAsInOrder(string payload)
    {
        IntakePayload.ForgetMisses();
        AssertSameAnswer(payload);
    }

    [Fact]
    public void KindOf_IsTheSourceWhereverItStands_ElseTheObjectsFirstBytes()
    {
        static UInt128 Kind(string item) => IntakePayload.KindOf(Encoding.UTF8.GetBytes(item));

        Assert.Equal(Kind("""{"ddsource":"sshd","service":"a"},"""), Kind("""{"message":"Dec  3 14:00:00 host sshd[1]: x","ddsource":"sshd","ddtags":"e"},"""));
        Assert.NotEqual(Kind("""{"message":"x","ddsource":"sshd"}"""), Kind("""{"message":"x","ddsource":"nginx"}"""));
        Assert.NotEqual(Kind("""{"message":"x","ddsource":"sshd"}"""), Kind("""{"message":"x","ddsource":"sshd2"}"""));
        Assert.Equal(Kind("""{"host":"a","message":"one"}"""), Kind("""{"host":"a","message":"two"}"""));
        Assert.NotEqual(Kind("""{"host":"a","message":"one"}"""), Kind("""{"host":"b","message":"one"}"""));
        Assert.NotEqual(Kind("""{"a":1},"""), Kind("""{"a":2},"""));
        Assert.Equal(Kind("""{"ddsource":"a-source-named-at-length"}"""), Kind("""{"ddsource":"a-source-named-at-length-too"}"""));
    }

    [Fact]
    public void Read_AfterObjectsFoundWrong_TheNextBodiesAreReadInOrder_ThenBySourceAgain()
    {
        var nested = Encoding.UTF8.GetBytes(WithNestedArray);
        var mixed = Encoding.UTF8.GetBytes("[" + string.Join(',', Enumerable.Range(0, 6).Select(SourceObject)) + "]");
        List<LogEvent>? Read(byte[] body, bool first = false) =>
            IntakePayload.ReadBySource(body, IntakeSamples.ReceivedAt, "team:a", IntakeSamples.Feed, Seed, first);

        Assert.NotNull(Read(mixed, first: true));
        Assert.Null(Read(nested));
        var inOrder = 0;
        while (Read(mixed) is null && inOrder < 1000)
        {
            inOrder++;
        }

        Assert.Equal(64, inOrder);
        AssertSameAnswer(WithNestedArray);
    }

    [Fact]
    public void Read_MoreKindsThanAreKeptApart_ReadsTheRestTogether()
    {
        var payload = "[" + string.Join(',', Enumerable.Range(0, 40).Select(i => $$"""{"ddsource":"s{{i % 12}}","service":"x","message":"line {{i}}"}""")) + "]";

        var bySource = IntakePayload.ReadBySource(Encoding.UTF8.GetBytes(payload), IntakeSamples.ReceivedAt, "team:a", IntakeSamples.Feed, Seed);

        Assert.Equal(Enumerable.Range(0, 40).Select(i => $"line {i}"), bySource!.Select(e => e.Message));
        AssertSameAnswer(payload);
    }

    private static void AssertSameAnswer(string payload, string? extraTags = "team:a") => AssertSameAnswer(Encoding.UTF8.GetBytes(payload), extraTags);

    private static void AssertSameAnswer(byte[] body, string? extraTags = "team:a")
    {
        var payload = Encoding.UTF8.GetString(body);
        var (expected, expectedError) = IntakePayload.Read(body, IntakeSamples.ReceivedAt, extraTags, IntakeSamples.Feed, Seed, streamed: false);
        var (actual, actualError) = IntakePayload.Read(body, IntakeSamples.ReceivedAt, extraTags, IntakeSamples.Feed, Seed, streamed: true);
        var at = payload.Length > 300 ? payload[..300] + "..." : payload;
        if (expectedError is not null)
        {
            Assert.True(actualError is not null, $"{at}: refused the general way ({expectedError.Detail}), accepted streamed.");
            Assert.Equal((expectedError.Status, expectedError.Title, expectedError.Detail), (actualError.Status, actualError.Title, actualError.Detail));
            Assert.Equal(expectedError.Extensions, actualError.Extensions);
            return;
        }
        Assert.True(actualError is null, $"{at}: accepted the general way, refused streamed ({actualError?.Detail}).");
        Assert.Equal(expected!.Count, actual!.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Id, actual[i].Id);
            IntakeSentObjectTests.AssertSameEvent(expected[i], actual[i], $"{at} [{i}]");
        }
    }
}
