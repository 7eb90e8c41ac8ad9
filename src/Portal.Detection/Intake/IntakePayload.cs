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
/// any fault refusing the whole batch with the line, byte or JSON path at fault.
/// </summary>
public static class IntakePayload
{
    /// <summary>Datadog's limits.</summary>
    public const int MaxEvents = 1000;

    /// <inheritdoc cref="MaxEvents"/>
    public const int MaxEventBytes = 1024 * 1024;

    /// <summary>
    /// Repeated keys are found when an event's tree is built (<see cref="AttributePath.ReadAll"/>), which the intake does
    /// anyway; the parser's own check cost a quarter of the parse.
    /// </summary>
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 64 };

    /// <summary>
    /// Parses and normalises <paramref name="body"/>: Datadog's JSON (one object or an array), or with
    /// <paramref name="lines"/> newline-delimited JSON (one object per line). Exactly one of the results is set.
    /// <paramref name="threatIntel"/> enriches events whose addresses it lists (none by default).
    /// </summary>
    public static (List<LogEvent>? Events, IntakeError? Error) Read(byte[] body, DateTimeOffset receivedAt, string? extraTags, bool lines = false, ThreatIndicatorSet? threatIntel = null)
    {
        if (!System.Text.Unicode.Utf8.IsValid(body))
        {
            return Fail(400, "Malformed payload", "The payload is not valid UTF-8.");
        }
        var (items, error) = lines ? SplitLines(body) : SplitDocument(body);
        if (error is not null)
        {
            return (null, error);
        }
        if (items!.Count == 0)
        {
            return Fail(400, "Empty payload", "The payload holds no event: send at least one log event.");
        }
        if (items.Count > MaxEvents)
        {
            var counted = lines ? "More than " + MaxEvents : items.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Fail(413, "Too many events", $"{counted} events in one request; the limit is {MaxEvents}.");
        }
        var tags = string.IsNullOrEmpty(extraTags) ? null : extraTags;
        var events = new List<LogEvent>(items.Count);
        foreach (var (node, at, bytes, lineNumber) in items)
        {
            if (node is not JsonObject raw)
            {
                return Fail(400, "Invalid event", $"{at}: expected a JSON object.", ("path", at));
            }
            if (body.Length > MaxEventBytes)
            {
                Fit(raw);
            }
            try
            {
                var normalized = IntakeNormalizer.NormalizeOwned(raw, receivedAt, tags, threatIntel);
                // Every node is read once here, on the request's thread: the indexer and the detectors then share
                // a fully built tree.
                AttributePath.ReadAll(normalized.Attributes);
                events.Add(normalized);
            }
            catch (IntakeFieldException e)
            {
                var path = lines ? $"{at}: $.{e.Field}" : $"{at}.{e.Field}";
                return Fail(400, "Invalid event", $"{path}: {e.Reason}", ("path", path));
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException)
            {
                // JSON that parses but cannot be read as an event: a key repeated in one object, or one holding an
                // unpaired surrogate escape. The event's bytes say where (the first fault in them is this event's).
                if (KeyFault(body.AsSpan()[bytes]) is { } fault)
                {
                    var detail = lines
                        ? $"Line {lineNumber} is not valid JSON at byte {fault.Byte}: {fault.Reason}."
                        : $"The payload is not valid JSON at line {fault.Line}, byte {fault.Byte}: {fault.Reason}.";
                    return (null, Malformed(detail, lines ? lineNumber : fault.Line, fault.Byte));
                }
                return Fail(400, "Invalid event", $"{at}: {e.Message}", ("path", at));
            }
        }
        return (events, null);
    }

    /// <summary>
    /// One JSON document: an object (<c>$</c>) or an array of them (<c>$[i]</c>). Each event gets a copy of its own bytes,
    /// so that an event kept for long (a detection sample) holds a few hundred bytes, not its whole request.
    /// </summary>
    private static (List<(JsonNode? Node, string At, Range Bytes, long Line)>?, IntakeError?) SplitDocument(byte[] body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, Options);
        }
        catch (JsonException e)
        {
            var line = (e.LineNumber ?? 0) + 1;
            var column = (e.BytePositionInLine ?? 0) + 1;
            return Failed($"The payload is not valid JSON at line {line}, byte {column}.", line, column);
        }
        using (document)
        {
            var root = document.RootElement;
            switch (root.ValueKind)
            {
                case JsonValueKind.Array:
                    var items = new List<(JsonNode?, string, Range, long)>(root.GetArrayLength());
                    foreach (var item in root.EnumerateArray())
                    {
                        items.Add((item.ValueKind == JsonValueKind.Object ? JsonObject.Create(item.Clone()) : null, $"$[{items.Count}]", Range.All, 0));
                    }
                    return (items, null);
                case JsonValueKind.Object:
                    return ([(JsonObject.Create(root.Clone()), "$", Range.All, 0)], null);
                default:
                    return (null, Problem(400, "Invalid payload", "Send one JSON object or an array of JSON objects."));
            }
        }
    }

    /// <summary>Newline-delimited JSON: one object per line (<c>line n</c>); blank lines are skipped.</summary>
    private static (List<(JsonNode? Node, string At, Range Bytes, long Line)>?, IntakeError?) SplitLines(byte[] body)
    {
        var items = new List<(JsonNode?, string, Range, long)>();
        var rest = body.AsSpan();
        for (var number = 1; rest.Length > 0; number++)
        {
            var start = body.Length - rest.Length;
            var end = rest.IndexOf((byte)'\n');
            var line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? [] : rest[(end + 1)..];
            if (line.Trim(" \t\r"u8).IsEmpty)
            {
                continue;
            }
            if (items.Count == MaxEvents)
            {
                // One more event than allowed is enough to refuse the request: the rest is not parsed.
                items.Add((null, $"line {number}", Range.All, number));
                break;
            }
            try
            {
                items.Add((JsonNode.Parse(line, documentOptions: Options), $"line {number}", new Range(start, start + line.Length), number));
            }
            catch (JsonException e)
            {
                var column = (e.BytePositionInLine ?? 0) + 1;
                return Failed($"Line {number} is not valid JSON at byte {column}.", number, column);
            }
        }
        return (items, null);
    }

    /// <summary>
    /// Where an object first repeats a key, or first has a key that is not text (an escaped unpaired surrogate), with line
    /// and byte from 1; or null. Building the event's tree refuses both without saying where; this second read runs only
    /// on a refused event.
    /// </summary>
    private static (long Line, long Byte, string Reason)? KeyFault(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
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
                        string? reason;
                        try
                        {
                            var key = reader.GetString()!;
                            reason = keys.Peek().Add(key) ? null : $"an object repeats the key '{key}'";
                        }
                        catch (InvalidOperationException)
                        {
                            reason = "a key holds an unpaired surrogate escape";
                        }
                        if (reason is not null)
                        {
                            var before = json[..(int)reader.TokenStartIndex];
                            var lineStart = before.LastIndexOf((byte)'\n') + 1;
                            return (before.Count((byte)'\n') + 1, before.Length - lineStart + 1, reason);
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

    private static (List<(JsonNode?, string, Range, long)>?, IntakeError?) Failed(string detail, long line, long column) =>
        (null, Malformed(detail, line, column));

    private static IntakeError Malformed(string detail, long line, long column) =>
        Problem(400, "Malformed JSON", detail, ("line", line), ("byte", column));

    /// <summary>
    /// Datadog accepts events over 1 MB truncated: the message is cut (then, if still too large, the other
    /// attributes are dropped) and the event is flagged with <c>vigil.truncated</c>.
    /// </summary>
    private static void Fit(JsonObject raw)
    {
        var size = System.Text.Encoding.UTF8.GetByteCount(raw.ToJsonString());
        if (size <= MaxEventBytes)
        {
            return;
        }
        if (raw["message"] is JsonValue message && message.TryGetValue<string>(out var text))
        {
            var keep = Math.Max(0, text.Length - (size - MaxEventBytes) - 1024);
            raw["message"] = text[..keep];
        }
        if (System.Text.Encoding.UTF8.GetByteCount(raw.ToJsonString()) > MaxEventBytes)
        {
            string[] reserved = ["message", "ddsource", "ddtags", "hostname", "host", "service", "status", "timestamp", "date", "@timestamp"];
            foreach (var name in raw.Select(p => p.Key).Where(k => !reserved.Contains(k)).ToList())
            {
                raw.Remove(name);
            }
        }
        raw["vigil"] = new JsonObject { ["truncated"] = true, ["original_bytes"] = size };
    }

    private static (List<LogEvent>?, IntakeError?) Fail(int status, string title, string detail, params (string Key, object? Value)[] extensions) =>
        (null, Problem(status, title, detail, extensions));

    private static IntakeError Problem(int status, string title, string detail, params (string Key, object? Value)[] extensions) =>
        new(status, title, detail, extensions.ToDictionary(e => e.Key, e => e.Value));
}
