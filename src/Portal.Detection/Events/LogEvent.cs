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

    /// <summary>Values of a reserved field (<c>host</c>, <c>service</c>...) or of an attribute path.</summary>
    /// <remarks>
    /// The first call indexes every leaf by its path, so that rules testing many fields of the event find each in one
    /// lookup. An event is immutable once built, so the index never goes stale.
    /// </remarks>
    public IReadOnlyList<AttributeValue> GetAttribute(string path) =>
        (_byPath ?? IndexLeaves()).TryGetValue(path, out var values) ? values : [];

    /// <summary>Leaf values by dotted path, built once from <see cref="Leaves"/> (the same values a path walk finds).</summary>
    private Dictionary<string, AttributeValue[]> IndexLeaves()
    {
        var leaves = Leaves;
        var byPath = new Dictionary<string, AttributeValue[]>(leaves.Count, StringComparer.Ordinal);
        Dictionary<string, List<AttributeValue>>? repeated = null;
        foreach (var (path, value) in leaves)
        {
            // Paths repeat only for arrays: those gather in lists (an array of a million numbers must stay linear).
            if (!byPath.TryAdd(path, [value]))
            {
                repeated ??= new(StringComparer.Ordinal);
                if (!repeated.TryGetValue(path, out var list))
                {
                    list = [.. byPath[path]];
                    repeated[path] = list;
                }
                list.Add(value);
            }
        }
        foreach (var (path, list) in repeated ?? [])
        {
            byPath[path] = [.. list];
        }
        // Immutable once built: a thread that loses the race uses the winner's copy.
        return Interlocked.CompareExchange(ref _byPath, byPath, null) ?? byPath;
    }

    private Dictionary<string, AttributeValue[]>? _byPath;

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
