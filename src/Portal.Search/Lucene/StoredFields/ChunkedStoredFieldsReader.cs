using System.Text;
using global::Lucene.Net.Codecs;
using global::Lucene.Net.Index;
using global::Lucene.Net.Store;
using global::Lucene.Net.Util.Packed;
using Directory = global::Lucene.Net.Store.Directory;

namespace Portal.Search.Lucene.StoredFields;

/// <summary>
/// Reads <see cref="ChunkedStoredFieldsFormat"/>. Keeps the chunk it inflated last: the hits of a page are mostly
/// neighbours, and each searching thread reads through a clone of its own (Lucene clones the reader per thread).
/// </summary>
internal sealed class ChunkedStoredFieldsReader : StoredFieldsReader
{
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
    private byte[] _compressed = [];
    private byte[] _raw = [];
    private int[] _starts = [];
    private int[] _fieldCounts = [];

    public ChunkedStoredFieldsReader(Directory directory, SegmentInfo segment, FieldInfos fieldInfos, IOContext context)
    {
        _fieldInfos = fieldInfos;
        var success = false;
        try
        {
            using (var index = directory.OpenChecksumInput(ChunkedStoredFieldsFormat.IndexFile(segment), context))
            {
                CodecUtil.CheckHeader(index, ChunkedStoredFieldsFormat.IndexCodec, ChunkedStoredFieldsFormat.Version, ChunkedStoredFieldsFormat.Version);
                _docs = index.ReadVInt32();
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
            // A truncated file fails here rather than at the first read of its end.
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

    /// <summary>Chunks in the segment (a merge copies them, so it keeps their count).</summary>
    internal int ChunkCount => _chunks;

    public override void VisitDocument(int docID, StoredFieldVisitor visitor)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(docID);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(docID, _docs);
        Load(ChunkOf(docID));
        var doc = docID - _loadedBase;
        var fields = new ByteReader(_raw.AsSpan(_starts[doc], _starts[doc + 1] - _starts[doc]));
        for (var i = 0; i < _fieldCounts[doc]; i++)
        {
            var infoAndType = fields.ReadVInt64();
            var info = _fieldInfos.FieldInfo((int)(infoAndType >> ChunkedStoredFieldsWriter.TypeBits))
                ?? throw new CorruptIndexException($"Stored field number {infoAndType >> ChunkedStoredFieldsWriter.TypeBits} is not a field of the segment.");
            var type = (int)(infoAndType & ((1 << ChunkedStoredFieldsWriter.TypeBits) - 1));
            switch (visitor.NeedsField(info))
            {
                case StoredFieldVisitor.Status.YES:
                    Visit(ref fields, visitor, info, type);
                    break;
                case StoredFieldVisitor.Status.NO:
                    Skip(ref fields, type);
                    break;
                default:
                    return;
            }
        }
    }

    private static void Visit(ref ByteReader fields, StoredFieldVisitor visitor, FieldInfo info, int type)
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
        var header = ReadHeader(_data, (int)_docBases.Get(chunk));
        if (_compressed.Length < header.CompressedLength)
        {
            _compressed = new byte[header.CompressedLength];
        }
        _data.ReadBytes(_compressed, 0, header.CompressedLength);
        if (_raw.Length < header.RawLength)
        {
            _raw = new byte[header.RawLength];
        }
        if (!ChunkedStoredFieldsFormat.TryDecompress(_compressed.AsSpan(0, header.CompressedLength), _raw.AsSpan(0, header.RawLength)))
        {
            throw new CorruptIndexException($"Stored fields chunk {chunk} of {_data} does not inflate to its {header.RawLength} bytes.");
        }
        if (_starts.Length < header.Docs + 1)
        {
            _starts = new int[header.Docs + 1];
            _fieldCounts = new int[header.Docs];
        }
        var table = new ByteReader(_raw.AsSpan(header.TableOffset, header.RawLength - header.TableOffset));
        for (var i = 0; i < header.Docs; i++)
        {
            _fieldCounts[i] = table.ReadVInt32();
            _starts[i + 1] = _starts[i] + table.ReadVInt32();
        }
        if (_starts[header.Docs] != header.TableOffset || !table.AtEnd)
        {
            throw new CorruptIndexException($"Stored fields chunk {chunk} of {_data}: its table does not match its documents.");
        }
        _loaded = chunk;
        _loadedBase = (int)_docBases.Get(chunk);
    }

    /// <summary>Reads a chunk's header at the input's position, checking it against the index's first document.</summary>
    private ChunkHeader ReadHeader(IndexInput input, int expectedDocBase)
    {
        var docBase = input.ReadVInt32();
        var header = new ChunkHeader(input.ReadVInt32(), input.ReadVInt32(), input.ReadVInt32(), input.ReadVInt32());
        if (docBase != expectedDocBase || header.Docs <= 0 || docBase + header.Docs > _docs || header.TableOffset > header.RawLength || header.CompressedLength <= 0)
        {
            throw new CorruptIndexException($"Stored fields chunk at {docBase} ({header}) of {input}: expected to start at document {expectedDocBase} of {_docs}.");
        }
        return header;
    }

    /// <summary>Appends every chunk, compressed as it is, to <paramref name="target"/> (whose own documents must all be written).</summary>
    internal void CopyTo(ChunkedStoredFieldsWriter target)
    {
        var input = (IndexInput)_data.Clone();
        for (var chunk = 0; chunk < _chunks; chunk++)
        {
            input.Seek(_pointers.Get(chunk));
            target.AppendCompressed(ReadHeader(input, (int)_docBases.Get(chunk)), input);
        }
    }

    public override object Clone()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new ChunkedStoredFieldsReader(this);
    }

    public override long RamBytesUsed() => _docBases.RamBytesUsed() + _pointers.RamBytesUsed() + _raw.Length + _compressed.Length;

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
}
