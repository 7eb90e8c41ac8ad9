using System.Text.Json;
using System.Text.Json.Nodes;

namespace Portal.Detection.Events;

/// <summary>Navigation of nested attributes by dotted paths (<c>network.client.ip</c>).</summary>
public static class AttributePath
{
    /// <summary>
    /// Leaf values at <paramref name="path"/>. Arrays on the way or at the end fan out, so
    /// <c>@tags.name</c> finds every element's name, as Datadog's facets do.
    /// </summary>
    public static IEnumerable<AttributeValue> Values(JsonObject root, string path)
    {
        var results = new List<AttributeValue>();
        if (path.Length > 0)
        {
            Collect(root, DottedPath.Of(path), 0, results);
        }
        return results;
    }

    /// <summary>The first of <see cref="Values"/>, found without gathering the others.</summary>
    public static AttributeValue? First(JsonObject root, string path) => path.Length == 0 ? null : FindFirst(root, DottedPath.Of(path), 0);

    /// <summary>Every leaf of <paramref name="root"/> with its dotted path; arrays repeat their path.</summary>
    public static IEnumerable<KeyValuePair<string, AttributeValue>> Flatten(JsonObject root) => FlattenToArray(root);

    /// <summary>
    /// <see cref="Flatten"/> as an array of the exact size: the leaves are gathered in a reused per-thread list, so an
    /// event costs one array rather than every size a growing list passes through (as an event's leaves do,
    /// <see cref="FlattenToList"/>).
    /// </summary>
    public static KeyValuePair<string, AttributeValue>[] FlattenToArray(JsonObject root) => FlattenWith(root, static scratch => scratch.ToArray());

    /// <summary><see cref="Flatten"/> as an event's leaves (<see cref="LeafList"/>), gathered as <see cref="FlattenToArray"/> gathers them.</summary>
    internal static LeafList FlattenToList(JsonObject root) => FlattenWith(root, LeafList.Of);

    private static T FlattenWith<T>(JsonObject root, Func<List<KeyValuePair<string, AttributeValue>>, T> made)
    {
        var scratch = t_scratch ??= new List<KeyValuePair<string, AttributeValue>>(64);
        scratch.Clear();
        try
        {
            FlattenInto(root, PathRoot(), scratch);
            return made(scratch);
        }
        finally
        {
            scratch.Clear();
            if (scratch.Capacity > 4096)
            {
                // One huge event must not pin its size for the thread's lifetime.
                t_scratch = null;
            }
        }
    }

    [ThreadStatic]
    private static List<KeyValuePair<string, AttributeValue>>? t_scratch;

    /// <summary>
    /// The leaves of a sender's object as <see cref="FlattenToArray"/> gives those of the tree made from it, read from the
    /// parsed JSON without making the tree, into <paramref name="leaves"/>; returns each root key with the run of leaves under
    /// it (in order: a root key's leaves lie together). Null when the object holds a key the tree's paths would read otherwise, or that it could not hold at all:
    /// a key repeated in one object, an empty key, a key with a dot (the tree's lookups try such keys first), or a path too
    /// long to keep. The caller then makes the tree.
    /// </summary>
    internal static (string Key, int Start, int Count)[]? FlattenSent(JsonElement root, List<KeyValuePair<string, AttributeValue>> leaves)
    {
        var seen = t_seen ??= new List<PathNode>(32);
        seen.Clear();
        try
        {
            var roots = new List<(string, int, int)>(root.GetPropertyCount());
            return FlattenSentInto(root, PathRoot(), leaves, seen, roots) ? [.. roots] : null;
        }
        finally
        {
            seen.Clear();
            if (seen.Capacity > 4096)
            {
                t_seen = null;
            }
        }
    }

    /// <summary>The keys of the objects being flattened (<see cref="FlattenSent"/>), each object's after its parent's.</summary>
    [ThreadStatic]
    private static List<PathNode>? t_seen;

    /// <summary>
    /// Adds the leaves under <paramref name="element"/>; false when a key is not plain (<see cref="FlattenSent"/>). A key is
    /// checked against the others of its object through their path nodes (one per key and parent): in a list for a few,
    /// in a set for many, so that no object costs time quadratic in its keys. <paramref name="roots"/>, for the root object,
    /// gathers each key's run of leaves.
    /// </summary>
    private static bool FlattenSentInto(JsonElement element, PathNode path, List<KeyValuePair<string, AttributeValue>> results, List<PathNode> seen, List<(string, int, int)>? roots = null)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var count = element.GetPropertyCount();
                var set = count > 16 ? new HashSet<PathNode>(count, ReferenceEqualityComparer.Instance) : null;
                var first = seen.Count;
                var position = 0;
                foreach (var property in element.EnumerateObject())
                {
                    var child = path.Child(property, position++);
                    if (child.Key is not { Length: > 0 } key || key.Contains('.') || (set is null ? seen.IndexOf(child, first) >= 0 : !set.Add(child)))
                    {
                        return false;
                    }
                    if (set is null)
                    {
                        seen.Add(child);
                    }
                    var start = results.Count;
                    if (!FlattenSentInto(property.Value, child, results, seen))
                    {
                        return false;
                    }
                    roots?.Add((key, start, results.Count - start));
                }
                seen.RemoveRange(first, seen.Count - first);
                return true;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    if (!FlattenSentInto(item, path, results, seen))
                    {
                        return false;
                    }
                }
                return true;
            default:
                if (path.Path is { } name && AttributeValue.From(element) is { } value)
                {
                    results.Add(new(name, value));
                }
                return true;
        }
    }

    /// <summary>
    /// The dotted paths met so far on this thread, as a tree: an event's paths are looked up one key at a time rather than
    /// built again (events repeat the same few hundred paths, and every event is flattened for indexing and detection), and
    /// only the key is hashed at each level. Bounded: a thread that meets too many distinct paths starts over.
    /// </summary>
    internal sealed class PathNode(string? path)
    {
        private Dictionary<string, PathNode>? _children;

        /// <summary>The dotted path; null at the root.</summary>
        public string? Path { get; } = path;

        /// <summary>
        /// The two children last found at each position of the objects met at this path (position <c>p</c> at <c>2p</c>, the
        /// latest, and <c>2p + 1</c>): senders and parsers write an object's keys in the same order event after event, so the
        /// key at a position is nearly always one found there before, and comparing it (by reference, or as text for the
        /// keys of freshly parsed JSON) costs less than hashing it. Made with the first child (leaves have none).
        /// </summary>
        private PathNode?[]? _atPosition;

        /// <summary>
        /// Positions remembered per node: records seldom have more keys, and beyond them the dictionary answers. A node's
        /// array holds two children a position for at most twice its children's count (16 places at least), so over the
        /// tree's 16,384 paths the arrays add at most about 3 MB per thread.
        /// </summary>
        private const int MaxPositions = 64;

        /// <summary>The node of <c>Path.key</c> for the key at <paramref name="position"/> of its object.</summary>
        /// <remarks>
        /// Two children are remembered per position, the last found first: a stream mixing sources (sshd lines, access
        /// lines, CloudTrail records) has different keys at the root's positions event after event, and two ways keep the
        /// usual pairs from evicting each other (three keys taking turns at one position still miss).
        /// </remarks>
        public PathNode Child(string key, int position)
        {
            var at = position * 2;
            if (_atPosition is { } known && at < known.Length)
            {
                // string.Equals compares references first: the parsers' constant keys never reach the text.
                if (known[at] is { } last && string.Equals(last.Key, key))
                {
                    return last;
                }
                if (known[at + 1] is { } before && string.Equals(before.Key, key))
                {
                    (known[at], known[at + 1]) = (before, known[at]);
                    return before;
                }
            }
            var child = FindOrMake(key);
            if (position < MaxPositions && child.Key is not null)
            {
                if (_atPosition is null || at >= _atPosition.Length)
                {
                    Array.Resize(ref _atPosition, 2 * Math.Min(MaxPositions, Math.Max(8, (position + 1) * 2)));
                }
                (_atPosition[at], _atPosition[at + 1]) = (child, _atPosition[at]);
            }
            return child;
        }

        /// <summary>
        /// <see cref="Child(string, int)"/> for a property of parsed JSON: its name is compared where it lies, and decoded only
        /// when the position does not know it.
        /// </summary>
        public PathNode Child(JsonProperty property, int position)
        {
            var at = position * 2;
            if (_atPosition is { } known && at < known.Length)
            {
                if (known[at] is { Key: { } last } lastNode && property.NameEquals(last))
                {
                    return lastNode;
                }
                if (known[at + 1] is { Key: { } before } beforeNode && property.NameEquals(before))
                {
                    (known[at], known[at + 1]) = (beforeNode, known[at]);
                    return beforeNode;
                }
            }
            return Child(property.Name, position);
        }

        /// <summary>
        /// <see cref="Child(string, int)"/> for a key read by a JSON reader (unescaped UTF-8): compared where it lies with the
        /// keys last found at its position, and decoded only when they are not it.
        /// </summary>
        public PathNode Child(ReadOnlySpan<byte> key, int position)
        {
            var at = position * 2;
            if (_atPosition is { } known && at < known.Length)
            {
                if (known[at] is { Key: { } last } lastNode && last.Length == key.Length && System.Text.Ascii.Equals(key, last))
                {
                    return lastNode;
                }
                if (known[at + 1] is { Key: { } before } beforeNode && before.Length == key.Length && System.Text.Ascii.Equals(key, before))
                {
                    (known[at], known[at + 1]) = (beforeNode, known[at]);
                    return beforeNode;
                }
            }
            return Child(System.Text.Encoding.UTF8.GetString(key), position);
        }

        /// <summary>
        /// The last read (<see cref="Intake.StreamedEvents"/>) that met this path, by the number the thread gave it: a path met
        /// twice in one read of an object without arrays is a key repeated in one of its objects.
        /// </summary>
        public long LastRead { get; set; }

        /// <summary>How long the first segment of <see cref="Path"/> is (the root key it lies under); 0 at the root and for paths too long to keep.</summary>
        public int FirstSegment { get; private init; }

        /// <summary>The key this node is the child of its parent by; null at the root and for paths too long to keep.</summary>
        public string? Key { get; private init; }

        /// <summary>
        /// The key as a reader meets it in JSON, with its closing quote and the colon after it (<c>key":</c>), when it is
        /// written as its characters alone (printable ASCII with no quote, backslash or dot); null otherwise. A reader may
        /// then know the key by comparing the bytes that stand where it was met before (<see cref="Intake.StreamedEvents"/>).
        /// </summary>
        public byte[]? KeyBytes { get; private init; }

        /// <summary>The child last found at <paramref name="position"/> of the objects met at this path (<paramref name="way"/> 0), or the one before (1).</summary>
        public PathNode? KnownAt(int position, int way) =>
            _atPosition is { } known && position * 2 + way < known.Length ? known[position * 2 + way] : null;

        /// <summary>
        /// The last short ASCII strings written without escapes that a reader (<see cref="Intake.StreamedEvents"/>) met at
        /// this path (not a message), each with its bytes as written (<see cref="RememberedText"/>): the next event nearly
        /// always holds one of them there, which the reader knows by comparing its bytes. A path remembers one string, or a
        /// few where the reader asks for more ways (the reserved fields, whose few values take turns in a stream mixing
        /// sources). Empty until a string is remembered.
        /// </summary>
        public ReadOnlySpan<RememberedText?> Remembered => _remembered;

        private RememberedText?[]? _remembered;

        /// <summary>The way <see cref="RememberText"/> replaces next, when a path has several.</summary>
        private int _nextWay;

        /// <summary>
        /// Strings remembered in a row at this path without the reader meeting one of them again (<see cref="RememberedHit"/>),
        /// and the strings still to pass unremembered: a path whose every value is new (a request's id, a time to the
        /// second) stops copying each into its memory for a while, then tries again.
        /// </summary>
        private int _unmet, _resting;

        /// <summary>How many strings remembered in a row, none met again, make a path rest, and how many it then lets pass.</summary>
        private const int UnmetBeforeRest = 8, RestingStrings = 56;

        /// <summary>Says that the reader met one of the path's remembered strings again.</summary>
        public void RememberedHit()
        {
            if (_unmet != 0)
            {
                _unmet = 0;
            }
        }

        /// <summary>
        /// Remembers <paramref name="text"/>, read from <paramref name="written"/> (its bytes, without escapes), when it is
        /// ASCII no longer than <paramref name="maxLength"/>: in place of the oldest of the path's <paramref name="ways"/> (the
        /// number a path is first asked for is kept). A string not remembered makes a path of one way forget its own. A path
        /// resting (<see cref="_resting"/>) keeps what it remembers.
        /// </summary>
        public void RememberText(string text, ReadOnlySpan<byte> written, int maxLength, int ways)
        {
            if (_resting > 0)
            {
                _resting--;
                return;
            }
            var remembered = _remembered ??= new RememberedText?[ways];
            if (text.Length > maxLength || text.Length != written.Length)
            {
                if (remembered.Length == 1)
                {
                    remembered[0]?.Clear();
                }
                return;
            }
            var way = _nextWay;
            _nextWay = (way + 1) % remembered.Length;
            (remembered[way] ??= new RememberedText()).Set(text, written);
            if (++_unmet >= UnmetBeforeRest)
            {
                (_unmet, _resting) = (0, RestingStrings);
            }
        }

        /// <summary>The reserved field a root key names (<see cref="Intake.ReservedFields.FieldOf(ReadOnlySpan{byte})"/>), once a reader asked; <see cref="UnknownField"/> before.</summary>
        public int RootField { get; set; } = UnknownField;

        /// <summary>The value of <see cref="RootField"/> and <see cref="Noted"/> until a reader sets them.</summary>
        public const int UnknownField = int.MinValue;

        /// <summary>
        /// Where this path stands among the paths a draft notes as a reader adds a sender's leaves
        /// (<see cref="Intake.IntakeDraft.NotedPaths"/>), or -1; <see cref="UnknownField"/> until a reader asked.
        /// </summary>
        public int Noted { get; set; } = UnknownField;

        /// <summary>The node of <c>Path.key</c>, found or made (and kept unless the path is long).</summary>
        private PathNode FindOrMake(string key)
        {
            if (_children is not null && _children.TryGetValue(key, out var child))
            {
                return child;
            }
            var path = Path is null ? key : $"{Path}.{key}";
            if (path.Length > 256)
            {
                // Keys are the senders': a long path is built each time rather than kept.
                return new PathNode(path);
            }
            child = new PathNode(path)
            {
                Key = key, FirstSegment = Path is null ? key.Length : FirstSegment,
                KeyBytes = key.Length > 0 && !key.AsSpan().ContainsAnyExceptInRange(' ', '~') && key.AsSpan().IndexOfAny("\"\\.") < 0
                    ? System.Text.Encoding.ASCII.GetBytes(key + "\":")
                    : null,
            };
            if (++t_pathCount > 16_384)
            {
                // The event being flattened finishes with this tree; the next starts a new one.
                t_paths = null;
            }
            (_children ??= new Dictionary<string, PathNode>(StringComparer.Ordinal))[key] = child;
            return child;
        }
    }

    /// <summary>
    /// A string a reader remembers at a path (<see cref="PathNode.Remembered"/>): its text, and its bytes as written in JSON
    /// with the closing quote (<c>text"</c>), in a buffer it keeps, grown to the longest string it held.
    /// </summary>
    internal sealed class RememberedText
    {
        private byte[] _written = new byte[16];
        private int _length;

        /// <summary>The string.</summary>
        public string Text { get; private set; } = "";

        /// <summary>The string's bytes and its closing quote.</summary>
        public ReadOnlySpan<byte> Written => _written.AsSpan(0, _length);

        /// <summary>Holds nothing (an empty <see cref="Written"/>, which no cursor takes), keeping the buffer.</summary>
        public void Clear() => (Text, _length) = ("", 0);

        /// <summary>Holds <paramref name="text"/>, written as <paramref name="written"/> (its bytes, without escapes), from now on.</summary>
        public void Set(string text, ReadOnlySpan<byte> written)
        {
            if (_written.Length <= written.Length)
            {
                _written = new byte[written.Length + 1];
            }
            written.CopyTo(_written);
            _written[written.Length] = (byte)'"';
            (Text, _length) = (text, written.Length + 1);
        }
    }

    [ThreadStatic]
    private static PathNode? t_paths;

    /// <summary>The root of this thread's tree of paths (<see cref="PathNode"/>), for readers that walk a sender's keys themselves.</summary>
    internal static PathNode PathRoot()
    {
        if (t_paths is null)
        {
            t_pathCount = 0;
            t_paths = new PathNode(null);
        }
        return t_paths;
    }

    [ThreadStatic]
    private static int t_pathCount;

    /// <summary>
    /// Reads every object and array under <paramref name="node"/> without collecting anything. Parsed JSON builds its
    /// nodes lazily, on first read: reading them all once leaves a tree that later readers on other threads only read.
    /// With <paramref name="strings"/>, every string is read too, so that one that is not text (an unpaired surrogate
    /// escape) throws <see cref="InvalidOperationException"/> here.
    /// </summary>
    public static void ReadAll(JsonNode? node, bool strings = false)
    {
        switch (node)
        {
            case JsonObject obj:
                // By position, as FlattenInto: no enumerator objects.
                for (var i = 0; i < obj.Count; i++)
                {
                    ReadAll(obj.GetAt(i).Value, strings);
                }
                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    ReadAll(array[i], strings);
                }
                break;
            case JsonValue value when strings && value.GetValueKind() == System.Text.Json.JsonValueKind.String:
                value.GetValue<string>();
                break;
        }
    }

    /// <summary>True when the path leads to something: a leaf value (through arrays too) or an object.</summary>
    public static bool Exists(JsonObject root, string path) => path.Length > 0 && Reaches(root, DottedPath.Of(path), 0, inArray: false);

    /// <summary>
    /// Whether <see cref="Set"/> would replace a value on its way to the leaf: a step before the last holding something
    /// other than an object (a text, a number, an array), which it would overwrite with the object it needs.
    /// </summary>
    public static bool SetWouldReplace(JsonObject root, string path)
    {
        var segments = DottedPath.Of(path).Segments;
        var current = root;
        for (var i = 0; i < segments.Length - 1; i++)
        {
            if (!current.TryGetPropertyValue(segments[i], out var child) || child is null)
            {
                return false;
            }
            if (child is not JsonObject next)
            {
                return true;
            }
            current = next;
        }
        return false;
    }

    /// <summary>Sets a leaf, creating intermediate objects.</summary>
    public static void Set(JsonObject root, string path, JsonNode? value)
    {
        var segments = DottedPath.Of(path).Segments;
        var current = root;
        for (var i = 0; i < segments.Length - 1; i++)
        {
            if (current[segments[i]] is not JsonObject next)
            {
                next = [];
                current[segments[i]] = next;
            }
            current = next;
        }
        current[segments[^1]] = value;
    }

    /// <summary>Walks <paramref name="path"/> from its segment <paramref name="index"/> without allocating the values it finds.</summary>
    private static bool Reaches(JsonNode? node, DottedPath path, int index, bool inArray)
    {
        if (index == path.Segments.Length)
        {
            return node switch
            {
                JsonValue value => AttributeValue.From(value) is not null,
                JsonObject => !inArray,
                JsonArray array => array.Any(item => Reaches(item, path, index, inArray: true)),
                _ => false,
            };
        }
        switch (node)
        {
            case JsonArray array:
                return array.Any(item => Reaches(item, path, index, inArray: true));
            case JsonObject obj:
                // A key may itself contain dots ("aws.region" sent flat): try the longest literal key first.
                for (var end = path.Segments.Length; end > index; end--)
                {
                    if (obj.TryGetPropertyValue(path.Join(index, end), out var child) && Reaches(child, path, end, inArray: false))
                    {
                        return true;
                    }
                }
                return false;
            default:
                return false;
        }
    }

    /// <summary>What <see cref="Collect"/> would find first, in the same order.</summary>
    private static AttributeValue? FindFirst(JsonNode? node, DottedPath path, int index)
    {
        switch (node)
        {
            case JsonArray array:
                foreach (var item in array)
                {
                    if (FindFirst(item, path, index) is { } found)
                    {
                        return found;
                    }
                }
                return null;
            case JsonObject obj when index < path.Segments.Length:
                for (var end = path.Segments.Length; end > index; end--)
                {
                    if (obj.TryGetPropertyValue(path.Join(index, end), out var child) && FindFirst(child, path, end) is { } found)
                    {
                        return found;
                    }
                }
                return null;
            case JsonValue when index == path.Segments.Length:
                return AttributeValue.From(node);
            default:
                return null;
        }
    }

    private static void Collect(JsonNode? node, DottedPath path, int index, List<AttributeValue> results)
    {
        switch (node)
        {
            case JsonArray array:
                foreach (var item in array)
                {
                    Collect(item, path, index, results);
                }
                return;
            case JsonObject obj when index < path.Segments.Length:
                // A key may itself contain dots ("aws.region" sent flat): try the longest literal key first.
                for (var end = path.Segments.Length; end > index; end--)
                {
                    if (obj.TryGetPropertyValue(path.Join(index, end), out var child))
                    {
                        Collect(child, path, end, results);
                    }
                }
                return;
            case JsonValue when index == path.Segments.Length:
                if (AttributeValue.From(node) is { } value)
                {
                    results.Add(value);
                }
                return;
        }
    }

    private static void FlattenInto(JsonNode? node, PathNode path, List<KeyValuePair<string, AttributeValue>> results)
    {
        switch (node)
        {
            case JsonObject obj:
                // By position: the enumerator is an object of its own and an interface call per member.
                for (var i = 0; i < obj.Count; i++)
                {
                    var (key, child) = obj.GetAt(i);
                    FlattenInto(child, path.Child(key, i), results);
                }
                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    FlattenInto(array[i], path, results);
                }
                break;
            default:
                if (path.Path is { } name && AttributeValue.From(node) is { } value)
                {
                    results.Add(new(name, value));
                }
                break;
        }
    }
}
