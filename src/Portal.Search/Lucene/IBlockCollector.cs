using global::Lucene.Net.Search;
using global::Lucene.Net.Util;

namespace Portal.Search.Lucene;

/// <summary>
/// A collector that may take a whole block of consecutive documents at once, when a search reads every document of a
/// time range (<c>*</c>): all of <c>[start, end)</c> are in the range, apart from those the live documents bits mark deleted,
/// and their timestamps lie within <c>[min, max]</c>. A histogram whose bucket holds the whole span counts the block
/// without reading one timestamp.
/// </summary>
internal interface IBlockCollector : ICollector
{
    /// <summary>Collects the block's live documents and returns true, or returns false to be given them one by one.</summary>
    bool CollectBlock(int start, int end, IBits? live, long min, long max);

    /// <summary>The histogram bucket holding all of <c>[min, max]</c>, or -1 when the span crosses buckets or leaves the histogram.</summary>
    static long OneBucket(long min, long max, long fromMs, long intervalMs, int buckets)
    {
        var bucket = (min - fromMs) / intervalMs;
        return bucket == (max - fromMs) / intervalMs && bucket >= 0 && bucket < buckets ? bucket : -1;
    }
}
