using System.Text;
using System.Text.Json.Nodes;
using Portal.Detection.Events;
using Portal.Detection.Intake;

namespace Portal.Detection.Tests.Intake;

/// <summary>
/// Objects of a JSON document that hold only reserved text fields are normalised from the parsed JSON without building
/// them (<see cref="IntakeNormalizer.NormalizeTextOnly"/>); newline-delimited lines always take the general path. The
/// same object must give the same event either way, and an object the shortcut does not fit must still be read in full.
/// </summary>
public class IntakeTextOnlyTests
{
    [Theory]
    [InlineData("""{"message":"Failed password for root from 203.0.113.7 port 52311 ssh2","ddsource":"sshd","service":"sshd","hostname":"bastion-1","ddtags":"env:prod,team:infra"}""")]
    [InlineData("""{"ddtags":"Env:Prod, team:web,,env:prod","host":"web-1","message":"198.51.100.23 - - [03/Dec/2026:10:15:42 +0000] \"GET /a?b=1 HTTP/1.1\" 503 12 \"-\" \"curl/8\"","ddsource":"nginx"}""")]
    [InlineData("""{"message":"  ","ddsource":" ","service":"","ddtags":" ","hostname":" h "}""")]
    [InlineData("""{"message":"{\"usr\":{\"id\":\"u-1\"},\"evt\":{\"name\":\"login\"},\"status\":\"error\"}","ddsource":"app"}""")]
    [InlineData("""{"message":"GetObject","ddsource":"cloudtrail"}""")]
    [InlineData("""{"mess\u0061ge":"escaped key","ddsource":"sshd"}""")]
    [InlineData("""{}""")]
    // Objects the shortcut leaves to the general path:
    [InlineData("""{"message":"x","hostname":"  "}""")]
    [InlineData("""{"message":"x","hostname":"a","host":"b"}""")]
    [InlineData("""{"message":"x","status":"error","timestamp":"2026-03-03T14:04:59Z"}""")]
    [InlineData("""{"message":"x","ddtags":["env:prod","team:web"]}""")]
    [InlineData("""{"message":"x","service":42,"hostname":null}""")]
    [InlineData("""{"message":"x","usr":{"name":"alice"},"aws.region":"eu-west-1"}""")]
    [InlineData("""{"message":"a","message":"b"}""")]
    [InlineData("""{"message":"x","service":{"name":"nested"}}""")]
    public void Normalize_ObjectInADocument_GivesTheEventItsLineGives(string json)
    {
        var asDocument = IntakePayload.Read(Encoding.UTF8.GetBytes($"[{json}]"), IntakeSamples.ReceivedAt, "region:eu");
        var asLine = IntakePayload.Read(Encoding.UTF8.GetBytes(json), IntakeSamples.ReceivedAt, "region:eu", lines: true);

        Assert.Equal(asLine.Error is null, asDocument.Error is null);
        if (asLine.Events is { } expected)
        {
            Assert.Equal(Shape(Assert.Single(expected)), Shape(Assert.Single(asDocument.Events!)));
        }
    }

    /// <summary>Everything of an event but its id, which is drawn at random for each.</summary>
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
