using global::Lucene.Net.Codecs;
using global::Lucene.Net.Codecs.Compressing;
using global::Lucene.Net.Codecs.Lucene46;
using Portal.Search.Lucene.StoredFields;

namespace Portal.Search.Lucene;

/// <summary>
/// Lucene 4.6's format with the stored source in <see cref="ChunkedStoredFieldsFormat"/>: Brotli over 32 KB chunks,
/// compressed once when written and copied as they are by merges. A tenant's events repeat their keys, hosts and
/// message shapes, so the stored JSON, the largest part of the index, shrinks seven- to thirteen-fold (real access, sshd
/// and CloudTrail logs in 32 KB chunks).
/// </summary>
/// <remarks>
/// Segments name the codec that wrote them. Those written by <see cref="Vigil46Codec"/> (DEFLATE, recompressed by every
/// merge) stay readable, and merges rewrite them in this format.
/// </remarks>
[CodecName("Vigil2")]
public sealed class VigilCodec : FilterCodec
{
    private static readonly StoredFieldsFormat Stored = new ChunkedStoredFieldsFormat();

    private static readonly Lazy<Codec> Registered = new(() =>
    {
        // Readers find codecs by name, so they are registered before any index opens.
        Codec.SetCodecFactory(new DefaultCodecFactory { CustomCodecTypes = [typeof(VigilCodec), typeof(Vigil46Codec)] });
        return Codec.ForName("Vigil2");
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

/// <summary>
/// The codec of segments written before <see cref="VigilCodec"/>: Lucene 4.6's format with the stored source compressed by
/// DEFLATE over 32 KB blocks. Kept so that those segments stay readable.
/// </summary>
[CodecName("Vigil46")]
public sealed class Vigil46Codec : FilterCodec
{
    private static readonly StoredFieldsFormat Stored = new CompressingStoredFieldsFormat("VigilStoredFields", CompressionMode.HIGH_COMPRESSION, 32 * 1024);

    /// <summary>Creates the codec (Lucene's factory does, by name).</summary>
    public Vigil46Codec() : base(new Lucene46Codec())
    {
    }

    /// <summary>The codec, registered with Lucene's codec factory on first use.</summary>
    public static Codec Instance
    {
        get
        {
            _ = VigilCodec.Instance;
            return Codec.ForName("Vigil46");
        }
    }

    /// <inheritdoc />
    public override StoredFieldsFormat StoredFieldsFormat => Stored;
}
