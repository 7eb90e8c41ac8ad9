using System.Text.Json;
using System.Text.Json.Nodes;
using Portal.Detection.Events;

namespace Portal.Detection.Intake.Parsers;

/// <summary>
/// A message that is itself a JSON object (an application logging JSON lines through a file tail)
/// contributes its properties as attributes, as Datadog's JSON preprocessing does. The raw message
/// stays, so free-text search still sees everything.
/// </summary>
internal static class JsonMessageParser
{
    /// <summary>Repeated keys make the message ordinary text: which of the values would be the attribute is anyone's guess.</summary>
    private static readonly JsonDocumentOptions Options = new() { AllowDuplicateProperties = false, MaxDepth = 64 };

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
            parsed = JsonNode.Parse(message, documentOptions: Options) as JsonObject;
            AttributePath.ReadAll(parsed, strings: true);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // Text that merely starts with a brace is an ordinary message; so is JSON with a repeated key or an
            // unpaired surrogate escape, which no attribute could hold.
            return;
        }
        if (parsed is not null)
        {
            ReservedFields.Extract(parsed, draft, strict: false);
        }
    }
}
