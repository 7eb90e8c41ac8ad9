using Portal.Detection.Events;

namespace Portal.Detection.ThreatIntel;

/// <summary>
/// The indicators of the instance's feeds, looked up by address in O(log n) however many ranges overlap: the address
/// space (IPv4 mapped into IPv6, as <see cref="IpRange"/> orders both families) is cut at every range's bounds into
/// segments, each holding the indicators that cover all of it, and an address finds its segment by binary search.
/// Immutable, so one instance serves every request.
/// </summary>
public sealed class ThreatIndicatorSet
{
    /// <summary>No indicators: what an instance without feeds uses.</summary>
    public static readonly ThreatIndicatorSet Empty = new([]);

    /// <summary>The first address of each segment, ascending.</summary>
    private readonly UInt128[] _starts;

    /// <summary>The indicators covering each segment, in feed order.</summary>
    private readonly ThreatIndicator[][] _covering;

    /// <summary>Indexes <paramref name="indicators"/>; an indicator listed twice (same network, category, intention and source) counts once.</summary>
    public ThreatIndicatorSet(IEnumerable<ThreatIndicator> indicators)
    {
        var distinct = indicators.Distinct().ToArray();
        Count = distinct.Length;
        var bounds = new List<UInt128>(distinct.Length * 2);
        foreach (var indicator in distinct)
        {
            bounds.Add(indicator.Range.First);
            if (indicator.Range.Last != UInt128.MaxValue)
            {
                bounds.Add(indicator.Range.Last + 1);
            }
        }
        _starts = [.. bounds.Distinct().Order()];
        _covering = new ThreatIndicator[_starts.Length][];

        // A sweep over the segments: an indicator joins at its first address and leaves after its last.
        var byFirst = Enumerable.Range(0, distinct.Length).OrderBy(i => distinct[i].Range.First).ToArray();
        var active = new List<int>();
        var next = 0;
        for (var s = 0; s < _starts.Length; s++)
        {
            var start = _starts[s];
            active.RemoveAll(i => distinct[i].Range.Last < start);
            for (; next < byFirst.Length && distinct[byFirst[next]].Range.First <= start; next++)
            {
                active.Add(byFirst[next]);
            }
            _covering[s] = active.Count == 0 ? [] : [.. active.Order().Select(i => distinct[i])];
        }
    }

    /// <summary>How many distinct indicators the set holds.</summary>
    public int Count { get; }

    /// <summary>True when there is nothing to match.</summary>
    public bool IsEmpty => Count == 0;

    /// <summary>The indicators whose network contains <paramref name="address"/> (see <see cref="IpText.ToUInt128"/>), in feed order.</summary>
    public IReadOnlyList<ThreatIndicator> Match(UInt128 address)
    {
        var found = Array.BinarySearch(_starts, address);
        var segment = found >= 0 ? found : ~found - 1;
        return segment < 0 ? [] : _covering[segment];
    }

    /// <summary>The indicators whose network contains the address written in <paramref name="ip"/>; none when it is not an address.</summary>
    public IReadOnlyList<ThreatIndicator> Match(string ip) =>
        IpText.TryParse(ip, out var address) ? Match(IpText.ToUInt128(address)) : [];
}
