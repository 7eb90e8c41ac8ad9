using System.Text.Json;
using System.Text.Json.Nodes;

namespace Portal.Detection.Events;

/// <summary>
/// Attributes held as leaves rather than as a tree: what the parsers add to an event whose sender stated none (an sshd or
/// access line). Every path is plain (segments without dots, none empty), no leaf lies on or below another, and the leaves
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

    /// <summary>Whether <paramref name="path"/> can name a leaf here: not empty, no empty segment.</summary>
    public static bool IsPlain(string path) =>
        path.Length > 0 && path[0] != '.' && path[^1] != '.' && !path.Contains("..", StringComparison.Ordinal);

    /// <summary>
    /// How many whole leading segments <paramref name="path"/> shares with the leaf at <paramref name="other"/>, and whether
    /// adding it would meet that leaf (the same path, a path through it, or one it lies below), which the tree refuses.
    /// </summary>
    public static (int Shared, bool Conflict) Shared(string path, string other)
    {
        var common = path.AsSpan().CommonPrefixLength(other);
        if (common == path.Length || common == other.Length)
        {
            // One is the other, or a prefix of it: a conflict when the prefix ends at a segment's end.
            var longer = path.Length > other.Length ? path : other;
            if (common == longer.Length || longer[common] == '.')
            {
                return (0, true);
            }
        }
        // Whole segments: the dots before the first difference, cut back to the last complete segment.
        var segments = 0;
        for (var i = 0; i < common; i++)
        {
            if (path[i] == '.')
            {
                segments++;
            }
        }
        return (segments, false);
    }

    /// <summary>The tree the leaves stand for, with each value the node type it was added as.</summary>
    public static JsonObject Build(LeafAttributes attributes)
    {
        var root = new JsonObject();
        for (var i = 0; i < attributes.Leaves.Length; i++)
        {
            var (path, value) = attributes.Leaves[i];
            var kind = attributes.KindOf(i);
            var segments = DottedPath.Of(path).Segments;
            var current = root;
            for (var s = 0; s < segments.Length - 1; s++)
            {
                if (current[segments[s]] is not JsonObject next)
                {
                    current[segments[s]] = next = new JsonObject();
                }
                current = next;
            }
            current[segments[^1]] = kind switch
            {
                Kind.Boolean => JsonValue.Create(value.Text == "true"),
                Kind.Int => JsonValue.Create((int)value.Number!.Value),
                Kind.Long => JsonValue.Create((long)value.Number!.Value),
                _ => JsonValue.Create(value.Text),
            };
        }
        return root;
    }

    /// <summary>Writes the tree the leaves stand for as the JSON object it would write, without building it.</summary>
    public static void Write(Utf8JsonWriter writer, LeafAttributes attributes)
    {
        writer.WriteStartObject();
        // The objects open: those of the previous leaf's path, by their number of segments.
        var open = 0;
        string? previous = null;
        for (var i = 0; i < attributes.Leaves.Length; i++)
        {
            var (path, value) = attributes.Leaves[i];
            var kind = attributes.KindOf(i);
            var shared = previous is null ? 0 : Shared(path, previous).Shared;
            for (; open > shared; open--)
            {
                writer.WriteEndObject();
            }
            var segments = DottedPath.Of(path).Segments;
            for (; open < segments.Length - 1; open++)
            {
                writer.WriteStartObject(segments[open]);
            }
            writer.WritePropertyName(segments[^1]);
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
}

/// <summary>
/// An event's attributes as <see cref="LeafTree"/> leaves, with the JSON type of each: a bit per leaf marks the booleans,
/// another the numbers added as longs (other numbers were ints, other values strings).
/// </summary>
internal readonly record struct LeafAttributes(KeyValuePair<string, AttributeValue>[] Leaves, ulong Booleans, ulong Longs)
{
    /// <summary>At most as many leaves as a mask has bits.</summary>
    public const int MaxLeaves = 64;

    /// <summary>The leaves of a draft, in order (none for null).</summary>
    public static LeafAttributes From(List<(string Path, AttributeValue Value, LeafTree.Kind Kind)>? leaves)
    {
        var array = new KeyValuePair<string, AttributeValue>[leaves?.Count ?? 0];
        ulong booleans = 0, longs = 0;
        for (var i = 0; i < array.Length; i++)
        {
            var (path, value, kind) = leaves![i];
            array[i] = new(path, value);
            booleans |= kind == LeafTree.Kind.Boolean ? 1UL << i : 0;
            longs |= kind == LeafTree.Kind.Long ? 1UL << i : 0;
        }
        return new LeafAttributes(array, booleans, longs);
    }

    /// <summary>The JSON type leaf <paramref name="i"/> was added as.</summary>
    public LeafTree.Kind KindOf(int i) =>
        (Booleans >> i & 1) != 0 ? LeafTree.Kind.Boolean
        : (Longs >> i & 1) != 0 ? LeafTree.Kind.Long
        : Leaves[i].Value.Number is not null ? LeafTree.Kind.Int
        : LeafTree.Kind.Text;
}
