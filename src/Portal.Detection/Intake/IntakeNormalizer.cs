using System.Text.Json;
using System.Text.Json.Nodes;
using Portal.Detection.Events;
using Portal.Detection.Intake.Parsers;
using Portal.Detection.ThreatIntel;

namespace Portal.Detection.Intake;

/// <summary>
/// Turns one object of Datadog's log intake (<c>message</c>, <c>ddsource</c>, <c>ddtags</c>,
/// <c>hostname</c>, <c>service</c>, <c>status</c>, <c>timestamp</c> and free attributes) into a
/// <see cref="LogEvent"/>, then lets the parser of its source add attributes from the message.
/// </summary>
public static class IntakeNormalizer
{
    /// <summary>Attribute set on events whose own timestamp was replaced by the time of arrival.</summary>
    public const string TimestampAdjustedAttribute = "vigil.timestamp_adjusted";

    /// <summary>Attribute set on events whose message its parser could not read to the end (what went wrong).</summary>
    public const string ParseErrorAttribute = "vigil.parse_error";

    /// <summary>Attribute keeping the timestamp an adjusted event was sent with (ISO 8601).</summary>
    public const string OriginalTimestampAttribute = "vigil.original_timestamp";

    private static readonly Dictionary<string, Action<IntakeDraft>> Parsers = new(StringComparer.OrdinalIgnoreCase)
    {
        ["sshd"] = SshdParser.Parse,
        ["syslog"] = SshdParser.ParseSyslog,
        ["apache"] = AccessLogParser.Parse,
        ["nginx"] = AccessLogParser.Parse,
        ["httpd"] = AccessLogParser.Parse,
        ["webserver"] = AccessLogParser.Parse,
        ["access"] = AccessLogParser.Parse,
        ["cloudtrail"] = CloudTrailParser.Parse,
    };

    /// <summary>
    /// Normalises <paramref name="raw"/> (left unchanged). <paramref name="request"/> is what the request says of all its
    /// events: its own <c>ddtags</c>, added to every event, and the source, service and host of events without. With <paramref name="threatIntel"/>, an event
    /// whose addresses are listed gets <c>threat_intel</c> results (<see cref="ThreatIntelEnrichment"/>).
    /// </summary>
    /// <exception cref="IntakeFieldException">A reserved field has a type that cannot be converted.</exception>
    public static LogEvent Normalize(JsonObject raw, DateTimeOffset receivedAt, RequestFields? request = null, ThreatIndicatorSet? threatIntel = null) =>
        Normalize(raw, receivedAt, request, recorded: false, threatIntel);

    /// <summary>
    /// <see cref="Normalize(JsonObject, DateTimeOffset, RequestFields?, ThreatIndicatorSet?)"/> for the intake, which parsed
    /// <paramref name="raw"/> for this call alone: the event takes <paramref name="raw"/>'s nodes instead of copies.
    /// </summary>
    /// <paramref name="id"/>, when given, draws the event's id (<see cref="EventIds.New(DateTimeOffset, UInt128)"/>).
    internal static LogEvent NormalizeOwned(JsonObject raw, DateTimeOffset receivedAt, RequestFields? request, ThreatIndicatorSet? threatIntel, UInt128? id = null) =>
        Normalize(raw, receivedAt, request, recorded: false, threatIntel, owned: true, drawn: id);

    /// <summary>
    /// Normalises a recorded log replayed from a file (<c>vigil detect</c>, rule tests, backtests): the event keeps its own
    /// time however old, <paramref name="timeWhenMissing"/> stands in when it has none, and the event keeps its own id
    /// when it carries one (CloudTrail's <c>eventID</c>, Okta's <c>uuid</c>, Google Cloud's <c>insertId</c>, an <c>id</c>).
    /// </summary>
    /// <exception cref="IntakeFieldException">A reserved field has a type that cannot be converted.</exception>
    public static LogEvent NormalizeRecorded(JsonObject raw, DateTimeOffset timeWhenMissing, RequestFields? request = null) =>
        Normalize(raw, timeWhenMissing, request, recorded: true, threatIntel: null);

    /// <summary>
    /// <see cref="NormalizeOwned"/> for an object that holds only reserved fields, all strings (what log shippers send:
    /// <c>message</c>, <c>ddsource</c>, <c>ddtags</c>, <c>service</c>, <c>hostname</c>), read from the parsed JSON without
    /// building the object, which would be emptied of them anyway (<see cref="ReservedFields.TryExtractTextOnly"/>); null for
    /// any other object, which the caller then normalises the general way (<see cref="NormalizeOwned"/>).
    /// </summary>
    internal static LogEvent? NormalizeTextOnly(JsonElement item, DateTimeOffset receivedAt, RequestFields? request, ThreatIndicatorSet? threatIntel, UInt128? id)
    {
        var draft = new IntakeDraft();
        return ReservedFields.TryExtractTextOnly(item, draft)
            ? Finish(draft, recordedId: null, receivedAt, request, recorded: false, threatIntel, id)
            : null;
    }

    /// <summary>
    /// <see cref="NormalizeOwned"/> for the intake's parsed object <paramref name="item"/>, read without making its tree
    /// (<see cref="ReservedFields.ExtractSent"/>): the event keeps the object as parsed and its leaves, and builds the tree
    /// only if asked. Null when a key of the object would be read otherwise by the tree (<see cref="AttributePath.FlattenSent"/>):
    /// the caller then normalises the general way.
    /// </summary>
    /// <exception cref="IntakeFieldException">A reserved field has a type that cannot be converted.</exception>
    internal static LogEvent? NormalizeSent(JsonElement item, DateTimeOffset receivedAt, RequestFields? request, ThreatIndicatorSet? threatIntel, UInt128? id)
    {
        var draft = new IntakeDraft();
        if (draft.ReadSent(item) is not { } roots)
        {
            return null;
        }
        ReservedFields.ExtractSent(item, draft, roots);
        return Finish(draft, recordedId: null, receivedAt, request, recorded: false, threatIntel, id);
    }

    /// <summary>
    /// <see cref="NormalizeRecorded(JsonObject, DateTimeOffset, RequestFields?)"/> for a record read as parsed JSON (<c>vigil detect</c>'s files), without making its
    /// tree, as the intake reads a sender's object (<see cref="NormalizeSent"/>): the event keeps <paramref name="record"/>
    /// (which must outlive it) and its leaves. <paramref name="sourceWhenMissing"/> is the <c>ddsource</c> of a record that
    /// has none. Null when a key of the record would be read otherwise by the tree: the caller then normalises its tree.
    /// </summary>
    /// <exception cref="IntakeFieldException">A reserved field has a type that cannot be converted.</exception>
    internal static LogEvent? NormalizeRecorded(JsonElement record, DateTimeOffset timeWhenMissing, string? sourceWhenMissing)
    {
        var draft = new IntakeDraft();
        if (draft.ReadSent(record) is not { } roots)
        {
            return null;
        }
        ReservedFields.ExtractSent(record, draft, roots);
        if (sourceWhenMissing is not null && !record.TryGetProperty(ReservedFields.Source, out _))
        {
            draft.Source = sourceWhenMissing;
        }
        return Finish(draft, RecordedId(record), timeWhenMissing, request: null, recorded: true, threatIntel: null, drawn: null);
    }

    /// <summary>
    /// The rest of normalisation for a draft whose reserved fields and sender's leaves a reader filled (<see cref="StreamedEvents"/>),
    /// as for an object of the intake (<see cref="NormalizeSent"/>).
    /// </summary>
    internal static LogEvent FinishStreamed(IntakeDraft draft, DateTimeOffset receivedAt, RequestFields? request, ThreatIndicatorSet? threatIntel, UInt128? id) =>
        Finish(draft, recordedId: null, receivedAt, request, recorded: false, threatIntel, id);

    /// <summary>Attributes that name a recorded event, in order of preference.</summary>
    private static readonly string[] RecordedIdFields = ["eventID", "uuid", "insertId", "_document_id", "id"];

    private static LogEvent Normalize(JsonObject raw, DateTimeOffset receivedAt, RequestFields? request, bool recorded, ThreatIndicatorSet? threatIntel, bool owned = false, UInt128? drawn = null)
    {
        var draft = new IntakeDraft();
        ReservedFields.Extract(raw, draft, strict: true, owned: owned && raw.Parent is null);
        return Finish(draft, recorded ? RecordedId(raw) : null, receivedAt, request, recorded, threatIntel, drawn);
    }

    /// <summary>A recorded event's own id: the first of <see cref="RecordedIdFields"/> that is a non-empty string or a number.</summary>
    private static string? RecordedId(JsonObject raw) =>
        RecordedIdFields.Select(f => raw[f] is JsonValue v && v.GetValueKind() is JsonValueKind.String or JsonValueKind.Number ? v.ToString() : null).FirstOrDefault(v => !string.IsNullOrEmpty(v));

    /// <inheritdoc cref="RecordedId(JsonObject)"/>
    private static string? RecordedId(JsonElement record)
    {
        foreach (var field in RecordedIdFields)
        {
            if (record.TryGetProperty(field, out var value)
                && (value.ValueKind == JsonValueKind.String ? value.GetString() : value.ValueKind == JsonValueKind.Number ? value.GetRawText() : null) is { Length: > 0 } id)
            {
                return id;
            }
        }
        return null;
    }

    /// <summary>
    /// The rest of normalisation once the reserved fields are in the draft: the request's fields (its tags, and the source,
    /// service and host of an event that names none), the parser of the source,
    /// threat intelligence, the time and the id (<paramref name="recordedId"/>, a recorded event's own, or one drawn).
    /// </summary>
    private static LogEvent Finish(IntakeDraft draft, string? recordedId, DateTimeOffset receivedAt, RequestFields? request, bool recorded, ThreatIndicatorSet? threatIntel, UInt128? drawn)
    {
        try
        {
            // The request's source chooses the parser of an event without one, and its fields are taken after the parser's:
            // what the event itself says (a JSON message's service, a syslog line's host) comes first.
            if (ParserOf(draft.Thread, draft.Source ?? request?.Source) is { } parse)
            {
                parse(draft);
            }
            else
            {
                JsonMessageParser.Parse(draft);
            }
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            // A parser never refuses an event (the intake acknowledged it before parsing): the line keeps its message.
            AttributePath.Set(draft.Attributes, ParseErrorAttribute, JsonValue.Create(e.GetType().Name));
        }
        if (request is not null)
        {
            draft.Source ??= request.Source;
            draft.Service ??= request.Service;
            draft.Host ??= request.Host;
        }
        if (threatIntel is not null)
        {
            // After the parsers, which find the client address in sshd and access-log messages.
            Enrich(draft, threatIntel);
        }

        var timestamp = recorded && draft.Timestamp is { } own ? own.ToUniversalTime() : ResolveTimestamp(draft, receivedAt.ToUniversalTime());
        var id = recordedId;
        id ??= drawn is { } bits ? EventIds.New(timestamp, bits) : EventIds.New(timestamp);
        IReadOnlyList<string> tags;
        if (draft.HasTagList)
        {
            IntakeFields.AddTags(draft.Tags, request?.Tags);
            tags = WithoutRepeats(draft.Tags);
        }
        else
        {
            tags = TagsOf(draft.Thread, draft.TagText, request?.Tags);
        }
        var status = draft.Status ?? LogStatuses.Info;
        if (draft.HoldsTree)
        {
            return new LogEvent
            {
                Id = id, Timestamp = timestamp, Host = draft.Host, Service = draft.Service, Source = draft.Source, Status = status,
                Message = draft.Message, Tags = tags, Attributes = draft.Attributes,
            };
        }
        var made = new LogEvent
        {
            Id = id, Timestamp = timestamp, Host = draft.Host, Service = draft.Service, Source = draft.Source, Status = status,
            Message = draft.Message, Tags = tags,
        };
        draft.GiveLeaves(made);
        return made;
    }

    /// <summary>The parser of <paramref name="source"/>, if it has one: <paramref name="thread"/>'s last few sources are known by reference.</summary>
    /// <remarks>
    /// An event's source is nearly always a string the thread made before (<see cref="RecurringText"/>): comparing references
    /// spares hashing it without regard to case, event after event.
    /// </remarks>
    private static Action<IntakeDraft>? ParserOf(IntakeThread thread, string? source)
    {
        if (source is null)
        {
            return null;
        }
        var known = thread.Parsers ??= new (string?, Action<IntakeDraft>?)[KnownSources];
        var slot = source.Length == 0 ? 0 : (source.Length + source[0]) & (KnownSources - 1);
        if (ReferenceEquals(known[slot].Source, source))
        {
            return known[slot].Parser;
        }
        var parser = Parsers.GetValueOrDefault(source);
        known[slot] = (source, parser);
        return parser;
    }

    private const int KnownSources = 8;

    /// <summary>
    /// Threat intelligence for the draft's addresses, read from its leaves when it has no tree: only a match needs one. (A
    /// method of its own, so that the lambdas' closure is made only for events that are enriched.)
    /// </summary>
    private static void Enrich(IntakeDraft draft, ThreatIndicatorSet threatIntel) =>
        ThreatIntelEnrichment.Enrich(draft.Values, () => draft.Attributes, threatIntel);

    /// <summary>
    /// The tags of an event sent with the tag text <paramref name="sent"/> in a request tagged <paramref name="extra"/>:
    /// both split, lower-cased and without repeats, as for tags sent as a list. The same texts come with event after event:
    /// their tags are made once by <paramref name="thread"/> while they recur, and the events share them (nothing changes an
    /// event's tags).
    /// </summary>
    private static IReadOnlyList<string> TagsOf(IntakeThread thread, string? sent, string? extra)
    {
        if (sent is null && extra is null)
        {
            return [];
        }
        var lists = thread.TagLists ??= new (string?, string?, string[]?)[TagListSlots];
        ref var slot = ref lists[((sent?.Length ?? 0) * 31 + (extra?.Length ?? 0)) & (TagListSlots - 1)];
        if (slot.Tags is { } known && string.Equals(slot.Sent, sent) && string.Equals(slot.Extra, extra))
        {
            return known;
        }
        var split = new List<string>();
        IntakeFields.AddTags(split, sent);
        IntakeFields.AddTags(split, extra);
        var tags = WithoutRepeats(split).ToArray();
        slot = (sent, extra, tags);
        return tags;
    }

    private const int TagListSlots = 16;

    /// <summary>The tags without repeats, in order: a few compared pairwise, many through a set.</summary>
    private static List<string> WithoutRepeats(List<string> tags)
    {
        if (tags.Count > 16)
        {
            return tags.Distinct(StringComparer.Ordinal).ToList();
        }
        var distinct = new List<string>(tags.Count);
        foreach (var tag in tags)
        {
            if (!distinct.Contains(tag))
            {
                distinct.Add(tag);
            }
        }
        return distinct;
    }

    /// <summary>
    /// Datadog keeps an event's own time only within 18 hours before (and a little after) arrival;
    /// outside that the arrival time is used and the event is flagged, so that late batches still
    /// reach the detection windows instead of vanishing into the past.
    /// </summary>
    private static DateTimeOffset ResolveTimestamp(IntakeDraft draft, DateTimeOffset receivedAt)
    {
        if (draft.Timestamp is not { } sent)
        {
            return receivedAt;
        }
        if (receivedAt - sent <= IntakeTimestamps.MaxAge && sent - receivedAt <= IntakeTimestamps.MaxSkew)
        {
            return sent.ToUniversalTime();
        }
        AttributePath.Set(draft.Attributes, TimestampAdjustedAttribute, JsonValue.Create(true));
        AttributePath.Set(draft.Attributes, OriginalTimestampAttribute, JsonValue.Create(sent.UtcDateTime.ToString("O")));
        return receivedAt;
    }
}
