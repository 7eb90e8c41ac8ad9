using System.Text.Json.Nodes;
using Portal.Detection.Events;

namespace Portal.Detection.Intake;

/// <summary>
/// One event while it is being normalised: reserved fields still settable, attributes still growing.
/// Parsers only add: they fill fields that are unset and attributes that are absent, so what the
/// sender stated explicitly always wins over what is inferred from the message.
/// </summary>
internal sealed class IntakeDraft
{
    public string? Message { get; set; }
    public string? Host { get; set; }
    public string? Service { get; set; }
    public string? Source { get; set; }

    /// <summary>A standard status, or null while nobody has stated one.</summary>
    public string? Status { get; set; }

    /// <summary>When the event happened, or null while unknown.</summary>
    public DateTimeOffset? Timestamp { get; set; }

    public List<string> Tags { get; } = [];
    public JsonObject Attributes { get; private set; } = [];

    /// <summary>Takes <paramref name="attributes"/> (detached from any parent) as the attributes, while there are none yet.</summary>
    public void Adopt(JsonObject attributes)
    {
        if (Attributes.Count > 0 || attributes.Parent is not null)
        {
            throw new InvalidOperationException("Only a detached object can become the attributes of a draft without any.");
        }
        Attributes = attributes;
    }

    /// <summary>Sets the attribute at <paramref name="path"/> unless something is already there.</summary>
    public void Add(string path, JsonNode? value)
    {
        if (value is not null && !AttributePath.Exists(Attributes, path))
        {
            AttributePath.Set(Attributes, path, value.Parent is null ? value : IntakeFields.Detach(value));
        }
    }

    /// <summary>Adds a string attribute, skipping null, empty and the log formats' "-" placeholder.</summary>
    public void AddText(string path, string? value)
    {
        if (!string.IsNullOrEmpty(value) && value != "-")
        {
            Add(path, JsonValue.Create(value));
        }
    }

    /// <summary>The first string leaf at <paramref name="path"/>, or null.</summary>
    public string? Text(string path) => AttributePath.First(Attributes, path) is { Number: null } value ? value.Text : null;
}
