using System.Text.Json.Nodes;
using Portal.Detection.Intake;

namespace Portal.Detection.Tests.Intake;

/// <summary>
/// What a parser's attribute does to a draft: it fills what is absent and never replaces what the sender stated, however
/// the sender spelled the path (nested, flat with dots, or half and half), before or after the parsers' own objects.
/// </summary>
public class IntakeDraftTests
{
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

    private static IntakeDraft Adopting(string json)
    {
        var draft = new IntakeDraft();
        draft.Adopt(JsonNode.Parse(json)!.AsObject());
        return draft;
    }
}
