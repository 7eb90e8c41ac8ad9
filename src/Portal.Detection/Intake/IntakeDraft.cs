using System.Text.Json.Nodes;
using Portal.Detection.Events;

namespace Portal.Detection.Intake;

/// <summary>
/// One event while it is being normalised: reserved fields still settable, attributes still growing.
/// Parsers only add: they fill fields that are unset and attributes that are absent, so what the
/// sender stated explicitly always wins over what is inferred from the message.
/// </summary>
internal sealed class IntakeDraft
{
    public string? Message { get; set; }
    public string? Host { get; set; }
    public string? Service { get; set; }
    public string? Source { get; set; }

    /// <summary>A standard status, or null while nobody has stated one.</summary>
    public string? Status { get; set; }

    /// <summary>When the event happened, or null while unknown.</summary>
    public DateTimeOffset? Timestamp { get; set; }

    public List<string> Tags { get; } = [];

    /// <summary>
    /// The attributes as a tree. Until something needs the tree (a sender's attributes, a parser's lookup, a path a leaf
    /// cannot stand for), the parsers' attributes are kept as leaves instead (<see cref="TakeLeaves"/>); the first use of
    /// this property builds the tree from them, the same tree their adds would have built, and the draft goes on with it.
    /// </summary>
    public JsonObject Attributes => _tree ??= LeafTree.Build(TakeLeavesHeld());

    private JsonObject? _tree;

    /// <summary>
    /// The parsers' attributes while no tree exists: paths and values in the order the tree would list them (each object's
    /// leaves together, its keys in the order first added), so that the tree, its leaves and its JSON follow from them
    /// without building it. Null once the tree exists.
    /// </summary>
    /// <remarks>
    /// The list is the thread's while a draft fills it (drafts are made and finished on one thread, one at a time), and goes
    /// back to the thread when the leaves are taken: each event then costs its exact array of leaves alone.
    /// </remarks>
    private List<(string Path, AttributeValue Value, LeafTree.Kind Kind)>? _leaves;

    /// <summary>The leaves once taken (<see cref="TakeLeaves"/>): the list went back to the thread.</summary>
    private LeafAttributes? _taken;

    [ThreadStatic]
    private static List<(string Path, AttributeValue Value, LeafTree.Kind Kind)>? t_spareLeaves;

    /// <summary>Objects made here for parsers' attributes: their keys are single path segments.</summary>
    private List<JsonObject>? _made;

    /// <summary>How many of the root's first keys have been read for dots.</summary>
    private int _plainKeys;

    /// <summary>The last of those keys, to notice that the root's keys moved (which the draft never does).</summary>
    private string? _lastPlainKey;

    /// <summary>Whether one of those keys holds a dot.</summary>
    private bool _dottedKey;

    /// <summary>Takes <paramref name="attributes"/> (detached from any parent) as the attributes, while there are none yet.</summary>
    public void Adopt(JsonObject attributes)
    {
        if (_leaves is { Count: > 0 } || _tree is { Count: > 0 } || attributes.Parent is not null)
        {
            throw new InvalidOperationException("Only a detached object can become the attributes of a draft without any.");
        }
        _tree = attributes;
        _ = TakeLeavesHeld();
        (_plainKeys, _lastPlainKey, _dottedKey) = (0, null, false);
    }

    /// <summary>
    /// The attributes as leaves (the event's <see cref="LogEvent.Leaves"/>, in the tree's order) when no tree was needed;
    /// null when the draft holds a tree.
    /// </summary>
    public LeafAttributes? TakeLeaves() => _tree is null ? TakeLeavesHeld() : null;

    /// <summary>The leaves held, as the event keeps them; the list they were gathered in goes back to the thread.</summary>
    private LeafAttributes TakeLeavesHeld()
    {
        if (_taken is { } taken)
        {
            return taken;
        }
        var leaves = LeafAttributes.From(_leaves);
        if (_leaves is { } list)
        {
            list.Clear();
            t_spareLeaves = list.Capacity <= LeafAttributes.MaxLeaves ? list : null;
            _leaves = null;
        }
        _taken = leaves;
        return leaves;
    }

    /// <summary>
    /// The values at <paramref name="path"/>, read from the leaves while no tree exists (nothing is built), else from the tree.
    /// </summary>
    public IEnumerable<AttributeValue> Values(string path) => _tree is not null
        ? AttributePath.Values(_tree, path)
        : _taken is { } taken
            ? taken.Leaves.Where(leaf => leaf.Key == path).Select(leaf => leaf.Value)
            : (_leaves ?? []).Where(leaf => leaf.Path == path).Select(leaf => leaf.Value);

    /// <summary>
    /// Sets the attribute at <paramref name="path"/> unless something is already there, or on the way: a sender's value
    /// that is not an object (<c>"network": "x"</c>) is not replaced by the object a parser's path needs. A null counts as
    /// nothing, as for <see cref="AttributePath.Exists"/>.
    /// </summary>
    public void Add(string path, JsonNode? value)
    {
        if (value is not null && !TryAddThroughPlainObjects(path, value) && !AttributePath.Exists(Attributes, path) && !AttributePath.SetWouldReplace(Attributes, path))
        {
            AttributePath.Set(Attributes, path, value.Parent is null ? value : IntakeFields.Detach(value));
        }
    }

    /// <inheritdoc cref="Add(string, JsonNode?)"/>
    public void Add(string path, int value)
    {
        if (!TryAddLeaf(path, new AttributeValue(AttributeValue.FormatNumber(value), value), LeafTree.Kind.Int))
        {
            Add(path, JsonValue.Create(value));
        }
    }

    /// <inheritdoc cref="Add(string, JsonNode?)"/>
    public void Add(string path, long value)
    {
        if (!TryAddLeaf(path, new AttributeValue(AttributeValue.FormatNumber(value), value), LeafTree.Kind.Long))
        {
            Add(path, JsonValue.Create(value));
        }
    }

    /// <inheritdoc cref="Add(string, JsonNode?)"/>
    public void Add(string path, bool value)
    {
        if (!TryAddLeaf(path, new AttributeValue(value ? "true" : "false", null), LeafTree.Kind.Boolean))
        {
            Add(path, JsonValue.Create(value));
        }
    }

    /// <summary>
    /// Adds a leaf while the draft has no tree: false, with nothing changed, once it has one, or when the path has an empty
    /// segment or the leaves are full (then the tree is built and the caller adds to it). The rule is the tree's: nothing is
    /// added where a leaf is, where leaves lie below (an object), or below a leaf (a value on the way). The leaf goes after
    /// the last one in its deepest existing object, where the tree would list it.
    /// </summary>
    private bool TryAddLeaf(string path, AttributeValue value, LeafTree.Kind kind)
    {
        if (_tree is not null || _taken is not null || !LeafTree.IsPlain(path))
        {
            _ = Attributes;
            return false;
        }
        if (_leaves is null)
        {
            _leaves = t_spareLeaves ?? new List<(string, AttributeValue, LeafTree.Kind)>(16);
            t_spareLeaves = null;
        }
        var leaves = _leaves;
        var at = leaves.Count;
        var deepest = 0;
        for (var i = 0; i < leaves.Count; i++)
        {
            var (shared, conflict) = LeafTree.Shared(path, leaves[i].Path);
            if (conflict)
            {
                return true;
            }
            if (shared > 0 && shared >= deepest)
            {
                (deepest, at) = (shared, i + 1);
            }
        }
        if (leaves.Count == LeafAttributes.MaxLeaves)
        {
            _ = Attributes;
            return false;
        }
        leaves.Insert(at, (path, value, kind));
        return true;
    }

    /// <summary>
    /// Adds <paramref name="value"/> in one walk when the path leads, until its first missing step, only through objects
    /// whose keys hold no dot (the root, checked key by key, and objects made here): then no longer literal key can stand
    /// for several steps, and the missing step means nothing is at the path. This is the parsers' usual case, and it spares
    /// the general search (<see cref="AttributePath.Exists"/> tries every longer key first) and a second walk. False,
    /// without any change, when the walk meets anything else; the general search then decides.
    /// </summary>
    private bool TryAddThroughPlainObjects(string path, JsonNode value)
    {
        if (!RootKeysArePlain() || path.Length == 0)
        {
            return false;
        }
        var segments = DottedPath.Of(path).Segments;
        var current = Attributes;
        for (var i = 0; i < segments.Length; i++)
        {
            if (!current.TryGetPropertyValue(segments[i], out var child))
            {
                // The leaf first: nothing is made if it cannot be.
                var leaf = value.Parent is null ? value : IntakeFields.Detach(value);
                for (; i < segments.Length - 1; i++)
                {
                    var made = new JsonObject();
                    current.Add(segments[i], made);
                    (_made ??= new List<JsonObject>(4)).Add(made);
                    current = made;
                }
                current.Add(segments[^1], leaf);
                return true;
            }
            if (i == segments.Length - 1 || child is not JsonObject next || _made?.Contains(next) != true)
            {
                return false;
            }
            current = next;
        }
        return false;
    }

    /// <summary>
    /// Whether no key of the root holds a dot. Normalisation only ever appends keys to a draft's attributes once it has them
    /// (the sender's reserved fields are removed before <see cref="Adopt"/>), so the keys read stay read and only new ones
    /// are; should the root's keys ever move (a key removed or inserted before the last one read), all are read again.
    /// </summary>
    private bool RootKeysArePlain()
    {
        var root = Attributes;
        if (_plainKeys > 0 && (_plainKeys > root.Count || !ReferenceEquals(root.GetAt(_plainKeys - 1).Key, _lastPlainKey)))
        {
            (_plainKeys, _lastPlainKey, _dottedKey) = (0, null, false);
        }
        while (!_dottedKey && _plainKeys < root.Count)
        {
            _lastPlainKey = root.GetAt(_plainKeys++).Key;
            _dottedKey = _lastPlainKey.Contains('.');
        }
        return !_dottedKey;
    }

    /// <summary>Adds a string attribute, skipping null, empty and the log formats' "-" placeholder.</summary>
    public void AddText(string path, string? value)
    {
        if (!string.IsNullOrEmpty(value) && value != "-" && !TryAddLeaf(path, new AttributeValue(value, null), LeafTree.Kind.Text))
        {
            Add(path, JsonValue.Create(value));
        }
    }

    /// <summary>The first string leaf at <paramref name="path"/>, or null.</summary>
    public string? Text(string path) => AttributePath.First(Attributes, path) is { Number: null } value ? value.Text : null;
}
