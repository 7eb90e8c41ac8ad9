using System.Buffers.Text;
using Portal.Detection.Events;
using Portal.Detection.ThreatIntel;
using Field = Portal.Detection.Intake.ReservedFields.Field;

namespace Portal.Detection.Intake;

/// <summary>
/// An intake object normalised as the intake's cursor walks it (<see cref="JsonCursor"/>), without a parsed document, an
/// element per event or a list of its properties: the reserved fields are taken as they are met, and every other value
/// becomes a leaf of the event in the object's order (<see cref="IntakeDraft.AddSent"/>), its path found in the thread's
/// tree of paths. The event is the one the general normalisation of the same object gives
/// (<see cref="IntakeNormalizer.NormalizeSent"/>): same fields, leaves, tree and stored form.
/// </summary>
/// <remarks>
/// Only objects whose leaves can stand for the whole object are read this way: keys plain (not empty, no dot, no escape),
/// none repeated; values strings, booleans, whole numbers written as such (up to 2^53), and non-empty objects; reserved
/// fields of the types shippers send (strings; a status or time may be a whole number); at most
/// <see cref="LeafAttributes.MaxLeaves"/> leaves. Anything else (arrays, nulls, fractions, an unusual reserved field, a
/// string that is not text) makes <see cref="TryRead(ref JsonCursor, int, DateTimeOffset, RequestFields?, ThreatIndicatorSet?, UInt128?)"/> return null, and the caller normalises that object the general
/// way, which also says what is wrong with it, if anything. An object that is not well formed also makes it return null:
/// the caller's general way then says where the fault is.
/// </remarks>
internal static class StreamedEvents
{
    private const int FieldCount = (int)Field.AtTimestamp + 1;

    /// <summary>
    /// The event of the object at which <paramref name="json"/> stands (on its opening brace, nested at
    /// <paramref name="depth"/>: 1 for a lone object, 2 in an array), the cursor left after its end; or null when the object
    /// is not one this reader takes (see the remarks) or is not well formed, the cursor then anywhere inside it.
    /// </summary>
    public static LogEvent? TryRead(ref JsonCursor json, int depth, DateTimeOffset receivedAt, RequestFields? request, ThreatIndicatorSet? threatIntel, UInt128? id) =>
        TryRead(ref json, IntakeThread.Current, depth, receivedAt, request, threatIntel, id);

    /// <inheritdoc cref="TryRead(ref JsonCursor, int, DateTimeOffset, RequestFields?, ThreatIndicatorSet?, UInt128?)"/>
    /// <remarks><paramref name="thread"/> is the current thread's (<see cref="IntakeThread.Current"/>), which a caller reading many objects reads once.</remarks>
    public static LogEvent? TryRead(ref JsonCursor json, IntakeThread thread, int depth, DateTimeOffset receivedAt, RequestFields? request, ThreatIndicatorSet? threatIntel, UInt128? id)
    {
        var draft = thread.Draft.Emptied();
        var read = ++thread.Reads;
        var fields = new Fields();
        if (!ReadObject(ref json, AttributePath.PathRoot(), draft, ref fields, new Walk(read, thread.Texts), depth) || !fields.TryApply(draft))
        {
            draft.Abandon();
            return null;
        }
        return IntakeNormalizer.FinishStreamed(draft, receivedAt, request, threatIntel, id);
    }

    /// <summary>
    /// Reads the object at which the cursor stands (on its opening brace, nested at <paramref name="depth"/>) into leaves
    /// under <paramref name="node"/>; false when it holds anything this reader does not take, or is not well formed.
    /// <paramref name="fields"/> gathers the reserved fields of the root (<paramref name="node"/> the root of paths).
    /// </summary>
    private static bool ReadObject(ref JsonCursor json, AttributePath.PathNode node, IntakeDraft draft, ref Fields fields, Walk walk, int depth)
    {
        var root = node.Path is null;
        json.At++;
        if (depth > JsonCursor.MaxDepth || json.Peek() == (byte)'}')
        {
            // An empty object has no leaf to stand for it.
            return false;
        }
        var position = 0;
        do
        {
            if (json.Peek() != (byte)'"')
            {
                return false;
            }
            var child = KnownKey(ref json, node, position);
            if (child is null)
            {
                if (!json.String(out var key, out var escaped) || !json.Take((byte)':') || escaped || key.IsEmpty || key.Contains((byte)'.')
                    || (!ShortSpans.IsPrintableAscii(key) && !System.Text.Unicode.Utf8.IsValid(key)))
                {
                    // (Not UTF-8: the general way refuses the body.)
                    return false;
                }
                child = node.Child(key, position);
                if (child.Key is null)
                {
                    // A path too long to keep.
                    return false;
                }
            }
            position++;
            var field = root ? RootField(child) : -1;
            var next = json.Peek();
            if (field is >= 0 and <= (int)Field.Host)
            {
                // Taken out of the attributes: a string, each once.
                if (next != (byte)'"' || (fields.Seen & (1 << field)) != 0
                    || ReadText(ref json, child, walk.Texts, recurring: field != (int)Field.Message, ways: ReservedWays) is not { } text)
                {
                    return false;
                }
                fields.Seen |= 1 << field;
                fields.Text[field] = text;
                continue;
            }
            if (child.LastRead == walk.Read)
            {
                // Met before in this object: without arrays, only a key repeated in its object leads to the same path twice.
                return false;
            }
            child.LastRead = walk.Read;
            if (next == (byte)'{')
            {
                if (field >= 0 || !ReadObject(ref json, child, draft, ref fields, walk, depth + 1))
                {
                    return false;
                }
                continue;
            }
            if (!TryLeaf(ref json, next, child, walk.Texts, out var value, out var kind) || draft.SentCount == LeafAttributes.MaxLeaves)
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
            if (child.Noted == AttributePath.PathNode.UnknownField)
            {
                child.Noted = IntakeDraft.NotedIndexOf(child.Path!);
            }
            draft.AddSent(child.Path!, child.FirstSegment, value, kind, child.Noted);
        }
        while (json.Take((byte)','));
        return json.Take((byte)'}');
    }

    /// <summary>
    /// The child of <paramref name="node"/> whose key stands at the cursor (on its opening quote), known by comparing the
    /// bytes there with the keys last found at <paramref name="position"/>, the cursor left after its colon; null, the
    /// cursor unmoved, when neither is there as its characters alone (the caller then reads the key).
    /// </summary>
    private static AttributePath.PathNode? KnownKey(ref JsonCursor json, AttributePath.PathNode node, int position)
    {
        for (var way = 0; way < 2; way++)
        {
            if (node.KnownAt(position, way) is { KeyBytes: { } key } known && json.TakeKey(key))
            {
                return known;
            }
        }
        return null;
    }

    /// <summary>The reserved field a root key names, or -1; worked out once per key (<see cref="AttributePath.PathNode.RootField"/>).</summary>
    private static int RootField(AttributePath.PathNode child)
    {
        if (child.RootField == AttributePath.PathNode.UnknownField)
        {
            var key = child.Key!;
            child.RootField = key.Length < 64 ? ReservedFields.FieldOf(System.Text.Encoding.UTF8.GetBytes(key)) : -1;
        }
        return child.RootField;
    }

    /// <summary>
    /// The string at which the cursor stands (on its opening quote) at the path of <paramref name="node"/>: one the path
    /// remembers when its bytes are the same (<see cref="AttributePath.PathNode.Remembered"/>), else read, shared with the
    /// values that recur when <paramref name="recurring"/> (<see cref="RecurringText"/>), and then remembered, in one of
    /// the path's <paramref name="ways"/>, when short and written without escapes. Null when the string is not well formed
    /// or not text (an escape of a surrogate, bytes that are not UTF-8).
    /// </summary>
    private static string? ReadText(ref JsonCursor json, AttributePath.PathNode node, RecurringText.Entry[] texts, bool recurring, int ways = 1)
    {
        foreach (var remembered in node.Remembered)
        {
            if (remembered is not null && json.TakeString(remembered.Written))
            {
                node.RememberedHit();
                return remembered.Text;
            }
        }
        if (!json.String(out var raw, out var escaped))
        {
            return null;
        }
        if (escaped || !recurring)
        {
            return Text(raw, escaped);
        }
        if (RecurringText.OfCheckedUtf8(texts, raw) is not { } text)
        {
            return null;
        }
        // A long value seldom recurs, and the thread's tree of paths would keep it; one that is not ASCII (more bytes than
        // characters) is never known by its bytes.
        node.RememberText(text, raw, RecurringText.MaxLength, ways);
        return text;
    }

    /// <summary>
    /// The strings a reserved field's path remembers (<see cref="AttributePath.PathNode.RememberText"/>): a request mixing a
    /// few sources (sshd, web servers, CloudTrail) has their few sources, services, hosts and tags take turns event after
    /// event, where any other path remembers its last string.
    /// </summary>
    private const int ReservedWays = 4;

    /// <summary>What a read carries down the objects it walks: its number (<see cref="IntakeThread.Reads"/>) and the thread's table of recurring values.</summary>
    private readonly record struct Walk(long Read, RecurringText.Entry[] Texts);

    /// <summary>
    /// The value at which the cursor stands (its first byte <paramref name="first"/>) as a leaf at the path of
    /// <paramref name="node"/>: false for a null, an array, a number not written as a whole one, an escape of a surrogate,
    /// bytes that are not UTF-8, or a value not well formed.
    /// </summary>
    private static bool TryLeaf(ref JsonCursor json, byte first, AttributePath.PathNode node, RecurringText.Entry[] texts, out AttributeValue value, out LeafTree.Kind kind)
    {
        (value, kind) = (default, default);
        switch (first)
        {
            case (byte)'"':
                if (ReadText(ref json, node, texts, recurring: true) is not { } text)
                {
                    return false;
                }
                (value, kind) = (new AttributeValue(text, null), LeafTree.Kind.Text);
                return true;
            case (byte)'t' or (byte)'f':
                var truth = first == (byte)'t';
                if (!json.Literal(truth ? "true"u8 : "false"u8))
                {
                    return false;
                }
                (value, kind) = (new AttributeValue(truth ? "true" : "false", null), LeafTree.Kind.Boolean);
                return true;
            case (byte)'-' or (>= (byte)'0' and <= (byte)'9'):
                if (!json.Number(out var written) || WholeNumber(written) is not { } number)
                {
                    return false;
                }
                // The text a parsed number's double gives (AttributeValue.From): the same for every whole number up to 2^53.
                value = new AttributeValue(AttributeValue.FormatNumber(number), number);
                kind = number is >= int.MinValue and <= int.MaxValue ? LeafTree.Kind.Int : LeafTree.Kind.Long;
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// A string's text from its bytes as written (<see cref="JsonCursor.String"/>), as <c>Utf8JsonReader.GetString</c>
    /// reads it: an escaped one decoded into a buffer the thread keeps. Null for an escape of a surrogate, which this
    /// reader leaves to the general way, and for bytes that are not UTF-8, which the general way refuses.
    /// </summary>
    private static string? Text(ReadOnlySpan<byte> raw, bool escaped)
    {
        if (!escaped)
        {
            return Decoded(raw);
        }
        // Decoded, a string is never longer than as written.
        var buffer = t_unescaped is { } kept && kept.Length >= raw.Length ? kept : new byte[Math.Max(raw.Length, 4096)];
        if (buffer.Length <= MaxKeptBuffer)
        {
            t_unescaped = buffer;
        }
        var written = JsonCursor.Unescape(raw, buffer);
        return written < 0 ? null : Decoded(buffer.AsSpan(0, written));
    }

    /// <summary>
    /// UTF-8 as <see cref="System.Text.Encoding.UTF8"/> decodes it; null when it is not UTF-8 (the body is then the general
    /// way's, which refuses it). Log text is nearly always ASCII: told so by one vectorised check and widened, which costs
    /// less than the UTF-8 decoder's own validation and transcoding (sshd lines read about 3 % faster).
    /// </summary>
    private static string? Decoded(ReadOnlySpan<byte> utf8) =>
        System.Text.Ascii.IsValid(utf8) ? System.Text.Encoding.Latin1.GetString(utf8) : RecurringText.StrictUtf8(utf8);

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
