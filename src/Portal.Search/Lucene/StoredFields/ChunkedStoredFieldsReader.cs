using System.Text;
using global::Lucene.Net.Codecs;
using global::Lucene.Net.Index;
using global::Lucene.Net.Store;
using global::Lucene.Net.Util.Packed;
using Directory = global::Lucene.Net.Store.Directory;

namespace Portal.Search.Lucene.StoredFields;

/// <summary>
/// Reads <see cref="ChunkedStoredFieldsFormat"/>. Keeps the chunk it inflated last, unless it is large: the hits of a
/// page are mostly neighbours, and each searching thread reads through a clone of its own (Lucene clones the reader per
/// thread and keeps the clone while the segment is open).
/// </summary>
internal sealed class ChunkedStoredFieldsReader : StoredFieldsReader
{
    /// <summary>Raw chunks larger than this (a chunk holding one very large event) are not kept once read.</summary>
    private const int KeptChunkBytes = 2 * ChunkedStoredFieldsFormat.ChunkBytes;

    /// <summary>No chunk's raw form is larger: an event is at most 1 MB, and a chunk closes at 32 KB.</summary>
    private const int MaxRawBytes = 64 * 1024 * 1024;

    private readonly FieldInfos _fieldInfos;
    private readonly IndexInput _data;
    private readonly MonotonicBlockPackedReader _docBases;
    private readonly MonotonicBlockPackedReader _pointers;
    private readonly int _docs;
    private readonly int _chunks;
    private readonly bool _clone;
    private bool _disposed;

    private int _loaded = -1;
    private int _loadedBase;
    private Chunk _chunk = new();

    public ChunkedStoredFieldsReader(Directory directory, SegmentInfo segment, FieldInfos fieldInfos, IOContext context)
    {
        _fieldInfos = fieldInfos;
        var success = false;
        try
        {
            long dataEnd;
            using (var index = directory.OpenChecksumInput(ChunkedStoredFieldsFormat.IndexFile(segment), context))
            {
                CodecUtil.CheckHeader(index, ChunkedStoredFieldsFormat.IndexCodec, ChunkedStoredFieldsFormat.Version, ChunkedStoredFieldsFormat.Version);
                _docs = index.ReadVInt32();
                dataEnd = index.ReadVInt64();
                _chunks = index.ReadVInt32();
                var packedVersion = index.ReadVInt32();
                _docBases = new MonotonicBlockPackedReader(index, packedVersion, ChunkedStoredFieldsFormat.IndexBlockSize, _chunks, direct: false);
                _pointers = new MonotonicBlockPackedReader(index, packedVersion, ChunkedStoredFieldsFormat.IndexBlockSize, _chunks, direct: false);
                CodecUtil.CheckFooter(index);
            }
            if (_docs != segment.DocCount)
            {
                throw new CorruptIndexException($"Stored fields of segment {segment.Name} hold {_docs} documents, the segment {segment.DocCount}.");
            }
            _data = directory.OpenInput(ChunkedStoredFieldsFormat.DataFile(segment), context);
            CodecUtil.CheckHeader(_data, ChunkedStoredFieldsFormat.DataCodec, ChunkedStoredFieldsFormat.Version, ChunkedStoredFieldsFormat.Version);
            // A truncated or extended file fails here rather than at the first read of its end.
            if (_data.Length != dataEnd + CodecUtil.FooterLength())
            {
                throw new CorruptIndexException($"Stored fields of segment {segment.Name}: {_data} is {_data.Length} bytes, its index says {dataEnd + CodecUtil.FooterLength()}.");
            }
            CodecUtil.RetrieveChecksum(_data);
            success = true;
        }
        finally
        {
            if (!success)
            {
                _data?.Dispose();
            }
        }
    }

    private ChunkedStoredFieldsReader(ChunkedStoredFieldsReader original)
    {
        _fieldInfos = original._fieldInfos;
        _data = (IndexInput)original._data.Clone();
        _docBases = original._docBases;
        _pointers = original._pointers;
        _docs = original._docs;
        _chunks = original._chunks;
        _clone = true;
    }

    /// <summary>Chunks in the segment.</summary>
    internal int ChunkCount => _chunks;

    /// <summary>Every chunk's header, in order (how a segment's documents are chunked).</summary>
    internal IReadOnlyList<ChunkHeader> ReadHeaders()
    {
        var input = (IndexInput)_data.Clone();
        var headers = new List<ChunkHeader>(_chunks);
        for (var chunk = 0; chunk < _chunks; chunk++)
        {
            input.Seek(_pointers.Get(chunk));
            headers.Add(ReadHeader(input, chunk));
        }
        return headers;
    }

    public override void VisitDocument(int docID, StoredFieldVisitor visitor)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(docID);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(docID, _docs);
        Load(ChunkOf(docID));
        try
        {
            Visit(_chunk.Document(docID - _loadedBase), _chunk.FieldCount(docID - _loadedBase), visitor);
        }
        finally
        {
            if (_chunk.Capacity > KeptChunkBytes)
            {
                _chunk = new Chunk();
                _loaded = -1;
            }
        }
    }

    private void Visit(ReadOnlySpan<byte> document, int fieldCount, StoredFieldVisitor visitor)
    {
        var fields = new ByteReader(document);
        for (var i = 0; i < fieldCount; i++)
        {
            var infoAndType = fields.ReadVInt64();
            var number = infoAndType >> ChunkedStoredFieldsWriter.TypeBits;
            var info = (number <= int.MaxValue ? _fieldInfos.FieldInfo((int)number) : null)
                ?? throw new CorruptIndexException($"Stored field number {number} is not a field of the segment.");
            var type = (int)(infoAndType & ((1 << ChunkedStoredFieldsWriter.TypeBits) - 1));
            switch (visitor.NeedsField(info))
            {
                case StoredFieldVisitor.Status.YES:
                    Read(ref fields, visitor, info, type);
                    break;
                case StoredFieldVisitor.Status.NO:
                    Skip(ref fields, type);
                    break;
                default:
                    return;
            }
        }
    }

    private static void Read(ref ByteReader fields, StoredFieldVisitor visitor, FieldInfo info, int type)
    {
        switch (type)
        {
            case ChunkedStoredFieldsWriter.String:
                visitor.StringField(info, Encoding.UTF8.GetString(fields.ReadBytes()));
                break;
            case ChunkedStoredFieldsWriter.Bytes:
                visitor.BinaryField(info, fields.ReadBytes().ToArray());
                break;
            case ChunkedStoredFieldsWriter.Int32:
                visitor.Int32Field(info, fields.ReadInt32());
                break;
            case ChunkedStoredFieldsWriter.Single:
                visitor.SingleField(info, BitConverter.Int32BitsToSingle(fields.ReadInt32()));
                break;
            case ChunkedStoredFieldsWriter.Int64:
                visitor.Int64Field(info, fields.ReadInt64());
                break;
            case ChunkedStoredFieldsWriter.Double:
                visitor.DoubleField(info, BitConverter.Int64BitsToDouble(fields.ReadInt64()));
                break;
            default:
                throw new CorruptIndexException($"Stored field {info.Name}: unknown type {type}.");
        }
    }

    private static void Skip(ref ByteReader fields, int type)
    {
        switch (type)
        {
            case ChunkedStoredFieldsWriter.String or ChunkedStoredFieldsWriter.Bytes:
                fields.ReadBytes();
                break;
            case ChunkedStoredFieldsWriter.Int32 or ChunkedStoredFieldsWriter.Single:
                fields.Skip(4);
                break;
            case ChunkedStoredFieldsWriter.Int64 or ChunkedStoredFieldsWriter.Double:
                fields.Skip(8);
                break;
            default:
                throw new CorruptIndexException($"Stored field of unknown type {type}.");
        }
    }

    /// <summary>The chunk holding <paramref name="docID"/>: the last whose first document is not after it.</summary>
    private int ChunkOf(int docID)
    {
        int low = 0, high = _chunks - 1;
        while (low < high)
        {
            var middle = (low + high + 1) >>> 1;
            if (_docBases.Get(middle) <= docID)
            {
                low = middle;
            }
            else
            {
                high = middle - 1;
            }
        }
        return low;
    }

    private void Load(int chunk)
    {
        if (chunk == _loaded)
        {
            return;
        }
        _loaded = -1;
        _data.Seek(_pointers.Get(chunk));
        var header = ReadHeader(_data, chunk);
        _chunk.Read(_data, header, $"chunk {chunk} of {_data}");
        _loaded = chunk;
        _loadedBase = (int)_docBases.Get(chunk);
    }

    /// <summary>Reads chunk <paramref name="chunk"/>'s header at the input's position, checking it against the index and the file.</summary>
    private ChunkHeader ReadHeader(IndexInput input, int chunk)
    {
        var docBase = input.ReadVInt32();
        var header = new ChunkHeader(input.ReadVInt32(), input.ReadVInt32(), input.ReadVInt32(), input.ReadVInt32(), (uint)input.ReadInt32());
        var expectedBase = _docBases.Get(chunk);
        var expectedDocs = (chunk + 1 < _chunks ? _docBases.Get(chunk + 1) : _docs) - expectedBase;
        if (docBase != expectedBase || header.Docs != expectedDocs
            || header.TableOffset < 0 || header.RawLength < header.TableOffset || header.RawLength > MaxRawBytes
            || header.CompressedLength <= 0 || header.CompressedLength > input.Length - input.Position)
        {
            throw new CorruptIndexException($"Stored fields chunk {chunk} of {input} ({header} from document {docBase}): expected {expectedDocs} documents from {expectedBase}, within the file.");
        }
        return header;
    }

    /// <summary>
    /// Appends every chunk to <paramref name="target"/>: the full ones as they are, compressed, the documents of the
    /// others as bytes (<see cref="ChunkedStoredFieldsFormat.CopiedWhole"/>). Reads the whole file through its checksum,
    /// and throws once the chunks are copied if the file does not match it.
    /// </summary>
    internal void CopyTo(ChunkedStoredFieldsWriter target, CheckAbort checkAbort)
    {
        var source = (IndexInput)_data.Clone();
        source.Seek(0);
        var input = new BufferedChecksumIndexInput(source);
        CodecUtil.CheckHeader(input, ChunkedStoredFieldsFormat.DataCodec, ChunkedStoredFieldsFormat.Version, ChunkedStoredFieldsFormat.Version);
        var chunkData = new Chunk();
        for (var chunk = 0; chunk < _chunks; chunk++)
        {
            if (input.Position != _pointers.Get(chunk))
            {
                throw new CorruptIndexException($"Stored fields chunk {chunk} of {_data} is at {input.Position}, its index says {_pointers.Get(chunk)}.");
            }
            var header = ReadHeader(input, chunk);
            if (ChunkedStoredFieldsFormat.CopiedWhole(header))
            {
                target.Flush();
                target.AppendCompressed(header, chunkData.ReadCompressed(input, header));
            }
            else
            {
                chunkData.Read(input, header, $"chunk {chunk} of {_data}");
                for (var doc = 0; doc < header.Docs; doc++)
                {
                    target.AppendDocument(chunkData.FieldCount(doc), chunkData.Document(doc));
                }
            }
            checkAbort.Work(300.0 * header.Docs);
        }
        CodecUtil.CheckFooter(input);
    }

    public override object Clone()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new ChunkedStoredFieldsReader(this);
    }

    public override long RamBytesUsed() => _docBases.RamBytesUsed() + _pointers.RamBytesUsed() + _chunk.Capacity;

    public override void CheckIntegrity() => CodecUtil.ChecksumEntireFile(_data);

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            // Clones share the original's file, which the original closes.
            if (!_clone)
            {
                _data.Dispose();
            }
        }
    }

    /// <summary>One chunk, inflated: its raw form and where each document's fields are in it.</summary>
    private sealed class Chunk
    {
        private byte[] _compressed = [];
        private byte[] _raw = [];
        private int[] _starts = [0];
        private int[] _fieldCounts = [];

        /// <summary>Bytes held for the chunk.</summary>
        public int Capacity => _compressed.Length + _raw.Length;

        public ReadOnlySpan<byte> Document(int doc) => _raw.AsSpan(_starts[doc], _starts[doc + 1] - _starts[doc]);

        public int FieldCount(int doc) => _fieldCounts[doc];

        /// <summary>The compressed bytes that follow <paramref name="header"/> in <paramref name="input"/> (the array may be longer).</summary>
        public byte[] ReadCompressed(DataInput input, ChunkHeader header)
        {
            if (_compressed.Length < header.CompressedLength)
            {
                _compressed = new byte[header.CompressedLength];
            }
            input.ReadBytes(_compressed, 0, header.CompressedLength);
            return _compressed;
        }

        /// <summary>Reads, inflates and checks the chunk that follows <paramref name="header"/> in <paramref name="input"/>.</summary>
        public void Read(DataInput input, ChunkHeader header, string name)
        {
            ReadCompressed(input, header);
            if (_raw.Length < header.RawLength)
            {
                _raw = new byte[header.RawLength];
            }
            var raw = _raw.AsSpan(0, header.RawLength);
            if (!ChunkedStoredFieldsFormat.TryDecompress(_compressed.AsSpan(0, header.CompressedLength), raw)
                || ChunkedStoredFieldsFormat.Checksum(raw) != header.Crc)
            {
                throw new CorruptIndexException($"Stored fields {name} does not inflate to the {header.RawLength} bytes it was written from.");
            }
            if (_starts.Length < header.Docs + 1)
            {
                _starts = new int[header.Docs + 1];
                _fieldCounts = new int[header.Docs];
            }
            var table = new ByteReader(raw[header.TableOffset..]);
            for (var i = 0; i < header.Docs; i++)
            {
                _fieldCounts[i] = table.ReadVInt32();
                _starts[i + 1] = _starts[i] + table.ReadVInt32();
            }
            if (_starts[header.Docs] != header.TableOffset || !table.AtEnd)
            {
                throw new CorruptIndexException($"Stored fields {name}: its table does not match its documents.");
            }
        }
    }
}
