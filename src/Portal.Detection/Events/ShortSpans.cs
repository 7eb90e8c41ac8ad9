using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Portal.Detection.Events;

/// <summary>
/// Comparisons of the short texts the intake meets by the million (keys, recurring values, a parser's words): up to 16
/// bytes as two words that overlap, longer ones 16 bytes at a time, never with 256-bit vectors. The framework's
/// comparisons, inlined, bring 256-bit code into the method that calls them, and with it a <c>vzeroupper</c> on every
/// return from that method, whichever way it went. On the AMD EPYC (Zen 2) of session 35's benchmarks, profiles put close
/// to half of a key's lookup (<c>StreamedEvents.KnownKey</c>) just after that instruction (see docs/PERFORMANCE.md).
/// Texts this short gain nothing from wider vectors.
/// </summary>
internal static class ShortSpans
{
    /// <summary>Whether <paramref name="a"/> and <paramref name="b"/> hold the same bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Same(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b) =>
        a.Length == b.Length && SameBytes(ref MemoryMarshal.GetReference(a), ref MemoryMarshal.GetReference(b), (uint)a.Length);

    /// <summary>Whether <paramref name="a"/> and <paramref name="b"/> hold the same characters (compared as their bytes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Same(ReadOnlySpan<char> a, ReadOnlySpan<char> b) => Same(MemoryMarshal.AsBytes(a), MemoryMarshal.AsBytes(b));

    /// <summary>Whether <paramref name="text"/> begins with <paramref name="prefix"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool StartsWith(ReadOnlySpan<byte> text, ReadOnlySpan<byte> prefix) =>
        prefix.Length <= text.Length && SameBytes(ref MemoryMarshal.GetReference(text), ref MemoryMarshal.GetReference(prefix), (uint)prefix.Length);

    /// <inheritdoc cref="StartsWith(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool StartsWith(ReadOnlySpan<char> text, ReadOnlySpan<char> prefix) => StartsWith(MemoryMarshal.AsBytes(text), MemoryMarshal.AsBytes(prefix));

    /// <summary>Whether every byte of <paramref name="text"/> is printable ASCII (space to tilde): 16 at a time, the last 16 overlapping those before.</summary>
    public static bool IsPrintableAscii(ReadOnlySpan<byte> text)
    {
        if (text.Length < Vector128<byte>.Count)
        {
            foreach (var b in text)
            {
                if ((uint)(b - ' ') > '~' - ' ')
                {
                    return false;
                }
            }
            return true;
        }
        ref var first = ref MemoryMarshal.GetReference(text);
        var (space, range) = (Vector128.Create((byte)' '), Vector128.Create((byte)('~' - ' ')));
        var last = (uint)(text.Length - Vector128<byte>.Count);
        for (nuint at = 0; at < last; at += (uint)Vector128<byte>.Count)
        {
            if (Vector128.GreaterThanAny(Vector128.LoadUnsafe(ref first, at) - space, range))
            {
                return false;
            }
        }
        return !Vector128.GreaterThanAny(Vector128.LoadUnsafe(ref first, last) - space, range);
    }

    /// <summary>
    /// Whether the <paramref name="length"/> bytes at <paramref name="x"/> and at <paramref name="y"/> are the same: up to 16
    /// as two words that overlap, longer ones 16 at a time in a method of their own.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool SameBytes(ref byte x, ref byte y, uint length)
    {
        if (length >= sizeof(ulong))
        {
            if (length > 2 * sizeof(ulong))
            {
                return SameLonger(ref x, ref y, length);
            }
            var end = length - sizeof(ulong);
            return ((Unsafe.ReadUnaligned<ulong>(ref x) ^ Unsafe.ReadUnaligned<ulong>(ref y))
                | (Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref x, end)) ^ Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref y, end)))) == 0;
        }
        if (length >= sizeof(uint))
        {
            var end = length - sizeof(uint);
            return ((Unsafe.ReadUnaligned<uint>(ref x) ^ Unsafe.ReadUnaligned<uint>(ref y))
                | (Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref x, end)) ^ Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref y, end)))) == 0;
        }
        if (length == 0)
        {
            return true;
        }
        // One to three bytes: the first, the last and the middle one (the same byte when fewer).
        var last = length - 1;
        return ((x ^ y) | (Unsafe.Add(ref x, last) ^ Unsafe.Add(ref y, last)) | (Unsafe.Add(ref x, last >> 1) ^ Unsafe.Add(ref y, last >> 1))) == 0;
    }

    /// <summary><see cref="SameBytes"/> for more than 16 bytes: 16 at a time, the last 16 overlapping those before.</summary>
    private static bool SameLonger(ref byte x, ref byte y, uint length)
    {
        var last = length - (uint)Vector128<byte>.Count;
        for (nuint at = 0; at < last; at += (uint)Vector128<byte>.Count)
        {
            if (Vector128.LoadUnsafe(ref x, at) != Vector128.LoadUnsafe(ref y, at))
            {
                return false;
            }
        }
        return Vector128.LoadUnsafe(ref x, last) == Vector128.LoadUnsafe(ref y, last);
    }
}
