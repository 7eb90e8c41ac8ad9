using System.Text.Json;
using System.Text.Json.Nodes;

namespace Portal.Detection.Intake.Parsers;

/// <summary>
/// A message that is itself a JSON object (an application logging JSON lines through a file tail)
/// contributes its properties as attributes, as Datadog's JSON preprocessing does. The raw message
/// stays, so free-text search still sees everything.
/// </summary>
internal static class JsonMessageParser
{
    /// <summary>Parses the draft's message when it looks like a JSON object.</summary>
    public static void Parse(IntakeDraft draft)
    {
        var message = draft.Message;
        if (message is null || !message.StartsWith('{') || !message.EndsWith('}'))
        {
            return;
        }
        JsonObject? parsed;
        try
        {
            parsed = JsonNode.Parse(message) as JsonObject;
        }
        catch (JsonException)
        {
            // Text that merely starts with a brace is an ordinary message.
            return;
        }
        if (parsed is not null)
        {
            ReservedFields.Extract(parsed, draft, strict: false);
        }
    }
}
