using Portal.Detection.Events;
using Portal.Detection.Rules;

namespace Portal.Detection.Evaluation;

/// <summary>
/// Threshold detection over a sliding window: per group, each query keeps the events of the last
/// <c>evaluationWindow</c> seconds and their count, distinct count, sum or maximum; after every matching event the
/// cases are evaluated over all queries of the group (joined on the group values) and the first that holds raises a
/// candidate. Events already handed to a candidate are remembered, so an open signal never counts an event twice.
/// A window of 0 judges every event alone. Windows keep what their aggregates need of each event (time, distinct value,
/// number), not the event: only the few events a signal may take as samples are held, so a busy hour-long window costs
/// tens of bytes per event rather than the event itself.
/// </summary>
internal sealed class ThresholdRunner(CompiledRule rule) : RuleRunner(rule)
{
    private const int SweepEvery = 1 << 16;

    private readonly long _windowTicks = TimeSpan.FromSeconds(rule.Definition.Options.EvaluationWindow).Ticks;

    /// <summary>Each query's aggregation, read once: judging a group reads every query's value after every event.</summary>
    private readonly Aggregation[] _aggregations = rule.Queries.Select(q => q.Aggregation switch
    {
        RuleAggregations.Cardinality => Aggregation.Cardinality,
        RuleAggregations.Sum => Aggregation.Sum,
        RuleAggregations.Max => Aggregation.Max,
        _ => Aggregation.Count,
    }).ToArray();
    private readonly Dictionary<string, Group> _groups = new(StringComparer.Ordinal);
    private long _sequence;

    public override SignalCandidate? Observe(int query, LogEvent e)
    {
        var q = Rule.Queries[query];
        string[]? values = null;
        string key;
        if (q.GroupBy.Count == 1)
        {
            // One group-by field, the usual case: its value is the key, and the values are copied only for a new group.
            var value = FieldNames.FirstValue(q.GroupBy[0], e);
            if (value is null && !q.HasOptionalGroupBy)
            {
                return null;
            }
            key = value ?? "";
        }
        else
        {
            if (GroupAggregator.GroupValues(q.GroupBy, e, q.HasOptionalGroupBy) is not { } all)
            {
                return null;
            }
            values = all;
            key = GroupAggregator.GroupKey(values);
        }
        if (++_sequence % SweepEvery == 0)
        {
            // Before the lookup, so that the group this event joins is never swept from under it.
            Sweep(e.Timestamp.UtcTicks);
        }
        if (!_groups.TryGetValue(key, out var group))
        {
            group = new Group(values ?? [key], Rule.Queries.Count);
            _groups[key] = group;
        }

        var cutoff = e.Timestamp.UtcTicks - _windowTicks;
        foreach (var window in group.Windows)
        {
            if (_windowTicks == 0)
            {
                window.Clear();
            }
            else
            {
                window.Prune(cutoff);
            }
        }
        var distinct = q.DistinctField is { } field ? FieldNames.FirstValue(field, e) : null;
        var number = q.Metrics.Count > 0 ? FieldNames.FirstNumber(q.Metrics[0], e) : null;
        group.Windows[query].Add(e.Timestamp, _sequence, distinct, number, e);

        // Most events leave every case unmet: the values are judged in a reused array, copied only for a candidate.
        var aggregates = _values.Values;
        for (var i = 0; i < aggregates.Length; i++)
        {
            aggregates[i] = group.Windows[i].Value(_aggregations[i]);
        }
        if (FirstCase(_values) is not { } matched)
        {
            return null;
        }
        return Candidate(key, group, matched, e);
    }

    private readonly QueryValues<double> _values = new(QueryNames(rule), new double[rule.Queries.Count]);

    private SignalCandidate Candidate(string key, Group group, RuleCase matched, LogEvent e)
    {
        var newCounts = new long[group.Windows.Length];
        var windowCounts = new long[group.Windows.Length];
        var sampled = 0;
        foreach (var window in group.Windows)
        {
            sampled += window.SampleCount;
        }
        // An open signal's later candidates usually bring no sample: its earlier events were handed to it already.
        var samples = sampled == 0 ? null : new List<LogEvent>(Math.Min(sampled, SampleSize));
        var first = e.Timestamp;
        for (var i = 0; i < group.Windows.Length; i++)
        {
            var window = group.Windows[i];
            windowCounts[i] = window.Count;
            newCounts[i] = window.CountAfter(group.Attributed);
            if (samples is not null)
            {
                window.TakeSamples(SampleSize - samples.Count, samples);
            }
            if (window.First is { } earliest && earliest < first)
            {
                first = earliest;
            }
        }
        group.Attributed = _sequence;
        if (samples is { Count: > 1 })
        {
            samples.Sort((a, b) => a.Timestamp.CompareTo(b.Timestamp));
        }
        return new SignalCandidate(
            key, group.GroupBy ??= GroupBy(group.Values), matched, _values.Snapshot(),
            new QueryValues<long>(_values.Names, newCounts), new QueryValues<long>(_values.Names, windowCounts), first, e.Timestamp, (IReadOnlyList<LogEvent>?)samples ?? []);
    }

    private static IReadOnlyList<string> QueryNames(CompiledRule rule) => Array.AsReadOnly(rule.Queries.Select(q => q.Name).ToArray());

    /// <summary>Forgets groups whose windows have emptied, so memory follows the active groups, not every group ever seen.</summary>
    private void Sweep(long nowTicks)
    {
        var idle = new List<string>();
        foreach (var (key, group) in _groups)
        {
            foreach (var window in group.Windows)
            {
                window.Prune(nowTicks - _windowTicks);
            }
            if (group.Windows.All(w => w.Count == 0))
            {
                idle.Add(key);
            }
        }
        foreach (var key in idle)
        {
            _groups.Remove(key);
        }
    }

    private enum Aggregation
    {
        Count,
        Cardinality,
        Sum,
        Max,
    }

    private sealed class Group(string[] values, int queries)
    {
        public string[] Values { get; } = values;

        /// <summary>The group-by names mapped to <see cref="Values"/>, made once and shared, read-only, by its candidates.</summary>
        public IReadOnlyDictionary<string, string>? GroupBy { get; set; }
        public Window[] Windows { get; } = Enumerable.Range(0, queries).Select(_ => new Window()).ToArray();

        /// <summary>Sequence number of the last event handed to a candidate.</summary>
        public long Attributed { get; set; }
    }

    /// <summary>
    /// The events of one query and group within the window, in arrival order (so in sequence order), with running
    /// aggregates: distinct values counted in a multiset, the sum kept up to date, the maximum in a monotonic queue.
    /// Every operation is constant or logarithmic in the window's size, so a busy group costs no more per event than a quiet one.
    /// An event is held as its time and sequence number in a ring without references (16 bytes, which the collector never
    /// scans: an hour-long window on a brute force holds a hundred thousand of them), plus its distinct value or number in
    /// rings of their own when the query aggregates one.
    /// Samples are kept whole: the first <see cref="RuleRunner.SampleSize"/> events since the last candidate; one that leaves
    /// the window frees its place for the next event. Events that came while the places were taken are not kept, so when
    /// the first ones leave before a case holds, a signal carries fewer samples than the window had events: keeping more
    /// (a ring of the latest) doubled the collector's work on the detection benchmark.
    /// </summary>
    private sealed class Window
    {
        private const int MinCapacity = 4;

        private Stamp[] _stamps = new Stamp[MinCapacity];
        private string?[]? _distinctValues;
        private double[]? _numbers;
        private int _start;
        /// <summary>Sample events with their times, so pruning never reaches into an old event.</summary>
        private readonly Queue<(long Ticks, LogEvent Event)> _samples = new();

        /// <summary>Distinct values and their number of events, made for queries that count distinct values.</summary>
        private Dictionary<string, int>? _distinct;

        /// <summary>The monotonic queue of maxima, made for queries with a metric.</summary>
        private List<(double Value, long Sequence)>? _maxima;
        private int _maxHead;
        private double _sum;

        private readonly record struct Stamp(long Ticks, long Sequence);

        public int Count { get; private set; }

        /// <summary>The time of the oldest event, in UTC (events are normalised to UTC; the ring keeps UTC ticks).</summary>
        public DateTimeOffset? First => Count > 0 ? new DateTimeOffset(_stamps[_start].Ticks, TimeSpan.Zero) : null;

        /// <summary>How many events are held as samples.</summary>
        public int SampleCount => _samples.Count;

        public void Add(DateTimeOffset timestamp, long sequence, string? distinct, double? number, LogEvent e)
        {
            if (Count == _stamps.Length)
            {
                Resize(_stamps.Length * 2);
            }
            var ticks = timestamp.UtcTicks;
            var at = Slot(Count++);
            _stamps[at] = new Stamp(ticks, sequence);
            if (_samples.Count < SampleSize)
            {
                _samples.Enqueue((ticks, e));
            }
            if (distinct is not null)
            {
                (_distinctValues ??= new string?[_stamps.Length])[at] = distinct;
                _distinct ??= new Dictionary<string, int>(StringComparer.Ordinal);
                _distinct[distinct] = _distinct.GetValueOrDefault(distinct) + 1;
            }
            if (number is { } value)
            {
                if (_numbers is null)
                {
                    _numbers = new double[_stamps.Length];
                    Array.Fill(_numbers, double.NaN);
                }
                // Numbers are finite (FieldNames.FirstNumber), so NaN marks an event without one.
                _numbers[at] = value;
                _sum += value;
                _maxima ??= [];
                while (_maxima.Count > _maxHead && _maxima[^1].Value <= value)
                {
                    _maxima.RemoveAt(_maxima.Count - 1);
                }
                _maxima.Add((value, sequence));
            }
        }

        /// <summary>Drops the entries and samples older than <paramref name="ticks"/> (UTC).</summary>
        public void Prune(long ticks)
        {
            while (Count > 0 && _stamps[_start].Ticks < ticks)
            {
                RemoveOldest();
            }
            while (_samples.Count > 0 && _samples.Peek().Ticks < ticks)
            {
                _samples.Dequeue();
            }
            if (Count == 0)
            {
                // Floating-point residue of adding and removing must not outlive the events.
                _sum = 0;
            }
            if (_stamps.Length > 64 && Count < _stamps.Length / 4)
            {
                // A burst that has left the window must not keep its memory.
                Resize(_stamps.Length / 2);
            }
            if (_maxima is not null && _maxHead > 1024 && _maxHead > _maxima.Count / 2)
            {
                _maxima.RemoveRange(0, _maxHead);
                _maxHead = 0;
            }
        }

        public void Clear()
        {
            while (Count > 0)
            {
                RemoveOldest();
            }
            _samples.Clear();
            _maxima?.Clear();
            _maxHead = 0;
            _sum = 0;
        }

        public double Value(Aggregation aggregation) => aggregation switch
        {
            Aggregation.Cardinality => _distinct?.Count ?? 0,
            Aggregation.Sum => _sum,
            Aggregation.Max => _maxima is not null && _maxima.Count > _maxHead ? _maxima[_maxHead].Value : 0,
            _ => Count,
        };

        /// <summary>How many entries came after <paramref name="sequence"/>.</summary>
        /// <remarks>
        /// Searched from the newest end, in steps that double, then by halves: an open signal asks after every event, when
        /// the answer is one, and a search from the middle of a hundred thousand entries would read a dozen cold places.
        /// </remarks>
        public int CountAfter(long sequence)
        {
            // Sequences grow with arrival: entries [high, Count) are after it; find the first entry after it.
            int high = Count, step = 1;
            while (high > 0 && _stamps[Slot(high - 1)].Sequence > sequence)
            {
                high -= Math.Min(step, high);
                step *= 2;
            }
            // Entry high - 1 (if any) is not after it; the answer lies in [high, high + step / 2].
            var low = high;
            high = Math.Min(Count, low + Math.Max(1, step / 2));
            while (low < high)
            {
                var middle = (low + high) >>> 1;
                if (_stamps[Slot(middle)].Sequence > sequence)
                {
                    high = middle;
                }
                else
                {
                    low = middle + 1;
                }
            }
            return Count - low;
        }

        /// <summary>Moves up to <paramref name="limit"/> samples, oldest first, into <paramref name="taken"/>, and forgets the rest.</summary>
        public void TakeSamples(int limit, List<LogEvent> taken)
        {
            for (var moved = 0; _samples.Count > 0 && moved < limit; moved++)
            {
                taken.Add(_samples.Dequeue().Event);
            }
            _samples.Clear();
        }

        /// <summary>The ring position of the <paramref name="index"/>-th oldest entry (capacities are powers of two).</summary>
        private int Slot(int index) => (_start + index) & (_stamps.Length - 1);

        private void RemoveOldest()
        {
            var at = _start;
            if (_distinctValues?[at] is { } value)
            {
                _distinctValues[at] = null;
                if (--_distinct![value] == 0)
                {
                    _distinct.Remove(value);
                }
            }
            if (_numbers is not null && !double.IsNaN(_numbers[at]))
            {
                _sum -= _numbers[at];
                _numbers[at] = double.NaN;
                if (_maxima!.Count > _maxHead && _maxima[_maxHead].Sequence == _stamps[at].Sequence)
                {
                    _maxHead++;
                }
            }
            _start = (_start + 1) & (_stamps.Length - 1);
            Count--;
        }

        /// <summary>Moves the entries, oldest first, into rings of <paramref name="capacity"/>.</summary>
        private void Resize(int capacity)
        {
            var stamps = new Stamp[capacity];
            var distinct = _distinctValues is null ? null : new string?[capacity];
            var numbers = _numbers is null ? null : new double[capacity];
            if (numbers is not null)
            {
                Array.Fill(numbers, double.NaN);
            }
            for (var i = 0; i < Count; i++)
            {
                var from = Slot(i);
                stamps[i] = _stamps[from];
                if (distinct is not null)
                {
                    distinct[i] = _distinctValues![from];
                }
                if (numbers is not null)
                {
                    numbers[i] = _numbers![from];
                }
            }
            (_stamps, _distinctValues, _numbers, _start) = (stamps, distinct, numbers, 0);
        }
    }
}
