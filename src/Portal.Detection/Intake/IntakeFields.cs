using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Portal.Detection.Events;

namespace Portal.Detection.Intake;

/// <summary>Reads the reserved intake fields, converting what can be converted and naming what cannot.</summary>
internal static class IntakeFields
{
    /// <summary>Datadog's limit on one tag.</summary>
    public const int MaxTagLength = 200;

    /// <summary>
    /// Text of a field: strings as they are (trimmed, blank is absent), numbers in their JSON form
    /// (<c>"service": 42</c> is a real misconfiguration, not an attack). Other types throw when
    /// <paramref name="strict"/>, and read as absent otherwise.
    /// </summary>
    public static string? ReadText(JsonNode? node, string field, bool strict)
    {
        if (node is JsonValue value)
        {
            switch (value.GetValueKind())
            {
                case JsonValueKind.String:
                    return Trimmed(value.GetValue<string>());
                case JsonValueKind.Number:
                    return value.ToJsonString();
                case JsonValueKind.Null:
                    return null;
            }
        }
        if (node is null || !strict)
        {
            return null;
        }
        throw new IntakeFieldException(field, $"expected a string but got {Describe(node)}");
    }

    /// <summary>A field's text as the intake keeps it: trimmed, and absent when blank.</summary>
    public static string? Trimmed(string? text)
    {
        var trimmed = text?.Trim();
        return string.IsNullOrEmpty(trimmed) ? null : trimmed;
    }

    /// <summary>
    /// Tags from <c>"k:v,k2:v2"</c> or from an array of such strings. Like Datadog, tags are
    /// lower-cased and cut at 200 characters, so <c>env:Prod</c> and <c>env:prod</c> are one tag.
    /// </summary>
    public static IEnumerable<string> ReadTags(JsonNode? node, string field)
    {
        switch (node)
        {
            case null:
                return [];
            case JsonArray array:
                return array.SelectMany((item, i) => SplitTags(ReadText(item, $"{field}[{i}]", strict: true)));
            default:
                return SplitTags(ReadText(node, field, strict: true));
        }
    }

    /// <summary>Splits a comma-separated tag list.</summary>
    public static IEnumerable<string> SplitTags(string? tags)
    {
        var split = new List<string>();
        AddTags(split, tags);
        return split;
    }

    /// <summary>
    /// Adds the tags of a comma-separated list to <paramref name="into"/>, in order: each trimmed, lower-cased and cut at
    /// <see cref="MaxTagLength"/>, empty ones skipped.
    /// </summary>
    public static void AddTags(List<string> into, string? tags)
    {
        if (string.IsNullOrWhiteSpace(tags))
        {
            return;
        }
        // One character more than is kept, lower-cased with it, so that a pair of surrogates at the limit is seen whole: a
        // tag is never cut between its two halves (a lone half, which the stored form writes as U+FFFD, made the tag
        // detection judged another than the one searched), and loses the whole character instead.
        Span<char> lowered = stackalloc char[MaxTagLength + 1];
        var rest = tags.AsSpan();
        while (true)
        {
            var comma = rest.IndexOf(',');
            var part = (comma < 0 ? rest : rest[..comma]).Trim();
            if (!part.IsEmpty)
            {
                var length = part[..Math.Min(part.Length, MaxTagLength + 1)].ToLowerInvariant(lowered);
                var kept = Math.Min(length, MaxTagLength);
                if (kept < length && char.IsHighSurrogate(lowered[kept - 1]))
                {
                    kept--;
                }
                into.Add(RecurringText.Of(lowered[..kept]));
            }
            if (comma < 0)
            {
                return;
            }
            rest = rest[(comma + 1)..];
        }
    }

    /// <summary>
    /// The number in a JSON number node, whether it was parsed from text or built from a .NET value
    /// (<c>GetValue&lt;double&gt;</c> refuses a node built from an <c>int</c>).
    /// </summary>
    public static bool TryGetNumber(JsonNode? node, out double number)
    {
        number = 0;
        return node is JsonValue value
            && value.GetValueKind() == JsonValueKind.Number
            && double.TryParse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out number);
    }

    /// <summary>
    /// A copy of an attribute value, detached from the sender's object. Strings and booleans become plain values;
    /// numbers and containers are cloned as they are, so a number keeps the text it was sent with.
    /// </summary>
    public static JsonNode? Detach(JsonNode? node) => node switch
    {
        null => null,
        JsonValue value => value.GetValueKind() switch
        {
            JsonValueKind.String => JsonValue.Create(value.GetValue<string>()),
            JsonValueKind.True => JsonValue.Create(true),
            JsonValueKind.False => JsonValue.Create(false),
            _ => value.DeepClone(),
        },
        _ => node.DeepClone(),
    };

    private static string Describe(JsonNode node) => node switch
    {
        JsonObject => "an object",
        JsonArray => "an array",
        _ => node.GetValueKind() switch
        {
            JsonValueKind.True or JsonValueKind.False => "a boolean",
            var kind => kind.ToString().ToLowerInvariant(),
        },
    };
}
