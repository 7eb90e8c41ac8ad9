using global::Lucene.Net.Codecs;
using global::Lucene.Net.Codecs.Compressing;
using global::Lucene.Net.Codecs.Lucene46;

namespace Portal.Search.Lucene;

/// <summary>
/// Lucene 4.6's format with the stored source compressed by DEFLATE over 32 KB blocks instead of LZ4 over 16 KB. A
/// tenant's events repeat their keys, hosts and message shapes, so the stored JSON, about half of the index, shrinks
/// by about half. Reading a document inflates its whole block, but inflation is native code: a page of 50 events read
/// faster than with LZ4's high-compression mode over 64 KB blocks (which compressed less, and whose managed decoder
/// reads byte by byte). Segments written before keep their own codec and stay readable.
/// </summary>
[CodecName("Vigil46")]
public sealed class VigilCodec : FilterCodec
{
    /// <summary>Bytes of stored documents compressed together.</summary>
    public const int ChunkBytes = 32 * 1024;

    private static readonly StoredFieldsFormat Stored = new CompressingStoredFieldsFormat("VigilStoredFields", CompressionMode.HIGH_COMPRESSION, ChunkBytes);

    private static readonly Lazy<Codec> Registered = new(() =>
    {
        // Segments name the codec that wrote them: readers find this one by name, so it is registered before any index opens.
        Codec.SetCodecFactory(new DefaultCodecFactory { CustomCodecTypes = [typeof(VigilCodec)] });
        return Codec.ForName("Vigil46");
    });

    /// <summary>Creates the codec (Lucene's factory does, by name).</summary>
    public VigilCodec() : base(new Lucene46Codec())
    {
    }

    /// <summary>The codec, registered with Lucene's codec factory on first use.</summary>
    public static Codec Instance => Registered.Value;

    /// <inheritdoc />
    public override StoredFieldsFormat StoredFieldsFormat => Stored;
}
