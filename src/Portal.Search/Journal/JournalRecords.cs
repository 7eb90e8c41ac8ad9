using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Portal.Detection.Events;
using Portal.Detection.Intake;
using Portal.Detection.ThreatIntel;

namespace Portal.Search.Journal;

/// <summary>
/// What a log journal's records hold. Two kinds:
/// <list type="bullet">
/// <item>normalised events, one <see cref="LogEventJson"/> line each (appended by the store's own callers: demo data,
/// imports); such a record starts with <c>{</c>;</item>
/// <item>an intake request as accepted (<see cref="IntakeBatch"/>), normalised when indexed:
/// <c>[1][flags][received at: UTC ticks, int64][id seed: 16 bytes][events: int32][tags length: int32][tags][body]</c>,
/// and when the request named a source, service or host for its events (flagged), after the tags each of these three
/// as <c>[length: int32][text]</c> (length -1 for none);
/// when it came compressed, the record starts with <c>2</c> and holds the body as it was sent (gzip or zlib, flagged),
/// so the journal writes and syncs a seventh of the bytes. A build that predates compressed records stops at them
/// (they are not events) rather than reading them as a body.</item>
/// </list>
/// </summary>
public static class JournalRecords
{
    private const byte IntakeMarker = 1;
    private const byte CompressedIntakeMarker = 2;
    private const byte LinesFlag = 1;
    private const byte GzipFlag = 2;
    private const byte ZlibFlag = 4;
    private const byte FieldsFlag = 8;
    private const int IntakeHeadSize = 1 + 1 + 8 + 16 + 4 + 4;

    /// <summary>The record of normalised events, and each event's stored form: the record's lines, without copies.</summary>
    public static (ReadOnlyMemory<byte> Payload, ReadOnlyMemory<byte>[] Sources) Events(IReadOnlyList<LogEvent> events) => StoredForms(events);

    /// <summary>What precedes an intake batch's body in its record.</summary>
    public static byte[] IntakeHead(IntakeBatch batch)
    {
        var request = batch.Request;
        var tags = request?.Tags is { } text ? Encoding.UTF8.GetBytes(text) : [];
        string?[] fields = request is { Source: null, Service: null, Host: null } or null ? [] : [request.Source, request.Service, request.Host];
        var fieldBytes = fields.Select(f => f is null ? null : Encoding.UTF8.GetBytes(f)).ToArray();
        var head = new byte[IntakeHeadSize + tags.Length + fieldBytes.Sum(f => 4 + (f?.Length ?? 0))];
        // Decided by the bytes the record will hold (IntakeBody): the body as sent while the batch still has it.
        var encoding = batch.Sent is null ? null : batch.SentEncoding;
        head[0] = encoding is null ? IntakeMarker : CompressedIntakeMarker;
        head[1] = (byte)((batch.Lines ? LinesFlag : 0) | (fields.Length > 0 ? FieldsFlag : 0) | encoding switch
        {
            null => 0,
            "gzip" => GzipFlag,
            "deflate" => ZlibFlag,
            var other => throw new ArgumentException($"Unknown encoding '{other}'", nameof(batch)),
        });
        BinaryPrimitives.WriteInt64LittleEndian(head.AsSpan(2), batch.ReceivedAt.UtcTicks);
        BinaryPrimitives.WriteUInt128LittleEndian(head.AsSpan(10), batch.IdSeed);
        BinaryPrimitives.WriteInt32LittleEndian(head.AsSpan(26), batch.Count);
        BinaryPrimitives.WriteInt32LittleEndian(head.AsSpan(30), tags.Length);
        tags.CopyTo(head, IntakeHeadSize);
        var at = IntakeHeadSize + tags.Length;
        foreach (var field in fieldBytes)
        {
            BinaryPrimitives.WriteInt32LittleEndian(head.AsSpan(at), field?.Length ?? -1);
            field?.CopyTo(head, at + 4);
            at += 4 + (field?.Length ?? 0);
        }
        return head;
    }

    /// <summary>What follows an intake batch's head in its record: the body as sent when it came compressed, else the body.</summary>
    public static ReadOnlyMemory<byte> IntakeBody(IntakeBatch batch) => batch.Sent ?? batch.Body;

    /// <summary>The intake batch of a record (its body decompressed), or null for a record of normalised events.</summary>
    public static IntakeBatch? ReadIntake(byte[] payload)
    {
        if (payload.Length == 0 || payload[0] is not (IntakeMarker or CompressedIntakeMarker))
        {
            return null;
        }
        var span = payload.AsSpan();
        var known = LinesFlag | FieldsFlag | (payload[0] == IntakeMarker ? 0 : GzipFlag | ZlibFlag);
        if ((span[1] & ~known) != 0 || payload[0] == CompressedIntakeMarker && (span[1] & (GzipFlag | ZlibFlag)) is 0 or (GzipFlag | ZlibFlag))
        {
            throw new InvalidDataException($"Intake record {payload[0]} with unknown flags {span[1]:x2}: written by another build?");
        }
        var tagsLength = BinaryPrimitives.ReadInt32LittleEndian(span[30..]);
        var tags = tagsLength == 0 ? null : Encoding.UTF8.GetString(span.Slice(IntakeHeadSize, tagsLength));
        var at = IntakeHeadSize + tagsLength;
        var fields = new string?[3];
        for (var i = 0; (span[1] & FieldsFlag) != 0 && i < fields.Length; i++)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(span[at..]);
            fields[i] = length < 0 ? null : Encoding.UTF8.GetString(span.Slice(at + 4, length));
            at += 4 + Math.Max(length, 0);
        }
        ReadOnlyMemory<byte> body = payload.AsMemory(at);
        if (payload[0] == CompressedIntakeMarker)
        {
            body = Inflate(payload, at, (span[1] & GzipFlag) != 0);
        }
        return new IntakeBatch(
            body,
            BinaryPrimitives.ReadInt32LittleEndian(span[26..]),
            new DateTimeOffset(BinaryPrimitives.ReadInt64LittleEndian(span[2..]), TimeSpan.Zero),
            RequestFields.Of(tags, fields[0], fields[1], fields[2]),
            (span[1] & LinesFlag) != 0,
            BinaryPrimitives.ReadUInt128LittleEndian(span[10..]));
    }

    private static ReadOnlyMemory<byte> Inflate(byte[] payload, int offset, bool gzip)
    {
        using var sent = new MemoryStream(payload, offset, payload.Length - offset, writable: false);
        using Stream inflating = gzip ? new GZipStream(sent, CompressionMode.Decompress) : new ZLibStream(sent, CompressionMode.Decompress);
        // The intake refused bodies beyond its limit, so a record never inflates to more.
        using var body = new MemoryStream((int)Math.Min((payload.Length - offset) * 8L, IntakePayload.MaxPayloadBytes));
        inflating.CopyTo(body);
        return body.GetBuffer().AsMemory(0, (int)body.Length);
    }

    /// <summary>The events of a record of either kind, each with its stored form.</summary>
    public static (IReadOnlyList<LogEvent> Events, ReadOnlyMemory<byte>[] Sources) Read(byte[] payload, ThreatIndicatorSet? threatIntel)
    {
        if (ReadIntake(payload) is { } batch)
        {
            return Normalize(batch, threatIntel);
        }
        var sources = new List<ReadOnlyMemory<byte>>();
        for (var start = 0; start < payload.Length;)
        {
            var end = Array.IndexOf(payload, (byte)'\n', start);
            end = end < 0 ? payload.Length : end;
            if (end > start)
            {
                sources.Add(payload.AsMemory(start, end - start));
            }
            start = end + 1;
        }
        return (sources.Select(s => LogEventJson.Deserialize(s.Span)).ToList(), [.. sources]);
    }

    /// <summary>An intake batch's events, normalised, each with its stored form.</summary>
    public static (IReadOnlyList<LogEvent> Events, ReadOnlyMemory<byte>[] Sources) Normalize(IntakeBatch batch, ThreatIndicatorSet? threatIntel)
    {
        var events = batch.Normalize(threatIntel);
        return (events, StoredForms(events).Sources);
    }

    /// <summary>
    /// Each event's stored form (<see cref="LogEventJson"/>) as the index keeps it, UTF-8, one a line of one buffer: a
    /// batch's forms are one object for the collector to trace while they wait to be indexed, and none is transcoded.
    /// </summary>
    private static (ReadOnlyMemory<byte> Lines, ReadOnlyMemory<byte>[] Sources) StoredForms(IReadOnlyList<LogEvent> events)
    {
        var output = new ArrayBufferWriter<byte>(Math.Max(1_024, events.Count * 1_024));
        var ends = new int[events.Count];
        using (var writer = new Utf8JsonWriter(output, new JsonWriterOptions { MaxDepth = LogEventJson.MaxDepth }))
        {
            for (var i = 0; i < events.Count; i++)
            {
                LogEventJson.Serialize(writer, events[i]);
                writer.Flush();
                ends[i] = output.WrittenCount;
                output.Write("\n"u8);
                writer.Reset(output);
            }
        }
        var lines = output.WrittenMemory;
        var sources = new ReadOnlyMemory<byte>[events.Count];
        for (int i = 0, start = 0; i < events.Count; start = ends[i] + 1, i++)
        {
            sources[i] = lines[start..ends[i]];
        }
        return (lines, sources);
    }
}
