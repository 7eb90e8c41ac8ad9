using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;

namespace Portal.Search.Journal;

/// <summary>
/// An append-only, checksummed journal in numbered segment files (<c>0000000001.wal</c>...). Each record is
/// <c>[length:int32][crc32:uint32][payload]</c>. Appends are buffered until <see cref="Sync"/>, which flushes
/// to the disk (fsync): callers group many appends into one sync. Not thread-safe: one writer owns it.
/// </summary>
public sealed class WriteAheadJournal : IDisposable
{
    private const string Extension = ".wal";
    private const int HeaderSize = 8;
    private readonly string _directory;
    private readonly long _segmentBytes;
    private FileStream _current;
    private long _currentFile;

    /// <summary>Opens the journal in <paramref name="directory"/>, appending to its last segment.</summary>
    public WriteAheadJournal(string directory, long segmentBytes = 64 * 1024 * 1024)
    {
        _directory = directory;
        _segmentBytes = segmentBytes;
        Directory.CreateDirectory(directory);
        _currentFile = Segments().DefaultIfEmpty(1).Max();
        _current = OpenForAppend(_currentFile);
        try
        {
            // The segment's name, and the journal's own (made with the tenant's), outlive a power cut as its records do.
            SyncDirectory();
            if (Path.GetDirectoryName(Path.GetFullPath(directory)) is { } parent)
            {
                DirectorySync.Flush(parent);
            }
        }
        catch
        {
            _current.Dispose();
            throw;
        }
    }

    /// <summary>Where the next record will start (once repaired, when a repair failed: <see cref="Rewind"/>).</summary>
    public JournalPosition End => _failure is null ? new(_currentFile, _current.Position) : _repairTo;

    /// <summary>Appends a record (buffered) and returns the position just after it.</summary>
    public JournalPosition Append(ReadOnlySpan<byte> payload) => Append(payload, []);

    /// <summary>Appends one record whose payload is <paramref name="head"/> then <paramref name="body"/>, without joining them first.</summary>
    /// <exception cref="IOException">The journal could not be cut back after a failure, and cannot be yet (<see cref="EnsureWritable"/>).</exception>
    public JournalPosition Append(ReadOnlySpan<byte> head, ReadOnlySpan<byte> body)
    {
        EnsureWritable();
        if (_current.Position >= _segmentBytes)
        {
            Roll();
        }
        var crc = new Crc32();
        crc.Append(head);
        crc.Append(body);
        Span<byte> header = stackalloc byte[HeaderSize];
        BinaryPrimitives.WriteInt32LittleEndian(header, head.Length + body.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], crc.GetCurrentHashAsUInt32());
        _current.Write(header);
        _current.Write(head);
        _current.Write(body);
        return End;
    }

    /// <summary>Where the record that ends at <paramref name="end"/> with <paramref name="payloadLength"/> bytes of payload starts: a record never spans segments.</summary>
    public static JournalPosition StartOf(JournalPosition end, int payloadLength) => end with { Offset = end.Offset - HeaderSize - payloadLength };

    /// <summary>Where the next record will start: <see cref="End"/>, or the start of the next segment when this one is full.</summary>
    public JournalPosition NextStart => _failure is null && _current.Position >= _segmentBytes ? new(_currentFile + 1, 0) : End;

    /// <summary>
    /// The payload of the record that starts at <paramref name="start"/>, read back from the disk (synced records only).
    /// Safe beside the writer: it reads through its own handle.
    /// </summary>
    /// <exception cref="InvalidDataException">No whole record with its checksum starts there.</exception>
    public byte[] ReadAt(JournalPosition start)
    {
        using var stream = new FileStream(PathOf(start.File), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        stream.Position = start.Offset;
        return ReadRecord(stream) ?? throw new InvalidDataException($"No whole journal record with its checksum starts at {start}.");
    }

    /// <summary>
    /// The payload of the record at the stream's position, which moves past it; or null when no whole record with its
    /// checksum is there (the end of the data, or a torn or corrupt record).
    /// </summary>
    private static byte[]? ReadRecord(Stream stream)
    {
        Span<byte> header = stackalloc byte[HeaderSize];
        if (stream.ReadAtLeast(header, HeaderSize, throwOnEndOfStream: false) < HeaderSize)
        {
            return null;
        }
        var length = BinaryPrimitives.ReadInt32LittleEndian(header);
        if (length < 0 || length > stream.Length - stream.Position)
        {
            return null;
        }
        var payload = new byte[length];
        stream.ReadExactly(payload);
        return Crc32.HashToUInt32(payload) == BinaryPrimitives.ReadUInt32LittleEndian(header[4..]) ? payload : null;
    }

    /// <summary>
    /// After a failed append or sync, cuts the journal back to <paramref name="good"/> (the end before the failed group): the
    /// group's records, refused to their senders, are never read back, and the next records follow acknowledged ones. The
    /// stream is closed (its buffer may still hold the group's bytes) and the journal cut through a new one, the segments
    /// begun since deleted. Never throws: when that fails too, the journal refuses every later append (<see cref="Append(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>)
    /// rather than write after records that were refused.
    /// </summary>
    public void Rewind(JournalPosition good)
    {
        try
        {
            try
            {
                _current.Dispose();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Its buffer could not be written out; the handle is closed all the same, and the file is cut below.
            }
            foreach (var later in Segments().Where(f => f > good.File))
            {
                File.Delete(PathOf(later));
            }
            _currentFile = good.File;
            _current = OpenForAppend(good.File);
            _current.SetLength(good.Offset);
            _current.Position = good.Offset;
            _current.Flush(flushToDisk: true);
            SyncDirectory();
            _failure = null;
        }
        catch (Exception e)
        {
            (_failure, _repairTo) = (e, good);
        }
    }

    /// <summary>
    /// When the last repair failed (<see cref="Rewind"/>: a full disk, too many open files), tries it again, so that a passing
    /// fault does not refuse every later record until the process restarts; the positions (<see cref="End"/>,
    /// <see cref="NextStart"/>) are then those the next records take.
    /// </summary>
    /// <exception cref="IOException">The repair failed again: the journal takes no record.</exception>
    public void EnsureWritable()
    {
        if (_failure is null)
        {
            return;
        }
        Rewind(_repairTo);
        if (_failure is { } failure)
        {
            throw new IOException("The journal could not be repaired after a failed write; it takes no record until it can be.", failure);
        }
    }

    /// <summary>Why the last repair failed (<see cref="Rewind"/>), or null: the next append tries it again first.</summary>
    private Exception? _failure;

    /// <summary>Where the failed repair was to cut the journal back to.</summary>
    private JournalPosition _repairTo;

    /// <summary>Makes every appended record durable (flush to the OS and fsync).</summary>
    public void Sync() => _current.Flush(flushToDisk: true);

    /// <summary>
    /// Records after <paramref name="from"/>, in order, with the position after each. Reading stops at the first
    /// torn or corrupt record (a crash during a write): that tail was never acknowledged and is cut off.
    /// </summary>
    public IEnumerable<(JournalPosition End, byte[] Payload)> ReadFrom(JournalPosition from)
    {
        foreach (var file in Segments().Where(f => f >= from.File).Order())
        {
            using var stream = new FileStream(PathOf(file), FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            stream.Position = file == from.File ? Math.Min(from.Offset, stream.Length) : 0;
            while (true)
            {
                var start = stream.Position;
                if (ReadRecord(stream) is not { } payload)
                {
                    TruncateIfTorn(file, start, stream.Length);
                    break;
                }
                yield return (new JournalPosition(file, stream.Position), payload);
            }
        }
    }

    /// <summary>Deletes segments that lie wholly before <paramref name="position"/> (already in a committed index).</summary>
    public void DeleteBefore(JournalPosition position)
    {
        foreach (var file in Segments().Where(f => f < position.File && f != _currentFile))
        {
            File.Delete(PathOf(file));
        }
    }

    /// <inheritdoc />
    public void Dispose() => _current.Dispose();

    private void Roll()
    {
        // The next segment is opened before this one is let go: when it cannot be, the journal stays whole and usable.
        var next = OpenForAppend(_currentFile + 1);
        try
        {
            SyncDirectory();
            Sync();
        }
        catch
        {
            next.Dispose();
            throw;
        }
        _current.Dispose();
        _current = next;
        _currentFile++;
    }

    /// <summary>Makes the journal directory's entries durable: a new segment's name survives a power cut as its records do.</summary>
    private void SyncDirectory() => DirectorySync.Flush(_directory);

    private void TruncateIfTorn(long file, long validLength, long actualLength)
    {
        if (actualLength > validLength && file == _currentFile)
        {
            // Only the segment being appended to can hold a torn tail; cut it so new records follow valid ones.
            _current.SetLength(validLength);
            _current.Position = validLength;
            _current.Flush(flushToDisk: true);
        }
    }

    private FileStream OpenForAppend(long file)
    {
        var stream = new FileStream(PathOf(file), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, bufferSize: 1 << 16);
        stream.Position = stream.Length;
        return stream;
    }

    private IEnumerable<long> Segments() => Directory.EnumerateFiles(_directory, "*" + Extension)
        .Select(p => long.TryParse(Path.GetFileNameWithoutExtension(p), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1)
        .Where(n => n > 0)
        .ToList();

    private string PathOf(long file) => Path.Combine(_directory, file.ToString("D10", CultureInfo.InvariantCulture) + Extension);
}
