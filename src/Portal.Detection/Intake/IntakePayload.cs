using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Portal.Detection.Events;
using Portal.Detection.ThreatIntel;

namespace Portal.Detection.Intake;

/// <summary>Why a payload was refused: the HTTP status, a title, the detail naming the fault, and where it is.</summary>
public sealed record IntakeError(int Status, string Title, string Detail, IReadOnlyDictionary<string, object?> Extensions);

/// <summary>
/// The intake's parse stage, from the decompressed body to normalised events: Datadog's shape (one object or an
/// array of at most <see cref="MaxEvents"/>), events over <see cref="MaxEventBytes"/> truncated and flagged, and
/// any fault refusing the whole batch with the line, byte or JSON path at fault. The intake acknowledges a request
/// after <see cref="Check"/>, which gives the same answer in one pass of the JSON reader; the indexer then reads the
/// accepted batch (<see cref="ReadAccepted"/>).
/// </summary>
public static class IntakePayload
{
    /// <summary>Datadog's limits.</summary>
    public const int MaxEvents = 1000;

    /// <inheritdoc cref="MaxEvents"/>
    public const int MaxEventBytes = 1024 * 1024;

    /// <summary>Datadog's limit on a request's uncompressed payload.</summary>
    public const int MaxPayloadBytes = 5 * 1024 * 1024;

    /// <summary>
    /// Repeated keys are found as an event is normalised (the streamed reader, <see cref="StreamedEvents"/>, or the leaves or
    /// tree made of a parsed object), which the intake does anyway; the parser's own check cost a quarter of the parse.
    /// </summary>
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = JsonCursor.MaxDepth };

    /// <summary>
    /// Parses and normalises <paramref name="body"/>: Datadog's JSON (one object or an array), or with
    /// <paramref name="lines"/> newline-delimited JSON (one object per line). Exactly one of the results is set.
    /// <paramref name="threatIntel"/> enriches events whose addresses it lists (none by default). The events' ids number
    /// from one seed the body draws, as an accepted batch's do (<see cref="EventIds.New(DateTimeOffset, UInt128)"/>): one draw
    /// of random bits a body rather than one an event.
    /// </summary>
    public static (List<LogEvent>? Events, IntakeError? Error) Read(ReadOnlyMemory<byte> body, DateTimeOffset receivedAt, RequestFields? request, bool lines = false, ThreatIndicatorSet? threatIntel = null) =>
        Read(body, receivedAt, request, lines, threatIntel, EventIds.NewSeed());

    /// <summary>
    /// The events of a batch the intake accepted (<see cref="Check"/> found no fault in it), with the ids its seed gives,
    /// so that reading the batch again (a replay after a crash) gives the same events. Never fails: should an event no
    /// longer normalise (the rules changed since it was accepted), it is kept with its text as the message and the reason
    /// in <c>vigil.intake_error</c>, for nothing acknowledged may be lost.
    /// </summary>
    public static List<LogEvent> ReadAccepted(IntakeBatch batch, ThreatIndicatorSet? threatIntel)
    {
        var (events, _) = Read(batch.Body, batch.ReceivedAt, batch.Request, batch.Lines, threatIntel, batch.IdSeed);
        if (events is not null)
        {
            return events;
        }
        var body = WithoutByteOrderMark(batch.Body);
        var tags = IntakeFields.SplitTags(batch.Request?.Tags).ToList();
        var (items, error, document) = batch.Lines ? Lined(SplitLines(body, limit: int.MaxValue)) : SplitDocument(body);
        using var owner = document;
        if ((error ?? SurrogateFault(body.Span, batch.Lines)) is { } unreadable)
        {
            return [Kept(body.Span, unreadable.Detail, batch, tags, 0)];
        }
        var texts = batch.Lines ? null : ItemRanges(body.Span);
        events = new List<LogEvent>(items!.Count);
        for (var i = 0; i < items.Count; i++)
        {
            var (normalized, fault) = NormalizeItem(items[i], body.Span, batch.Lines, batch.ReceivedAt, batch.Request, threatIntel, batch.IdSeed + (uint)i);
            events.Add(normalized ?? Kept(body.Span[texts?[i] ?? items[i].Bytes], fault!.Detail, batch, tags, i));
        }
        return events;
    }

    /// <summary>Where each event of a document lies (the whole body for a lone object).</summary>
    private static List<Range> ItemRanges(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body, ReaderOptions);
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return [Range.All];
        }
        var ranges = new List<Range>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var start = (int)reader.TokenStartIndex;
            reader.Skip();
            ranges.Add(new Range(start, (int)reader.BytesConsumed));
        }
        return ranges;
    }

    private static LogEvent Kept(ReadOnlySpan<byte> text, string reason, IntakeBatch batch, List<string> tags, int ordinal)
    {
        var message = System.Text.Encoding.UTF8.GetString(text.Length > MaxEventBytes ? text[..MaxEventBytes] : text);
        return new LogEvent
        {
            Id = EventIds.New(batch.ReceivedAt, batch.IdSeed + (uint)ordinal),
            Timestamp = batch.ReceivedAt.ToUniversalTime(),
            Host = batch.Request?.Host,
            Service = batch.Request?.Service,
            Source = batch.Request?.Source,
            Status = LogStatuses.Info,
            Message = message,
            Tags = tags,
            Attributes = new JsonObject { ["vigil"] = new JsonObject { ["intake_error"] = reason } },
        };
    }

    private static (List<LogEvent>? Events, IntakeError? Error) Read(ReadOnlyMemory<byte> body, DateTimeOffset receivedAt, RequestFields? request, bool lines, ThreatIndicatorSet? threatIntel, UInt128? idSeed, bool streamed = true)
    {
        body = WithoutByteOrderMark(body);
        if (streamed && !lines && body.Length <= MaxEventBytes)
        {
            // The streamed reader checks the UTF-8 of each string it decodes (everything else it takes is ASCII), and leaves
            // a body at fault to the general way, which checks the whole body first: a separate pass over every body cost
            // about 2 % of the stage.
            return ReadStreamed(body, receivedAt, request, threatIntel, idSeed);
        }
        if (!System.Text.Unicode.Utf8.IsValid(body.Span))
        {
            return (null, Utf8Fault(body.Span));
        }
        var (items, error, document) = lines ? Lined(SplitLines(body, MaxEvents)) : SplitDocument(body);
        using var owner = document;
        if ((error ?? CountFault(items!.Count, lines) ?? SurrogateFault(body.Span, lines)) is { } fault)
        {
            return (null, fault);
        }
        var events = new List<LogEvent>(items!.Count);
        for (var i = 0; i < items.Count; i++)
        {
            var (normalized, itemFault) = NormalizeItem(items[i], body.Span, lines, receivedAt, request, threatIntel, idSeed + (uint)i);
            if (itemFault is not null)
            {
                return (null, itemFault);
            }
            events.Add(normalized!);
        }
        return (events, null);
    }

    /// <summary>
    /// A JSON document's events with the ids <paramref name="idSeed"/> gives; unless <paramref name="streamed"/>, without the
    /// streamed reader (<see cref="ReadStreamed"/>): every object parsed into one document first, then normalised the
    /// general way. The events and faults are the same; tests compare the two.
    /// </summary>
    internal static (List<LogEvent>? Events, IntakeError? Error) Read(ReadOnlyMemory<byte> body, DateTimeOffset receivedAt, RequestFields? request, ThreatIndicatorSet? threatIntel, UInt128? idSeed, bool streamed) =>
        Read(body, receivedAt, request, lines: false, threatIntel, idSeed, streamed);

    /// <summary>
    /// A JSON document's events (no larger than <see cref="MaxEventBytes"/>, so that none needs fitting) in one pass of a
    /// cursor (<see cref="JsonCursor"/>): each object normalised as the cursor walks it (<see cref="StreamedEvents"/>), or,
    /// when it holds what that reader does not take, parsed alone and normalised the general way. A document the cursor
    /// does not read to its end without fault (its syntax, its number of events, an unpaired surrogate, bytes that are not
    /// UTF-8, an event at fault)
    /// is read again the general way, which says what is wrong and where: the answer is always the general way's. Such a
    /// body is normalised twice (up to its fault, then the general way): faults are rare, and the intake's own bodies
    /// passed its check.
    /// </summary>
    private static (List<LogEvent>? Events, IntakeError? Error) ReadStreamed(ReadOnlyMemory<byte> body, DateTimeOffset receivedAt, RequestFields? request, ThreatIndicatorSet? threatIntel, UInt128? idSeed)
    {
        var events = new List<LogEvent>(Math.Min(MaxEvents, body.Length / 64 + 1));
        return TryReadStreamed(body, events, receivedAt, request, threatIntel, idSeed)
            ? (events, null)
            : Read(body, receivedAt, request, lines: false, threatIntel, idSeed, streamed: false);
    }

    /// <summary>
    /// Reads the document's events into <paramref name="events"/> (<see cref="ReadStreamed"/>); false at the first thing that
    /// makes it a question for the general way.
    /// </summary>
    private static bool TryReadStreamed(ReadOnlyMemory<byte> body, List<LogEvent> events, DateTimeOffset receivedAt, RequestFields? request, ThreatIndicatorSet? threatIntel, UInt128? idSeed)
    {
        var json = new JsonCursor(body.Span);
        var thread = IntakeThread.Current;
        switch (json.Peek())
        {
            case (byte)'[':
                json.At++;
                if (json.Peek() == (byte)']')
                {
                    // No event: a fault.
                    return false;
                }
                var first = json.At;
                if (!ReadBySource(ref json, thread, body, events, receivedAt, request, threatIntel, idSeed))
                {
                    (json.At, var index) = (first, 0);
                    events.Clear();
                    do
                    {
                        if (index == MaxEvents || ReadStreamedItem(ref json, thread, body, index, receivedAt, request, threatIntel, idSeed + (uint)index) is not { } read)
                        {
                            return false;
                        }
                        events.Add(read);
                        index++;
                    }
                    while (json.Take((byte)','));
                }
                if (!json.Take((byte)']'))
                {
                    return false;
                }
                break;
            case (byte)'{':
                if (ReadStreamedItem(ref json, thread, body, -1, receivedAt, request, threatIntel, idSeed) is not { } one)
                {
                    return false;
                }
                events.Add(one);
                break;
            default:
                return false;
        }
        // Every string passed through the cursor (those it knew by their bytes hold no escape): without an escape of a
        // surrogate, none can be an unpaired one.
        return json.Peek() == 0 && json.AtEnd && (!json.MetSurrogateEscape || SurrogateFault(body.Span, lines: false) is null);
    }

    /// <summary>
    /// The events of an array of objects written without whitespace between them (what shippers send), read source by
    /// source: the objects of one kind (<see cref="KindOf"/>: their <c>ddsource</c>) one after another, each event put in
    /// its place. A request whose sources take turns (an agent forwarding several files) otherwise makes each source's
    /// reading and parsing take turns in the processor's caches and branch predictors, which cost about a tenth of the
    /// stage. The objects are found where <c>},{</c> stands, and each read must end where its next one was found, so the
    /// array's objects are exactly those read. False, with the cursor anywhere, when anything is otherwise (a <c>},{</c>
    /// inside a string or a nested array, whitespace or a value other than an object between the objects, an object the
    /// cursor cannot read or at fault, too many objects): the caller reads the array in order.
    /// </summary>
    /// <remarks>
    /// A miss found while reading costs what was read until then, which, kind by kind, may be most of the body, and the
    /// body is then read again in order. So a thread that misses reads its next <see cref="InOrderAfterMiss"/> array bodies
    /// in order, whichever tenants send them: a stream whose events hold arrays of objects (CloudTrail's
    /// <c>resources</c>) would otherwise pay the miss on every request, and pays it on one in 64.
    /// </remarks>
    private static bool ReadBySource(
        ref JsonCursor json, IntakeThread thread, ReadOnlyMemory<byte> body, List<LogEvent> events, DateTimeOffset receivedAt, RequestFields? request, ThreatIndicatorSet? threatIntel, UInt128? idSeed)
    {
        if (t_inOrder > 0)
        {
            t_inOrder--;
            return false;
        }
        var span = body.Span;
        var starts = t_starts ??= new int[MaxEvents];
        var count = 0;
        for (var at = json.At; ; at += 2)
        {
            if (count == MaxEvents || at >= span.Length || span[at] != (byte)'{')
            {
                return false;
            }
            starts[count++] = at;
            var next = span[at..].IndexOf("},{"u8);
            if (next < 0)
            {
                break;
            }
            at += next;
        }
        if (count < 2)
        {
            return false;
        }
        // The first few kinds are read apart, any more with the last.
        var kinds = t_kinds ??= new byte[MaxEvents];
        Span<UInt128> known = stackalloc UInt128[MaxKinds];
        var kindCount = 0;
        for (var i = 0; i < count; i++)
        {
            var key = KindOf(span[starts[i]..(i + 1 < count ? starts[i + 1] : span.Length)]);
            var kind = known[..kindCount].IndexOf(key);
            if (kind < 0)
            {
                kind = kindCount < MaxKinds ? kindCount++ : MaxKinds - 1;
                known[kind] = key;
            }
            kinds[i] = (byte)kind;
        }
        CollectionsMarshal.SetCount(events, count);
        var places = CollectionsMarshal.AsSpan(events);
        var end = 0;
        for (var kind = 0; kind < kindCount; kind++)
        {
            for (var i = 0; i < count; i++)
            {
                if (kinds[i] != kind)
                {
                    continue;
                }
                json.At = starts[i];
                if (ReadStreamedItem(ref json, thread, body, i, receivedAt, request, threatIntel, idSeed + (uint)i) is not { } read
                    || (i + 1 < count && json.At != starts[i + 1] - 1))
                {
                    t_inOrder = InOrderAfterMiss;
                    return false;
                }
                places[i] = read;
                end = i + 1 == count ? json.At : end;
            }
        }
        // After the last object, where the array must close: a comma there is followed by whitespace or a value that is
        // not an object, since no object was found after it.
        json.At = end;
        if (json.Peek() == (byte)',')
        {
            t_inOrder = InOrderAfterMiss;
            return false;
        }
        return true;
    }

    /// <summary>
    /// The kind of the object that <paramref name="item"/> begins with (at its brace, up to where the next object was
    /// found): the first 16 bytes of its <c>ddsource</c> value, wherever the key stands (Datadog's agent writes the
    /// message first, others the source); without one, the first 16 bytes of the object. Only the order of reading
    /// depends on it: a <c>"ddsource":"</c> inside a string only groups the object with others.
    /// </summary>
    internal static UInt128 KindOf(ReadOnlySpan<byte> item)
    {
        var key = "\"ddsource\":\""u8;
        // Most shippers that write it first write it there in every object: compared as two words.
        var source = item.Length > key.Length && MemoryMarshal.Read<ulong>(item[1..]) == MemoryMarshal.Read<ulong>(key)
            && MemoryMarshal.Read<uint>(item[9..]) == MemoryMarshal.Read<uint>(key[8..])
                ? 1
                : item.IndexOf(key);
        var kind = source >= 0 ? item[(source + key.Length)..] : item[1..];
        if (kind.Length >= KindBytes)
        {
            var bytes = Vector128.Create(kind[..KindBytes]);
            if (source >= 0 && Vector128.Equals(bytes, Vector128.Create((byte)'"')).ExtractMostSignificantBits() is var quotes and not 0)
            {
                // The value alone: the bytes after its closing quote are the next key, which varies with the sender.
                bytes &= Vector128.LessThan(Vector128.Create((byte)0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), Vector128.Create((byte)BitOperations.TrailingZeroCount(quotes)));
            }
            var words = bytes.AsUInt64();
            return new UInt128(words.GetElement(1), words.GetElement(0));
        }
        if (source >= 0 && kind.IndexOf((byte)'"') is var end and >= 0)
        {
            kind = kind[..end];
        }
        Span<byte> padded = stackalloc byte[KindBytes];
        kind.CopyTo(padded);
        return MemoryMarshal.Read<UInt128>(padded);
    }

    /// <summary>
    /// For tests: <see cref="ReadBySource(ref JsonCursor, IntakeThread, ReadOnlyMemory{byte}, List{LogEvent}, DateTimeOffset, RequestFields?, ThreatIndicatorSet?, UInt128?)"/>
    /// of a body that is an array: its events, or null when the array is to be read in order (what follows the events, the
    /// array's end, is the caller's to check). <paramref name="first"/> reads it as the thread's first body, forgetting
    /// any miss before it (<see cref="ForgetMisses"/>).
    /// </summary>
    internal static List<LogEvent>? ReadBySource(ReadOnlyMemory<byte> body, DateTimeOffset receivedAt, RequestFields? request, ThreatIndicatorSet? threatIntel, UInt128? idSeed, bool first = true)
    {
        if (first)
        {
            ForgetMisses();
        }
        var json = new JsonCursor(body.Span);
        var events = new List<LogEvent>();
        return json.Take((byte)'[') && ReadBySource(ref json, IntakeThread.Current, body, events, receivedAt, request, threatIntel, idSeed) ? events : null;
    }

    /// <summary>For tests: the thread reads its next array body source by source again, whatever it missed before.</summary>
    internal static void ForgetMisses() => t_inOrder = 0;

    /// <summary>The bytes that tell an object's kind (<see cref="KindOf"/>).</summary>
    private const int KindBytes = 16;

    /// <summary>The kinds of object a body's reading keeps apart (<see cref="ReadBySource(ReadOnlyMemory{byte}, DateTimeOffset, RequestFields?, ThreatIndicatorSet?, UInt128?, bool)"/>).</summary>
    private const int MaxKinds = 8;

    [ThreadStatic]
    private static int[]? t_starts;

    [ThreadStatic]
    private static byte[]? t_kinds;

    /// <summary>Array bodies this thread is still to read in order after a miss (<see cref="InOrderAfterMiss"/>).</summary>
    [ThreadStatic]
    private static int t_inOrder;

    /// <summary>Array bodies a thread reads in order after a miss of its reading by source, which costs up to about two bodies' reading.</summary>
    private const int InOrderAfterMiss = 64;

    /// <summary>
    /// The event of the value at which <paramref name="json"/> stands (the <paramref name="index"/>th of an array, or -1 for
    /// a lone object), the cursor left after it; null when the value is not an object, not well formed, or an event at fault.
    /// </summary>
    private static LogEvent? ReadStreamedItem(
        ref JsonCursor json, IntakeThread thread, ReadOnlyMemory<byte> body, int index, DateTimeOffset receivedAt, RequestFields? request, ThreatIndicatorSet? threatIntel, UInt128? id)
    {
        if (json.Peek() != (byte)'{')
        {
            return null;
        }
        var start = json.At;
        var depth = index < 0 ? 1 : 2;
        LogEvent? streamed;
        try
        {
            streamed = StreamedEvents.TryRead(ref json, thread, depth, receivedAt, request, threatIntel, id);
        }
        catch (Exception e) when (e is IntakeFieldException or ArgumentException or InvalidOperationException or FormatException)
        {
            // The general way says what is wrong, and where.
            streamed = null;
        }
        if (streamed is not null)
        {
            if (!streamed.HasLeafSource)
            {
                // A tree a parser needed, read through as every event's is (NormalizeItem), for readers on other threads.
                AttributePath.ReadAll(streamed.Attributes);
            }
            return streamed;
        }
        json.At = start;
        return json.SkipValue(depth - 1) ? ReadParsedItem(body, start..json.At, index, receivedAt, request, threatIntel, id) : null;
    }

    /// <summary>
    /// <see cref="ReadStreamedItem"/> for an object the streamed reader left (<paramref name="item"/>, where it lies in
    /// <paramref name="body"/>): parsed alone and normalised the general way. A method of its own, seldom called, so that
    /// the streamed reading's frame does not hold (and clear, event after event) this way's locals.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static LogEvent? ReadParsedItem(ReadOnlyMemory<byte> body, Range item, int index, DateTimeOffset receivedAt, RequestFields? request, ThreatIndicatorSet? threatIntel, UInt128? id)
    {
        if (!System.Text.Unicode.Utf8.IsValid(body.Span[item]))
        {
            // The streamed reading does not check a whole body's UTF-8 first: the general way refuses it.
            return null;
        }
        try
        {
            using var document = JsonDocument.Parse(body[item], Options);
            var at = index < 0 ? "$" : null;
            var (normalized, fault) = NormalizeItem(new Item(null, at, Range.All, 0, document.RootElement, Math.Max(index, 0)), body.Span, lines: false, receivedAt, request, threatIntel, id);
            return fault is null ? normalized : null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // What the cursor read and the framework's reader does not, or a key that is not text: the general way says.
            return null;
        }
    }

    /// <summary>Reads the item at which the reader stands (the <paramref name="index"/>th of the array, -1 for a lone object) to its end.</summary>
    private delegate void ItemReader(ref Utf8JsonReader reader, int index);

    /// <summary>
    /// Walks a JSON document of events, one object or an array of values, giving each item to <paramref name="read"/>:
    /// the number of items, or the document's fault (its syntax, as the reader raises it, or a scalar instead of events).
    /// </summary>
    private static (int Count, IntakeError? Error) WalkDocument(ReadOnlySpan<byte> body, ItemReader read)
    {
        var reader = new Utf8JsonReader(body, ReaderOptions);
        var count = 0;
        var scalar = false;
        try
        {
            reader.Read();
            switch (reader.TokenType)
            {
                case JsonTokenType.StartArray:
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        read(ref reader, count++);
                    }
                    break;
                case JsonTokenType.StartObject:
                    read(ref reader, -1);
                    count = 1;
                    break;
                default:
                    scalar = true;
                    reader.Skip();
                    break;
            }
            while (reader.Read())
            {
                // A second value after the first is a syntax fault, which the reader raises here.
            }
        }
        catch (JsonException e)
        {
            return (0, SyntaxFault(e, lineNumber: null));
        }
        return scalar ? (0, NotEvents) : (count, null);
    }

    /// <summary>
    /// Whether the intake may acknowledge <paramref name="body"/>: the number of events in it, or the fault that
    /// <see cref="Read(ReadOnlyMemory{byte}, DateTimeOffset, RequestFields?, bool, ThreatIndicatorSet?)"/> would refuse it with
    /// (given the same arrival time, tags and threat intelligence), the same status, detail and position. One pass of the
    /// JSON reader over the body, without building the events: repeated and escaped keys and reserved fields of an unusual
    /// type mark an event, and only marked events are then normalised to learn whether they are at fault, so that the
    /// rules stay those of the normalisation itself. The parsers never refuse an event (a line they cannot read keeps its
    /// message), so unmarked events need no normalisation.
    /// </summary>
    public static (int Count, IntakeError? Error) Check(
        ReadOnlyMemory<byte> body, bool lines = false, DateTimeOffset? receivedAt = null, RequestFields? request = null, ThreatIndicatorSet? threatIntel = null)
    {
        body = WithoutByteOrderMark(body);
        if (!System.Text.Unicode.Utf8.IsValid(body.Span))
        {
            return (0, Utf8Fault(body.Span));
        }
        var scan = KeyScan.ForThread();
        var (count, odd, error) = lines ? ScanLines(body.Span, scan) : ScanDocument(body.Span, scan);
        if ((error ?? CountFault(count, lines) ?? SurrogateFault(body.Span, lines)) is { } fault)
        {
            return (0, fault);
        }
        foreach (var item in odd ?? [])
        {
            // Not an object, or marked: what the normalisation says of it decides, read as the intake reads it.
            var bytes = body[item.Bytes];
            JsonNode? node = null;
            if (item.Kind == ScannedKind.Marked)
            {
                using var document = JsonDocument.Parse(bytes, Options);
                node = JsonObject.Create(document.RootElement.Clone());
            }
            var at = lines ? $"line {item.Line}" : item.Index < 0 ? "$" : $"$[{item.Index}]";
            var faultScope = lines ? item.Bytes : Range.All;
            var (_, itemFault) = NormalizeItem(new Item(node, at, faultScope, item.Line), body.Span, lines, receivedAt ?? DateTimeOffset.UtcNow, request, threatIntel, null);
            if (itemFault is not null)
            {
                return (0, itemFault);
            }
        }
        return (count, null);
    }

    /// <summary>
    /// The first <c>\uD800</c>-<c>\uDFFF</c> escape without its pair, anywhere in the body: no string can hold it, so the
    /// event is refused with the line and byte of the escape. Read on a body the JSON reader accepted, so every
    /// backslash starts an escape inside a string.
    /// </summary>
    private static IntakeError? SurrogateFault(ReadOnlySpan<byte> body, bool lines)
    {
        if (body.IndexOf("\\u"u8) < 0)
        {
            // No escape of a UTF-16 unit at all (most bodies: only quotes and backslashes are escaped).
            return null;
        }
        var at = 0;
        var pendingHigh = -1;
        while (true)
        {
            var next = body[at..].IndexOf((byte)'\\');
            if (next < 0)
            {
                break;
            }
            at += next;
            if (pendingHigh >= 0 && at != pendingHigh + 6)
            {
                break;
            }
            if (body[at + 1] != 'u')
            {
                if (pendingHigh >= 0)
                {
                    break;
                }
                at += 2;
                continue;
            }
            var unit = int.Parse(body.Slice(at + 2, 4), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture);
            var isHigh = unit is >= 0xD800 and <= 0xDBFF;
            var isLow = unit is >= 0xDC00 and <= 0xDFFF;
            if (pendingHigh >= 0)
            {
                if (!isLow)
                {
                    break;
                }
                pendingHigh = -1;
            }
            else if (isHigh)
            {
                pendingHigh = at;
            }
            else if (isLow)
            {
                return SurrogateAt(body, at, lines);
            }
            at += 6;
        }
        return pendingHigh >= 0 ? SurrogateAt(body, pendingHigh, lines) : null;
    }

    /// <summary>The line and the byte in it (both from 1) of the byte at <paramref name="at"/>, as refusals name a place.</summary>
    private static (int Line, int Byte) LineAndByte(ReadOnlySpan<byte> body, int at)
    {
        var before = body[..at];
        return (before.Count((byte)'\n') + 1, at - (before.LastIndexOf((byte)'\n') + 1) + 1);
    }

    private static IntakeError SurrogateAt(ReadOnlySpan<byte> body, int at, bool lines)
    {
        var (line, column) = LineAndByte(body, at);
        const string Reason = "a string holds an unpaired surrogate escape";
        return Malformed(
            lines ? $"Line {line} is not valid JSON at byte {column}: {Reason}." : $"The payload is not valid JSON at line {line}, byte {column}: {Reason}.",
            line, column);
    }

    private static IntakeError? CountFault(int count, bool lines)
    {
        if (count == 0)
        {
            return Problem(400, "Empty payload", "The payload holds no event: send at least one log event.");
        }
        if (count > MaxEvents)
        {
            var counted = lines ? "More than " + MaxEvents : count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Problem(413, "Too many events", $"{counted} events in one request; the limit is {MaxEvents}.");
        }
        return null;
    }

    /// <summary>One event as the intake refuses it or normalises it: its node, where it is (<c>$[3]</c>, <c>line 4</c>) and its bytes.</summary>
    /// <remarks>
    /// A document's objects come as their parsed JSON (<paramref name="Element"/>), borrowed from the request's document (or,
    /// for an object the streamed reader left, from a document of its own bytes) while it is read: an event that keeps its object (its tree, or the object itself) keeps a copy of its own bytes, so
    /// that an event kept for long (a detection sample) holds a few hundred bytes, not its whole request; one whose fields
    /// are all read out as text (<see cref="IntakeNormalizer.NormalizeTextOnly"/>) needs none. A line's object (newline-delimited
    /// JSON) is parsed into a copy of its own line's bytes, which an event keeps as it is.
    /// </remarks>
    private readonly record struct Item(JsonNode? Node, string? AtText, Range Bytes, long Line, JsonElement? Element = null, int Index = 0)
    {
        /// <summary>Where the event is, for messages: <c>$[3]</c>, <c>$</c>, <c>line 4</c> (made only when needed).</summary>
        public string At => AtText ?? $"$[{Index}]";
    }

    /// <summary>The item's object as a node, made from a copy of its parsed JSON when it came as that.</summary>
    private static JsonObject Node(Item item) => item.Node as JsonObject ?? JsonObject.Create(item.Element!.Value.Clone())!;

    /// <summary><see cref="SplitLines"/>'s items, which own their objects: no document to dispose.</summary>
    private static (List<Item>?, IntakeError?, JsonDocument?) Lined((List<Item>? Items, IntakeError? Error) split) => (split.Items, split.Error, null);

    private static (LogEvent? Event, IntakeError? Error) NormalizeItem(Item item, ReadOnlySpan<byte> body, bool lines, DateTimeOffset receivedAt, RequestFields? request, ThreatIndicatorSet? threatIntel, UInt128? id)
    {
        var at = item.At;
        if (item.Node is not JsonObject && item.Element is null)
        {
            return (null, Problem(400, "Invalid event", $"{at}: expected a JSON object.", ("path", at)));
        }
        try
        {
            JsonObject? raw = null;
            if (body.Length > MaxEventBytes)
            {
                // Fitting reads the event's keys: a repeated one is refused below, as in any other event.
                raw = Node(item);
                Fit(raw);
            }
            if (raw is null && item.Element is { } element && IntakeNormalizer.NormalizeTextOnly(element, receivedAt, request, threatIntel, id) is { } textOnly)
            {
                if (!textOnly.HasLeafSource)
                {
                    AttributePath.ReadAll(textOnly.Attributes);
                }
                return (textOnly, null);
            }
            if (raw is null && item.Element is { } parsed && IntakeNormalizer.NormalizeSent(parsed.Clone(), receivedAt, request, threatIntel, id) is { } sent)
            {
                if (!sent.HasLeafSource)
                {
                    AttributePath.ReadAll(sent.Attributes);
                }
                return (sent, null);
            }
            var normalized = IntakeNormalizer.NormalizeOwned(raw ?? Node(item), receivedAt, request, threatIntel, id);
            // Every node is read once here: the indexer and the detectors then share a fully built tree.
            AttributePath.ReadAll(normalized.Attributes);
            return (normalized, null);
        }
        catch (IntakeFieldException e)
        {
            var path = lines ? $"{at}: $.{e.Field}" : $"{at}.{e.Field}";
            return (null, Problem(400, "Invalid event", $"{path}: {e.Reason}", ("path", path)));
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException)
        {
            // JSON that parses but cannot be read as an event: a key repeated in one object. The event's bytes say
            // where (the first fault in them is this event's).
            if (KeyFault(body[item.Bytes]) is { } fault)
            {
                var detail = lines
                    ? $"Line {item.Line} is not valid JSON at byte {fault.Byte}: {fault.Reason}."
                    : $"The payload is not valid JSON at line {fault.Line}, byte {fault.Byte}: {fault.Reason}.";
                return (null, Malformed(detail, lines ? item.Line : fault.Line, fault.Byte));
            }
            return (null, Problem(400, "Invalid event", $"{at}: {e.Message}", ("path", at)));
        }
    }

    /// <summary>
    /// One JSON document: an object (<c>$</c>) or an array of them (<c>$[i]</c>), as items that borrow their objects from
    /// the document (<see cref="Item"/>), which the caller disposes once they are read.
    /// </summary>
    private static (List<Item>?, IntakeError?, JsonDocument?) SplitDocument(ReadOnlyMemory<byte> body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, Options);
        }
        catch (JsonException e)
        {
            return (null, SyntaxFault(e, lineNumber: null), null);
        }
        var root = document.RootElement;
        switch (root.ValueKind)
        {
            case JsonValueKind.Array:
                var items = new List<Item>(root.GetArrayLength());
                foreach (var item in root.EnumerateArray())
                {
                    items.Add(new Item(null, null, Range.All, 0, item.ValueKind == JsonValueKind.Object ? item : null, items.Count));
                }
                return (items, null, document);
            case JsonValueKind.Object:
                return ([new Item(null, "$", Range.All, 0, root)], null, document);
            default:
                document.Dispose();
                return (null, NotEvents, null);
        }
    }

    /// <summary>
    /// Newline-delimited JSON: one object per line (<c>line n</c>); blank lines are skipped. Beyond <paramref name="limit"/>
    /// events, one more is enough to refuse the request: the rest is not parsed.
    /// </summary>
    private static (List<Item>?, IntakeError?) SplitLines(ReadOnlyMemory<byte> body, int limit)
    {
        var items = new List<Item>();
        foreach (var (start, length, number) in Lines(body.Span))
        {
            if (items.Count == limit)
            {
                items.Add(new Item(null, $"line {number}", Range.All, number));
                break;
            }
            try
            {
                // Read as a document's objects are (an event made from it keeps its leaves), into a copy of the line's own:
                // nothing to dispose, and an event that keeps its object holds that line alone.
                var reader = new Utf8JsonReader(body.Span.Slice(start, length), ReaderOptions);
                var line = JsonElement.ParseValue(ref reader);
                // Anything but blanks after the value is refused as the value's own fault would be.
                _ = reader.Read();
                items.Add(new Item(null, $"line {number}", new Range(start, start + length), number, line.ValueKind == JsonValueKind.Object ? line : null));
            }
            catch (JsonException e)
            {
                return (null, SyntaxFault(e, number));
            }
        }
        return (items, null);
    }

    /// <summary>The non-blank lines of <paramref name="body"/>: where each starts, its length and its number from 1.</summary>
    private static List<(int Start, int Length, long Number)> Lines(ReadOnlySpan<byte> body)
    {
        var lines = new List<(int, int, long)>();
        var offset = 0;
        for (var number = 1L; offset < body.Length; number++)
        {
            var end = body[offset..].IndexOf((byte)'\n');
            var length = end < 0 ? body.Length - offset : end;
            if (!body.Slice(offset, length).Trim(" \t\r"u8).IsEmpty)
            {
                lines.Add((offset, length, number));
            }
            offset += length + 1;
        }
        return lines;
    }

    private static IntakeError SyntaxFault(JsonException e, long? lineNumber)
    {
        var column = (e.BytePositionInLine ?? 0) + 1;
        if (lineNumber is { } number)
        {
            return Malformed($"Line {number} is not valid JSON at byte {column}.", number, column);
        }
        var line = (e.LineNumber ?? 0) + 1;
        return Malformed($"The payload is not valid JSON at line {line}, byte {column}.", line, column);
    }

    private static readonly IntakeError NotEvents = Problem(400, "Invalid payload", "Send one JSON object or an array of JSON objects.");

    /// <summary>What <see cref="Check"/> learnt of an event in its one pass (only events not plain are kept).</summary>
    private enum ScannedKind
    {
        /// <summary>An object with nothing that could refuse it.</summary>
        Plain,

        /// <summary>Not an object: refused.</summary>
        NotObject,

        /// <summary>An object with a repeated or escaped key, or a reserved field of an unusual type: normalised to know.</summary>
        Marked,
    }

    /// <summary>An event found by <see cref="Check"/>: its place in the array (-1 for a lone object) or its line, its bytes and kind.</summary>
    private readonly record struct Scanned(int Index, long Line, Range Bytes, ScannedKind Kind);

    /// <summary>How many events a document holds, those that are not plain in order, or its fault.</summary>
    private static (int Count, List<Scanned>? Odd, IntakeError? Error) ScanDocument(ReadOnlySpan<byte> body, KeyScan scan)
    {
        List<Scanned>? odd = null;
        var (count, error) = WalkDocument(body, (ref Utf8JsonReader reader, int index) =>
        {
            var start = (int)reader.TokenStartIndex;
            var kind = ScannedKind.NotObject;
            if (reader.TokenType == JsonTokenType.StartObject)
            {
                kind = scan.Object(ref reader) ? ScannedKind.Marked : ScannedKind.Plain;
            }
            else
            {
                reader.Skip();
            }
            if (kind != ScannedKind.Plain)
            {
                // A lone object's fault is placed in the whole body.
                (odd ??= []).Add(new Scanned(index, 0, index < 0 ? Range.All : new Range(start, (int)reader.BytesConsumed), kind));
            }
        });
        return error is null ? (count, odd, null) : (0, null, error);
    }

    /// <summary>How many events newline-delimited JSON holds (one more than allowed at most), those not plain in order, or its fault.</summary>
    private static (int Count, List<Scanned>? Odd, IntakeError? Error) ScanLines(ReadOnlySpan<byte> body, KeyScan scan)
    {
        var count = 0;
        List<Scanned>? odd = null;
        foreach (var (start, length, number) in Lines(body))
        {
            if (count == MaxEvents)
            {
                // One more event than allowed is enough to refuse the request: the rest is not read.
                return (count + 1, odd, null);
            }
            var reader = new Utf8JsonReader(body.Slice(start, length), ReaderOptions);
            var kind = ScannedKind.NotObject;
            try
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    kind = scan.Object(ref reader) ? ScannedKind.Marked : ScannedKind.Plain;
                }
                else
                {
                    reader.Skip();
                }
                while (reader.Read())
                {
                }
            }
            catch (JsonException e)
            {
                return (0, null, SyntaxFault(e, number));
            }
            if (kind != ScannedKind.Plain)
            {
                (odd ??= []).Add(new Scanned(count, number, new Range(start, start + length), kind));
            }
            count++;
        }
        return (count, odd, null);
    }

    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = JsonCursor.MaxDepth };

    /// <summary>
    /// Reads one object to its end, telling whether it has anything the normalisation could refuse: a key repeated in
    /// one object (found by hash; a collision only costs a normalisation), an escaped key (which may hide a repeat or an
    /// unpaired surrogate), or tags (<c>ddtags</c>) holding an object, array or boolean. (Other reserved fields of those
    /// types stay attributes: nothing to refuse.)
    /// One per thread: its sets of key hashes, one per depth, are reused.
    /// </summary>
    private sealed class KeyScan
    {
        [ThreadStatic]
        private static KeyScan? t_scan;

        /// <summary>The keys seen in the object open at each depth (only objects use theirs).</summary>
        private readonly List<KeySet> _keys = [];

        public static KeyScan ForThread() => t_scan ??= new KeyScan();

        public bool Object(ref Utf8JsonReader reader)
        {
            var top = reader.CurrentDepth;
            var marked = false;
            var reservedValue = false;
            Fresh(1);
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        var depth = reader.CurrentDepth - top;
                        if (reader.ValueIsEscaped || !_keys[depth].Add(Hash(reader.ValueSpan)))
                        {
                            marked = true;
                        }
                        reservedValue = depth == 1 && IsReserved(reader.ValueSpan);
                        continue;
                    case JsonTokenType.StartObject:
                        Fresh(reader.CurrentDepth - top + 1);
                        marked |= reservedValue;
                        break;
                    case JsonTokenType.StartArray or JsonTokenType.True or JsonTokenType.False:
                        marked |= reservedValue;
                        break;
                    case JsonTokenType.EndObject when reader.CurrentDepth == top:
                        return marked;
                }
                reservedValue = false;
            }
            return marked;
        }

        /// <summary>Empties the set of an object starting at <paramref name="depth"/>.</summary>
        private void Fresh(int depth)
        {
            while (_keys.Count <= depth)
            {
                _keys.Add(new KeySet());
            }
            _keys[depth].Clear();
        }

        /// <summary>A key's hash: eight bytes at a time, mixed. A collision only marks the event for normalisation.</summary>
        private static ulong Hash(ReadOnlySpan<byte> key)
        {
            var hash = 0xCBF29CE484222325UL ^ (ulong)key.Length;
            while (key.Length >= 8)
            {
                hash = Mix(hash ^ System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(key));
                key = key[8..];
            }
            var tail = 0UL;
            for (var i = 0; i < key.Length; i++)
            {
                tail |= (ulong)key[i] << (8 * i);
            }
            return Mix(hash ^ tail);
        }

        private static ulong Mix(ulong value)
        {
            value *= 0x9E3779B97F4A7C15UL;
            return value ^ (value >> 29);
        }

        /// <summary>
        /// Bucket codes for the key hashes, seeded per process (<see cref="HashCode"/>): <see cref="Hash"/> is fixed and its
        /// mixing invertible, so a sender could compute keys whose hashes all fold to one bucket of a plain
        /// <c>HashSet&lt;ulong&gt;</c> and make checking one large object take quadratic time before any answer.
        /// </summary>
        private sealed class SeededHashes : IEqualityComparer<ulong>
        {
            public static readonly SeededHashes Instance = new();

            public bool Equals(ulong x, ulong y) => x == y;

            // Both halves go into the seeded mix: ulong.GetHashCode would fold them to 32 bits first, unseeded, and keys
            // crafted to share that fold would share a bucket whatever the seed.
            public int GetHashCode(ulong value) => HashCode.Combine((uint)value, (uint)(value >> 32));
        }

        /// <summary>Distinct hashes: a short array scanned while the object is small (most are), a hash set beyond.</summary>
        private sealed class KeySet
        {
            private const int Small = 16;
            private readonly ulong[] _small = new ulong[Small];
            private int _count;
            private HashSet<ulong>? _large;

            /// <summary>Adds <paramref name="hash"/>; false when it was there already.</summary>
            public bool Add(ulong hash)
            {
                if (_large is not null)
                {
                    return _large.Add(hash);
                }
                if (_small.AsSpan(0, _count).Contains(hash))
                {
                    return false;
                }
                if (_count < Small)
                {
                    _small[_count++] = hash;
                    return true;
                }
                _large = new HashSet<ulong>(Small * 4, SeededHashes.Instance) { hash };
                _large.UnionWith(_small);
                return true;
            }

            public void Clear()
            {
                _count = 0;
                _large = null;
            }
        }

        /// <summary>
        /// The field whose type the normalisation checks: the tags (another reserved field of another type stays an
        /// attribute, and a timestamp of any type is only read if it can be).
        /// </summary>
        private static bool IsReserved(ReadOnlySpan<byte> key) => ReservedFields.FieldOf(key) == (int)ReservedFields.Field.Tags;
    }

    /// <summary>
    /// Where an object first repeats a key, with line and byte from 1; or null. Building the event's tree refuses it
    /// without saying where; this second read runs only on a refused event.
    /// </summary>
    private static (long Line, long Byte, string Reason)? KeyFault(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = JsonCursor.MaxDepth });
        var keys = new Stack<HashSet<string>>();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        keys.Push(new HashSet<string>(StringComparer.Ordinal));
                        break;
                    case JsonTokenType.EndObject:
                        keys.Pop();
                        break;
                    case JsonTokenType.PropertyName:
                        // Unpaired surrogate escapes were refused before (SurrogateFault): every key reads as text.
                        var key = reader.GetString()!;
                        if (!keys.Peek().Add(key))
                        {
                            var reason = $"an object repeats the key '{key}'";
                            var (line, column) = LineAndByte(json, (int)reader.TokenStartIndex);
                            return (line, column, reason);
                        }
                        break;
                }
            }
        }
        catch (JsonException)
        {
            // Another fault comes first: the parser's own position is the one to give.
        }
        return null;
    }

    private static IntakeError Malformed(string detail, long line, long column) =>
        Problem(400, "Malformed JSON", detail, ("line", line), ("byte", column));

    /// <summary>
    /// Datadog accepts events over 1 MB truncated: the message is cut when that alone makes room; otherwise the other
    /// attributes are dropped, all but the reserved ones, and the message is cut only if the event is still too large. The
    /// event is flagged with <c>vigil.truncated</c>. Sizes are
    /// the event's UTF-8 bytes, as written without escapes: measured with the default escaping, an event of non-ASCII
    /// text (six bytes a character written <c>\u0436</c>) measured up to three times its size and was cut, or emptied,
    /// well under the limit.
    /// </summary>
    private static void Fit(JsonObject raw)
    {
        var size = SizeOf(raw);
        if (size <= MaxEventBytes)
        {
            return;
        }
        var text = raw["message"] is JsonValue message && message.TryGetValue<string>(out var sent) ? sent : null;
        var textBytes = text is null ? 0 : System.Text.Encoding.UTF8.GetByteCount(text);
        // What must go, with a margin for the flag added below.
        var excess = (int)(size - MaxEventBytes) + 1024;
        if (text is not null && textBytes >= excess)
        {
            // The message alone can make room: it is cut, the attributes stay.
            raw["message"] = Prefix(text, textBytes - excess);
        }
        else
        {
            // The excess lies in the attributes: they go, and the message is cut only if the event is still too large.
            // A reserved field sent as an object or an array is an attribute like the others (ReservedFields): it goes too.
            foreach (var name in raw.Where(p => !FitKeeps.Contains(p.Key) || p.Value is JsonObject or JsonArray).Select(p => p.Key).ToList())
            {
                raw.Remove(name);
            }
            var left = SizeOf(raw);
            if (left > MaxEventBytes - 1024)
            {
                // Still too large: the other reserved fields kept as text (a host, a status, a date that is none) are cut to a
                // few kilobytes, which no such value needs, so that the message keeps what is left rather than nothing.
                foreach (var name in raw.Where(p => p.Key != ReservedFields.Message).Select(p => p.Key).ToList())
                {
                    if (raw[name] is JsonValue value && value.TryGetValue<string>(out var kept) && TextSize(kept) > MaxReservedBytes)
                    {
                        raw[name] = Prefix(kept, MaxReservedBytes);
                    }
                }
                left = SizeOf(raw);
            }
            if (text is not null && left > MaxEventBytes - 1024)
            {
                raw["message"] = Prefix(text, Math.Max(0, textBytes - (int)(left - MaxEventBytes) - 1024));
            }
        }
        raw["vigil"] = new JsonObject { ["truncated"] = true, ["original_bytes"] = size };
    }

    /// <summary>The bytes <see cref="Fit"/> leaves a reserved field other than the message when the event is still too large without its attributes.</summary>
    private const int MaxReservedBytes = 8 * 1024;

    /// <summary>
    /// The bytes of <paramref name="node"/> as JSON in UTF-8 with only the escapes JSON requires (quotes, backslashes and
    /// control characters): what a sender's event weighs. The serializer's encoders escape every character beyond the
    /// Basic Multilingual Plane, even the relaxed one, so it is counted here rather than written.
    /// </summary>
    private static long SizeOf(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return 4;
            case JsonObject obj:
                var size = 2L + Math.Max(0, obj.Count - 1);
                for (var i = 0; i < obj.Count; i++)
                {
                    var (key, value) = obj.GetAt(i);
                    size += TextSize(key) + 1 + SizeOf(value);
                }
                return size;
            case JsonArray array:
                var total = 2L + Math.Max(0, array.Count - 1);
                for (var i = 0; i < array.Count; i++)
                {
                    total += SizeOf(array[i]);
                }
                return total;
            default:
                return node.GetValueKind() == JsonValueKind.String ? TextSize(node.GetValue<string>()) : node.ToJsonString().Length;
        }
    }

    /// <summary>The reserved fields, which <see cref="Fit"/> keeps when it drops the other attributes.</summary>
    private static readonly HashSet<string> FitKeeps =
        [ReservedFields.Message, ReservedFields.Source, ReservedFields.Tags, ReservedFields.Service, .. ReservedFields.HostFields, .. ReservedFields.StatusFields, .. ReservedFields.TimestampFields];

    /// <summary>The bytes of <paramref name="text"/> as a JSON string, quotes included (see <see cref="SizeOf"/>).</summary>
    private static long TextSize(string text)
    {
        var size = 2L + System.Text.Encoding.UTF8.GetByteCount(text);
        foreach (var c in text)
        {
            // \" \\ \b \f \n \r \t take two bytes, other control characters six (\u0001).
            size += c is '"' or '\\' or '\b' or '\f' or '\n' or '\r' or '\t' ? 1 : c < 0x20 ? 5 : 0;
        }
        return size;
    }

    /// <summary>The longest start of <paramref name="text"/> of at most <paramref name="bytes"/> UTF-8 bytes, never ending inside a surrogate pair.</summary>
    private static string Prefix(string text, int bytes)
    {
        var length = 0;
        for (var used = 0; length < text.Length; length++)
        {
            var c = text[length];
            used += c < 0x80 ? 1 : c < 0x800 ? 2 : char.IsSurrogate(c) ? 2 : 3;
            if (used > bytes)
            {
                break;
            }
        }
        if (length > 0 && char.IsHighSurrogate(text[length - 1]))
        {
            length--;
        }
        return text[..length];
    }

    /// <summary>
    /// <paramref name="body"/> without a leading UTF-8 byte order mark, which JSON readers may ignore (RFC 8259) and some
    /// Windows shippers write: the reader refused it as the body's first byte.
    /// </summary>
    internal static ReadOnlyMemory<byte> WithoutByteOrderMark(ReadOnlyMemory<byte> body) => body.Span.StartsWith("\uFEFF"u8) ? body[3..] : body;

    /// <summary>The refusal of a body that is not UTF-8, with the line and byte (from 1) of its first bad sequence.</summary>
    private static IntakeError Utf8Fault(ReadOnlySpan<byte> body)
    {
        var at = 0;
        while (at < body.Length && System.Text.Rune.DecodeFromUtf8(body[at..], out _, out var used) == System.Buffers.OperationStatus.Done)
        {
            at += used;
        }
        var (line, column) = LineAndByte(body, at);
        return Problem(400, "Malformed payload", $"The payload is not valid UTF-8 at line {line}, byte {column}.", ("line", line), ("byte", column));
    }

    private static (List<LogEvent>?, IntakeError?) Fail(int status, string title, string detail, params (string Key, object? Value)[] extensions) =>
        (null, Problem(status, title, detail, extensions));

    private static IntakeError Problem(int status, string title, string detail, params (string Key, object? Value)[] extensions) =>
        new(status, title, detail, extensions.ToDictionary(e => e.Key, e => e.Value));
}
