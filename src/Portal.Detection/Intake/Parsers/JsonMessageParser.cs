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
            Readable(parsed);
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

    /// <summary>Reads every key and string of <paramref name="node"/>; throws <see cref="InvalidOperationException"/> at one that is not text.</summary>
    private static void Readable(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (_, child) in obj)
                {
                    Readable(child);
                }
                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    Readable(item);
                }
                break;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                value.GetValue<string>();
                break;
        }
    }
}
