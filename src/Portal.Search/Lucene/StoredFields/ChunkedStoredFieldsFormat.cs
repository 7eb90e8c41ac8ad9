using System.IO.Compression;
using System.Numerics;
using System.Runtime.InteropServices;
using global::Lucene.Net.Codecs;
using global::Lucene.Net.Index;
using global::Lucene.Net.Store;
using Directory = global::Lucene.Net.Store.Directory;

namespace Portal.Search.Lucene.StoredFields;

/// <summary>
/// Stored fields compressed once. Documents are buffered into chunks of about <see cref="ChunkBytes"/> and each chunk is
/// compressed with Brotli when it fills; a merge then copies a segment's chunks as they are, compressed, instead of
/// compressing the segment's documents again.
/// </summary>
/// <remarks>
/// <para>
/// Why not Lucene's <c>CompressingStoredFieldsFormat</c>: its merge copies a chunk compressed only when nothing is
/// buffered, and the first segment's partial last chunk is buffered, so every later chunk of a merge was inflated and
/// deflated again. Merges spent 28 % of their time on stored fields, 20 points of it compressing (docs/PERFORMANCE.md,
/// session 25). Here what is buffered is written out as a chunk of its own before a full chunk is copied.
/// </para>
/// <para>
/// A merge copies the chunks that are at least half full; shorter ones (what a refresh flushes from a quiet tenant) are
/// inflated and their documents buffered with the next ones, so that a tenant sending a few events a second does not keep
/// chunks of a few documents through every merge. A copy reads the whole source file through its checksum and fails
/// the merge if it does not match, as Lucene's own copy does: the new segment's checksum would otherwise cover damaged
/// bytes for good.
/// </para>
/// <para>
/// Files: <c>.vsd</c>, the chunks, each <c>[doc base][docs][raw length][table offset][compressed length]</c> (vints),
/// <c>[CRC-32C of the raw form]</c> (4 bytes), then the compressed bytes, whose raw form is the documents' fields followed
/// by a table of each document's field count and byte length; <c>.vsi</c>, the document count, the end of the chunks in
/// <c>.vsd</c>, and the chunks' first documents and file pointers, packed. Both files have Lucene's header and checksum
/// footer. Brotli has no checksum of its own (a changed byte often inflates to the right length), so each chunk's raw
/// form is checked as it is read.
/// </para>
/// </remarks>
internal sealed class ChunkedStoredFieldsFormat : StoredFieldsFormat
{
    /// <summary>Raw bytes of documents compressed together: a search reading a page of hits inflates one or two chunks.</summary>
    public const int ChunkBytes = 32 * 1024;

    /// <summary>Documents per chunk at most, so that tiny documents do not make a chunk's table long.</summary>
    public const int MaxDocsPerChunk = 128;

    /// <summary>
    /// Brotli's quality. Over 32 KB chunks of the benchmark's events, quality 1 compresses in 1.0 µs an event and quality 4
    /// in 3.8 µs, to 13 % fewer bytes (70 bytes an event against 79; the DEFLATE level this replaced: 76 bytes in 3.1 µs).
    /// Once ids and timestamps stopped being indexed, compression was the largest single cost left in the indexing threads
    /// (9 % of their time at quality 4), while the events took 139 bytes each of a 200-byte budget: quality 1 spends some
    /// of that budget (about 8 bytes an event) for about a fifteenth of the indexing threads' time. Segments written at quality 4 read as
    /// any other, and merges copy their chunks as they are.
    /// </summary>
    public const int Quality = 1;

    /// <summary>Brotli's window, log2: 64 KB covers a chunk.</summary>
    public const int Window = 16;

    internal const string DataExtension = "vsd";
    internal const string IndexExtension = "vsi";
    internal const string DataCodec = "VigilStoredData";
    internal const string IndexCodec = "VigilStoredIndex";
    internal const int Version = 0;

    /// <summary>Values per block of the packed chunk index.</summary>
    internal const int IndexBlockSize = 1024;

    public override StoredFieldsReader FieldsReader(Directory directory, SegmentInfo si, FieldInfos fn, IOContext context) =>
        new ChunkedStoredFieldsReader(directory, si, fn, context);

    public override StoredFieldsWriter FieldsWriter(Directory directory, SegmentInfo si, IOContext context) =>
        new ChunkedStoredFieldsWriter(directory, si, context);

    internal static string DataFile(SegmentInfo segment) => IndexFileNames.SegmentFileName(segment.Name, "", DataExtension);

    internal static string IndexFile(SegmentInfo segment) => IndexFileNames.SegmentFileName(segment.Name, "", IndexExtension);

    /// <summary>Compresses <paramref name="raw"/> into <paramref name="output"/> (grown as needed); returns the compressed length.</summary>
    internal static int Compress(ReadOnlySpan<byte> raw, ref byte[] output)
    {
        var max = BrotliEncoder.GetMaxCompressedLength(raw.Length);
        if (output.Length < max)
        {
            output = new byte[max];
        }
        return BrotliEncoder.TryCompress(raw, output, out var written, Quality, Window)
            ? written
            : throw new InvalidOperationException($"Brotli could not compress a chunk of {raw.Length} bytes into {output.Length}.");
    }

    /// <summary>Inflates <paramref name="compressed"/> into <paramref name="raw"/>, which it must fill exactly.</summary>
    internal static bool TryDecompress(ReadOnlySpan<byte> compressed, Span<byte> raw) =>
        BrotliDecoder.TryDecompress(compressed, raw, out var written) && written == raw.Length;

    /// <summary>Whether a merge copies a chunk as it is: at least half full, by bytes or by documents.</summary>
    internal static bool CopiedWhole(ChunkHeader chunk) => chunk.TableOffset >= ChunkBytes / 2 || chunk.Docs >= MaxDocsPerChunk;

    /// <summary>CRC-32C of a chunk's raw form (the processor's CRC instruction, eight bytes at a time).</summary>
    internal static uint Checksum(ReadOnlySpan<byte> bytes)
    {
        var crc = uint.MaxValue;
        var words = MemoryMarshal.Cast<byte, ulong>(bytes);
        foreach (var word in words)
        {
            crc = BitOperations.Crc32C(crc, word);
        }
        foreach (var b in bytes[(words.Length * sizeof(ulong))..])
        {
            crc = BitOperations.Crc32C(crc, b);
        }
        return ~crc;
    }
}
