using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Portal.Detection.Events;

/// <summary>
/// Short strings as events repeat them (host names, services, sources, tags, addresses, user names, user agents, event
/// names), each made once per thread while it keeps recurring: the intake reads the same few hundred values event after
/// event, and a new string for each would be most of what normalising an event allocates and what the collector then
/// copies while the batch is built.
/// </summary>
/// <remarks>
/// A direct-mapped table per thread: a value takes the slot of its hash, replacing whatever was there, so the table never
/// grows and a value that stops recurring is soon forgotten. The hash is the runtime's seeded one, so a sender cannot
/// choose values that keep evicting each other (and if one did, the cost would be the strings the table saves, no more).
/// Strings are immutable: sharing one instance between events changes nothing they hold.
/// </remarks>
internal static class RecurringText
{
    /// <summary>Longer values are made as they are: they rarely recur, and comparing them costs more than it saves.</summary>
    public const int MaxLength = 128;

    private const int Slots = 4096;

    [ThreadStatic]
    private static string?[]? t_slots;

    /// <summary>The string of <paramref name="text"/>: the one made before on this thread when it is still in its slot.</summary>
    public static string Of(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return string.Empty;
        }
        if (text.Length > MaxLength)
        {
            return new string(text);
        }
        var slots = t_slots ??= new string?[Slots];
        ref var slot = ref slots[string.GetHashCode(text) & (Slots - 1)];
        if (slot is { } known && known.AsSpan().SequenceEqual(text))
        {
            return known;
        }
        return slot = new string(text);
    }

    /// <summary>
    /// The text of the JSON string <paramref name="element"/>, as <see cref="JsonElement.GetString"/> reads it: through the
    /// table when it is short and holds no escape, which then needs no decoding of its own.
    /// </summary>
    public static string Of(JsonElement element)
    {
        // The raw value is the string as sent, its quotes included.
        var raw = JsonMarshal.GetRawUtf8Value(element);
        if (raw.Length < 2 || raw.Length - 2 > MaxLength || raw.IndexOf((byte)'\\') >= 0)
        {
            return element.GetString()!;
        }
        Span<char> text = stackalloc char[MaxLength];
        // The document checked that its strings are UTF-8; at most one character per byte.
        var length = Encoding.UTF8.GetChars(raw[1..^1], text);
        return Of(text[..length]);
    }
}
