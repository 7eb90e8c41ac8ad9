using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Portal.Detection.Events;
using Portal.Detection.Intake;
using Portal.Detection.ThreatIntel;

namespace Portal.Detection.Tests.Intake;

/// <summary>
/// Objects of a JSON document that hold only reserved text fields are normalised from the parsed JSON without building
/// them (<see cref="IntakeNormalizer.NormalizeTextOnly"/>); newline-delimited lines always take the general path. The
/// same object must give the same event either way, and an object the shortcut does not fit must still be read in full.
/// </summary>
public class IntakeTextOnlyTests
{
    /// <summary>The first sshd line's address is listed, so that enrichment runs on the shortcut too.</summary>
    private static readonly ThreatIndicatorSet Feed = IntakeSamples.Feed;

    [Theory]
    [InlineData("""{"message":"Failed password for root from 203.0.113.7 port 52311 ssh2","ddsource":"sshd","service":"sshd","hostname":"bastion-1","ddtags":"env:prod,team:infra"}""", true)]
    [InlineData("""{"ddtags":"Env:Prod, team:web,,env:prod","host":"web-1","message":"198.51.100.23 - - [03/Dec/2026:10:15:42 +0000] \"GET /a?b=1 HTTP/1.1\" 503 12 \"-\" \"curl/8\"","ddsource":"nginx"}""", true)]
    [InlineData("""{"message":"  ","ddsource":" ","service":"","ddtags":" , ,","hostname":" h "}""", true)]
    [InlineData("""{"message":"{\"usr\":{\"id\":\"u-1\"},\"evt\":{\"name\":\"login\"},\"status\":\"error\",\"service\":\"inner\"}","ddsource":"app","service":" "}""", true)]
    [InlineData("""{"message":"GetObject","ddsource":"cloudtrail"}""", true)]
    [InlineData("""{"mess\u0061ge":"escaped key","ddsource":"sshd"}""", true)]
    [InlineData("""{"message":"\u00a0x\ud83d\ude00 ","host":"h"}""", true)]
    [InlineData("""{"hostname":"h"}""", true)]
    [InlineData("""{"ddtags":""}""", true)]
    [InlineData("""{}""", true)]
    // Objects the shortcut leaves to the general path:
    [InlineData("""{"message":"x","hostname":"  "}""", false)]
    [InlineData("""{"host":"  "}""", false)]
    [InlineData("""{"message":"x","hostname":"a","host":"b"}""", false)]
    [InlineData("""{"hostn\u0061me":"a","host":"b"}""", false)]
    [InlineData("""{"Message":"x"}""", false)]
    [InlineData("""{"message":"x","status":"error","timestamp":"2026-03-03T14:04:59Z"}""", false)]
    [InlineData("""{"message":"x","ddtags":["env:prod","team:web"]}""", false)]
    [InlineData("""{"message":"x","service":42,"hostname":null}""", false)]
    [InlineData("""{"message":null,"ddsource":"sshd"}""", false)]
    [InlineData("""{"message":"x","usr":{"name":"alice"},"aws.region":"eu-west-1"}""", false)]
    [InlineData("""{"message":"a","message":"b"}""", false)]
    [InlineData("""{"message":"a","mess\u0061ge":"b"}""", false)]
    [InlineData("""{"message":"x","service":{"name":"nested"}}""", false)]
    public void Normalize_ObjectInADocument_GivesTheEventItsLineGives(string json, bool textOnly)
    {
        using (var parsed = JsonDocument.Parse(json))
        {
            Assert.Equal(textOnly, ReservedFields.TryExtractTextOnly(parsed.RootElement, new IntakeDraft()));
        }
        var asLine = IntakePayload.Read(Encoding.UTF8.GetBytes(json), IntakeSamples.ReceivedAt, "region:eu", lines: true, Feed);

        // As one of several events, and as the document's lone object.
        var among = IntakePayload.Read(Encoding.UTF8.GetBytes("""[{"message":"before","service":42},""" + json + """,{"message":"after"}]"""), IntakeSamples.ReceivedAt, "region:eu", threatIntel: Feed);
        var alone = IntakePayload.Read(Encoding.UTF8.GetBytes(json), IntakeSamples.ReceivedAt, "region:eu", threatIntel: Feed);

        Assert.Equal(asLine.Error?.Status, alone.Error?.Status);
        Assert.Equal(asLine.Error is null, among.Error is null);
        if (asLine.Events is { } expected)
        {
            Assert.Equal(Shape(Assert.Single(expected)), Shape(Assert.Single(alone.Events!)));
            Assert.Equal(["before", Shape(expected[0]), "after"], among.Events!.Select((e, i) => i == 1 ? Shape(e) : e.Message));
        }
    }

    /// <summary>Everything of an event but its id, which numbers from a seed each read draws at random.</summary>
    private static string Shape(LogEvent e) => new JsonObject
    {
        ["timestamp"] = e.Timestamp,
        ["host"] = e.Host,
        ["service"] = e.Service,
        ["source"] = e.Source,
        ["status"] = e.Status,
        ["message"] = e.Message,
        ["tags"] = new JsonArray([.. e.Tags.Select(t => JsonValue.Create(t))]),
        ["attributes"] = e.Attributes.DeepClone(),
    }.ToJsonString();
}
