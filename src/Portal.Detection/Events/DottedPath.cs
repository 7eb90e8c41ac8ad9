using System.Collections.Concurrent;

namespace Portal.Detection.Events;

/// <summary>
/// An attribute path cut at its dots, with every run of consecutive segments joined once (<c>network.client</c>,
/// <c>client.ip</c>...), since a key may itself contain dots and lookups try the longest key first. Paths are few
/// (parsers', rules' and queries'), so each is cut once per process and shared.
/// </summary>
internal sealed class DottedPath
{
    private const int MaxCached = 10_000;

    private static readonly ConcurrentDictionary<string, DottedPath> Cache = new(StringComparer.Ordinal);

    /// <summary>Deeper paths (rare) join on each lookup, so that one path never holds thousands of strings.</summary>
    private const int MaxJoinedSegments = 16;

    private readonly string?[]? _joined;

    private DottedPath(string path)
    {
        Segments = path.Split('.');
        _joined = Segments.Length <= MaxJoinedSegments ? new string?[(Segments.Length + 1) * (Segments.Length + 1)] : null;
    }

    /// <summary>The path's segments, in order.</summary>
    public string[] Segments { get; }

    /// <summary>The cut of <paramref name="path"/>, shared while the cache holds fewer than 10,000 paths.</summary>
    public static DottedPath Of(string path)
    {
        if (Cache.TryGetValue(path, out var cut))
        {
            return cut;
        }
        cut = new DottedPath(path);
        return Cache.Count < MaxCached ? Cache.GetOrAdd(path, cut) : cut;
    }

    /// <summary>Segments <c>[from, to)</c> joined with dots.</summary>
    public string Join(int from, int to) => to - from == 1
        ? Segments[from]
        : _joined is null
            ? string.Join('.', Segments, from, to - from)
            : _joined[from * (Segments.Length + 1) + to] ??= string.Join('.', Segments, from, to - from);
}
