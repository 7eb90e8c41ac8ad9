using System.Text;
using System.Text.Json.Nodes;
using Portal.Detection.Intake;

namespace Portal.Detection.Tests.Intake;

/// <summary>
/// <c>text/plain</c> and <c>application/logplex-1</c> bodies made into the JSON lines the intake checks and journals
/// (<see cref="TextBodies"/>), and a request's query fields applied to its events (<see cref="RequestFields"/>).
/// </summary>
public class TextBodiesTests
{
    private static List<JsonObject> Lines(string body, bool framed)
    {
        var (lines, error) = TextBodies.ToJsonLines(Encoding.UTF8.GetBytes(body), framed);
        Assert.Null(error);
        var text = Encoding.UTF8.GetString(lines.Span);
        Assert.EndsWith("\n", text);
        return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonNode.Parse(line)!.AsObject())];
    }

    [Fact]
    public void PlainText_OneLogALine_BlankLinesSkipped_CarriageReturnsDropped()
    {
        var logs = Lines("first \"quoted\" line\r\n\n   \r\nsecond\twith tab and é\nlast without newline", framed: false);

        Assert.Equal(["first \"quoted\" line", "second\twith tab and é", "last without newline"], logs.Select(l => (string)l["message"]!));
        Assert.All(logs, l => Assert.Single(l));
    }

    [Fact]
    public void PlainText_ByteOrderMark_NoPartOfTheFirstLog()
    {
        var logs = Lines("\uFEFFFailed password for root from 203.0.113.5 port 22 ssh2\nsecond", framed: false);

        // Compared as one ordinal string: a collection's comparison ignored the mark (a character culture-aware comparison skips).
        Assert.Equal("Failed password for root from 203.0.113.5 port 22 ssh2|second", string.Join('|', logs.Select(l => (string)l["message"]!)));
    }

    [Fact]
    public void PlainText_BytesThatAreNotUtf8_BecomeReplacementCharacters()
    {
        var (lines, error) = TextBodies.ToJsonLines([(byte)'a', 0xff, (byte)'b', (byte)'\n'], framed: false);

        Assert.Null(error);
        Assert.Equal("a\uFFFDb", (string)JsonNode.Parse(lines.Span)!["message"]!);
    }

    [Fact]
    public void PlainText_PastTheLimit_ReadsOneLogMoreThanAllowed()
    {
        var body = string.Concat(Enumerable.Repeat("x\n", IntakePayload.MaxEvents + 500));

        Assert.Equal(IntakePayload.MaxEvents + 1, Lines(body, framed: false).Count);
    }

    [Fact]
    public void Logplex_FramesByTheirLength_WithOrWithoutNewlines_TimeFromTheHeader()
    {
        const string first = "<190>1 2026-12-07T14:05:00.123456+00:00 host app web.1 - State changed from starting to up\n";
        const string second = "<158>1 2026-12-07T16:05:01+02:00 host heroku router - at=info method=GET path=\"/\" status=200";
        const string third = "<40>1 - host app api - no time here";
        var body = $"{Encoding.UTF8.GetByteCount(first)} {first}{Encoding.UTF8.GetByteCount(second)} {second}\n{third.Length} {third}";

        var logs = Lines(body, framed: true);

        Assert.Equal([first.TrimEnd('\n'), second, third], logs.Select(l => (string)l["message"]!));
        Assert.Equal("2026-12-07T14:05:00.1234560Z", (string)logs[0]["timestamp"]!);
        Assert.Equal("2026-12-07T14:05:01.0000000Z", (string)logs[1]["timestamp"]!);
        Assert.False(logs[2].ContainsKey("timestamp"));
        // The header's fields are syslog's attributes (Heroku's dyno is the process id), its severity the status.
        Assert.Equal("""{"severity":6,"facility":23,"hostname":"host","appname":"app","procid":"web.1"}""", logs[0]["syslog"]!.ToJsonString());
        Assert.Equal(("heroku", "router", "info"), ((string)logs[1]["syslog"]!["appname"]!, (string)logs[1]["syslog"]!["procid"]!, (string)logs[1]["status"]!));
        Assert.Equal(("emerg", "api"), ((string)logs[2]["status"]!, (string)logs[2]["syslog"]!["procid"]!));
    }

    [Fact]
    public void Logplex_MultiByteText_CountedInBytes()
    {
        const string message = "<13>1 2026-12-07T14:05:00Z h a p - café ☕ done";

        var logs = Lines($"{Encoding.UTF8.GetByteCount(message)} {message}", framed: true);

        Assert.Equal(message, (string)Assert.Single(logs)["message"]!);
    }

    [Theory]
    [InlineData("hello world", 1)]
    [InlineData("19 <13>1 - h a p - ok\n99 <13>1 - h a p - short", 23)]
    [InlineData("5 abcde 7x abc", 9)]
    [InlineData("12345678901 x", 1)]
    [InlineData("  12", 3)]
    public void Logplex_FrameWithoutItsLength_RefusedAtItsByte(string body, int at)
    {
        var (lines, error) = TextBodies.ToJsonLines(Encoding.UTF8.GetBytes(body), framed: true);

        Assert.True(lines.IsEmpty);
        Assert.Equal(400, error!.Status);
        Assert.Equal(at, error.Extensions["byte"]);
        Assert.StartsWith($"Byte {at}: expected a logplex frame", error.Detail);
    }

    [Fact]
    public void PlainText_WrittenAsJsonOverTwiceTheLimit_Refused()
    {
        // Control characters are written as six-byte escapes: a body within the limit would make a record six times its size.
        var body = new byte[IntakePayload.MaxPayloadBytes / 2];
        Array.Fill(body, (byte)1);
        body[^1] = (byte)'\n';

        var (lines, error) = TextBodies.ToJsonLines(body, framed: false);

        Assert.True(lines.IsEmpty);
        Assert.Equal(413, error!.Status);
    }

    [Theory]
    [InlineData("text/plain", true, false)]
    [InlineData("application/logplex-1", true, true)]
    [InlineData("application/json", false, false)]
    [InlineData("application/x-ndjson", false, false)]
    public void IsText_TheTwoMediaTypes(string mediaType, bool text, bool framed)
    {
        Assert.Equal(text, TextBodies.IsText(mediaType, out var isFramed));
        Assert.Equal(framed, isFramed);
    }

    [Fact]
    public void RequestFields_SourceChoosesTheParser_AnEventsOwnFieldsWin()
    {
        var request = RequestFields.Of(" env:prod ", "sshd", "auth", "bastion-9");
        var body = Encoding.UTF8.GetBytes("""
            {"message":"Failed password for root from 203.0.113.7 port 52311 ssh2"}
            {"message":"GET / 200","ddsource":"app","service":"web","hostname":"web-1"}
            {"message":"Accepted publickey for deploy from 192.0.2.4 port 4000 ssh2","ddsource":" ","service":""}
            """);

        var (events, error) = IntakePayload.Read(body, IntakeSamples.ReceivedAt, request, lines: true);

        Assert.Null(error);
        var (defaulted, own, blank) = (events![0], events[1], events[2]);
        Assert.Equal(("sshd", "auth", "bastion-9"), (defaulted.Source, defaulted.Service, defaulted.Host));
        Assert.Equal("failure", defaulted.GetAttribute("evt.outcome").Single().Text);
        Assert.Equal(["env:prod"], defaulted.Tags);
        Assert.Equal(("app", "web", "web-1"), (own.Source, own.Service, own.Host));
        Assert.Equal(("sshd", "auth", "bastion-9"), (blank.Source, blank.Service, blank.Host));
        Assert.Equal("deploy", blank.GetAttribute("usr.name").Single().Text);
    }

    [Fact]
    public void RequestFields_AJsonMessagesOwnFields_ComeFirst()
    {
        var (lines, _) = TextBodies.ToJsonLines("""{"message":"paid","service":"billing","host":"db-1","ddsource":"app"}"""u8, framed: false);

        var (events, error) = IntakePayload.Read(lines, IntakeSamples.ReceivedAt, RequestFields.Of(null, "heroku", "shop", "shop-prod"), lines: true);

        Assert.Null(error);
        var e = Assert.Single(events!);
        Assert.Equal(("app", "billing", "db-1"), (e.Source, e.Service, e.Host));
    }

    [Fact]
    public void RequestFields_AllBlank_None()
    {
        Assert.Null(RequestFields.Of(" ", "", null, "  "));
        Assert.Null((RequestFields?)(string?)null);
        Assert.Equal("team:a", ((RequestFields?)"team:a")!.Tags);
        Assert.Equal("h", RequestFields.Of(null, host: " h ")!.Host);
    }
}
