using global::Lucene.Net.Index;
using global::Lucene.Net.Search;

namespace Portal.Search.Lucene;

/// <summary>
/// A collector that stops its search once a token is cancelled (<see cref="OperationCanceledException"/>), checked as
/// each segment starts and every 4,096 matches: a page closed or a search overtaken stops reading an index of millions
/// instead of finishing for nobody.
/// </summary>
internal sealed class CancellableCollector : ICollector
{
    private readonly ICollector _inner;
    private readonly CancellationToken _cancellation;
    private int _collected;

    private CancellableCollector(ICollector inner, CancellationToken cancellation) => (_inner, _cancellation) = (inner, cancellation);

    /// <summary><paramref name="collector"/>, stopped by <paramref name="cancellation"/> when it can be cancelled; itself otherwise.</summary>
    public static ICollector Of(ICollector collector, CancellationToken cancellation) =>
        cancellation.CanBeCanceled ? new CancellableCollector(collector, cancellation) : collector;

    public bool AcceptsDocsOutOfOrder => _inner.AcceptsDocsOutOfOrder;

    public void SetScorer(Scorer scorer) => _inner.SetScorer(scorer);

    public void SetNextReader(AtomicReaderContext context)
    {
        _cancellation.ThrowIfCancellationRequested();
        _inner.SetNextReader(context);
    }

    public void Collect(int doc)
    {
        if ((++_collected & 0xFFF) == 0)
        {
            _cancellation.ThrowIfCancellationRequested();
        }
        _inner.Collect(doc);
    }
}
