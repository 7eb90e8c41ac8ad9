using System.Buffers.Text;
using System.Text.Json;
using Portal.Detection.Events;
using Portal.Detection.ThreatIntel;
using Field = Portal.Detection.Intake.ReservedFields.Field;

namespace Portal.Detection.Intake;

/// <summary>
/// An intake object normalised as the JSON reader walks it, without a parsed document, an element per event or a list of
/// its properties: the reserved fields are taken as they are met, and every other value becomes a leaf of the event in
/// the object's order (<see cref="IntakeDraft.AddSent"/>), its path found in the thread's tree of paths. The event is
/// the one the general normalisation of the same object gives (<see cref="IntakeNormalizer.NormalizeSent"/>): same
/// fields, leaves, tree and stored form.
/// </summary>
/// <remarks>
/// Only objects whose leaves can stand for the whole object are read this way: keys plain (not empty, no dot, no escape),
/// none repeated; values strings, booleans, whole numbers written as such (up to 2^53), and non-empty objects; reserved
/// fields of the types shippers send (strings; a status or time may be a whole number); at most
/// <see cref="LeafAttributes.MaxLeaves"/> leaves. Anything else (arrays, nulls, fractions, an unusual reserved field, a
/// string that is not text) makes <see cref="TryRead"/> return null, and the caller normalises that object the general
/// way, which also says what is wrong with it, if anything. A syntax fault throws, as the reader raises it.
/// </remarks>
internal static class StreamedEvents
{
    private const int FieldCount = (int)Field.AtTimestamp + 1;

    /// <summary>This thread's reads, numbered: a path's node remembers the last read that met it (a repeated key).</summary>
    [ThreadStatic]
    private static long t_reads;

    /// <summary>
    /// The event of the object at which <paramref name="reader"/> stands (<see cref="JsonTokenType.StartObject"/>), the
    /// reader left at its end; or null when the object is not one this reader takes (see the remarks), the reader then
    /// anywhere inside it. A syntax fault throws <see cref="JsonException"/> as the reader found it.
    /// </summary>
    public static LogEvent? TryRead(ref Utf8JsonReader reader, DateTimeOffset receivedAt, string? extraTags, ThreatIndicatorSet? threatIntel, UInt128? id)
    {
        var draft = IntakeDraft.ForThread();
        var read = ++t_reads;
        var fields = new Fields();
        bool taken;
        try
        {
            taken = ReadObject(ref reader, AttributePath.PathRoot(), draft, ref fields, new Walk(read, RecurringText.Table()), root: true) && fields.TryApply(draft);
        }
        catch (InvalidOperationException)
        {
            // A string that is not text (an unpaired surrogate escape): the request is refused for it, the general way.
            taken = false;
        }
        if (!taken)
        {
            draft.Abandon();
            return null;
        }
        return IntakeNormalizer.FinishStreamed(draft, receivedAt, extraTags, threatIntel, id);
    }

    /// <summary>
    /// Reads the object at which the reader stands into leaves under <paramref name="node"/>; false when it holds anything
    /// this reader does not take. <paramref name="fields"/> gathers the reserved fields of the <paramref name="root"/>.
    /// </summary>
    private static bool ReadObject(ref Utf8JsonReader reader, AttributePath.PathNode node, IntakeDraft draft, ref Fields fields, Walk walk, bool root)
    {
        var position = 0;
        var empty = true;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            empty = false;
            var key = reader.ValueSpan;
            if (reader.ValueIsEscaped || key.IsEmpty || key.Contains((byte)'.'))
            {
                return false;
            }
            var field = root ? ReservedFields.FieldOf(key) : -1;
            reader.Read();
            if (field is >= 0 and <= (int)Field.Host)
            {
                // Taken out of the attributes: a string, each once.
                if (reader.TokenType != JsonTokenType.String || (fields.Seen & (1 << field)) != 0)
                {
                    return false;
                }
                fields.Seen |= 1 << field;
                fields.Text[field] = field == (int)Field.Message || reader.ValueIsEscaped ? Text(ref reader) : RecurringText.OfUtf8(walk.Texts, reader.ValueSpan);
                continue;
            }
            var child = node.Child(key, position++);
            if (child.Key is null || child.LastRead == walk.Read)
            {
                // A path too long to keep, or met before in this object: without arrays, only a key repeated in its object
                // leads to the same path twice.
                return false;
            }
            child.LastRead = walk.Read;
            if (reader.TokenType == JsonTokenType.StartObject)
            {
                if (field >= 0 || !ReadObject(ref reader, child, draft, ref fields, walk, root: false))
                {
                    return false;
                }
                continue;
            }
            if (!TryLeaf(ref reader, walk.Texts, out var value, out var kind) || draft.SentCount == LeafAttributes.MaxLeaves)
            {
                return false;
            }
            if (field >= 0)
            {
                // A status or a time: an attribute as sent, which also gives the event's status or time (Fields.TryApply).
                if (kind == LeafTree.Kind.Boolean)
                {
                    return false;
                }
                fields.Leaf[field - (int)Field.Status] = (draft.SentCount, value);
                fields.Seen |= 1 << field;
            }
            draft.AddSent(child.Path!, value, kind);
        }
        // An empty object has no leaf to stand for it.
        return !empty;
    }

    /// <summary>What a read carries down the objects it walks: its number (<see cref="t_reads"/>) and the thread's table of recurring values.</summary>
    private readonly record struct Walk(long Read, string?[] Texts);

    /// <summary>The value at which the reader stands as a leaf: false for a null, an array, or a number not written as a whole one.</summary>
    private static bool TryLeaf(ref Utf8JsonReader reader, string?[] texts, out AttributeValue value, out LeafTree.Kind kind)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                (value, kind) = (new AttributeValue(reader.ValueIsEscaped ? Text(ref reader) : RecurringText.OfUtf8(texts, reader.ValueSpan), null), LeafTree.Kind.Text);
                return true;
            case JsonTokenType.True or JsonTokenType.False:
                (value, kind) = (new AttributeValue(reader.TokenType == JsonTokenType.True ? "true" : "false", null), LeafTree.Kind.Boolean);
                return true;
            case JsonTokenType.Number when WholeNumber(reader.ValueSpan) is { } number:
                // The text a parsed number's double gives (AttributeValue.From): the same for every whole number up to 2^53.
                value = new AttributeValue(AttributeValue.FormatNumber(number), number);
                kind = number is >= int.MinValue and <= int.MaxValue ? LeafTree.Kind.Int : LeafTree.Kind.Long;
                return true;
            default:
                (value, kind) = (default, default);
                return false;
        }
    }

    /// <summary>
    /// The string at which the reader stands, as <see cref="Utf8JsonReader.GetString"/> reads it: unescaped into a buffer
    /// the thread keeps (the reader's own way clears a new one for each string), then decoded. An unpaired surrogate escape
    /// throws <see cref="InvalidOperationException"/>, as there.
    /// </summary>
    private static string Text(ref Utf8JsonReader reader)
    {
        var raw = reader.ValueSpan;
        if (!reader.ValueIsEscaped)
        {
            return System.Text.Encoding.UTF8.GetString(raw);
        }
        // Unescaped, a string is never longer than as written.
        var buffer = t_unescaped is { } kept && kept.Length >= raw.Length ? kept : new byte[Math.Max(raw.Length, 4096)];
        if (buffer.Length <= MaxKeptBuffer)
        {
            t_unescaped = buffer;
        }
        var written = reader.CopyString(buffer);
        return System.Text.Encoding.UTF8.GetString(buffer, 0, written);
    }

    /// <summary>The largest buffer a thread keeps for <see cref="Text"/>: a larger one serves its string alone.</summary>
    private const int MaxKeptBuffer = 64 * 1024;

    [ThreadStatic]
    private static byte[]? t_unescaped;

    /// <summary>
    /// A number written as a whole one (digits, a minus sign before them), within 2^53 so that a double holds it exactly;
    /// null for anything else, and for <c>-0</c>, whose double keeps its sign.
    /// </summary>
    private static long? WholeNumber(ReadOnlySpan<byte> json)
    {
        const long ExactInDouble = 1L << 53;
        if (json.Length > 17 || json.IndexOfAny("eE."u8) >= 0 || json.SequenceEqual("-0"u8)
            || !Utf8Parser.TryParse(json, out long number, out var used) || used != json.Length || number is > ExactInDouble or < -ExactInDouble)
        {
            return null;
        }
        return number;
    }

    /// <summary>The reserved fields of an object's root as read, then given to the draft as the general normalisation would.</summary>
    private struct Fields
    {
        /// <summary>Bit n set when <see cref="Field"/> n was met.</summary>
        public int Seen;

        /// <summary>The text of the fields taken out (message to host).</summary>
        public TextFields Text;

        /// <summary>The leaf of each status and time field (status to <c>@timestamp</c>), and where it is among the leaves.</summary>
        public LeafFields Leaf;

        [System.Runtime.CompilerServices.InlineArray((int)Field.Host + 1)]
        public struct TextFields
        {
            private string? _first;
        }

        [System.Runtime.CompilerServices.InlineArray(FieldCount - (int)Field.Status)]
        public struct LeafFields
        {
            private (int Index, AttributeValue Value) _first;
        }

        /// <summary>
        /// Sets the draft's fields as <see cref="ReservedFields.ExtractSent"/> does; false, leaving it to the general way,
        /// when a host field is blank or both are sent (the one not taken then stays an attribute).
        /// </summary>
        public readonly bool TryApply(IntakeDraft draft)
        {
            var hostname = Has(Field.Hostname) ? IntakeFields.Trimmed(Text[(int)Field.Hostname]) : null;
            var host = Has(Field.Host) ? IntakeFields.Trimmed(Text[(int)Field.Host]) : null;
            if ((Has(Field.Hostname) && hostname is null) || (Has(Field.Host) && host is null) || (hostname is not null && host is not null))
            {
                return false;
            }
            draft.Message = IntakeFields.Trimmed(Text[(int)Field.Message]);
            draft.TagText = IntakeFields.Trimmed(Text[(int)Field.Tags]);
            draft.Source = IntakeFields.Trimmed(Text[(int)Field.Source]);
            draft.Service = IntakeFields.Trimmed(Text[(int)Field.Service]);
            draft.Host = hostname ?? host;
            // The first status field with a value gives the status, and stays an attribute (LogStatuses.FromNode).
            for (var field = Field.Status; field <= Field.Severity && draft.Status is null; field++)
            {
                if (Has(field) && Leaf[field - Field.Status].Value is var (text, number))
                {
                    draft.Status = number is { } level
                        ? level is >= 0 and < 8 ? LogStatuses.FromSyslog((int)level) : LogStatuses.Info
                        : string.IsNullOrWhiteSpace(text) ? null : LogStatuses.Map(text);
                }
            }
            // The first time field that reads as a time gives the event's, and is taken out (IntakeTimestamps.TryRead).
            for (var field = Field.Timestamp; field <= Field.AtTimestamp; field++)
            {
                if (Has(field) && Leaf[field - Field.Status] is var (index, (text, number))
                    && (number is { } epoch ? IntakeTimestamps.FromEpoch(epoch) : IntakeTimestamps.FromText(text)) is { } time)
                {
                    draft.Timestamp = time;
                    draft.RemoveSent(index);
                    break;
                }
            }
            return true;
        }

        private readonly bool Has(Field field) => (Seen & (1 << (int)field)) != 0;
    }
}
