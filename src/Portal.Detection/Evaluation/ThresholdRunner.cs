using System.Runtime.InteropServices;
using Portal.Detection.Events;
using Portal.Detection.Rules;
using Portal.Detection.Signals;

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
/// <remarks>
/// Rules that differ only in their cases (clones with other thresholds or severities) share their windows
/// (<see cref="ThresholdWindows"/>): an event is added, pruned and aggregated once for all of them, and each rule keeps only
/// what is its own in a group, the events it has handed to candidates and its samples.
/// </remarks>
internal sealed class ThresholdRunner : RuleRunner
{
    private readonly ThresholdWindows _windows;

    /// <summary>This rule's place among the rules sharing <see cref="_windows"/>.</summary>
    private readonly int _member;

    private readonly QueryValues<double> _values;

    /// <summary>A runner with windows of its own.</summary>
    public ThresholdRunner(CompiledRule rule)
        : this(rule, new ThresholdWindows(rule))
    {
    }

    private ThresholdRunner(CompiledRule rule, ThresholdWindows windows)
        : this(rule, windows, windows.Join())
    {
    }

    private ThresholdRunner(CompiledRule rule, ThresholdWindows windows, int member)
        : base(rule)
    {
        (_windows, _member) = (windows, member);
        _values = new QueryValues<double>(Array.AsReadOnly(rule.Queries.Select(q => q.Name).ToArray()), new double[rule.Queries.Count]);
    }

    /// <summary>
    /// Runners for threshold <paramref name="rules"/>, in their order: rules whose queries, grouping, aggregations and
    /// evaluation window are the same share one set of windows.
    /// </summary>
    public static ThresholdRunner[] Sharing(IReadOnlyList<CompiledRule> rules)
    {
        var runners = new ThresholdRunner[rules.Count];
        var families = new Dictionary<string, ThresholdWindows>(StringComparer.Ordinal);
        for (var i = 0; i < rules.Count; i++)
        {
            if (ThresholdWindows.SharingKey(rules[i]) is not { } key)
            {
                runners[i] = new ThresholdRunner(rules[i]);
                continue;
            }
            if (!families.TryGetValue(key, out var windows))
            {
                families[key] = windows = new ThresholdWindows(rules[i]);
            }
            runners[i] = new ThresholdRunner(rules[i], windows);
        }
        return runners;
    }

    public override SignalCandidate? Observe(int query, LogEvent e)
    {
        if (_windows.Observe(_member, query, e) is not { } group)
        {
            return null;
        }
        var member = group.Member(_member, Rule.Queries.Count);
        member.Sample(query, e, _windows.SampleCutoff(e));
        var aggregates = _values.Values;
        for (var i = 0; i < aggregates.Length; i++)
        {
            aggregates[i] = group.Values[i];
        }
        // Most events leave every case unmet: the values are judged in a reused array, copied only for a candidate.
        if (FirstCase(_values) is not { } matched)
        {
            return null;
        }
        if (OpenSignals is { } openSignals && !Rule.Definition.Options.DecreaseCriticalityBasedOnEnv
            && OpenSignal(openSignals, group, member, e.Timestamp) is { } open)
        {
            // What the lifecycle would do with the candidate, without building it (a candidate's severity is its case's
            // unless the environment lowers it, which needs the samples).
            Absorb(open, group, member, matched, e);
            return null;
        }
        return Candidate(group, member, matched, e);
    }

    /// <summary>
    /// The group's open signal for this rule, alive at <paramref name="at"/>, or null. The one found last is kept on the
    /// member while it lives: a rule and group have one open signal at a time, and a new one is made only once the last has
    /// ended (events come in time order, so a signal alive now has been alive since it was made). A busy group's every
    /// event would otherwise look its signal up by rule and group key.
    /// </summary>
    private SecuritySignal? OpenSignal(Func<CompiledRule, string, SecuritySignal?> openSignals, ThresholdWindows.Group group, ThresholdWindows.Member member, DateTimeOffset at)
    {
        var options = Rule.Definition.Options;
        if (member.Open is { } known && SignalLifecycle.IsAlive(known, options, at))
        {
            return known;
        }
        member.Open = openSignals(Rule, group.Key);
        return member.Open is { } open && SignalLifecycle.IsAlive(open, options, at) ? open : null;
    }

    /// <summary>The samples taken for an open signal, reused.</summary>
    private readonly List<LogEvent> _absorbed = [];

    private void Absorb(SecuritySignal open, ThresholdWindows.Group group, ThresholdWindows.Member member, RuleCase matched, LogEvent e)
    {
        for (var i = 0; i < group.Windows.Length; i++)
        {
            SignalLifecycle.AddCount(open, _values.Names[i], group.Windows[i].CountAfter(member.Attributed));
        }
        member.TakeSamples(member.SampleCount == 0 ? null : _absorbed);
        member.Attributed = group.Sequence;
        if (_absorbed.Count > 1)
        {
            _absorbed.Sort((a, b) => a.Timestamp.CompareTo(b.Timestamp));
        }
        SignalLifecycle.Absorb(open, matched.Status, e.Timestamp, _absorbed, e.Timestamp);
        _absorbed.Clear();
    }

    private SignalCandidate Candidate(ThresholdWindows.Group group, ThresholdWindows.Member member, RuleCase matched, LogEvent e)
    {
        var windows = group.Windows;
        var newCounts = new long[windows.Length];
        var windowCounts = new long[windows.Length];
        var sampled = member.SampleCount;
        // An open signal's later candidates usually bring no sample: its earlier events were handed to it already.
        var samples = sampled == 0 ? null : new List<LogEvent>(Math.Min(sampled, SampleSize));
        var first = e.Timestamp;
        for (var i = 0; i < windows.Length; i++)
        {
            var window = windows[i];
            windowCounts[i] = window.Count;
            newCounts[i] = window.CountAfter(member.Attributed);
            if (window.First is { } earliest && earliest < first)
            {
                first = earliest;
            }
        }
        member.TakeSamples(samples);
        member.Attributed = group.Sequence;
        if (samples is { Count: > 1 })
        {
            samples.Sort((a, b) => a.Timestamp.CompareTo(b.Timestamp));
        }
        return new SignalCandidate(
            group.Key, group.GroupBy ??= GroupBy(group.GroupValues), matched, _values.Snapshot(),
            new QueryValues<long>(_values.Names, newCounts), new QueryValues<long>(_values.Names, windowCounts), first, e.Timestamp, (IReadOnlyList<LogEvent>?)samples ?? []);
    }
}

/// <summary>
/// The windows of one or more threshold rules that differ only in their cases: per group, each query keeps its events
/// of the last <c>evaluationWindow</c> seconds with running aggregates, and each rule (member) its own samples and the
/// last event it handed to a candidate. The rules sharing them are asked in turn about the same event: the first adds it,
/// the others find it added.
/// </summary>
internal sealed class ThresholdWindows(CompiledRule rule)
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

    private readonly IReadOnlyList<CompiledQuery> _queries = rule.Queries;
    private readonly Dictionary<string, Group> _groups = new(StringComparer.Ordinal);
    private long _sequence;

    /// <summary>Per query, the event last added, the group it joined (null when it has none) and the addition's number.</summary>
    private readonly (LogEvent? Event, Group? Group, long Added)[] _last = new (LogEvent?, Group?, long)[rule.Queries.Count];

    /// <summary>
    /// Per member and query, the number of the last addition the member was told about: a member that asks again about
    /// the event last added is given a second copy of it (the same event fed twice), not the first one's answer.
    /// </summary>
    private readonly List<long[]> _told = [];
    private long _added;

    /// <summary>
    /// What rules must have in common to share windows: queries, grouping as written, aggregated fields and evaluation
    /// window; cases are each rule's own. Null when a rule cannot share: one with exclusions filters its own events, and
    /// one with the same query twice is asked about both before the next rule is, so the next would judge the first
    /// window's event with the second window's already added.
    /// </summary>
    public static string? SharingKey(CompiledRule rule)
    {
        var texts = rule.Queries.Select((_, i) => rule.SharingKey(i)).ToList();
        if (texts.Contains(null) || texts.Distinct().Count() < texts.Count)
        {
            return null;
        }
        // Each part carries its length, so no text a rule holds can make two different rules' keys equal.
        var key = new System.Text.StringBuilder();
        void Part(object? value)
        {
            var text = value?.ToString() ?? "";
            key.Append(text.Length).Append(':').Append(text);
        }
        Part(rule.Definition.Options.EvaluationWindow);
        Part(rule.Queries.Count);
        Part(rule.GroupByNames.Count);
        foreach (var name in rule.GroupByNames)
        {
            Part(name);
        }
        for (var i = 0; i < rule.Queries.Count; i++)
        {
            var q = rule.Queries[i];
            Part(texts[i]);
            Part(q.GroupBy.Count);
            foreach (var field in q.GroupBy)
            {
                Part(field);
            }
            Part(q.HasOptionalGroupBy);
            Part(q.Aggregation);
            Part(q.DistinctField);
            Part(q.Metrics.Count > 0 ? q.Metrics[0] : null);
        }
        return key.ToString();
    }

    /// <summary>A new member's place.</summary>
    public int Join()
    {
        _told.Add(Enumerable.Repeat(-1L, _queries.Count).ToArray());
        return _told.Count - 1;
    }

    /// <summary>The oldest time the window of an event reaching <paramref name="e"/> holds, in UTC ticks.</summary>
    public long Cutoff(LogEvent e) => e.Timestamp.UtcTicks - _windowTicks;

    /// <summary>The oldest sample time kept when <paramref name="e"/> arrives: a window of 0 keeps only the event itself.</summary>
    public long SampleCutoff(LogEvent e) => _windowTicks == 0 ? long.MaxValue : Cutoff(e);

    /// <summary>
    /// Adds <paramref name="e"/>, which matched <paramref name="query"/>, to its group's window (once, whichever member asks
    /// first) and returns the group with its aggregates, or null when the event has no group.
    /// </summary>
    public Group? Observe(int member, int query, LogEvent e)
    {
        if (_told.Count == 1)
        {
            // Alone: every question is a new event.
            return Add(query, e);
        }
        ref var last = ref _last[query];
        var told = _told[member];
        if (!ReferenceEquals(last.Event, e) || told[query] == last.Added)
        {
            last = (e, Add(query, e), ++_added);
        }
        told[query] = last.Added;
        return last.Group;
    }

    private Group? Add(int query, LogEvent e)
    {
        var q = _queries[query];
        string? key = null;
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
        // Several fields (or none): the key is composed in a reused buffer and looked up as characters, so an event of a
        // group already seen allocates nothing; the key and values are made only for a new group.
        else if (!ComposeKey(q, e))
        {
            return null;
        }
        if (++_sequence % SweepEvery == 0)
        {
            // Before the lookup, so that the group this event joins is never swept from under it.
            Sweep(e.Timestamp.UtcTicks - _windowTicks);
        }
        Group? group;
        if (key is not null ? !_groups.TryGetValue(key, out group) : !_groups.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(_key.AsSpan(0, _keyLength), out group))
        {
            string[] values;
            if (key is null)
            {
                key = new string(_key.AsSpan(0, _keyLength));
                values = _values.AsSpan(0, q.GroupBy.Count).ToArray();
            }
            else
            {
                values = [key];
            }
            group = new Group(key, values, _queries.Count);
            _groups[key] = group;
        }
        if (q.GroupBy.Count != 1)
        {
            ReleaseKey(q.GroupBy.Count);
        }

        var cutoff = Cutoff(e);
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
        group.Windows[query].Add(e.Timestamp, _sequence, distinct, number);
        group.Sequence = _sequence;
        for (var i = 0; i < group.Values.Length; i++)
        {
            group.Values[i] = group.Windows[i].Value(_aggregations[i]);
        }
        return group;
    }

    /// <summary>The group values and key of the event being added (<see cref="ComposeKey"/>), reused.</summary>
    private string[] _values = [];
    private char[] _key = new char[64];
    private int _keyLength;

    /// <summary>
    /// Reads <paramref name="q"/>'s group-by values of <paramref name="e"/> into <see cref="_values"/> and their key, as
    /// <see cref="GroupAggregator.GroupKey"/> makes it, into <see cref="_key"/>; false when a value is missing and required.
    /// </summary>
    private bool ComposeKey(CompiledQuery q, LogEvent e)
    {
        var count = q.GroupBy.Count;
        if (_values.Length < count)
        {
            _values = new string[count];
        }
        var values = _values.AsSpan(0, count);
        if (!GroupAggregator.TryReadGroupValues(q.GroupBy, e, q.HasOptionalGroupBy, values))
        {
            values.Clear();
            return false;
        }
        _keyLength = GroupAggregator.GroupKeyLength(values);
        if (_key.Length < _keyLength)
        {
            _key = new char[Math.Max(_keyLength, _key.Length * 2)];
        }
        GroupAggregator.WriteGroupKey(values, _key);
        return true;
    }

    /// <summary>Lets go of the event's values, and of a buffer a long key grew, so that neither outlives the event.</summary>
    private void ReleaseKey(int count)
    {
        Array.Clear(_values, 0, count);
        if (_key.Length > 1024)
        {
            _key = new char[64];
        }
    }

    /// <summary>Forgets groups whose windows have emptied, so memory follows the active groups, not every group ever seen.</summary>
    private void Sweep(long cutoff)
    {
        var idle = new List<string>();
        foreach (var (key, group) in _groups)
        {
            foreach (var window in group.Windows)
            {
                window.Prune(cutoff);
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

    public enum Aggregation
    {
        Count,
        Cardinality,
        Sum,
        Max,
    }

    /// <summary>One group's windows, their aggregates after the last event, and each member's part.</summary>
    public sealed class Group(string key, string[] values, int queries)
    {
        private Member?[] _members = [];

        public string Key { get; } = key;

        public string[] GroupValues { get; } = values;

        /// <summary>The group-by names mapped to <see cref="GroupValues"/>, made once and shared, read-only, by its candidates.</summary>
        public IReadOnlyDictionary<string, string>? GroupBy { get; set; }

        public Window[] Windows { get; } = Enumerable.Range(0, queries).Select(_ => new Window()).ToArray();

        /// <summary>Each query's aggregate after the last event.</summary>
        public double[] Values { get; } = new double[queries];

        /// <summary>Sequence number of the last event added.</summary>
        public long Sequence { get; set; }

        /// <summary>The part of member <paramref name="index"/>, made on first use.</summary>
        public Member Member(int index, int queries)
        {
            if (index >= _members.Length)
            {
                Array.Resize(ref _members, index + 1);
            }
            return _members[index] ??= new Member(queries);
        }
    }

    /// <summary>
    /// What one rule keeps of a group: the sequence number of the last event it handed to a candidate, and its samples
    /// per query, the first <see cref="RuleRunner.SampleSize"/> events since that candidate (one that leaves the
    /// window frees its place for the next event). Events that came while the places were taken are not kept, so when
    /// the first ones leave before a case holds, a signal carries fewer samples than the window had events: keeping more
    /// (a ring of the latest) doubled the collector's work on the detection benchmark.
    /// </summary>
    public sealed class Member(int queries)
    {
        private const int SampleSize = RuleRunner.SampleSize;

        /// <summary>Sample events with their times, so pruning never reaches into an old event.</summary>
        private readonly Queue<(long Ticks, LogEvent Event)>?[] _samples = new Queue<(long, LogEvent)>?[queries];

        /// <summary>Sequence number of the last event handed to a candidate.</summary>
        public long Attributed { get; set; }

        /// <summary>The rule's open signal for the group, as last looked up (see <see cref="ThresholdRunner"/>'s <c>OpenSignal</c>).</summary>
        public SecuritySignal? Open { get; set; }

        /// <summary>How many events are held as samples.</summary>
        public int SampleCount
        {
            get
            {
                var count = 0;
                foreach (var samples in _samples)
                {
                    count += samples?.Count ?? 0;
                }
                return count;
            }
        }

        /// <summary>Drops samples older than <paramref name="cutoff"/>, then keeps <paramref name="e"/> if a place is free.</summary>
        public void Sample(int query, LogEvent e, long cutoff)
        {
            foreach (var samples in _samples)
            {
                while (samples is { Count: > 0 } && samples.Peek().Ticks < cutoff)
                {
                    samples.Dequeue();
                }
            }
            var mine = _samples[query] ??= new Queue<(long, LogEvent)>();
            if (mine.Count < SampleSize)
            {
                mine.Enqueue((e.Timestamp.UtcTicks, e));
            }
        }

        /// <summary>Moves the samples, query by query and oldest first, up to the sample size, into <paramref name="taken"/>; forgets the rest.</summary>
        public void TakeSamples(List<LogEvent>? taken)
        {
            foreach (var samples in _samples)
            {
                while (taken is not null && samples is { Count: > 0 } && taken.Count < SampleSize)
                {
                    taken.Add(samples.Dequeue().Event);
                }
                samples?.Clear();
            }
        }
    }

    /// <summary>
    /// The events of one query and group within the window, in arrival order (so in sequence order), with running
    /// aggregates: distinct values counted in a multiset, the sum kept up to date, the maximum in a monotonic queue.
    /// Every operation is constant or logarithmic in the window's size, so a busy group costs no more per event than a quiet one.
    /// An event is held as its time and sequence number in a ring without references (16 bytes, which the collector never
    /// scans: an hour-long window on a brute force holds a hundred thousand of them), plus its distinct value or number in
    /// rings of their own when the query aggregates one. Samples are each member's (<see cref="Member"/>).
    /// </summary>
    public sealed class Window
    {
        private const int MinCapacity = 4;

        private Stamp[] _stamps = new Stamp[MinCapacity];
        private string?[]? _distinctValues;
        private double[]? _numbers;
        private int _start;

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

        public void Add(DateTimeOffset timestamp, long sequence, string? distinct, double? number)
        {
            if (Count == _stamps.Length)
            {
                Resize(_stamps.Length * 2);
            }
            var ticks = timestamp.UtcTicks;
            var at = Slot(Count++);
            _stamps[at] = new Stamp(ticks, sequence);
            if (distinct is not null)
            {
                (_distinctValues ??= new string?[_stamps.Length])[at] = distinct;
                _distinct ??= new Dictionary<string, int>(StringComparer.Ordinal);
                // One lookup: the count is incremented where it lies.
                CollectionsMarshal.GetValueRefOrAddDefault(_distinct, distinct, out _)++;
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

        /// <summary>The ring position of the <paramref name="index"/>-th oldest entry (capacities are powers of two).</summary>
        private int Slot(int index) => (_start + index) & (_stamps.Length - 1);

        private void RemoveOldest()
        {
            var at = _start;
            if (_distinctValues?[at] is { } value)
            {
                _distinctValues[at] = null;
                // The value's last event leaving the window is the only time its entry is looked up twice.
                if (--CollectionsMarshal.GetValueRefOrNullRef(_distinct!, value) == 0)
                {
                    _distinct!.Remove(value);
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
