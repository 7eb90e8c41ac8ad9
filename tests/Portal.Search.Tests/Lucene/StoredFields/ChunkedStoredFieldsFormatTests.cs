using global::Lucene.Net.Analysis.Core;
using global::Lucene.Net.Codecs;
using global::Lucene.Net.Documents;
using global::Lucene.Net.Index;
using global::Lucene.Net.Store;
using global::Lucene.Net.Util;
using Portal.Search.Lucene;
using Portal.Search.Lucene.StoredFields;

namespace Portal.Search.Tests.Lucene.StoredFields;

/// <summary>
/// The stored-fields format of <see cref="VigilCodec"/>, on disk: every value type round-trips, merges copy the chunks of
/// segments in this format without compressing them again, and segments of the previous codec stay readable.
/// </summary>
public sealed class ChunkedStoredFieldsFormatTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly FSDirectory _directory;

    public ChunkedStoredFieldsFormatTests() => _directory = FSDirectory.Open(Path.Combine(_temp.Path, "index"));

    public void Dispose()
    {
        _directory.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public void Document_EveryStoredType_ReadsBackAsWritten()
    {
        using (var writer = Writer(VigilCodec.Instance))
        {
            for (var i = 0; i < 1_000; i++)
            {
                writer.AddDocument(Mixed(i));
            }
            writer.AddDocument([new StringField("id", "unstored", Field.Store.NO)]);
            writer.Commit();
        }

        using var reader = DirectoryReader.Open(_directory);
        Assert.Equal(1_001, reader.MaxDoc);
        for (var i = 0; i < 1_000; i++)
        {
            AssertMixed(i, reader.Document(i));
        }
        Assert.Empty(reader.Document(1_000).Fields);
    }

    [Fact]
    public void Document_SomeFieldsAsked_SkipsTheOthers()
    {
        WriteSegment(300);

        using var reader = DirectoryReader.Open(_directory);
        // Read in an order that moves between chunks and back.
        foreach (var i in new[] { 299, 0, 150, 1, 298, 150 })
        {
            var doc = reader.Document(i, new HashSet<string> { "double", "text" });
            Assert.Equal(i % 10 == 0 ? ["text", "double", "text"] : ["text", "double"], doc.Fields.Select(f => f.Name));
            Assert.Equal(Text(i), doc.Get("text"));
            Assert.Equal(i / 3.0, doc.GetField("double").GetDoubleValue());
        }
    }

    [Fact]
    public void ForceMerge_SegmentsOfThisFormat_CopiesTheirFullChunksAsTheyAre()
    {
        List<ChunkHeader> before;
        long bytesBefore;
        using (var writer = Writer(VigilCodec.Instance))
        {
            AddSegments(writer, 5, 400);
            using (var reader = DirectoryReader.Open(_directory))
            {
                Assert.Equal(5, reader.Leaves.Count);
                before = reader.Leaves.SelectMany(leaf => StoredFields(leaf).ReadHeaders()).ToList();
                bytesBefore = StoredBytes();
            }
            writer.ForceMerge(1);
            writer.Commit();
        }

        using var merged = DirectoryReader.Open(_directory);
        var after = StoredFields(Assert.Single(merged.Leaves)).ReadHeaders();
        // Each segment ends in a short chunk, after which compressing every document again would cut the chunks
        // elsewhere: the full ones are found whole (by the checksum of their raw form) only if they were copied.
        var full = before.Where(ChunkedStoredFieldsFormat.CopiedWhole).ToList();
        Assert.True(full.Count > 20);
        Assert.Subset(after.Select(h => h.Crc).ToHashSet(), full.Select(h => h.Crc).ToHashSet());
        Assert.InRange(StoredBytes(), bytesBefore - 5_000, bytesBefore + 1_000);
        for (var i = 0; i < 2_000; i++)
        {
            AssertMixed(i, merged.Document(i));
        }
    }

    [Fact]
    public void ForceMerge_ManySmallSegments_CompressesTheirShortChunksTogether()
    {
        using (var writer = Writer(VigilCodec.Instance))
        {
            // As a quiet tenant's refreshes flush them: a few documents a segment.
            for (var i = 0; i < 240; i++)
            {
                writer.AddDocument(Small(i));
                if (i % 3 == 2)
                {
                    writer.Flush(triggerMerge: false, applyAllDeletes: false);
                }
            }
            writer.Commit();
            using (var reader = DirectoryReader.Open(_directory))
            {
                Assert.Equal(80, reader.Leaves.Sum(leaf => StoredFields(leaf).ChunkCount));
            }
            writer.ForceMerge(1);
            writer.Commit();
        }

        using var merged = DirectoryReader.Open(_directory);
        // 240 documents of about 90 bytes fit in two chunks of at most 128 documents.
        Assert.Equal(2, StoredFields(Assert.Single(merged.Leaves)).ChunkCount);
        for (var i = 0; i < 240; i++)
        {
            Assert.Equal(Small(i).Get("text"), merged.Document(i).Get("text"));
        }
    }

    [Fact]
    public void ForceMerge_SourceSegmentDamaged_FailsAndKeepsTheSegments()
    {
        using var writer = Writer(VigilCodec.Instance);
        AddSegments(writer, 3, 300);
        Damage(DataFile("_1"));

        // Lucene reports a merge's failure as an IOException (a corrupt index is one), with the cause inside.
        Assert.ThrowsAny<IOException>(() => writer.ForceMerge(1));
        using var reader = DirectoryReader.Open(_directory);
        Assert.Equal(3, reader.Leaves.Count);
    }

    [Fact]
    public void Document_ChunkDamaged_ThrowsRatherThanReturnAnotherDocument()
    {
        WriteSegment(500);
        var data = DataFile("*");
        var original = File.ReadAllBytes(data);

        // One bit changed at a time, in forty places: Brotli inflates many such chunks to their full length, with other
        // bytes (Brotli has no checksum of its own).
        var failed = 0;
        for (var n = 0; n < 40; n++)
        {
            var damaged = (byte[])original.Clone();
            damaged[original.Length / 4 + n * (original.Length / 2 / 40)] ^= (byte)(1 << (n % 8));
            File.WriteAllBytes(data, damaged);
            using var reader = DirectoryReader.Open(_directory);
            for (var i = 0; i < 500; i++)
            {
                try
                {
                    AssertMixed(i, reader.Document(i));
                }
                catch (CorruptIndexException)
                {
                    failed++;
                }
            }
        }
        Assert.True(failed > 0);
    }

    [Fact]
    public void Open_DataFileTruncated_Throws()
    {
        WriteSegment(100);
        var data = DataFile("*");
        using (var file = File.OpenWrite(data))
        {
            file.SetLength(file.Length - 100);
        }

        Assert.ThrowsAny<IOException>(() => DirectoryReader.Open(_directory).Dispose());
    }

    [Fact]
    public void Document_ReadFromSeveralThreadsAtOnce_EachReadsItsOwn()
    {
        WriteSegment(1_000);

        using var reader = DirectoryReader.Open(_directory);
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, thread =>
        {
            var random = new Random(thread);
            for (var n = 0; n < 2_000; n++)
            {
                var i = random.Next(1_000);
                AssertMixed(i, reader.Document(i));
            }
        });
    }

    [Fact]
    public void ForceMerge_SegmentWithDeletions_KeepsOnlyTheLiveDocuments()
    {
        using (var writer = Writer(VigilCodec.Instance))
        {
            AddSegments(writer, 3, 200);
            writer.DeleteDocuments(new Term("id", "doc-250"), new Term("id", "doc-0"));
            writer.ForceMerge(1);
            writer.Commit();
        }

        using var reader = DirectoryReader.Open(_directory);
        Assert.Equal(598, reader.MaxDoc);
        var ids = Enumerable.Range(0, reader.MaxDoc).Select(d => reader.Document(d).Get("id")).ToList();
        Assert.Equal(Enumerable.Range(0, 600).Where(i => i is not (0 or 250)).Select(i => $"doc-{i}"), ids);
        foreach (var (id, d) in ids.Select((id, d) => (id, d)))
        {
            AssertMixed(int.Parse(id["doc-".Length..], System.Globalization.CultureInfo.InvariantCulture), reader.Document(d));
        }
    }

    [Fact]
    public void ForceMerge_SegmentsOfThePreviousCodec_AreReadAndRewrittenInThisFormat()
    {
        using (var writer = Writer(Vigil46Codec.Instance))
        {
            for (var i = 0; i < 300; i++)
            {
                writer.AddDocument(Mixed(i));
            }
            writer.Commit();
        }
        using (var writer = Writer(VigilCodec.Instance))
        {
            for (var i = 300; i < 600; i++)
            {
                writer.AddDocument(Mixed(i));
            }
            writer.Commit();
            using (var both = DirectoryReader.Open(_directory))
            {
                Assert.Equal(["Vigil46", "Vigil2"], both.Leaves.Select(l => ((SegmentReader)l.Reader).SegmentInfo.Info.Codec.Name));
                for (var i = 0; i < 600; i++)
                {
                    AssertMixed(i, both.Document(i));
                }
            }
            writer.ForceMerge(1);
            writer.Commit();
        }

        using var reader = DirectoryReader.Open(_directory);
        Assert.Equal("Vigil2", ((SegmentReader)Assert.Single(reader.Leaves).Reader).SegmentInfo.Info.Codec.Name);
        for (var i = 0; i < 600; i++)
        {
            AssertMixed(i, reader.Document(i));
        }
    }

    [Fact]
    public void CheckIntegrity_ChunkBytesChanged_Throws()
    {
        WriteSegment(500);
        Damage(DataFile("*"));

        using var reader = DirectoryReader.Open(_directory);
        // Lucene reports a checksum that does not match as an IOException, a corrupt index as its subtype.
        Assert.ThrowsAny<IOException>(() => ((SegmentReader)reader.Leaves[0].Reader).CheckIntegrity());
    }

    private IndexWriter Writer(Codec codec) => new(_directory, new IndexWriterConfig(LuceneVersion.LUCENE_48, new WhitespaceAnalyzer(LuceneVersion.LUCENE_48))
    {
        Codec = codec,
        // Segments stay as committed, in files of their own, until a test merges them.
        MergePolicy = new LogDocMergePolicy { MergeFactor = 100, NoCFSRatio = 0 },
        UseCompoundFile = false,
        OpenMode = OpenMode.CREATE_OR_APPEND,
    });

    /// <summary>Adds the mixed documents 0 to <paramref name="segments"/> × <paramref name="perSegment"/>, committing a segment at a time.</summary>
    private static void AddSegments(IndexWriter writer, int segments, int perSegment)
    {
        for (var segment = 0; segment < segments; segment++)
        {
            for (var i = 0; i < perSegment; i++)
            {
                writer.AddDocument(Mixed(segment * perSegment + i));
            }
            writer.Commit();
        }
    }

    /// <summary>Writes the mixed documents 0 to <paramref name="count"/> as one segment.</summary>
    private void WriteSegment(int count)
    {
        using var writer = Writer(VigilCodec.Instance);
        AddSegments(writer, 1, count);
    }

    /// <summary>The stored-fields data file of the segment named <paramref name="segment"/> (the only one, with <c>*</c>).</summary>
    private string DataFile(string segment) =>
        System.IO.Directory.GetFiles(Path.Combine(_temp.Path, "index"), segment + "." + ChunkedStoredFieldsFormat.DataExtension).Single();

    private long StoredBytes() =>
        System.IO.Directory.GetFiles(Path.Combine(_temp.Path, "index"), "*." + ChunkedStoredFieldsFormat.DataExtension).Sum(f => new FileInfo(f).Length);

    private static ChunkedStoredFieldsReader StoredFields(AtomicReaderContext leaf) =>
        Assert.IsType<ChunkedStoredFieldsReader>(((SegmentReader)leaf.Reader).FieldsReader);

    /// <summary>Changes a byte in the middle of a file, where chunks are: what a failing disk or a stray write does.</summary>
    private static void Damage(string file)
    {
        var bytes = File.ReadAllBytes(file);
        bytes[bytes.Length / 2] ^= 0x5A;
        File.WriteAllBytes(file, bytes);
    }

    private static Document Small(int i) => [new StoredField("text", $"{{\"message\":\"sshd[{i}]: Failed password for usr-{i % 13}\"}}")];

    /// <summary>Text of several sizes, some beyond two chunks (about 100 KB, which a reader does not keep), with characters of one to four UTF-8 bytes.</summary>
    private static string Text(int i) => i % 97 == 5
        ? string.Concat(Enumerable.Repeat($"line {i} é € 𝄞 ", 4_000))
        : $"{{\"message\":\"event {i} for usr-{i % 13}\",\"host\":\"web-{i % 7}\",\"note\":\"é € 𝄞\"}}";

    private static Document Mixed(int i)
    {
        var doc = new Document
        {
            new StringField("id", $"doc-{i}", Field.Store.YES),
            new StoredField("text", Text(i)),
            new StoredField("bytes", new BytesRef(Enumerable.Range(0, i % 50).Select(b => (byte)(b * i)).ToArray())),
            new StoredField("int", i - 500),
            new StoredField("long", (long)i << 40),
            new StoredField("float", i / 7f),
            new StoredField("double", i / 3.0),
        };
        if (i % 10 == 0)
        {
            // A field repeated, and an empty string.
            doc.Add(new StoredField("text", ""));
        }
        return doc;
    }

    private static void AssertMixed(int i, Document doc)
    {
        Assert.Equal($"doc-{i}", doc.Get("id"));
        Assert.Equal(i % 10 == 0 ? [Text(i), ""] : [Text(i)], doc.GetValues("text"));
        Assert.Equal(Enumerable.Range(0, i % 50).Select(b => (byte)(b * i)).ToArray(), doc.GetBinaryValue("bytes").Bytes.AsSpan(doc.GetBinaryValue("bytes").Offset, doc.GetBinaryValue("bytes").Length).ToArray());
        Assert.Equal(i - 500, doc.GetField("int").GetInt32Value());
        Assert.Equal((long)i << 40, doc.GetField("long").GetInt64Value());
        Assert.Equal(i / 7f, doc.GetField("float").GetSingleValue());
        Assert.Equal(i / 3.0, doc.GetField("double").GetDoubleValue());
    }
}
