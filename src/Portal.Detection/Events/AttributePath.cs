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
    /// event costs one array rather than every size a growing list passes through (detection flattens every event).
    /// </summary>
    public static KeyValuePair<string, AttributeValue>[] FlattenToArray(JsonObject root)
    {
        var scratch = t_scratch ??= new List<KeyValuePair<string, AttributeValue>>(64);
        scratch.Clear();
        try
        {
            FlattenInto(root, prefix: null, scratch);
            return [.. scratch];
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
    /// <c>prefix.key</c>, made once per thread: events repeat the same few hundred paths, and every event is flattened
    /// (for indexing and detection), so a path is looked up rather than built again. Bounded: a thread that meets too many
    /// distinct paths starts over.
    /// </summary>
    private static string Child(string prefix, string key)
    {
        if (prefix.Length + key.Length > 256)
        {
            // Keys are the senders': a long one is built each time rather than kept.
            return $"{prefix}.{key}";
        }
        var paths = t_paths ??= new Dictionary<(string, string), string>();
        if (!paths.TryGetValue((prefix, key), out var path))
        {
            if (paths.Count >= 16_384)
            {
                paths.Clear();
            }
            paths[(prefix, key)] = path = $"{prefix}.{key}";
        }
        return path;
    }

    [ThreadStatic]
    private static Dictionary<(string, string), string>? t_paths;

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
                foreach (var (_, child) in obj)
                {
                    ReadAll(child, strings);
                }
                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    ReadAll(item, strings);
                }
                break;
            case JsonValue value when strings && value.GetValueKind() == System.Text.Json.JsonValueKind.String:
                value.GetValue<string>();
                break;
        }
    }

    /// <summary>True when the path leads to something: a leaf value (through arrays too) or an object.</summary>
    public static bool Exists(JsonObject root, string path) => path.Length > 0 && Reaches(root, DottedPath.Of(path), 0, inArray: false);

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

    private static void FlattenInto(JsonNode? node, string? prefix, List<KeyValuePair<string, AttributeValue>> results)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, child) in obj)
                {
                    FlattenInto(child, prefix is null ? key : Child(prefix, key), results);
                }
                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    FlattenInto(item, prefix, results);
                }
                break;
            default:
                if (prefix is not null && AttributeValue.From(node) is { } value)
                {
                    results.Add(new(prefix, value));
                }
                break;
        }
    }
}
