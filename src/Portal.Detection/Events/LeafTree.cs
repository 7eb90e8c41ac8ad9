using System.Text.Json;
using System.Text.Json.Nodes;

namespace Portal.Detection.Events;

/// <summary>
/// Attributes held as leaves rather than as a tree: what the parsers add to an event, and the sender's own object when the
/// intake read it as leaves (<see cref="Intake.StreamedEvents"/>). Every path is plain (segments without dots, none empty), no leaf lies on or below another, and the leaves
/// come in the tree's order (each object's leaves together, its keys in the order first added), so the tree, its JSON and
/// its leaves follow from them alone; the tree is built only when something asks for it.
/// </summary>
internal static class LeafTree
{
    /// <summary>What a leaf holds beyond its <see cref="AttributeValue"/>: the JSON type it was added as.</summary>
    public enum Kind : byte
    {
        Text,
        Int,
        Long,
        Boolean,
    }

    /// <summary>
    /// The length of the first segment of <paramref name="path"/> when the path can name a leaf here (not empty, no empty
    /// segment), else -1; in one pass over its characters.
    /// </summary>
    public static int PlainFirstSegment(string path)
    {
        if (path.Length == 0 || path[0] == '.' || path[^1] == '.')
        {
            return -1;
        }
        var first = path.Length;
        for (var i = 1; i < path.Length; i++)
        {
            if (path[i] == '.')
            {
                if (path[i - 1] == '.')
                {
                    return -1;
                }
                first = Math.Min(first, i);
            }
        }
        return first;
    }

    /// <summary>
    /// How many whole leading segments <paramref name="path"/> shares with the leaf at <paramref name="other"/>, and whether
    /// adding it would meet that leaf (the same path, a path through it, or one it lies below), which the tree refuses.
    /// </summary>
    public static (int Shared, bool Conflict) Shared(string path, string other) => SharedFrom(path, other, 0, 0);

    /// <summary>
    /// <see cref="Shared"/> for two paths alike before <paramref name="at"/>, with <paramref name="shared"/> whole segments
    /// there: the rest compared one character at a time, counting the dots met (paths are short and differ early, so this
    /// costs less than a search for the common prefix and a count of its dots).
    /// </summary>
    internal static (int Shared, bool Conflict) SharedFrom(string path, string other, int at, int shared)
    {
        var end = Math.Min(path.Length, other.Length);
        while (at < end && path[at] == other[at])
        {
            if (path[at] == '.')
            {
                shared++;
            }
            at++;
        }
        if (at == end)
        {
            // One is the other, or a prefix of it: a conflict when the prefix ends at a segment's end.
            var longer = path.Length > other.Length ? path : other;
            if (at == longer.Length || longer[at] == '.')
            {
                return (0, true);
            }
        }
        return (shared, false);
    }

    /// <summary>
    /// The tree the leaves stand for, with each value the node type it was added as: the sender's object (less the reserved
    /// fields taken from it) when there is one, then the made leaves' objects. Fully read (<see cref="AttributePath.ReadAll"/>),
    /// so that readers on other threads only read it.
    /// </summary>
    public static JsonObject Build(LeafAttributes attributes)
    {
        var root = new JsonObject();
        if (attributes.Sent is { } sent)
        {
            root = JsonObject.Create(sent.Object)!;
            foreach (var name in sent.Consumed ?? [])
            {
                root.Remove(name);
            }
            AttributePath.ReadAll(root);
        }
        for (var j = 0; j < attributes.Made; j++)
        {
            var (path, value) = attributes.Leaves[attributes.Leaves.Count - attributes.Made + j];
            var kind = attributes.KindOf(j);
            // Cut here rather than through DottedPath's shared cache: the paths may be a sender's, and many.
            var current = root;
            var rest = path.AsSpan();
            for (var dot = rest.IndexOf('.'); dot >= 0; dot = rest.IndexOf('.'))
            {
                var key = rest[..dot].ToString();
                if (current[key] is not JsonObject next)
                {
                    current[key] = next = new JsonObject();
                }
                current = next;
                rest = rest[(dot + 1)..];
            }
            current[rest.ToString()] = kind switch
            {
                Kind.Boolean => JsonValue.Create(value.Text == "true"),
                Kind.Int => JsonValue.Create((int)value.Number!.Value),
                Kind.Long => JsonValue.Create((long)value.Number!.Value),
                _ => JsonValue.Create(value.Text),
            };
        }
        return root;
    }

    /// <summary>
    /// Writes the tree the leaves stand for as the JSON object it would write, without building it: the sender's properties
    /// (less the reserved fields taken) as sent, then the made leaves' objects.
    /// </summary>
    public static void Write(Utf8JsonWriter writer, LeafAttributes attributes)
    {
        writer.WriteStartObject();
        if (attributes.Sent is { } sent)
        {
            foreach (var property in sent.Object.EnumerateObject())
            {
                if (!Taken(property, sent.Consumed))
                {
                    property.WriteTo(writer);
                }
            }
        }
        // The objects open: those of the previous leaf's path, by their number of segments.
        var open = 0;
        string? previous = null;
        for (var j = 0; j < attributes.Made; j++)
        {
            var (path, value) = attributes.Leaves[attributes.Leaves.Count - attributes.Made + j];
            var kind = attributes.KindOf(j);
            var shared = previous is null ? 0 : Shared(path, previous).Shared;
            for (; open > shared; open--)
            {
                writer.WriteEndObject();
            }
            // The segments past those open, cut where they lie (the paths may be a sender's, and many: no shared cache).
            var rest = path.AsSpan();
            for (var s = 0; s < open; s++)
            {
                rest = rest[(rest.IndexOf('.') + 1)..];
            }
            for (var dot = rest.IndexOf('.'); dot >= 0; dot = rest.IndexOf('.'))
            {
                writer.WriteStartObject(rest[..dot]);
                rest = rest[(dot + 1)..];
                open++;
            }
            writer.WritePropertyName(rest);
            switch (kind)
            {
                case Kind.Boolean:
                    writer.WriteBooleanValue(value.Text == "true");
                    break;
                case Kind.Int or Kind.Long:
                    writer.WriteNumberValue((long)value.Number!.Value);
                    break;
                default:
                    writer.WriteStringValue(value.Text);
                    break;
            }
            previous = path;
        }
        for (; open > 0; open--)
        {
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
    }

    /// <summary>Whether <paramref name="property"/> is one of the reserved fields taken from the sender's object.</summary>
    private static bool Taken(JsonProperty property, string[]? consumed)
    {
        foreach (var name in consumed ?? [])
        {
            if (property.NameEquals(name))
            {
                return true;
            }
        }
        return false;
    }
}

/// <summary>
/// An event's attributes as <see cref="LeafTree"/> leaves: the leaves of the sender's object as parsed, when there is one
/// (<see cref="Sent"/>, less the reserved fields <see cref="SentObject.Consumed"/> from it), then the <see cref="Made"/> leaves (the
/// parsers', and the sender's own when the intake read its object as leaves: then there is no parsed object), each with
/// the JSON type it was added as (a bit per made leaf marks the booleans, another the numbers added as longs; other
/// numbers were ints, other values strings).
/// </summary>
internal readonly record struct LeafAttributes(LeafList Leaves, int Made, ulong Booleans, ulong Longs, SentObject? Sent = null)
{
    /// <summary>At most as many made leaves as a mask has bits.</summary>
    public const int MaxLeaves = 64;

    /// <summary>
    /// The leaves of a draft, in order: the sender's as parsed (none for null), then the first <paramref name="count"/> of
    /// <paramref name="madePaths"/> and <paramref name="madeValues"/>, whose types the masks mark. Their paths are
    /// <paramref name="paths"/> when given (the same paths, in order, shared by the events whose leaves took the same
    /// places), else an array of their own.
    /// </summary>
    public static LeafAttributes From(
        string[]? madePaths, AttributeValue[]? madeValues, int count, ulong booleans, ulong longs, List<KeyValuePair<string, AttributeValue>>? sentLeaves = null,
        JsonElement? sent = null, string[]? consumed = null, string[]? paths = null)
    {
        var offset = sentLeaves?.Count ?? 0;
        var values = new AttributeValue[offset + count];
        var own = paths is null ? new string[values.Length] : null;
        for (var i = 0; i < offset; i++)
        {
            (own![i], values[i]) = (sentLeaves![i].Key, sentLeaves[i].Value);
        }
        madeValues.AsSpan(0, count).CopyTo(values.AsSpan(offset));
        if (own is not null)
        {
            madePaths.AsSpan(0, count).CopyTo(own.AsSpan(offset));
        }
        System.Diagnostics.Debug.Assert(paths is null || (offset == 0 && PathsAre(paths, madePaths, count)), "Shared paths are the made leaves' own.");
        return new LeafAttributes(new LeafList(paths ?? own!, values), count, booleans, longs, sent is { } parsed ? new SentObject(parsed, consumed) : null);
    }

    private static bool PathsAre(string[] paths, string[]? made, int count)
    {
        if (paths.Length != count)
        {
            return false;
        }
        for (var i = 0; i < count; i++)
        {
            if (!ReferenceEquals(paths[i], made![i]))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The JSON type made leaf <paramref name="j"/> was added as.</summary>
    public LeafTree.Kind KindOf(int j) =>
        (Booleans >> j & 1) != 0 ? LeafTree.Kind.Boolean
        : (Longs >> j & 1) != 0 ? LeafTree.Kind.Long
        : Leaves.Values[Leaves.Count - Made + j].Number is not null ? LeafTree.Kind.Int
        : LeafTree.Kind.Text;
}

/// <summary>
/// An event's leaves (<see cref="LogEvent.Leaves"/>): each attribute's dotted path (arrays repeat it) and its value, as two
/// arrays of one length. The paths of events whose leaves took the same places are one array, shared (an intake thread's
/// learned placements give it, <c>IntakeDraft.Placement</c>), so an event holds an array of values of its own, sixteen
/// bytes a leaf, rather than pairs of twenty-four. Nothing writes to either array once they are given.
/// </summary>
public readonly struct LeafList : IReadOnlyList<KeyValuePair<string, AttributeValue>>
{
    internal LeafList(string[] paths, AttributeValue[] values)
    {
        System.Diagnostics.Debug.Assert(paths.Length == values.Length, "One path a value.");
        (Paths, Values) = (paths, values);
    }

    /// <summary>The leaves of <paramref name="leaves"/>, pairs made elsewhere (a tree flattened).</summary>
    internal static LeafList Of(List<KeyValuePair<string, AttributeValue>> leaves)
    {
        var (paths, values) = (new string[leaves.Count], new AttributeValue[leaves.Count]);
        for (var i = 0; i < paths.Length; i++)
        {
            (paths[i], values[i]) = (leaves[i].Key, leaves[i].Value);
        }
        return new LeafList(paths, values);
    }

    /// <summary>The leaves' paths (null only in a default value, which holds no leaves).</summary>
    internal string[] Paths { get; }

    /// <summary>The leaves' values, one a path.</summary>
    internal AttributeValue[] Values { get; }

    /// <summary>How many leaves there are.</summary>
    public int Count => Values?.Length ?? 0;

    /// <summary>Leaf <paramref name="index"/>, its path and value.</summary>
    public KeyValuePair<string, AttributeValue> this[int index] =>
        (uint)index < (uint)Count ? new(Paths[index], Values[index]) : throw new ArgumentOutOfRangeException(nameof(index));

    /// <summary>Enumerates without allocating.</summary>
    public Enumerator GetEnumerator() => new(this);

    IEnumerator<KeyValuePair<string, AttributeValue>> IEnumerable<KeyValuePair<string, AttributeValue>>.GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() =>
        ((IEnumerable<KeyValuePair<string, AttributeValue>>)this).GetEnumerator();

    /// <summary>A struct enumerator over the leaves.</summary>
    public struct Enumerator(LeafList leaves)
    {
        private int _index = -1;

        /// <summary>The current leaf.</summary>
        public readonly KeyValuePair<string, AttributeValue> Current => leaves[_index];

        /// <summary>Moves to the next leaf.</summary>
        public bool MoveNext() => ++_index < leaves.Count;
    }
}

/// <summary>
/// The sender's object as parsed, under an event's leaves (<see cref="LeafAttributes.Sent"/>), and the reserved fields taken
/// from it. An object of its own, made only for events read that way, so that the many read otherwise carry one reference
/// for it rather than the element and the list.
/// </summary>
internal sealed record SentObject(JsonElement Object, string[]? Consumed);
