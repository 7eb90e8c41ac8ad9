using global::Lucene.Net.Index;
using global::Lucene.Net.Search;
using global::Lucene.Net.Util;
using Portal.Detection.Query;

namespace Portal.Search.Lucene;

/// <summary>
/// Datadog's log aggregation over one searcher (<see cref="AggregateRequest"/>), from doc values and postings, no document
/// read. Each segment's matches are gathered first; then the values of every field the request groups by or measures are
/// read for those matches alone: a reserved attribute's from its doc values, a tag's or an attribute's from the postings
/// of its terms (strings) or of its numeric terms (numbers), each intersected with the matches. Every match then adds to
/// each group its values put it in, level by level (once a group, however many of its values lead there: an event
/// with two tags of a key counts in both tags' groups), the groups of the last level keeping every measure, by time
/// bucket too, and those above only the measure their level is ordered by.
/// </summary>
/// <remarks>
/// Groups are kept whole until the end, so that each level's order and limit are applied to exact values (a top list
/// of percentiles cannot be merged from partial ones): memory grows with the groups and with the values unique counts
/// and percentiles keep (at most one a match and group), as an Elasticsearch terms aggregation's does on one shard. An
/// aggregation reaching <see cref="MaxGroups"/> groups, or <see cref="MaxAdditions"/> additions of matches to groups beyond
/// one a level (what facets with several values an event multiply), is
/// refused rather than allowed to take the server's memory and time; it stops when its request is cancelled. A value
/// repeated in one event's array counts once (postings hold a document once a term).
/// </remarks>
internal sealed class AggregationCollector : ICollector
{
    private readonly AggregateRequest _request;
    private readonly List<AggregateMeasure> _measures = [];
    private readonly int[] _computeMeasure;
    private readonly int[] _sortMeasure;
    private readonly EventSearcher.BucketSpan?[] _buckets;
    private readonly Node _root;
    private readonly int _maxGroups;
    private readonly int[][] _measuresAt;
    private readonly CancellationToken _cancellation;
    private int _groups;
    private long _additions;
    private AtomicReaderContext? _leaf;
    private FixedBitSet? _matches;

    /// <summary>The most groups an aggregation keeps, across its levels, before it is refused (<see cref="AggregateTooLargeException"/>).</summary>
    public const int MaxGroups = 200_000;

    /// <summary>
    /// The most additions of matches to groups beyond one a level (a match with several values of a level's facet adds to
    /// each value's group, and to every group below each) before the aggregation is refused; a match with one value a
    /// level adds none, however many matches there are.
    /// </summary>
    public const long MaxAdditions = 50_000_000;

    public AggregationCollector(AggregateRequest request, int maxGroups = MaxGroups, CancellationToken cancellation = default)
    {
        _request = request;
        _maxGroups = maxGroups;
        _cancellation = cancellation;
        _computeMeasure = [.. request.Computes.Select(MeasureIndex)];
        _sortMeasure = [.. request.GroupBy.Select(g => g.Sort.Measure is { } m ? MeasureIndex(m with { Interval = null }) : -1)];
        _buckets = [.. request.Computes.Select(c => c.Interval is { } interval ? EventSearcher.Buckets(request.From, request.To, interval, request.Offset) : (EventSearcher.BucketSpan?)null)];
        // A group of level d - 1 (depth d) keeps the measure its level is ordered by; the last level's, every compute's too.
        var levels = request.GroupBy.Count;
        _measuresAt = [.. Enumerable.Range(0, levels + 1).Select(depth => (depth == levels ? _computeMeasure : [])
            .Concat(depth > 0 && _sortMeasure[depth - 1] >= 0 ? [_sortMeasure[depth - 1]] : [])
            .Distinct()
            .ToArray())];
        _root = new Node(_measures.Count, _measuresAt[0]);
    }

    /// <summary>The index of <paramref name="measure"/> among the measures every group keeps (the same function of the same field is kept once).</summary>
    private int MeasureIndex(AggregateMeasure measure)
    {
        var total = measure with { Interval = null };
        var at = _measures.IndexOf(total);
        if (at < 0)
        {
            _measures.Add(total);
            at = _measures.Count - 1;
        }
        return at;
    }

    public bool AcceptsDocsOutOfOrder => true;

    public void SetScorer(Scorer scorer)
    {
    }

    public void Collect(int doc) => _matches!.Set(doc);

    public void SetNextReader(AtomicReaderContext context)
    {
        Flush();
        _cancellation.ThrowIfCancellationRequested();
        _leaf = context;
        _matches = new FixedBitSet(context.AtomicReader.MaxDoc);
    }

    /// <summary>The buckets, once every segment is collected: each level's groups in its order, up to its limit, its total group last.</summary>
    public List<AggregateBucket> Result()
    {
        Flush();
        var buckets = new List<AggregateBucket>();
        Emit(_root, [], buckets);
        return buckets;
    }

    private void Emit(Node node, List<GroupKey> by, List<AggregateBucket> buckets)
    {
        var level = by.Count;
        if (level == _request.GroupBy.Count)
        {
            buckets.Add(new AggregateBucket([.. by], [.. _request.Computes.Select((_, i) => ValueOf(node, i))]));
            return;
        }
        if (node.Children is not { } children)
        {
            return;
        }
        var groupBy = _request.GroupBy[level];
        foreach (var (key, child) in Ordered(children, groupBy, _sortMeasure[level]))
        {
            by.Add(key);
            Emit(child, by, buckets);
            by.RemoveAt(level);
        }
    }

    /// <summary>A level's groups in its order, the first <see cref="AggregateGroupBy.Limit"/>, then its total group.</summary>
    private IEnumerable<KeyValuePair<GroupKey, Node>> Ordered(Dictionary<GroupKey, Node> children, AggregateGroupBy groupBy, int measure)
    {
        var groups = children.Where(c => !c.Key.IsTotal);
        IEnumerable<KeyValuePair<GroupKey, Node>> ordered;
        if (groupBy.Sort.Alphabetical)
        {
            ordered = groupBy.Sort.Descending ? groups.OrderByDescending(c => c.Key, GroupKey.Order) : groups.OrderBy(c => c.Key, GroupKey.Order);
        }
        else
        {
            var function = groupBy.Sort.Measure!.Function;
            var valued = groups.Select(c => (Group: c, Value: c.Value.Measures[measure]!.Result(function)));
            // Groups without a value last in either order; ties by value, ascending.
            ordered = (groupBy.Sort.Descending
                    ? valued.OrderBy(v => v.Value is null).ThenByDescending(v => v.Value)
                    : valued.OrderBy(v => v.Value is null).ThenBy(v => v.Value))
                .ThenBy(v => v.Group.Key, GroupKey.Order)
                .Select(v => v.Group);
        }
        return ordered.Take(groupBy.Limit).Concat(children.Where(c => c.Key.IsTotal));
    }

    private AggregateValue ValueOf(Node node, int compute)
    {
        var measure = _computeMeasure[compute];
        var function = _measures[measure].Function;
        if (_buckets[compute] is not { } buckets)
        {
            return new AggregateValue(node.Measures[measure]!.Result(function));
        }
        var series = node.Series?[compute];
        var empty = new Measure();
        return new AggregateValue(null, [.. Enumerable.Range(0, buckets.Count).Select(i => new AggregatePoint(
            DateTimeOffset.FromUnixTimeMilliseconds(buckets.FromMs + i * buckets.IntervalMs),
            (series is not null && series.TryGetValue(i, out var bucket) ? bucket : empty).Result(function)))]);
    }

    /// <summary>Adds the gathered matches of the segment collected last.</summary>
    private void Flush()
    {
        if (_leaf is null || AnalyticsCollector.Bounds(_matches!) is not { } bounds)
        {
            _leaf = null;
            return;
        }
        var reader = _leaf.AtomicReader;
        var matches = _matches!;
        _leaf = null;
        // Each field's values are read once however many levels and measures use them.
        var textsOf = new Dictionary<FieldRef, IValues<string>?>();
        var numbersOf = new Dictionary<string, IValues<double>?>(StringComparer.Ordinal);
        IValues<string>? TextsOf(FieldRef field) => textsOf.TryGetValue(field, out var known) ? known : textsOf[field] = Texts(reader, field, matches, bounds, _cancellation);
        IValues<double>? NumbersOf(string path) => numbersOf.TryGetValue(path, out var known) ? known : numbersOf[path] = Numbers(reader, path, matches, bounds, _cancellation);
        var levels = _request.GroupBy.Select(g => g.Histogram is null ? TextsOf(g.Facet) : null).ToArray();
        var bins = _request.GroupBy.Select(g => g.Histogram is null ? null : NumbersOf(g.Facet.Name)).ToArray();
        var distinct = _measures.Select(m => m.Function == AggregateFunction.Cardinality ? TextsOf(m.Metric!) : null).ToArray();
        var numbers = _measures.Select(m => m.IsNumeric ? NumbersOf(m.Metric!.Name) : null).ToArray();
        var timestamps = reader.GetNumericDocValues(LuceneFields.Timestamp);
        var keys = new List<GroupKey>[levels.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = [];
        }
        var texts = new List<string>();
        var values = new List<double>();
        var read = 0;
        for (var doc = bounds.First; doc >= 0 && doc <= bounds.Last; doc = doc + 1 < matches.Length ? matches.NextSetBit(doc + 1) : -1)
        {
            if ((++read & 0xFFFF) == 0)
            {
                _cancellation.ThrowIfCancellationRequested();
            }
            KeysOf(doc, levels, bins, keys, texts, values);
            Add(_root, 0, doc, timestamps?.Get(doc) ?? 0, keys, distinct, numbers, texts, values);
        }
    }

    /// <summary>
    /// The groups of <paramref name="doc"/> at each level, as far as the first level where it has none (left empty): the
    /// event counts in its groups above that level (so in their order's measures, as in Elasticsearch's nested terms), and
    /// in none from there on.
    /// </summary>
    private void KeysOf(int doc, IValues<string>?[] levels, IValues<double>?[] bins, List<GroupKey>[] keys, List<string> texts, List<double> values)
    {
        for (var level = 0; level < keys.Length; level++)
        {
            var groupBy = _request.GroupBy[level];
            var into = keys[level];
            into.Clear();
            if (groupBy.Histogram is { } histogram)
            {
                values.Clear();
                bins[level]?.Get(doc, values);
                foreach (var value in values)
                {
                    if (histogram.BinOf(value) is { } bin && !into.Contains(GroupKey.Of(bin)))
                    {
                        into.Add(GroupKey.Of(bin));
                    }
                }
            }
            else
            {
                texts.Clear();
                levels[level]?.Get(doc, texts);
                foreach (var text in texts)
                {
                    if (!into.Contains(GroupKey.Of(text)))
                    {
                        into.Add(GroupKey.Of(text));
                    }
                }
            }
            if (into.Count == 0 && groupBy.Missing is { } missing)
            {
                into.Add(missing);
            }
            if (groupBy.Total is { } total)
            {
                into.Add(total with { IsTotal = true });
            }
            if (into.Count == 0)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Adds the event to <paramref name="node"/> and to its groups below, one per value at each level (the values are
    /// distinct: an event counts once in a group).
    /// </summary>
    private void Add(Node node, int level, int doc, long at, List<GroupKey>[] keys, IValues<string>?[] distinct, IValues<double>?[] numbers, List<string> texts, List<double> values)
    {
        var leaf = level == keys.Length;
        foreach (var m in _measuresAt[level])
        {
            node.Measures[m]!.Add(_measures[m].Function, doc, distinct[m], numbers[m], texts, values);
        }
        if (leaf)
        {
            for (var c = 0; c < _buckets.Length; c++)
            {
                // Matches are within the window: only a series capped at 10,000 buckets leaves some outside.
                if (_buckets[c] is not { } buckets || buckets.Of(at) is not (>= 0 and var bucket))
                {
                    continue;
                }
                node.Series ??= new Dictionary<int, Measure>?[_buckets.Length];
                var series = node.Series[c] ??= [];
                if (!series.TryGetValue(bucket, out var measure))
                {
                    series[bucket] = measure = new Measure();
                }
                var m = _computeMeasure[c];
                measure.Add(_measures[m].Function, doc, distinct[m], numbers[m], texts, values);
            }
            return;
        }
        node.Children ??= [];
        if ((_additions += Math.Max(0, keys[level].Count - 1)) > MaxAdditions)
        {
            throw new AggregateTooLargeException($"The matches' values fan out into groups more than {MaxAdditions:N0} times across the levels (facets with many values an event).");
        }
        foreach (var key in keys[level])
        {
            if (!node.Children.TryGetValue(key, out var child))
            {
                if (++_groups > _maxGroups)
                {
                    throw new AggregateTooLargeException($"The matches fall in more than {_maxGroups:N0} groups across the levels.");
                }
                node.Children[key] = child = new Node(_measures.Count, _measuresAt[level + 1]);
            }
            Add(child, level + 1, doc, at, keys, distinct, numbers, texts, values);
        }
    }

    /// <summary>A field's text values among a segment's matches: a reserved attribute's from its doc values, a tag's or an attribute's from its terms' postings.</summary>
    /// <remarks>A merged segment may hold millions of a field's values however few documents match: a request given up is seen within a few thousand.</remarks>
    private static IValues<string>? Texts(AtomicReader reader, FieldRef field, FixedBitSet matches, (int First, int Last) bounds, CancellationToken cancellation)
    {
        if (field.Kind == FieldKind.Reserved)
        {
            return reader.GetSortedDocValues(LuceneFields.Facet(field.Name)) is { } sorted ? new SortedValues(sorted) : null;
        }
        var table = new PostedValues<string>(bounds);
        DocsEnum? docs = null;
        var read = 0;
        foreach (var (value, terms) in FieldTerms.Values(reader, field))
        {
            if ((++read & 4095) == 0)
            {
                cancellation.ThrowIfCancellationRequested();
            }
            docs = terms.Docs(reader.LiveDocs, docs, DocsFlags.NONE);
            table.AddPostings(value, docs, matches);
        }
        return table;
    }

    /// <summary>An attribute's numeric values among a segment's matches, from the full-precision terms of its numeric field.</summary>
    private static IValues<double>? Numbers(AtomicReader reader, string path, FixedBitSet matches, (int First, int Last) bounds, CancellationToken cancellation)
    {
        if (reader.GetTerms(LuceneFields.Numeric(path)) is not { } terms)
        {
            return null;
        }
        var table = new PostedValues<double>(bounds);
        var enumerator = terms.GetEnumerator();
        DocsEnum? docs = null;
        var read = 0;
        while (enumerator.MoveNext())
        {
            if ((++read & 4095) == 0)
            {
                cancellation.ThrowIfCancellationRequested();
            }
            // Each value is also written at a coarser precision (LuceneFields.NumericPrecisionStep), in terms that sort
            // after every full one: the full terms are the values.
            if (NumericUtils.GetPrefixCodedInt64Shift(enumerator.Term) != 0)
            {
                break;
            }
            docs = enumerator.Docs(reader.LiveDocs, docs, DocsFlags.NONE);
            table.AddPostings(NumericUtils.SortableInt64ToDouble(NumericUtils.PrefixCodedToInt64(enumerator.Term)), docs, matches);
        }
        return table;
    }

    /// <summary>A group: the measures its depth keeps (none for the others), its groups at the next level or, at the last, its measures by time bucket.</summary>
    private sealed class Node(int measures, int[] kept)
    {
        public Measure?[] Measures { get; } = [.. Enumerable.Range(0, measures).Select(m => kept.Contains(m) ? new Measure() : null)];

        public Dictionary<GroupKey, Node>? Children { get; set; }

        /// <summary>Per compute, its timeseries' buckets with events.</summary>
        public Dictionary<int, Measure>?[]? Series { get; set; }
    }

    /// <summary>What any aggregation function needs of a group's events.</summary>
    private sealed class Measure
    {
        private long _count;
        private double _sum;
        private double _min = double.PositiveInfinity;
        private double _max = double.NegativeInfinity;
        private long _numbers;
        private HashSet<string>? _distinct;
        private List<double>? _values;

        public void Add(AggregateFunction function, int doc, IValues<string>? distinct, IValues<double>? numbers, List<string> texts, List<double> values)
        {
            _count++;
            if (function == AggregateFunction.Cardinality)
            {
                texts.Clear();
                distinct?.Get(doc, texts);
                _distinct ??= new HashSet<string>(StringComparer.Ordinal);
                _distinct.UnionWith(texts);
            }
            else if (function != AggregateFunction.Count)
            {
                values.Clear();
                numbers?.Get(doc, values);
                foreach (var value in values)
                {
                    _sum += value;
                    _min = Math.Min(_min, value);
                    _max = Math.Max(_max, value);
                    _numbers++;
                    if (function >= AggregateFunction.Median)
                    {
                        (_values ??= []).Add(value);
                    }
                }
            }
        }

        /// <summary>The function's value: counts and sums 0 over nothing, the others none.</summary>
        public double? Result(AggregateFunction function) => function switch
        {
            AggregateFunction.Count => _count,
            AggregateFunction.Cardinality => _distinct?.Count ?? 0,
            AggregateFunction.Sum => _sum,
            _ when _numbers == 0 => null,
            AggregateFunction.Min => _min,
            AggregateFunction.Max => _max,
            AggregateFunction.Avg => _sum / _numbers,
            AggregateFunction.Median => Percentile(50),
            AggregateFunction.Pc75 => Percentile(75),
            AggregateFunction.Pc90 => Percentile(90),
            AggregateFunction.Pc95 => Percentile(95),
            AggregateFunction.Pc98 => Percentile(98),
            _ => Percentile(99),
        };

        /// <summary>The exact percentile, interpolated between the two closest ranks (as Elasticsearch's and NumPy's default).</summary>
        private double Percentile(double p)
        {
            var values = _values!;
            values.Sort();
            var rank = p / 100 * (values.Count - 1);
            var below = (int)Math.Floor(rank);
            var above = Math.Min(below + 1, values.Count - 1);
            return values[below] + (rank - below) * (values[above] - values[below]);
        }
    }

    /// <summary>A field's values of one segment's documents.</summary>
    private interface IValues<T>
    {
        void Get(int doc, List<T> into);
    }

    /// <summary>A reserved attribute's single value, from its doc values, each ordinal's text made once.</summary>
    private sealed class SortedValues(SortedDocValues values) : IValues<string>
    {
        private readonly string?[] _texts = new string?[values.ValueCount];

        public void Get(int doc, List<string> into)
        {
            if (values.GetOrd(doc) is >= 0 and var ord)
            {
                into.Add(_texts[ord] ??= LookupText(ord));
            }
        }

        private string LookupText(int ord)
        {
            var bytes = new BytesRef();
            values.LookupOrd(ord, bytes);
            return bytes.Utf8ToString();
        }
    }

    /// <summary>
    /// Values read from postings for the matching documents only: per document between the first and last match a chain
    /// of entries (a document's first value costs one int, each further one an entry more).
    /// </summary>
    private sealed class PostedValues<T>((int First, int Last) bounds) : IValues<T>
    {
        private readonly int[] _head = CreateHeads(bounds.Last - bounds.First + 1);
        private readonly List<T> _values = [];
        private readonly List<(int Value, int Next)> _entries = [];

        private static int[] CreateHeads(int documents)
        {
            var heads = new int[documents];
            Array.Fill(heads, -1);
            return heads;
        }

        public void AddPostings(T value, DocsEnum docs, FixedBitSet matches)
        {
            var index = -1;
            for (var doc = docs.Advance(bounds.First); doc <= bounds.Last; doc = docs.NextDoc())
            {
                if (!matches.Get(doc))
                {
                    continue;
                }
                if (index < 0)
                {
                    _values.Add(value);
                    index = _values.Count - 1;
                }
                _entries.Add((index, _head[doc - bounds.First]));
                _head[doc - bounds.First] = _entries.Count - 1;
            }
        }

        public void Get(int doc, List<T> into)
        {
            for (var entry = _head[doc - bounds.First]; entry >= 0; entry = _entries[entry].Next)
            {
                into.Add(_values[_entries[entry].Value]);
            }
        }
    }
}
