using System.Text;
using Portal.Detection.Events;
using Portal.Detection.Intake;
using Portal.Detection.ThreatIntel;

namespace Portal.Detection.Tests.Intake;

/// <summary>
/// The intake acknowledges a request after <see cref="IntakePayload.Check"/> and normalises it later: Check must accept
/// exactly what <c>IntakePayload.Read</c>
/// accepts and refuse the rest with the same answer, or an acknowledged event could be lost or a good one refused.
/// </summary>
public class IntakePayloadCheckTests
{
    /// <summary>Addresses of the payloads below are listed, so that enrichment runs as it does with feeds configured.</summary>
    private static readonly ThreatIndicatorSet Feed = IntakeSamples.Feed;

    public static TheoryData<string, bool> Payloads => new()
    {
        { """[{"message":"a"},{"message":"b","service":"web"}]""", false },
        { """{"message":"lone","ddtags":"env:prod"}""", false },
        { """{"ddsource":"sshd","message":"Failed password for root from 203.0.113.9 port 22 ssh2"}""", false },
        { "[]", false },
        { "5", false },
        { "\"text\"", false },
        { """[{"a":1}] [2]""", false },
        { """[{"a":1},""", false },
        { """[{"a":1},5,{"b":2}]""", false },
        { """[{"a":1,"a":2}]""", false },
        { """[{"ok":1},{"ctx":{"user":{"id":1,"id":2}}}]""", false },
        { """[{"ctx":[{"a":1},{"a":2}]}]""", false },
        { """[{"a":1,"\u0061":2}]""", false },
        { """[{"\ud800":1}]""", false },
        { """[{"message":"\ud800 lone surrogate in a value"}]""", false },
        { """[{"message":"ok","user":"\udc00"}]""", false },
        { """[{"tags":["\ud800"]}]""", false },
        { """[{"message":"pair \ud83d\ude00 and \\ud800 as text"}]""", false },
        { """[{"message":"\ud83d\ud83d\ude00"}]""", false },
        { """[{"message":"\ud83d"},{"message":"x"}]""", false },
        { """[{"ddsource":"nginx","message":"1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" ٤٠٤ 0"}]""", false },
        { """[{"timestamp":"2026-03-03T14:05:00Z","vigil":{"original_timestamp":{"a":1,"a":2}}}]""", false },
        { """[{"timestamp":1000,"vigil":{"original_timestamp":{"a":1,"a":2}}}]""", false },
        { """[{"timestamp":1000,"vigil":{"original_timestamp":"x"}}]""", false },
        { """[{"message":{"nested":true}}]""", false },
        { """[{"message":true}]""", false },
        { """[{"service":["a"]}]""", false },
        { """[{"hostname":"web-1","host":{"name":"kept as an attribute"}}]""", false },
        { """[{"hostname":"","host":{"name":"refused"}}]""", false },
        { """[{"status":"","level":{"x":1}}]""", false },
        { """[{"status":"error","level":{"x":1}}]""", false },
        { """[{"status":3}]""", false },
        { """[{"ddtags":["env:prod","team:a"]}]""", false },
        { """[{"ddtags":["env:prod",{"bad":1}]}]""", false },
        { """[{"timestamp":{"odd":1},"date":[1]}]""", false },
        { """[{"Message":{"case":"differs"},"MESSAGE":[1]}]""", false },
        { """[5,{"message":{"no":1}}]""", false },
        { """[{"message":{"no":1}},5]""", false },
        { "[" + string.Concat(Enumerable.Repeat("{\"a\":1},", 1000)) + "{\"a\":1}]", false },
        { "[" + string.Join(',', Enumerable.Repeat("{\"a\":1}", 1000)) + "]", false },
        { "{" + string.Join(',', Enumerable.Range(0, 5000).Select(i => $"\"k{i}\":{i}")) + "}", false },
        { "{" + string.Join(',', Enumerable.Range(0, 3000).Select(i => $"\"k{i}\":{i}")) + ",\"k1234\":0}", false },
        // Over 1 MiB: the event is cut to fit before it is normalised. A repeated key in it is still a 400 that names it.
        { "[{\"message\":\"" + new string('x', 1_100_000) + "\",\"a\":1,\"a\":2}]", false },
        { "[{\"a\":1,\"a\":2,\"message\":\"" + new string('x', 1_100_000) + "\"}]", false },
        { "[{\"message\":\"" + new string('x', 1_100_000) + "\",\"ctx\":{\"a\":1,\"a\":2}}]", false },
        { "[{\"a\":1,\"a\":2},{\"message\":\"" + new string('x', 1_100_000) + "\"}]", false },
        { "[{\"message\":\"" + new string('x', 1_100_000) + "\",\"b\":1}]", false },
        // Reserved fields of another type stay attributes: as the rest when the event is cut to fit, and never refused.
        { "[{\"message\":{\"text\":\"" + new string('x', 1_100_000) + "\"},\"a\":1}]", false },
        { """[{"host":{"name":"web-1"},"service":{"n":1},"status":true,"message":"m"},{"ddtags":true}]""", false },
        { "{\"message\":\"" + new string('x', 1_100_000) + "\",\"a\":1,\"a\":2}\n", true },
        // As deep as the intake reads (64 levels), alone, in an array, as lines, and as a JSON message parsed into
        // attributes: accepted, and the stored form (the event one level further down) must still be written.
        { string.Concat(Enumerable.Repeat("{\"a\":", 64)) + "0" + new string('}', 64), false },
        { string.Concat(Enumerable.Repeat("{\"a\":", 64)) + "0" + new string('}', 64) + "\n", true },
        { "[" + string.Concat(Enumerable.Repeat("{\"a\":", 63)) + "0" + new string('}', 63) + "]", false },
        { "[{\"message\":\"{\\\"a\\\":" + new string('[', 63) + new string(']', 63) + "}\"}]", false },
        { new string('[', 65) + new string(']', 65), false },
        { "[{\"a\":" + new string('[', 63) + new string(']', 63) + "}]", false },
        { "{\"message\":\"a\"}\n{\"message\":\"b\"}\n", true },
        { "{\"message\":\"a\"}\n\n  \r\n{\"message\":\"b\"}", true },
        { "", true },
        { "\n \n", true },
        { "{\"message\":\"a\"}\n{\"message\":", true },
        { "{\"message\":\"a\"}\n[1]\n{\"message\":{\"x\":1}}", true },
        { "{\"message\":{\"x\":1}}\n[1]", true },
        { "{\"a\":1,\"a\":2}\n", true },
        { "{\"a\":1} {\"b\":2}\n", true },
        { string.Concat(Enumerable.Repeat("{\"a\":1}\n", 1001)), true },
        { string.Concat(Enumerable.Repeat("{\"a\":1}\n", 1001)) + "not json", true },
    };

    [Theory]
    [MemberData(nameof(Payloads))]
    public void Check_SameAnswerAsRead(string payload, bool lines) => AssertSameAnswer(Encoding.UTF8.GetBytes(payload), lines);

    [Theory]
    [InlineData("[{\"a\":1,\"a\":2,\"message\":\"{0}\"}]", false, "The payload is not valid JSON at line 1, byte 9: an object repeats the key 'a'.")]
    [InlineData("{\"message\":\"{0}\",\"a\":1,\"a\":2}\n", true, "Line 1 is not valid JSON at byte 1100021: an object repeats the key 'a'.")]
    public void Read_EventOverOneMebibyteWithARepeatedKey_RefusedWhereTheKeyIs(string template, bool lines, string detail)
    {
        // Such an event is cut to fit before it is normalised; cutting it reads its keys, which threw past the
        // refusal (a 500, or an acknowledged batch lost) before commit 04d5535.
        var body = Encoding.UTF8.GetBytes(template.Replace("{0}", new string('x', 1_100_000), StringComparison.Ordinal));

        var (events, error) = IntakePayload.Read(body, IntakeSamples.ReceivedAt, null, lines);

        Assert.Null(events);
        Assert.Equal((400, "Malformed JSON", detail), (error!.Status, error.Title, error.Detail));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ByteOrderMark_Ignored_TheEventsReadAsWithout(bool lines)
    {
        var body = Encoding.UTF8.GetBytes("\uFEFF" + (lines ? "{\"message\":\"a\"}\n{\"message\":\"b\"}\n" : """[{"message":"a"},{"message":"b"}]"""));

        var (count, fault) = IntakePayload.Check(body, lines);
        var (events, error) = IntakePayload.Read(body, IntakeSamples.ReceivedAt, null, lines);

        Assert.Equal((2, null), (count, fault));
        Assert.Null(error);
        Assert.Equal("a|b", string.Join('|', events!.Select(e => e.Message)));
    }

    [Fact]
    public void InvalidUtf8_RefusedWithTheLineAndByteOfItsFirstBadSequence()
    {
        byte[] body = [.. "{\"message\":\"a\"}\n{\"message\":\"b"u8, 0xC3, .. "\"}\n"u8];

        var (_, fault) = IntakePayload.Check(body, lines: true);
        var (_, error) = IntakePayload.Read(body, IntakeSamples.ReceivedAt, null, lines: true);

        Assert.Equal((400, "The payload is not valid UTF-8 at line 2, byte 14."), (fault!.Status, fault.Detail));
        Assert.Equal(fault.Detail, error!.Detail);
    }

    [Fact]
    public void Check_InvalidUtf8_RefusedAsRead()
    {
        AssertSameAnswer([(byte)'[', (byte)'{', (byte)'"', 0xC3, (byte)'"', (byte)':', (byte)'1', (byte)'}', (byte)']'], lines: false);
    }

    [Fact]
    public void Check_MutatedPayloads_SameAnswerAsRead()
    {
        // Payloads as shippers send them, then cut, flipped and spliced at random: every answer must agree.
        string[] seeds =
        [
            """[{"ddsource":"sshd","hostname":"bastion","service":"sshd","message":"Failed password for invalid user admin from 203.0.113.9 port 52144 ssh2","ddtags":"env:prod,team:sec"},{"ddsource":"nginx","status":"info","message":"203.0.113.7 - - [27/Nov/2026:10:00:00 +0000] \"GET /wp-login.php HTTP/1.1\" 404 153 \"-\" \"curl/8.0\""}]""",
            """[{"ddsource":"cloudtrail","eventName":"ConsoleLogin","sourceIPAddress":"198.51.100.4","threat_intel":{"results":[{"a":1}]},"vigil":{"original_timestamp":"x"},"userIdentity":{"type":"Root","arn":"arn:aws:iam::123456789012:root"},"additionalEventData":{"MFAUsed":"No"},"responseElements":{"ConsoleLogin":"Success"},"timestamp":1764237600000}]""",
            """{"message":"{\"level\":\"warn\",\"user\":{\"id\":7}}","service":"api","host":"web-2","level":"warn","tags":["a","b"],"n":[1,2.5,-3e2,true,null]}""",
            """[{"ddsource":"nginx","message":"1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 404 0","user":"\ud83d\ude00","timestamp":"2026-03-03T14:00:00Z","vigil":{"timestamp_adjusted":{"b":1}}}]""",
        ];
        var random = new Random(20261202);
        char[] alphabet = ['{', '}', '[', ']', '"', ':', ',', '\\', 'u', 'd', '8', '0', '1', 'a', 'c', ' ', '\n', 't', 'n', '\u0664'];
        var accepted = 0;
        for (var i = 0; i < 20_000; i++)
        {
            var text = seeds[random.Next(seeds.Length)].ToCharArray().ToList();
            for (var edits = random.Next(1, 4); edits > 0 && text.Count > 0; edits--)
            {
                var at = random.Next(text.Count);
                switch (random.Next(4))
                {
                    case 0:
                        text.RemoveAt(at);
                        break;
                    case 1:
                        text.Insert(at, alphabet[random.Next(alphabet.Length)]);
                        break;
                    case 2:
                        text[at] = alphabet[random.Next(alphabet.Length)];
                        break;
                    default:
                        // Repeat a stretch: keys and objects appear twice.
                        var length = Math.Min(random.Next(1, 40), text.Count - at);
                        text.InsertRange(at, text.GetRange(at, length));
                        break;
                }
            }
            var lines = random.Next(4) == 0;
            accepted += AssertSameAnswer(Encoding.UTF8.GetBytes(new string([.. text])), lines) ? 1 : 0;
        }
        // The mutations reach both sides of the line: some payloads stay acceptable, most do not.
        Assert.InRange(accepted, 500, 19_500);
    }

    /// <summary>Asserts that Check and Read agree on <paramref name="body"/>; returns whether it was accepted.</summary>
    private static bool AssertSameAnswer(byte[] body, bool lines)
    {
        var (events, expected) = IntakePayload.Read(body, IntakeSamples.ReceivedAt, "env:test", lines, Feed);
        var (count, error) = IntakePayload.Check(body, lines, IntakeSamples.ReceivedAt, "env:test", Feed);

        var payload = Encoding.UTF8.GetString(body);
        if (expected is null)
        {
            Assert.True(error is null, $"Check refused what Read accepts ({error?.Detail}): {payload}");
            Assert.Equal(events!.Count, count);
            // What is accepted can be stored: the indexer writes every event's stored form.
            Assert.All(events, e => Assert.NotEmpty(LogEventJson.Serialize(e)));
            return true;
        }
        Assert.True(error is not null, $"Check accepted what Read refuses ({expected.Detail}): {payload}");
        Assert.Equal((expected.Status, expected.Title, expected.Detail), (error.Status, error.Title, error.Detail));
        Assert.Equal(expected.Extensions.OrderBy(e => e.Key), error.Extensions.OrderBy(e => e.Key));
        return false;
    }

    [Fact]
    public void ReadAccepted_SameBatchTwice_SameEventsAndIds()
    {
        var body = Encoding.UTF8.GetBytes("""[{"message":"one","service":"web"},{"message":"two","timestamp":"2026-11-27T09:59:00Z"}]""");
        var batch = IntakeBatch.Accept(body, 2, IntakeSamples.ReceivedAt, "env:prod", lines: false);

        var first = batch.Normalize(null);
        var again = batch.Normalize(null);

        Assert.Equal(first.Select(e => e.Id), again.Select(e => e.Id));
        Assert.Equal(2, first.Select(e => e.Id).Distinct().Count());
        Assert.Equal(EventIds.New(first[0].Timestamp, batch.IdSeed), first[0].Id);
        Assert.Equal(EventIds.New(first[1].Timestamp, batch.IdSeed + 1), first[1].Id);
        Assert.All(first, e => Assert.Contains("env:prod", e.Tags));
        Assert.NotEqual(first[0].Id, IntakeBatch.Accept(body, 2, IntakeSamples.ReceivedAt, null, lines: false).Normalize(null)[0].Id);
    }

    [Fact]
    public void ReadAccepted_EventThatNoLongerNormalises_KeptWithItsTextAndTheReason()
    {
        // What a journal written under other rules may hold: the batch was acknowledged, so nothing of it may be lost.
        var body = Encoding.UTF8.GetBytes("""[{"message":"fine"},{"message":"m","ddtags":{"became":"invalid"}}]""");
        var batch = IntakeBatch.Accept(body, 2, IntakeSamples.ReceivedAt, null, lines: false);

        var events = batch.Normalize(null);

        Assert.Equal(2, events.Count);
        Assert.Equal("fine", events[0].Message);
        Assert.Equal("""{"message":"m","ddtags":{"became":"invalid"}}""", events[1].Message);
        Assert.Contains("ddtags", events[1].GetAttribute("vigil.intake_error").Single().Text, StringComparison.Ordinal);
        Assert.Equal(IntakeSamples.ReceivedAt, events[1].Timestamp);
    }
}
