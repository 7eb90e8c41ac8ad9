using System.Text.Json;
using System.Text.Json.Nodes;
using Portal.Detection.Events;

namespace Portal.Detection.Intake;

/// <summary>
/// Moves Datadog's reserved intake fields of an object into a draft and copies every other
/// property into the draft's attributes, nested as sent.
/// </summary>
internal static class ReservedFields
{
    public const string Message = "message";
    public const string Source = "ddsource";
    public const string Tags = "ddtags";
    public const string Service = "service";

    /// <summary>Alternative names, in order of preference: the first one present wins.</summary>
    public static readonly string[] HostFields = ["hostname", "host"];

    /// <inheritdoc cref="HostFields"/>
    public static readonly string[] StatusFields = ["status", "level", "severity"];

    /// <inheritdoc cref="HostFields"/>
    public static readonly string[] TimestampFields = ["timestamp", "date", "@timestamp"];

    /// <summary>The reserved fields as a reader of a sender's object meets them at its root, by their place in <see cref="Utf8Names"/>.</summary>
    public enum Field
    {
        Message,
        Source,
        Tags,
        Service,
        Hostname,
        Host,
        Status,
        Level,
        Severity,
        Timestamp,
        Date,
        AtTimestamp,
    }

    /// <summary>The names of the fields <see cref="Field"/> lists, as sent (UTF-8).</summary>
    private static readonly byte[][] Utf8Names =
    [
        .. new[] { Message, Source, Tags, Service }.Concat(HostFields).Concat(StatusFields).Concat(TimestampFields).Select(System.Text.Encoding.UTF8.GetBytes),
    ];

    /// <summary>Bit n set when a reserved field's name has n bytes: most keys are ruled out by their length.</summary>
    private static readonly ulong NameLengths = Utf8Names.Aggregate(0UL, (bits, name) => bits | (1UL << name.Length));

    /// <summary>The reserved field a key read by a JSON reader (unescaped UTF-8) names, as a <see cref="Field"/>; or -1.</summary>
    public static int FieldOf(ReadOnlySpan<byte> key)
    {
        if (key.Length >= 64 || ((NameLengths >> key.Length) & 1) == 0)
        {
            return -1;
        }
        for (var i = 0; i < Utf8Names.Length; i++)
        {
            if (Utf8Names[i].Length == key.Length && Utf8Names[i][0] == key[0] && key.SequenceEqual(Utf8Names[i]))
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>
    /// Fills the draft's unset fields from <paramref name="source"/>. A reserved field that is an object, an array or a
    /// boolean (ECS's <c>host: {name: ...}</c>) is left as a plain attribute, as Datadog keeps it, rather than losing the
    /// request; with <paramref name="strict"/> (the intake object itself) tags of a wrong type throw
    /// <see cref="IntakeFieldException"/>, and otherwise (JSON found inside a message) they too are left as attributes.
    /// With <paramref name="owned"/> (a strict extraction into an empty draft, whose caller drops <paramref name="source"/>
    /// after), the source object itself, its reserved fields removed, becomes the draft's attributes: nothing is copied.
    /// </summary>
    public static void Extract(JsonObject source, IntakeDraft draft, bool strict, bool owned = false)
    {
        var consumed = ExtractReserved(source, draft, strict);
        if (owned && strict && draft.Attributes.Count == 0)
        {
            foreach (var name in consumed)
            {
                source.Remove(name);
            }
            draft.Adopt(source);
            return;
        }
        foreach (var (key, value) in source)
        {
            // Keys are copied as they are: "aws.region" sent flat stays one flat key.
            if (!consumed.Contains(key) && (strict || key != Message) && !draft.Attributes.ContainsKey(key))
            {
                draft.Attributes[key] = IntakeFields.Detach(value);
            }
        }
    }

    /// <summary>
    /// What <see cref="Extract"/> does, strictly and owning the object, to the intake's parsed object <paramref name="item"/>
    /// once the draft has read it (<see cref="IntakeDraft.ReadSent"/>, which gave its <paramref name="roots"/>), without making
    /// its tree: the reserved fields are read from the few properties that hold them, and the draft keeps the object less
    /// those fields (<see cref="IntakeDraft.KeepSent"/>).
    /// </summary>
    /// <exception cref="IntakeFieldException">A reserved field has a type that cannot be converted.</exception>
    public static void ExtractSent(JsonElement item, IntakeDraft draft, (string Key, int Start, int Count)[] roots)
    {
        var reserved = new JsonObject();
        // The flattening named each property already (its roots are the object's keys, in order): no name is decoded again.
        var i = 0;
        foreach (var property in item.EnumerateObject())
        {
            var name = roots[i++].Key;
            if (Array.IndexOf(Names, name) >= 0)
            {
                reserved[name] = property.Value.ValueKind switch
                {
                    JsonValueKind.Object => JsonObject.Create(property.Value),
                    JsonValueKind.Array => JsonArray.Create(property.Value),
                    JsonValueKind.Null => null,
                    _ => JsonValue.Create(property.Value),
                };
            }
        }
        draft.KeepSent(ExtractReserved(reserved, draft, strict: true));
    }

    /// <summary>Every name <see cref="ExtractReserved"/> reads.</summary>
    private static readonly string[] Names = [Message, Tags, Source, Service, .. HostFields, .. StatusFields, .. TimestampFields];

    /// <summary>The reserved fields of <paramref name="source"/> into the draft's unset fields: the names taken (to remove).</summary>
    private static List<string> ExtractReserved(JsonObject source, IntakeDraft draft, bool strict)
    {
        // At most seven names: a list beats a hash set, one small allocation per event.
        var consumed = new List<string>(8);
        if (strict)
        {
            draft.Message ??= TakeText(source, Message, consumed, strict);
            draft.Tags.AddRange(IntakeFields.ReadTags(source[Tags], Tags));
            consumed.Add(Tags);
        }
        draft.Source ??= TakeText(source, Source, consumed, strict);
        draft.Service ??= TakeText(source, Service, consumed, strict);
        // A host of another type is no host: it stays an attribute, as when it is not strict.
        draft.Host ??= TakeFirst(source, HostFields, consumed, strict, static (node, name, _) => IntakeFields.ReadText(node, name, strict: false));
        // The field that gave the status also stays an attribute as sent, as Datadog's status remapper can preserve its
        // source: the log status is one of eight, the sent value ('success', 'warning') stays searchable as @status, @level...
        draft.Status ??= TakeFirst(source, StatusFields, consumed: null, strict, static (node, name, strict) => ReadStatus(node, name, strict));
        // An unparseable date stays an attribute: it may be data that merely shares the name.
        draft.Timestamp ??= TakeFirst(source, TimestampFields, consumed, strict, static (node, _, _) => IntakeTimestamps.TryRead(node));
        return consumed;
    }

    /// <summary>
    /// What <see cref="Extract"/> makes, strictly and owning the object, of one that holds nothing but <c>message</c>,
    /// <c>ddsource</c>, <c>ddtags</c>, <c>service</c> and one of <c>hostname</c> or <c>host</c>, each once and each a
    /// string: those fields, and no attribute left. Read from the parsed JSON without building the object. False, with
    /// the draft untouched, for any other object: another key, a repeated one, a value that is not a string, or a host
    /// name that is blank or has a rival (<see cref="Extract"/> leaves those as attributes). It mirrors
    /// <see cref="Extract"/> for these fields: a change to how that reads them is a change here too
    /// (<c>IntakeTextOnlyTests</c> compares the two).
    /// </summary>
    public static bool TryExtractTextOnly(JsonElement item, IntakeDraft draft)
    {
        string? message = null, source = null, tags = null, service = null, host = null;
        var seen = 0;
        foreach (var property in item.EnumerateObject())
        {
            var slot = property.NameEquals("message"u8) ? 0
                : property.NameEquals("ddsource"u8) ? 1
                : property.NameEquals("ddtags"u8) ? 2
                : property.NameEquals("service"u8) ? 3
                : property.NameEquals("hostname"u8) || property.NameEquals("host"u8) ? 4
                : -1;
            if (slot < 0 || (seen & (1 << slot)) != 0 || property.Value.ValueKind != JsonValueKind.String)
            {
                return false;
            }
            seen |= 1 << slot;
            // The message is the event's own; the other fields recur event after event.
            var text = slot == 0 ? property.Value.GetString() : RecurringText.Of(property.Value);
            switch (slot)
            {
                case 0: message = text; break;
                case 1: source = text; break;
                case 2: tags = text; break;
                case 3: service = text; break;
                default: host = text; break;
            }
        }
        if ((seen & (1 << 4)) != 0 && IntakeFields.Trimmed(host) is null)
        {
            return false;
        }
        draft.Message = IntakeFields.Trimmed(message);
        draft.TagText = IntakeFields.Trimmed(tags);
        draft.Source = IntakeFields.Trimmed(source);
        draft.Service = IntakeFields.Trimmed(service);
        draft.Host = IntakeFields.Trimmed(host);
        return true;
    }

    private static string? TakeText(JsonObject source, string name, List<string> consumed, bool strict)
    {
        if (!Textual(source[name]))
        {
            return null;
        }
        var text = IntakeFields.ReadText(source[name], name, strict);
        if (text is not null || strict)
        {
            consumed.Add(name);
        }
        return text;
    }

    /// <summary>
    /// Whether a reserved field's value can be its text (a string, a number or null); an object, an array or a boolean
    /// stays an attribute of that name.
    /// </summary>
    private static bool Textual(JsonNode? node) =>
        node is null || node is JsonValue value && value.GetValueKind() is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.Null;

    /// <summary>The first of <paramref name="names"/> that reads as a value; <paramref name="read"/> is static, so that no event allocates a closure.</summary>
    private static T? TakeFirst<T>(JsonObject source, string[] names, List<string>? consumed, bool strict, Func<JsonNode, string, bool, T?> read)
    {
        foreach (var name in names)
        {
            if (source[name] is not { } node)
            {
                continue;
            }
            var value = read(node, name, strict);
            if (value is not null)
            {
                consumed?.Add(name);
                return value;
            }
        }
        return default;
    }

    private static string? ReadStatus(JsonNode? node, string field, bool strict)
    {
        if (!Textual(node))
        {
            return null;
        }
        // Inside JSON messages a numeric "status" is usually an HTTP code (nginx JSON logs), not a severity.
        if (!strict && IntakeFields.TryGetNumber(node, out var number) && number is not (>= 0 and < 8))
        {
            return null;
        }
        try
        {
            return LogStatuses.FromNode(node, field);
        }
        catch (IntakeFieldException) when (!strict)
        {
            return null;
        }
    }
}
