using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Portal.Detection.Events;

namespace Portal.Detection.Intake;

/// <summary>
/// A forward-only reader of a JSON text, for the
/// streamed normalisation (<see cref="StreamedEvents"/>): the grammar of RFC 8259 as <see cref="System.Text.Json.Utf8JsonReader"/>
/// reads it with the intake's options (no comments, no trailing commas, depth at most 64), at a fraction of its cost per token.
/// </summary>
/// <remarks>
/// It does not check the UTF-8 of strings: the streamed normalisation checks each string it decodes, and the general way
/// the whole text. It says only whether the text is well formed, never where or why not: a caller that meets a fault (a method returning
/// false) reads the text again with the framework's reader, which says. Each method leaves <see cref="At"/> anywhere
/// when it fails.
/// </remarks>
internal ref struct JsonCursor(ReadOnlySpan<byte> json)
{
    /// <summary>The deepest nesting of objects and arrays read, as the intake's reader allows.</summary>
    public const int MaxDepth = 64;

    private readonly ReadOnlySpan<byte> _json = json;

    /// <summary>Where the cursor stands: the index of the next byte to read.</summary>
    public int At;


    /// <summary>
    /// Whether a string read so far held an escape of a UTF-16 surrogate (<c>\ud83d</c>, <c>\uDE00</c>), which may stand
    /// without its pair. Escapes of other units (<c>\u0022</c>, which some encoders write for every quote) cannot.
    /// </summary>
    public bool MetSurrogateEscape { get; private set; }

    /// <summary>Whether the whole text has been read.</summary>
    public readonly bool AtEnd => At == _json.Length;

    /// <summary>The next byte after any whitespace, the cursor left on it; 0 at the end of the text (a 0 byte is never valid outside a string).</summary>
    public byte Peek()
    {
        var json = _json;
        var at = At;
        if ((uint)at < (uint)json.Length && json[at] > (byte)' ')
        {
            // Most values follow their colon or comma at once: the cursor stays, unwritten, so that the next read of its
            // place need not wait for a store.
            return json[at];
        }
        while ((uint)at < (uint)json.Length)
        {
            var b = json[at];
            if (b > (byte)' ' || (b != (byte)' ' && b != (byte)'\n' && b != (byte)'\r' && b != (byte)'\t'))
            {
                At = at;
                return b;
            }
            at++;
        }
        At = at;
        return 0;
    }

    /// <summary>Steps over <paramref name="expected"/> after any whitespace; false, without moving past it, when the next byte is another.</summary>
    public bool Take(byte expected)
    {
        if (Peek() != expected)
        {
            return false;
        }
        At++;
        return true;
    }

    /// <summary>
    /// Reads the string at which the cursor stands (on its opening quote): its bytes as written between the quotes, and
    /// whether they hold an escape (<see cref="Unescape"/> decodes them). False for a string that is not well formed: not
    /// closed, a control character in it, an escape that JSON does not have.
    /// </summary>
    public bool String(out ReadOnlySpan<byte> raw, out bool escaped)
    {
        var start = At + 1;
        var rest = _json[start..];
        var stop = IndexOfStop(rest);
        escaped = false;
        raw = default;
        if (stop < 0)
        {
            return false;
        }
        if (rest[stop] != (byte)'"')
        {
            if (rest[stop] != (byte)'\\')
            {
                return false;
            }
            escaped = true;
            var at = stop;
            while (true)
            {
                // At a backslash: the escape, then the next plain run.
                if (at + 1 >= rest.Length)
                {
                    return false;
                }
                switch (rest[at + 1])
                {
                    case (byte)'"' or (byte)'\\' or (byte)'/' or (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t':
                        at += 2;
                        break;
                    case (byte)'u':
                        if (at + 6 > rest.Length || !char.IsAsciiHexDigit((char)rest[at + 2]) || !char.IsAsciiHexDigit((char)rest[at + 3])
                            || !char.IsAsciiHexDigit((char)rest[at + 4]) || !char.IsAsciiHexDigit((char)rest[at + 5]))
                        {
                            return false;
                        }
                        // U+D800 to U+DFFF: a 'd' then a digit from 8 to f.
                        MetSurrogateEscape |= (rest[at + 2] | 0x20) == (byte)'d' && (rest[at + 3] is >= (byte)'8' and <= (byte)'9' || (rest[at + 3] | 0x20) is >= (byte)'a' and <= (byte)'f');
                        at += 6;
                        break;
                    default:
                        return false;
                }
                var next = IndexOfStop(rest[at..]);
                if (next < 0)
                {
                    return false;
                }
                at += next;
                if (rest[at] == (byte)'"')
                {
                    stop = at;
                    break;
                }
                if (rest[at] != (byte)'\\')
                {
                    return false;
                }
            }
        }
        raw = rest[..stop];
        At = start + stop + 1;
        return true;
    }

    /// <summary>
    /// Steps over the key at which the cursor stands (on its opening quote) and the colon right after it, when the bytes
    /// there are <paramref name="key"/>: a key written as its characters alone, then its closing quote and the colon
    /// (<c>key":</c>); false, the cursor unmoved, otherwise. What comes before the closing quote must be printable ASCII
    /// without a quote or backslash, so that the bytes that match it are the whole key.
    /// </summary>
    public bool TakeKey(ReadOnlySpan<byte> key)
    {
        if (!ShortSpans.StartsWith(_json[(At + 1)..], key))
        {
            return false;
        }
        At += key.Length + 1;
        return true;
    }

    /// <summary>
    /// Steps over the string at which the cursor stands (on its opening quote) when the bytes there are
    /// <paramref name="text"/>: a string written as its characters alone, then its closing quote (<c>text"</c>); false, the
    /// cursor unmoved, otherwise (and always for an empty <paramref name="text"/>). What comes before the closing quote
    /// must hold no quote, backslash or control character (a string read without escapes holds none), so that the bytes
    /// that match it are the whole string.
    /// </summary>
    public bool TakeString(ReadOnlySpan<byte> text)
    {
        if (text.IsEmpty || !ShortSpans.StartsWith(_json[(At + 1)..], text))
        {
            return false;
        }
        At += text.Length + 1;
        return true;
    }

    /// <summary>
    /// Where a string's plain run stops in <paramref name="text"/>: at its closing quote, an escape, or a control character
    /// (never allowed in one); -1 when none is there. Sixteen bytes at a time: most values are short, and a general search
    /// for a set of bytes costs more to set up than this takes to find them.
    /// </summary>
    private static int IndexOfStop(ReadOnlySpan<byte> text)
    {
        ref var first = ref MemoryMarshal.GetReference(text);
        var at = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            var quote = Vector128.Create((byte)'"');
            var backslash = Vector128.Create((byte)'\\');
            var space = Vector128.Create((byte)' ');
            for (; at + Vector128<byte>.Count <= text.Length; at += Vector128<byte>.Count)
            {
                var bytes = Vector128.LoadUnsafe(ref first, (nuint)at);
                var stops = Vector128.Equals(bytes, quote) | Vector128.Equals(bytes, backslash) | Vector128.LessThan(bytes, space);
                if (stops != Vector128<byte>.Zero)
                {
                    return at + BitOperations.TrailingZeroCount(stops.ExtractMostSignificantBits());
                }
            }
        }
        for (; at < text.Length; at++)
        {
            if (text[at] is (byte)'"' or (byte)'\\' or < (byte)' ')
            {
                return at;
            }
        }
        return -1;
    }

    /// <summary>
    /// Reads the number at which the cursor stands: <c>-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?</c>. What follows it
    /// is the caller's to check (a comma, a closing bracket, whitespace or the end).
    /// </summary>
    public bool Number(out ReadOnlySpan<byte> raw)
    {
        var json = _json;
        var start = At;
        var at = start;
        if (at < json.Length && json[at] == (byte)'-')
        {
            at++;
        }
        if (at >= json.Length || !char.IsAsciiDigit((char)json[at]))
        {
            raw = default;
            return false;
        }
        if (json[at] == (byte)'0')
        {
            at++;
        }
        else
        {
            at = Digits(json, at);
        }
        if (at < json.Length && json[at] == (byte)'.')
        {
            var end = Digits(json, at + 1);
            if (end == at + 1)
            {
                raw = default;
                return false;
            }
            at = end;
        }
        if (at < json.Length && (json[at] | 0x20) == (byte)'e')
        {
            at++;
            if (at < json.Length && json[at] is (byte)'+' or (byte)'-')
            {
                at++;
            }
            var end = Digits(json, at);
            if (end == at)
            {
                raw = default;
                return false;
            }
            at = end;
        }
        raw = json[start..at];
        At = at;
        return true;
    }

    private static int Digits(ReadOnlySpan<byte> json, int at)
    {
        while (at < json.Length && char.IsAsciiDigit((char)json[at]))
        {
            at++;
        }
        return at;
    }

    /// <summary>Steps over the literal <paramref name="word"/> (<c>true</c>, <c>false</c>, <c>null</c>) at which the cursor stands.</summary>
    public bool Literal(ReadOnlySpan<byte> word)
    {
        if (!ShortSpans.StartsWith(_json[At..], word))
        {
            return false;
        }
        At += word.Length;
        return true;
    }

    /// <summary>
    /// Steps over the value that follows (after any whitespace), nested at <paramref name="depth"/> (1 for an event of an
    /// array); false when it is not well formed.
    /// </summary>
    public bool SkipValue(int depth)
    {
        switch (Peek())
        {
            case (byte)'"':
                return String(out _, out _);
            case (byte)'{':
                return SkipContainer((byte)'}', depth + 1);
            case (byte)'[':
                return SkipContainer((byte)']', depth + 1);
            case (byte)'t':
                return Literal("true"u8);
            case (byte)'f':
                return Literal("false"u8);
            case (byte)'n':
                return Literal("null"u8);
            default:
                return Number(out _);
        }
    }

    private bool SkipContainer(byte close, int depth)
    {
        if (depth > MaxDepth)
        {
            return false;
        }
        At++;
        if (Take(close))
        {
            return true;
        }
        do
        {
            if (close == (byte)'}' && (Peek() != (byte)'"' || !String(out _, out _) || !Take((byte)':')))
            {
                return false;
            }
            if (!SkipValue(depth))
            {
                return false;
            }
        }
        while (Take((byte)','));
        return Take(close);
    }

    /// <summary>
    /// Decodes a string's escaped bytes as written (<see cref="String"/>) into <paramref name="buffer"/> (as long as they at
    /// least), giving the length decoded; -1 for an escape of a UTF-16 surrogate that is not part of a pair, which the
    /// framework's reader refuses.
    /// </summary>
    /// <remarks>
    /// The plain runs between escapes are copied 16 bytes at a time as they are searched (a block that holds the next
    /// backslash is copied whole, and what follows the backslash written over): a log line escapes a few quotes, and a
    /// search and a copy for each run between them cost more than the runs.
    /// </remarks>
    public static int Unescape(ReadOnlySpan<byte> raw, Span<byte> buffer)
    {
        // Blocks are stored as far as the raw text's length: the buffer must be that long (a string is never longer decoded).
        ArgumentOutOfRangeException.ThrowIfLessThan(buffer.Length, raw.Length, nameof(buffer));
        var (at, written) = (0, 0);
        while (true)
        {
            if (!CopiedToEscape(raw, buffer, ref at, ref written))
            {
                return written;
            }
            var kind = raw[at + 1];
            if (kind == (byte)'u')
            {
                var unit = Unit(raw[(at + 2)..]);
                var length = 6;
                if (unit is >= 0xD800 and <= 0xDFFF)
                {
                    // A surrogate stands only in a pair, high then low, each escaped; the framework refuses one alone.
                    var low = unit <= 0xDBFF && raw.Length >= at + 12 && raw[at + 6] == (byte)'\\' && raw[at + 7] == (byte)'u' ? Unit(raw[(at + 8)..]) : -1;
                    if (low is < 0xDC00 or > 0xDFFF)
                    {
                        return -1;
                    }
                    unit = char.ConvertToUtf32((char)unit, (char)low);
                    length = 12;
                }
                written += new System.Text.Rune(unit).EncodeToUtf8(buffer[written..]);
                at += length;
                continue;
            }
            buffer[written++] = kind switch
            {
                (byte)'b' => (byte)'\b',
                (byte)'f' => (byte)'\f',
                (byte)'n' => (byte)'\n',
                (byte)'r' => (byte)'\r',
                (byte)'t' => (byte)'\t',
                _ => kind,
            };
            at += 2;
        }
    }

    /// <summary>
    /// Copies the plain run of <paramref name="raw"/> from <paramref name="at"/> to the next backslash into
    /// <paramref name="buffer"/> at <paramref name="written"/>, both moved past it: true at a backslash, false at the end. A
    /// block is stored where the decoded text stands, never further than the raw text's end, for what is decoded is never
    /// longer than what it was decoded from.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static bool CopiedToEscape(ReadOnlySpan<byte> raw, Span<byte> buffer, ref int at, ref int written)
    {
        if (Vector128.IsHardwareAccelerated)
        {
            ref var source = ref MemoryMarshal.GetReference(raw);
            ref var target = ref MemoryMarshal.GetReference(buffer);
            var backslash = Vector128.Create((byte)'\\');
            for (; at + Vector128<byte>.Count <= raw.Length; (at, written) = (at + Vector128<byte>.Count, written + Vector128<byte>.Count))
            {
                var bytes = Vector128.LoadUnsafe(ref source, (nuint)at);
                bytes.StoreUnsafe(ref target, (nuint)written);
                var found = Vector128.Equals(bytes, backslash).ExtractMostSignificantBits();
                if (found != 0)
                {
                    var run = BitOperations.TrailingZeroCount(found);
                    (at, written) = (at + run, written + run);
                    return true;
                }
            }
        }
        while (at < raw.Length && raw[at] != (byte)'\\')
        {
            buffer[written++] = raw[at++];
        }
        return at < raw.Length;
    }

    /// <summary>The UTF-16 unit of an escape's four hex digits (checked when the string was read).</summary>
    private static int Unit(ReadOnlySpan<byte> hex) => (HexValue(hex[0]) << 12) | (HexValue(hex[1]) << 8) | (HexValue(hex[2]) << 4) | HexValue(hex[3]);

    private static int HexValue(byte digit) => digit <= (byte)'9' ? digit - '0' : (digit | 0x20) - 'a' + 10;
}
