using global::Lucene.Net.Codecs;
using global::Lucene.Net.Documents;
using global::Lucene.Net.Index;
using global::Lucene.Net.Store;
using global::Lucene.Net.Util;
using global::Lucene.Net.Util.Packed;
using Directory = global::Lucene.Net.Store.Directory;

namespace Portal.Search.Lucene.StoredFields;

/// <summary>Writes <see cref="ChunkedStoredFieldsFormat"/>: documents buffered, compressed a chunk at a time; merges copy chunks.</summary>
internal sealed class ChunkedStoredFieldsWriter : StoredFieldsWriter
{
    internal const int TypeBits = 3;
    internal const int String = 0;
    internal const int Bytes = 1;
    internal const int Int32 = 2;
    internal const int Single = 3;
    internal const int Int64 = 4;
    internal const int Double = 5;

    private readonly Directory _directory;
    private readonly SegmentInfo _segment;
    private readonly IOContext _context;
    private IndexOutput? _data;

    /// <summary>The buffered documents' fields, then (when the chunk is written) their table.</summary>
    private ByteBuffer _raw = new(ChunkedStoredFieldsFormat.ChunkBytes + 4096);
    private int[] _fieldCounts = new int[ChunkedStoredFieldsFormat.MaxDocsPerChunk];
    private int[] _ends = new int[ChunkedStoredFieldsFormat.MaxDocsPerChunk];
    private int _buffered;
    private byte[] _compressed = [];

    /// <summary>Fields the document being written announced (<see cref="StartDocument"/>), and those written so far.</summary>
    private int _announced;
    private int _written;

    /// <summary>Documents in the chunks written so far: the next chunk's first document.</summary>
    private int _docBase;

    private long[] _chunkDocBases = new long[64];
    private long[] _chunkPointers = new long[64];
    private int _chunks;

    public ChunkedStoredFieldsWriter(Directory directory, SegmentInfo segment, IOContext context)
    {
        _directory = directory;
        _segment = segment;
        _context = context;
        var success = false;
        try
        {
            _data = directory.CreateOutput(ChunkedStoredFieldsFormat.DataFile(segment), context);
            CodecUtil.WriteHeader(_data, ChunkedStoredFieldsFormat.DataCodec, ChunkedStoredFieldsFormat.Version);
            success = true;
        }
        finally
        {
            if (!success)
            {
                Abort();
            }
        }
    }

    private IndexOutput Data => _data ?? throw new ObjectDisposedException(nameof(ChunkedStoredFieldsWriter));

    public override void StartDocument(int numStoredFields)
    {
        if (_buffered == _fieldCounts.Length)
        {
            Array.Resize(ref _fieldCounts, _buffered * 2);
            Array.Resize(ref _ends, _buffered * 2);
        }
        _fieldCounts[_buffered] = numStoredFields;
        _announced = numStoredFields;
        _written = 0;
    }

    public override void WriteField(FieldInfo info, IIndexableField field)
    {
        var type = field.NumericType switch
        {
            NumericFieldType.NONE => field.GetBinaryValue() is null ? String : Bytes,
            NumericFieldType.BYTE or NumericFieldType.INT16 or NumericFieldType.INT32 => Int32,
            NumericFieldType.INT64 => Int64,
            NumericFieldType.SINGLE => Single,
            NumericFieldType.DOUBLE => Double,
            var other => throw new ArgumentException($"Field {field.Name}: cannot store numeric type {other}.", nameof(field)),
        };
        _raw.WriteVInt64(((ulong)(uint)info.Number << TypeBits) | (uint)type);
        _written++;
        switch (type)
        {
            case String:
                _raw.WriteString(field.GetStringValue() ?? throw new ArgumentException($"Stored field {field.Name} has no value.", nameof(field)));
                break;
            case Bytes:
                var bytes = field.GetBinaryValue();
                _raw.WriteBytes(bytes.Bytes.AsSpan(bytes.Offset, bytes.Length));
                break;
            case Int32:
                _raw.WriteInt32(field.GetInt32Value()!.Value);
                break;
            case Int64:
                _raw.WriteInt64(field.GetInt64Value()!.Value);
                break;
            case Single:
                _raw.WriteInt32(BitConverter.SingleToInt32Bits(field.GetSingleValue()!.Value));
                break;
            default:
                _raw.WriteInt64(BitConverter.DoubleToInt64Bits(field.GetDoubleValue()!.Value));
                break;
        }
    }

    public override void FinishDocument()
    {
        if (_written != _announced)
        {
            // Read back, such a document would be cut short or run into the next one.
            throw new InvalidOperationException($"A document announced {_announced} stored fields and wrote {_written}.");
        }
        EndDocument();
    }

    /// <summary>Buffers a document of another segment's chunk as it is: its fields' bytes (field numbers matching this segment's).</summary>
    internal void AppendDocument(int fieldCount, ReadOnlySpan<byte> fields)
    {
        StartDocument(fieldCount);
        _raw.WriteRaw(fields);
        EndDocument();
    }

    private void EndDocument()
    {
        _ends[_buffered++] = _raw.Length;
        if (_raw.Length >= ChunkedStoredFieldsFormat.ChunkBytes || _buffered >= ChunkedStoredFieldsFormat.MaxDocsPerChunk)
        {
            Flush();
        }
    }

    /// <summary>Writes the buffered documents as one chunk: their fields and table, compressed.</summary>
    internal void Flush()
    {
        if (_buffered == 0)
        {
            return;
        }
        var tableOffset = _raw.Length;
        for (var i = 0; i < _buffered; i++)
        {
            _raw.WriteVInt32(_fieldCounts[i]);
            _raw.WriteVInt32(_ends[i] - (i == 0 ? 0 : _ends[i - 1]));
        }
        var compressed = ChunkedStoredFieldsFormat.Compress(_raw.Written, ref _compressed);
        WriteChunkHeader(new ChunkHeader(_buffered, _raw.Length, tableOffset, compressed, ChunkedStoredFieldsFormat.Checksum(_raw.Written)));
        Data.WriteBytes(_compressed, 0, compressed);
        _docBase += _buffered;
        _buffered = 0;
        _raw.Length = 0;
    }

    /// <summary>Notes the chunk in the index and writes its header, the chunk starting at the next document.</summary>
    private void WriteChunkHeader(ChunkHeader chunk)
    {
        if (_chunks == _chunkDocBases.Length)
        {
            Array.Resize(ref _chunkDocBases, _chunks * 2);
            Array.Resize(ref _chunkPointers, _chunks * 2);
        }
        _chunkDocBases[_chunks] = _docBase;
        _chunkPointers[_chunks] = Data.Position;
        _chunks++;
        Data.WriteVInt32(_docBase);
        Data.WriteVInt32(chunk.Docs);
        Data.WriteVInt32(chunk.RawLength);
        Data.WriteVInt32(chunk.TableOffset);
        Data.WriteVInt32(chunk.CompressedLength);
        Data.WriteInt32((int)chunk.Crc);
    }

    /// <summary>
    /// Appends a chunk of another segment as it is: its header (rebased on this segment's documents), then
    /// <paramref name="compressed"/> (its first <see cref="ChunkHeader.CompressedLength"/> bytes). Whatever is buffered
    /// must have been written first (<see cref="Flush"/>).
    /// </summary>
    internal void AppendCompressed(ChunkHeader chunk, byte[] compressed)
    {
        if (_buffered != 0)
        {
            throw new InvalidOperationException("Documents are buffered: a chunk copied now would come before them.");
        }
        WriteChunkHeader(chunk);
        Data.WriteBytes(compressed, 0, chunk.CompressedLength);
        _docBase += chunk.Docs;
    }

    public override void Abort()
    {
        IOUtils.DisposeWhileHandlingException(this);
        IOUtils.DeleteFilesIgnoringExceptions(_directory, ChunkedStoredFieldsFormat.DataFile(_segment), ChunkedStoredFieldsFormat.IndexFile(_segment));
    }

    public override void Finish(FieldInfos fis, int numDocs)
    {
        Flush();
        if (_docBase != numDocs)
        {
            throw new InvalidOperationException($"Wrote {_docBase} documents' stored fields, but the segment has {numDocs}.");
        }
        using (var index = _directory.CreateOutput(ChunkedStoredFieldsFormat.IndexFile(_segment), _context))
        {
            CodecUtil.WriteHeader(index, ChunkedStoredFieldsFormat.IndexCodec, ChunkedStoredFieldsFormat.Version);
            index.WriteVInt32(numDocs);
            index.WriteVInt64(Data.Position);
            index.WriteVInt32(_chunks);
            index.WriteVInt32(PackedInt32s.VERSION_CURRENT);
            WritePacked(index, _chunkDocBases);
            WritePacked(index, _chunkPointers);
            CodecUtil.WriteFooter(index);
        }
        CodecUtil.WriteFooter(Data);
    }

    private void WritePacked(IndexOutput index, long[] values)
    {
        var packed = new MonotonicBlockPackedWriter(index, ChunkedStoredFieldsFormat.IndexBlockSize);
        for (var i = 0; i < _chunks; i++)
        {
            packed.Add(values[i]);
        }
        packed.Finish();
    }

    /// <summary>
    /// Segments written in this format, with the same field numbers and no deleted documents, have their full chunks
    /// copied compressed and the documents of the others copied as bytes; any other segment's documents are read and
    /// added one by one.
    /// </summary>
    public override int Merge(MergeState mergeState)
    {
        var docCount = 0;
        for (var i = 0; i < mergeState.Readers.Count; i++)
        {
            var reader = mergeState.Readers[i];
            if (mergeState.MatchingSegmentReaders[i]?.FieldsReader is ChunkedStoredFieldsReader chunks && reader.LiveDocs is null)
            {
                chunks.CopyTo(this, mergeState.CheckAbort);
                docCount += reader.MaxDoc;
                continue;
            }
            var live = reader.LiveDocs;
            for (var doc = 0; doc < reader.MaxDoc; doc++)
            {
                if (live is null || live.Get(doc))
                {
                    AddDocument(reader.Document(doc), mergeState.FieldInfos);
                    docCount++;
                    mergeState.CheckAbort.Work(300);
                }
            }
        }
        Finish(mergeState.FieldInfos, docCount);
        return docCount;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _data?.Dispose();
            _data = null;
        }
    }
}

/// <summary>A chunk's header: its documents, the length of its raw form and of the documents' part of it, its compressed length, its raw form's CRC-32C.</summary>
internal readonly record struct ChunkHeader(int Docs, int RawLength, int TableOffset, int CompressedLength, uint Crc);
