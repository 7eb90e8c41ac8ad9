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
/// A two-way table per thread: a value's hash picks a pair of slots, the one last read or made first; a new value takes
/// the first, whose value moves to the second, replacing whatever was there (the one read or made the longer ago), so
/// the table never grows and a value that stops recurring is soon forgotten. Two values that recur together and meet in
/// one pair both stay (a direct-mapped table made one of them again each time the other came: 17 bytes an access line,
/// 4 a CloudTrail record, on the benchmark's workload; keeping the pair's last read first saves 3 more a CloudTrail
/// record). The hash is a cheap one over the value's bytes (a seeded
/// cryptographic hash cost more than the allocation it saved): values that collide, by chance or by a sender's choice,
/// only evict each other, which costs the strings the table would have saved and changes nothing else. Strings are
/// immutable: sharing one instance between events changes nothing they hold.
/// </remarks>
internal static class RecurringText
{
    /// <summary>Longer values are made as they are: they rarely recur, and comparing them costs more than it saves.</summary>
    public const int MaxLength = 128;

    /// <summary>The table's slots: a power of two, at most 4,096 (<see cref="Index"/> takes 12 bits of the hash).</summary>
    private const int Slots = 4096;

    [ThreadStatic]
    private static Entry[]? t_slots;

    /// <summary>
    /// A slot of the table: a string and the hash of what it was made from. A value is compared with the string only when
    /// the hashes are the same, so that a value the slot does not hold is told without reading the string, which is seldom
    /// still in the processor's cache (most values that do not recur, such as URLs and ports, meet another's string).
    /// </summary>
    public readonly record struct Entry(string? Text, ulong Hash);

    /// <summary>
    /// This thread's table, for a caller that looks up many values in a row (a reader walking an event, a parser): one read
    /// of a thread-static field instead of one a value. Any table gives the same strings: a slot's string is compared
    /// before it is used.
    /// </summary>
    public static Entry[] Table() => t_slots ??= new Entry[Slots];

    /// <summary>
    /// The string of <paramref name="text"/>: the one made before on this thread when it is still in its pair of slots.
    /// </summary>
    public static string Of(ReadOnlySpan<char> text) => Of(Table(), text);

    /// <inheritdoc cref="Of(ReadOnlySpan{char})"/>
    public static string Of(Entry[] table, ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return string.Empty;
        }
        if (text.Length > MaxLength)
        {
            return new string(text);
        }
        var hash = Hash(MemoryMarshal.AsBytes(text));
        var index = Index(table, hash);
        ref var first = ref table[index];
        if (first.Hash == hash && first.Text is { } known && ShortSpans.Same(known, text))
        {
            return known;
        }
        ref var second = ref table[index + 1];
        if (second.Hash == hash && second.Text is { } older && ShortSpans.Same(older, text))
        {
            (first, second) = (second, first);
            return older;
        }
        var made = new string(text);
        (second, first) = (first, new Entry(made, hash));
        return made;
    }

    /// <summary>
    /// <see cref="Of(ReadOnlySpan{char})"/> for a JSON string as parsed: a value that is short ASCII without escapes is
    /// compared and made from its bytes, without decoding; any other is read as the element reads it.
    /// </summary>
    public static string Of(JsonElement element)
    {
        // The raw value is the string as sent, its quotes included.
        var raw = JsonMarshal.GetRawUtf8Value(element);
        return raw.Length < 2 || raw.Length - 2 > MaxLength || raw.Contains((byte)'\\') ? element.GetString()! : OfUtf8(raw[1..^1]);
    }

    /// <summary>
    /// <see cref="Of(ReadOnlySpan{char})"/> for the UTF-8 bytes of a string without escapes (as a JSON reader holds it): short
    /// ASCII is compared and made from its bytes, without decoding; anything else is decoded.
    /// </summary>
    public static string OfUtf8(ReadOnlySpan<byte> bytes) => OfUtf8(Table(), bytes);

    /// <inheritdoc cref="OfUtf8(ReadOnlySpan{byte})"/>
    public static string OfUtf8(Entry[] table, ReadOnlySpan<byte> bytes) => OfBytes(table, bytes, strict: false)!;

    /// <summary>
    /// <see cref="OfUtf8(Entry[], ReadOnlySpan{byte})"/> for bytes not known to be UTF-8 (a reader that has not checked the
    /// whole text they come from): null when they are not.
    /// </summary>
    public static string? OfCheckedUtf8(Entry[] table, ReadOnlySpan<byte> bytes) => OfBytes(table, bytes, strict: true);

    /// <summary>
    /// UTF-8 decoded as <see cref="Encoding.UTF8"/> decodes it, or null when it is not UTF-8: one pass, which throws (and
    /// costs) only for such bytes, which the intake's check refuses before anything is read this way.
    /// </summary>
    internal static string? StrictUtf8(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return StrictDecoder.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    private static readonly UTF8Encoding StrictDecoder = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary><see cref="OfUtf8(Entry[], ReadOnlySpan{byte})"/>; with <paramref name="strict"/>, null for bytes that are not UTF-8.</summary>
    private static string? OfBytes(Entry[] table, ReadOnlySpan<byte> bytes, bool strict)
    {
        if (bytes.IsEmpty)
        {
            return string.Empty;
        }
        if (bytes.Length > MaxLength || !ShortSpans.IsPrintableAscii(bytes))
        {
            return strict ? StrictUtf8(bytes) : Encoding.UTF8.GetString(bytes);
        }
        // A value's hash differs as characters (Of) and as bytes: each finds its own slot, compared by its text all the same.
        var hash = Hash(bytes);
        var index = Index(table, hash);
        ref var first = ref table[index];
        if (first.Hash == hash && first.Text is { } known && known.Length == bytes.Length && Ascii.Equals(bytes, known))
        {
            return known;
        }
        ref var second = ref table[index + 1];
        if (second.Hash == hash && second.Text is { } older && older.Length == bytes.Length && Ascii.Equals(bytes, older))
        {
            (first, second) = (second, first);
            return older;
        }
        var made = Encoding.Latin1.GetString(bytes);
        (second, first) = (first, new Entry(made, hash));
        return made;
    }

    /// <summary>The first slot of the pair a hash picks (always even, its pair's second slot after it).</summary>
    private static int Index(Entry[] table, ulong hash) => (int)(hash >> 52) & (table.Length - 2);

    /// <summary>For tests: the pair of slots <paramref name="text"/> takes (<see cref="Of(ReadOnlySpan{char})"/>).</summary>
    internal static int PairOf(ReadOnlySpan<char> text) => Index(Table(), Hash(MemoryMarshal.AsBytes(text)));

    private static ulong Hash(ReadOnlySpan<byte> bytes)
    {
        const ulong Multiplier = 0x9E3779B97F4A7C15;
        var hash = (ulong)bytes.Length * Multiplier;
        if (bytes.Length > 32)
        {
            // A long value is known by its length, its first and last 16 bytes and 8 from its middle (user agents, URLs,
            // ARNs differ there): hashing all of it cost more than the comparison that follows. Values alike in all of
            // these only take turns in their pair of slots.
            hash = Mix(hash, MemoryMarshal.Read<ulong>(bytes));
            hash = Mix(hash, MemoryMarshal.Read<ulong>(bytes[8..]));
            hash = Mix(hash, MemoryMarshal.Read<ulong>(bytes[(bytes.Length / 2 - 4)..]));
            hash = Mix(hash, MemoryMarshal.Read<ulong>(bytes[^16..]));
            bytes = bytes[^8..];
        }
        while (bytes.Length >= sizeof(ulong))
        {
            hash = Mix(hash, MemoryMarshal.Read<ulong>(bytes));
            bytes = bytes[sizeof(ulong)..];
        }
        ulong tail = 0;
        for (var i = 0; i < bytes.Length; i++)
        {
            tail |= (ulong)bytes[i] << (8 * i);
        }
        return (hash ^ tail) * Multiplier;

        static ulong Mix(ulong hash, ulong value)
        {
            hash = (hash ^ value) * Multiplier;
            return hash ^ (hash >> 29);
        }
    }
}
