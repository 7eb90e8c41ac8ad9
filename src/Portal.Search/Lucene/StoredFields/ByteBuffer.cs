using System.Buffers.Binary;
using System.Text;

namespace Portal.Search.Lucene.StoredFields;

/// <summary>A growable byte buffer with the writes a chunk's raw form needs: variable-length integers, fixed ones, UTF-8.</summary>
internal struct ByteBuffer(int capacity)
{
    private byte[] _bytes = new byte[capacity];

    public int Length { readonly get; set; }

    public readonly ReadOnlySpan<byte> Written => _bytes.AsSpan(0, Length);

    public void WriteVInt64(ulong value)
    {
        Ensure(10);
        while (value >= 0x80)
        {
            _bytes[Length++] = (byte)(value | 0x80);
            value >>= 7;
        }
        _bytes[Length++] = (byte)value;
    }

    public void WriteVInt32(int value) => WriteVInt64((uint)value);

    public void WriteInt32(int value)
    {
        Ensure(4);
        BinaryPrimitives.WriteInt32LittleEndian(_bytes.AsSpan(Length), value);
        Length += 4;
    }

    public void WriteInt64(long value)
    {
        Ensure(8);
        BinaryPrimitives.WriteInt64LittleEndian(_bytes.AsSpan(Length), value);
        Length += 8;
    }

    /// <summary>The byte count, then the bytes.</summary>
    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        WriteVInt32(bytes.Length);
        WriteRaw(bytes);
    }

    /// <summary>The bytes alone.</summary>
    public void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_bytes.AsSpan(Length));
        Length += bytes.Length;
    }

    /// <summary>The UTF-8 byte count, then the UTF-8 bytes.</summary>
    public void WriteString(string value)
    {
        var count = Encoding.UTF8.GetByteCount(value);
        WriteVInt32(count);
        Ensure(count);
        Length += Encoding.UTF8.GetBytes(value, _bytes.AsSpan(Length));
    }

    private void Ensure(int more)
    {
        if (Length + more > _bytes.Length)
        {
            Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, Length + more));
        }
    }
}

/// <summary>Reads what <see cref="ByteBuffer"/> writes; a read past the end is a corrupt chunk.</summary>
internal ref struct ByteReader(ReadOnlySpan<byte> bytes)
{
    private readonly ReadOnlySpan<byte> _bytes = bytes;

    public int Position { get; private set; }

    public readonly bool AtEnd => Position == _bytes.Length;

    public ulong ReadVInt64()
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = Next(1)[0];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
        throw Corrupt("a variable-length integer longer than 64 bits");
    }

    public int ReadVInt32() => ReadVInt64() is var value && value <= int.MaxValue ? (int)value : throw Corrupt($"a length or count of {value}");

    public int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(Next(4));

    public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(Next(8));

    public ReadOnlySpan<byte> ReadBytes() => Next(ReadVInt32());

    public void Skip(int count) => Next(count);

    private ReadOnlySpan<byte> Next(int count)
    {
        if (count > _bytes.Length - Position)
        {
            throw Corrupt($"{count} bytes at {Position} of {_bytes.Length}");
        }
        var next = _bytes.Slice(Position, count);
        Position += count;
        return next;
    }

    private static global::Lucene.Net.Index.CorruptIndexException Corrupt(string what) => new($"Stored fields chunk: {what}");
}
