using System.Runtime.InteropServices;
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
        return index.Paths.TryGetValue(path, out var span) ? new AttributeValues(index.Leaves, (int)(span >> 32), (int)span) : default;
    }

    /// <summary>
    /// Leaf positions by dotted path, built once from <see cref="Leaves"/> (the same values a path walk finds): each path
    /// maps to its first leaf and its number of values (start &lt;&lt; 32 | count). Paths repeat only for arrays; then the
    /// leaves are copied once so that each path's values lie together, in order.
    /// </summary>
    private LeafIndex IndexLeaves()
    {
        var leaves = _leaves ??= AttributePath.FlattenToArray(Attributes);
        var paths = new Dictionary<string, long>(leaves.Length, StringComparer.Ordinal);
        var repeated = false;
        for (var i = 0; i < leaves.Length; i++)
        {
            ref var span = ref CollectionsMarshal.GetValueRefOrAddDefault(paths, leaves[i].Key, out var exists);
            if (exists)
            {
                span++;
                repeated = true;
            }
            else
            {
                span = ((long)i << 32) | 1;
            }
        }
        if (repeated)
        {
            leaves = Grouped(leaves, paths);
        }
        var index = new LeafIndex(paths, leaves);
        // Immutable once built: a thread that loses the race uses the winner's copy.
        return Interlocked.CompareExchange(ref _index, index, null) ?? index;
    }

    /// <summary>The leaves reordered so each path's values are contiguous (first appearances in order); <paramref name="paths"/> updated to match.</summary>
    private static KeyValuePair<string, AttributeValue>[] Grouped(KeyValuePair<string, AttributeValue>[] leaves, Dictionary<string, long> paths)
    {
        var grouped = new KeyValuePair<string, AttributeValue>[leaves.Length];
        var next = new Dictionary<string, int>(paths.Count, StringComparer.Ordinal);
        var free = 0;
        foreach (var leaf in leaves)
        {
            if (!next.TryGetValue(leaf.Key, out var at))
            {
                ref var span = ref CollectionsMarshal.GetValueRefOrNullRef(paths, leaf.Key);
                var count = (int)span;
                span = ((long)free << 32) | (uint)count;
                at = free;
                free += count;
            }
            grouped[at] = leaf;
            next[leaf.Key] = at + 1;
        }
        return grouped;
    }

    private sealed record LeafIndex(Dictionary<string, long> Paths, KeyValuePair<string, AttributeValue>[] Leaves);

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
