using System.Numerics;
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
    public JsonObject Attributes { get; init; } = [];

    /// <summary>
    /// The lower-cased words of <see cref="Message"/>, as free text is searched; computed once, since every free-text term
    /// of every rule tested against the event needs them.
    /// </summary>
    [JsonIgnore]
    public IReadOnlyList<string> MessageWords => _messageWords ??= Query.TextTokens.Tokenize(Message, MessageLower);

    private List<string>? _messageWords;

    /// <summary>The message lower-cased, where the detection index looks for the literals of free-text terms; computed once.</summary>
    [JsonIgnore]
    public string MessageLower => _messageLower ??= Message?.ToLowerInvariant() ?? "";

    private string? _messageLower;

    /// <summary>Values of an attribute path (<c>network.client.ip</c>); none when the event does not have it.</summary>
    /// <remarks>
    /// The first call indexes every leaf by its path, so that rules testing many fields of the event find each in one
    /// lookup; a lookup allocates nothing. An event is immutable once built, so the index never goes stale.
    /// </remarks>
    public AttributeValues GetAttribute(string path)
    {
        var index = _index ?? IndexLeaves();
        var slots = index.Slots;
        var mask = slots.Length - 1;
        for (var at = PathHash(path) & mask; slots[at] != 0; at = (at + 1) & mask)
        {
            var start = (int)(slots[at] >> 32) - 1;
            var key = index.Leaves[start].Key;
            if (ReferenceEquals(key, path) || key == path)
            {
                return new AttributeValues(index.Leaves, start, (int)slots[at]);
            }
        }
        return default;
    }

    /// <summary>
    /// An open-addressing table of the leaves by path, built once from <see cref="Leaves"/> (the same values a path walk
    /// finds): each used slot holds a path's first leaf (plus one, so 0 is empty) and its number of values,
    /// (start + 1) &lt;&lt; 32 | count. Paths repeat only for arrays; then the leaves are copied once so that each path's
    /// values lie together, in order. One array per event, at most half full.
    /// </summary>
    private LeafIndex IndexLeaves()
    {
        var leaves = _leaves ??= AttributePath.FlattenToArray(Attributes);
        var slots = new long[Math.Max(8, (int)BitOperations.RoundUpToPowerOf2((uint)leaves.Length * 2))];
        var mask = slots.Length - 1;
        var repeated = false;
        for (var i = 0; i < leaves.Length; i++)
        {
            var path = leaves[i].Key;
            var at = PathHash(path) & mask;
            while (slots[at] != 0 && leaves[(int)(slots[at] >> 32) - 1].Key is var key && !ReferenceEquals(key, path) && key != path)
            {
                at = (at + 1) & mask;
            }
            if (slots[at] == 0)
            {
                slots[at] = ((long)(i + 1) << 32) | 1;
            }
            else
            {
                slots[at]++;
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
    private static KeyValuePair<string, AttributeValue>[] Grouped(KeyValuePair<string, AttributeValue>[] leaves, long[] slots)
    {
        // A path's slot is found by its first leaf: leaf i's slot is the one whose start is i's path's first leaf.
        var firstOf = new int[leaves.Length];
        var slotOfFirst = new Dictionary<int, int>();
        for (var at = 0; at < slots.Length; at++)
        {
            if (slots[at] != 0)
            {
                slotOfFirst[(int)(slots[at] >> 32) - 1] = at;
            }
        }
        var pathFirst = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < leaves.Length; i++)
        {
            firstOf[i] = pathFirst.TryAdd(leaves[i].Key, i) ? i : pathFirst[leaves[i].Key];
        }
        var grouped = new KeyValuePair<string, AttributeValue>[leaves.Length];
        var next = new Dictionary<int, int>();
        var free = 0;
        for (var i = 0; i < leaves.Length; i++)
        {
            var first = firstOf[i];
            if (!next.TryGetValue(first, out var to))
            {
                var at = slotOfFirst[first];
                var count = (int)slots[at];
                slots[at] = ((long)(free + 1) << 32) | (uint)count;
                to = free;
                free += count;
            }
            grouped[to] = leaves[i];
            next[first] = to + 1;
        }
        return grouped;
    }

    /// <summary>
    /// A cheap hash of a path for the leaf table: its length and three of its characters. Paths of one event differ in
    /// these nearly always, and a collision costs only a probe, never a wrong answer (keys are compared).
    /// </summary>
    private static int PathHash(string path) => path.Length == 0 ? 0 : unchecked((int)(
        ((uint)path.Length * 2654435761u) ^ ((uint)path[^1] * 2246822519u) ^ ((uint)path[path.Length >> 1] * 3266489917u) ^ ((uint)path[0] * 668265263u)) >>> 7);

    private sealed record LeafIndex(long[] Slots, KeyValuePair<string, AttributeValue>[] Leaves);

    private LeafIndex? _index;

    /// <summary>Every leaf attribute with its dotted path (arrays repeat their path), read once.</summary>
    [JsonIgnore]
    public IReadOnlyList<KeyValuePair<string, AttributeValue>> Leaves => _leaves ??= AttributePath.FlattenToArray(Attributes);

    private KeyValuePair<string, AttributeValue>[]? _leaves;

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
