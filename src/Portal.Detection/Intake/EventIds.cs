using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Portal.Detection.Intake;

/// <summary>
/// Event ids in the ULID layout: 26 Crockford base32 characters, 48 bits of Unix milliseconds then
/// 80 random bits. Ids sort by time as plain strings, and 80 bits keep collisions negligible even
/// when thousands of events share a millisecond.
/// </summary>
public static class EventIds
{
    /// <summary>Length of every id.</summary>
    public const int Length = 26;

    private const int TimeChars = 10;
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    /// <summary>A new id for an event at <paramref name="timestamp"/>.</summary>
    public static string New(DateTimeOffset timestamp) => New(timestamp, NewSeed());

    /// <summary>
    /// The id for an event at <paramref name="timestamp"/> whose 80 random bits are the low bits of
    /// <paramref name="random"/>: a batch draws one <see cref="NewSeed"/> and numbers its events from it, so that
    /// reading the batch again gives the same ids.
    /// </summary>
    public static string New(DateTimeOffset timestamp, UInt128 random)
    {
        // Clamp into the 48-bit range so pre-1970 or absurd timestamps still give a valid id.
        var time = (ulong)Math.Clamp(timestamp.ToUnixTimeMilliseconds(), 0L, (1L << 48) - 1);

        // Two characters (ten bits) at a time from the last, as one 32-bit write of a pair made once (Pairs): the random
        // part's 80 bits from the low 64 bits, then the rest (two 64-bit halves, as shifting a UInt128 cost more than the
        // rest of the id), then the time's 50 (its top two always zero).
        var (low, high) = ((ulong)random, (ulong)(random >> 64));
        return string.Create(Length, (time, low, high), static (chars, parts) =>
        {
            var (time, low, high) = parts;
            var pairs = MemoryMarshal.Cast<char, uint>(chars);
            for (var i = Length / 2 - 1; i >= TimeChars / 2; i--)
            {
                pairs[i] = Pairs[(int)(low & 1023)];
                low = (low >> 10) | (high << 54);
                high >>= 10;
            }
            for (var i = TimeChars / 2 - 1; i >= 0; i--)
            {
                pairs[i] = Pairs[(int)(time & 1023)];
                time >>= 10;
            }
        });
    }

    /// <summary>
    /// The millisecond an id of this layout was drawn for (<see cref="New(DateTimeOffset)"/>): its event's time, clamped into
    /// the 48 bits as <see cref="New(DateTimeOffset, UInt128)"/> clamps it; null for any other string (an id given by hand).
    /// </summary>
    public static DateTimeOffset? TimeOf(string id)
    {
        if (id.Length != Length)
        {
            return null;
        }
        var time = 0L;
        for (var i = 0; i < Length; i++)
        {
            // The random part too must be of the alphabet, lest a 26-character name pass for an id.
            var digit = Alphabet.IndexOf(id[i]);
            if (digit < 0)
            {
                return null;
            }
            if (i < TimeChars)
            {
                time = (time << 5) | (uint)digit;
            }
        }
        // Ten characters hold 50 bits: the top two are zero in every id drawn, and 48 bits reach past the calendar's end.
        return time >> 48 == 0 && time <= LastMillisecond ? DateTimeOffset.FromUnixTimeMilliseconds(time) : null;
    }

    private static readonly long LastMillisecond = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    /// <summary>
    /// Each ten-bit value's two characters as they lie in a string, first the one of its high five bits: an id is 13
    /// pairs, written a pair at a time.
    /// </summary>
    private static readonly uint[] Pairs = [.. Enumerable.Range(0, 1024).Select(p =>
        MemoryMarshal.Read<uint>(MemoryMarshal.AsBytes<char>([Alphabet[p >> 5], Alphabet[p & 31]])))];

    /// <summary>80 random bits.</summary>
    public static UInt128 NewSeed()
    {
        var bytes = RandomBytes(10);
        return ((UInt128)BinaryPrimitives.ReadUInt64LittleEndian(bytes) << 16) | BinaryPrimitives.ReadUInt16LittleEndian(bytes[8..]);
    }

    /// <summary>Random bytes drawn from the system generator a few kilobytes at a time: one call per id cost more than the rest of the id.</summary>
    [ThreadStatic]
    private static byte[]? t_random;

    [ThreadStatic]
    private static int t_used;

    private static ReadOnlySpan<byte> RandomBytes(int count)
    {
        var buffer = t_random ??= new byte[4096];
        if (t_used == 0 || t_used + count > buffer.Length)
        {
            RandomNumberGenerator.Fill(buffer);
            t_used = 0;
        }
        var bytes = buffer.AsSpan(t_used, count);
        t_used += count;
        return bytes;
    }
}
