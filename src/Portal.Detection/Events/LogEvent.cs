using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Portal.Detection.Events;

/// <summary>
/// One normalised log event, shaped like a Datadog log: reserved attributes as properties,
/// everything else as a nested attribute object addressed with <c>@a.b.c</c> in queries.
/// </summary>
public sealed class LogEvent
{
    /// <summary>Unique id within the tenant (a sortable, time-prefixed string).</summary>
    public required string Id { get; init; }

    /// <summary>When the event happened (normalised to UTC).</summary>
    public DateTimeOffset Timestamp { get; init; }

    /// <summary>Reserved attribute <c>host</c> (Datadog's <c>hostname</c>).</summary>
    public string? Host { get; init; }

    /// <summary>Reserved attribute <c>service</c>.</summary>
    public string? Service { get; init; }

    /// <summary>Reserved attribute <c>source</c> (Datadog's <c>ddsource</c>).</summary>
    public string? Source { get; init; }

    /// <summary>Reserved attribute <c>status</c>, one of Datadog's standard statuses.</summary>
    public string? Status { get; init; }

    /// <summary>The raw or extracted message, searched by free text.</summary>
    public string? Message { get; init; }

    /// <summary>Tags as <c>key:value</c> (or bare <c>value</c>) strings.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>Every other attribute, nested as sent or as parsed.</summary>
    /// <remarks>
    /// An event the intake made from leaves (<see cref="LeafSource"/>: the parsers' attributes, and the sender's object as
    /// parsed or as leaves read from it) builds this tree on first use; indexing, detection and the stored form read the leaves and the object instead
    /// and never need it.
    /// </remarks>
    [JsonIgnore]
    public JsonObject Attributes
    {
        get => _attributes ?? BuildAttributes();
        init => _attributes = value;
    }

    private JsonObject? _attributes;

    private JsonObject BuildAttributes()
    {
        var built = _leafSource.Leaves.Values is not null ? LeafTree.Build(_leafSource) : [];
        // Immutable once built: a thread that loses the race uses the winner's tree.
        return Interlocked.CompareExchange(ref _attributes, built, null) ?? built;
    }

    /// <summary>
    /// The attributes as leaves, when the event was made from them (<see cref="LeafTree"/>): they are its
    /// <see cref="Leaves"/>, and <see cref="Attributes"/> is built from them on first use.
    /// </summary>
    internal LeafAttributes LeafSource
    {
        init => _leafSource = value;
    }

    /// <summary>
    /// Sets <see cref="LeafSource"/> while the event is being made, from where its maker keeps the leaves, without the copies
    /// an initializer's value makes (<c>IntakeDraft.GiveLeaves</c>): only before the event is returned or shared, and only
    /// on an event without attributes yet.
    /// </summary>
    internal void AdoptLeaves(in LeafAttributes leaves)
    {
        System.Diagnostics.Debug.Assert(_attributes is null && _leafSource.Leaves.Values is null, "Leaves are given once, to an event being made.");
        _leafSource = leaves;
    }

    /// <summary>The leaves the event was made from; none (a default value, without leaves) for an event made from a tree.</summary>
    private LeafAttributes _leafSource;

    /// <summary>Whether the event was made from leaves (<see cref="LeafSource"/>): its tree, if ever built, holds only made nodes.</summary>
    internal bool HasLeafSource => _leafSource.Leaves.Values is not null;

    /// <summary>
    /// This event under another id at another time, sharing its attributes as they were made: the tree, or the leaves it was
    /// made from (<see cref="LeafSource"/>). Leaves read from a tree are not shared: the copy reads them again when asked,
    /// as an event freshly normalised would.
    /// </summary>
    public LogEvent WithTime(string id, DateTimeOffset timestamp)
    {
        var copy = new LogEvent
        {
            Id = id, Timestamp = timestamp, Host = Host, Service = Service, Source = Source, Status = Status, Message = Message, Tags = Tags,
        };
        if (_leafSource.Leaves.Values is not null)
        {
            copy._leafSource = _leafSource;
        }
        else
        {
            copy._attributes = Attributes;
        }
        return copy;
    }

    /// <summary>
    /// <see cref="Attributes"/> as stored: written from the leaves when the tree was never built, read as a tree.
    /// </summary>
    [JsonInclude]
    [JsonPropertyName("attributes")]
    [JsonConverter(typeof(StoredAttributesConverter))]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("CodeQuality", "IDE0051", Justification = "Read and written by System.Text.Json.")]
    private StoredAttributes Stored
    {
        get => new(this);
        init => _attributes = value.Tree;
    }

    /// <summary>What the stored form holds of the attributes: the event to write them from, or the tree read.</summary>
    private readonly record struct StoredAttributes(LogEvent? Event, JsonObject? Tree = null);

    private sealed class StoredAttributesConverter : JsonConverter<StoredAttributes>
    {
        public override StoredAttributes Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            new(null, JsonSerializer.Deserialize<JsonObject>(ref reader, options));

        public override void Write(Utf8JsonWriter writer, StoredAttributes value, JsonSerializerOptions options)
        {
            var e = value.Event!;
            if (e._attributes is null && e._leafSource.Leaves.Values is not null)
            {
                LeafTree.Write(writer, e._leafSource);
            }
            else
            {
                JsonSerializer.Serialize(writer, e.Attributes, options);
            }
        }
    }

    /// <summary>
    /// The lower-cased words of <see cref="Message"/>, as free text is searched; computed once, since every free-text term
    /// of every rule tested against the event needs them.
    /// </summary>
    [JsonIgnore]
    public IReadOnlyList<string> MessageWords => _messageWords ??= Query.TextTokens.Tokenize(Message, MessageLower);

    private List<string>? _messageWords;

    /// <summary>
    /// The message lower-cased, where free-text terms are confirmed (and where the detection index looks for their literals
    /// when the message is not ASCII); computed once.
    /// </summary>
    [JsonIgnore]
    public string MessageLower => _messageLower ??= Message?.ToLowerInvariant() ?? "";

    private string? _messageLower;

    /// <summary>Values of an attribute path (<c>network.client.ip</c>); none when the event does not have it.</summary>
    /// <remarks>
    /// A small event's leaves are scanned: comparing a path with a few others, most of another length, costs about what
    /// hashing it does, and detection looks up a dozen paths of most events it meets (the candidates' terms, group-by
    /// fields), for which building an index cost more than all the scans. A larger event's leaves are indexed by path on
    /// the first lookup, so that rules testing many fields find each in one lookup, and a small one's when a path's values
    /// lie apart. Scans, and lookups once the index is built, allocate nothing. An event is immutable once built, so the
    /// index never goes stale.
    /// </remarks>
    public AttributeValues GetAttribute(string path)
    {
        if (_index is null && Leaves is { Count: <= MaxScannedLeaves } leaves && Scan(leaves, path, out var found))
        {
            return found;
        }
        var index = _index ?? IndexLeaves();
        var slot = index.Slots[SlotOf(index.Slots, index.Leaves.Paths, path)];
        return slot.Count == 0 ? default : new AttributeValues(index.Leaves.Values, slot.Start, slot.Count);
    }

    /// <summary>Largest event whose leaves are scanned rather than indexed (sshd and access lines have about ten).</summary>
    private const int MaxScannedLeaves = 16;

    /// <summary>
    /// The values of <paramref name="path"/> found by reading every leaf; false when they are not contiguous (an array of
    /// objects, or a dotted key beside a nested one), which only the index groups.
    /// </summary>
    private static bool Scan(LeafList leaves, string path, out AttributeValues values)
    {
        int first = -1, count = 0;
        var paths = leaves.Paths;
        for (var i = 0; i < paths.Length; i++)
        {
            // Compares references, then lengths, before any text.
            if (!string.Equals(paths[i], path))
            {
                continue;
            }
            if (first < 0)
            {
                first = i;
            }
            else if (i != first + count)
            {
                values = default;
                return false;
            }
            count++;
        }
        values = count == 0 ? default : new AttributeValues(leaves.Values, first, count);
        return true;
    }

    /// <summary>The slot holding <paramref name="path"/>, or the empty one where it would go.</summary>
    /// <remarks>
    /// Slots hold no hash: a probe compares the path with the slot's first leaf's, which a different path of another length
    /// (nearly all of them) fails at once, and a hit compares anyway.
    /// </remarks>
    private static int SlotOf(LeafSlot[] slots, string[] paths, string path)
    {
        var mask = slots.Length - 1;
        var at = PathHash(path) & mask;
        while (slots[at].Count != 0 && paths[slots[at].Start] is var key && !ReferenceEquals(key, path) && key != path)
        {
            at = (at + 1) & mask;
        }
        return at;
    }

    /// <summary>
    /// An open-addressing table of the leaves by path, built once from <see cref="Leaves"/> (the same values a path walk
    /// finds): each used slot holds a path's first leaf and its number of values. Paths repeat for arrays, and for a
    /// dotted key beside a nested one; then the leaves are copied once so that each path's values lie together, in order.
    /// One array of 8 bytes a slot per event, at most half full, without references.
    /// </summary>
    private LeafIndex IndexLeaves()
    {
        var leaves = Leaves;
        var slots = new LeafSlot[Math.Max(8, (int)BitOperations.RoundUpToPowerOf2((uint)leaves.Count * 2))];
        var repeated = false;
        for (var i = 0; i < leaves.Count; i++)
        {
            var at = SlotOf(slots, leaves.Paths, leaves.Paths[i]);
            if (slots[at].Count == 0)
            {
                slots[at] = new LeafSlot(i, 1);
            }
            else
            {
                slots[at].Count++;
                repeated = true;
            }
        }
        if (repeated)
        {
            leaves = Grouped(leaves, slots);
        }
        var index = new LeafIndex(slots, leaves);
        // Immutable once built: a thread that loses the race uses the winner's copy.
        return Interlocked.CompareExchange(ref _index, index, null) ?? index;
    }

    /// <summary>The leaves reordered so each path's values are contiguous, in first-appearance order; <paramref name="slots"/> updated to match.</summary>
    private static LeafList Grouped(LeafList leaves, LeafSlot[] slots)
    {
        // Each slot's path starts at its first leaf: walking the leaves, a path's slot is found through its first leaf.
        var slotOfFirst = new Dictionary<int, int>();
        for (var at = 0; at < slots.Length; at++)
        {
            if (slots[at].Count != 0)
            {
                slotOfFirst[slots[at].Start] = at;
            }
        }
        var firstOf = new Dictionary<string, int>(StringComparer.Ordinal);
        var next = new Dictionary<int, int>();
        var (paths, values) = (new string[leaves.Count], new AttributeValue[leaves.Count]);
        var free = 0;
        for (var i = 0; i < leaves.Count; i++)
        {
            var path = leaves.Paths[i];
            if (!firstOf.TryGetValue(path, out var first))
            {
                firstOf[path] = first = i;
                var at = slotOfFirst[first];
                next[first] = free;
                slots[at].Start = free;
                free += slots[at].Count;
            }
            var to = next[first]++;
            (paths[to], values[to]) = (path, leaves.Values[i]);
        }
        return new LeafList(paths, values);
    }

    /// <summary>
    /// The hash of a path for the leaf table: the runtime's string hash, seeded per process, so that a sender cannot choose
    /// keys that all land in one slot and make indexing an event quadratic.
    /// </summary>
    private static int PathHash(string path) => path.GetHashCode() & int.MaxValue;

    /// <summary>The longest run of occupied slots in the leaf table: what an unsuccessful lookup may probe.</summary>
    internal int LongestProbe()
    {
        var slots = (_index ?? IndexLeaves()).Slots;
        int longest = 0, run = 0;
        // Runs may wrap past the end: two passes find them.
        for (var i = 0; i < slots.Length * 2; i++)
        {
            run = slots[i % slots.Length].Count != 0 ? run + 1 : 0;
            longest = Math.Max(longest, Math.Min(run, slots.Length));
        }
        return longest;
    }

    /// <summary>One path in the leaf table: its first leaf and number of values (0 for an empty slot).</summary>
    private record struct LeafSlot(int Start, int Count);

    private sealed record LeafIndex(LeafSlot[] Slots, LeafList Leaves);

    private LeafIndex? _index;

    /// <summary>
    /// Every leaf attribute with its dotted path (arrays repeat their path): the leaves the event was made from, or those of
    /// its tree, read once. A struct: loops that run for every event enumerate it without an enumerator object.
    /// </summary>
    [JsonIgnore]
    public LeafList Leaves => _leafSource.Leaves.Values is not null ? _leafSource.Leaves : Flattened();

    private LeafList Flattened()
    {
        if (_flattened is { } known)
        {
            return known.Leaves;
        }
        var leaves = AttributePath.FlattenToList(Attributes);
        // Immutable once read: a thread that loses the race uses the winner's.
        return Interlocked.CompareExchange(ref _flattened, new LeafHolder(leaves), null)?.Leaves ?? leaves;
    }

    /// <summary>The leaves of an event made from a tree, once read (a reference, so that it is set in one write).</summary>
    private sealed record LeafHolder(LeafList Leaves);

    private LeafHolder? _flattened;

    /// <summary>Value of a reserved attribute by its query name, or null when unset or not reserved.</summary>
    public string? GetReserved(string name) => name switch
    {
        ReservedAttributes.Host => Host,
        ReservedAttributes.Service => Service,
        ReservedAttributes.Source => Source,
        ReservedAttributes.Status => Status,
        ReservedAttributes.Message => Message,
        _ => null,
    };
}
