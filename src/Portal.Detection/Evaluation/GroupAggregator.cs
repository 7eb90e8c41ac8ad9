using Portal.Detection.Events;
using Portal.Detection.Query;
using Portal.Detection.Rules;

namespace Portal.Detection.Evaluation;

/// <summary>
/// Groups a stream of already-matching events by the group-by fields and aggregates each group.
/// Every store uses this after its own filtering, so grouping semantics live in one place:
/// events missing a group-by value are left out, as Datadog does without optional group-by fields.
/// </summary>
public static class GroupAggregator
{
    /// <summary>
    /// Aggregates <paramref name="matching"/> (events that satisfy the query and window), in any order: each group's samples
    /// are its earliest events (the first given among those of one time), oldest first. A store streams its events through
    /// here as it reads them, holding none but the samples.
    /// </summary>
    public static IReadOnlyList<GroupAggregate> Aggregate(IEnumerable<LogEvent> matching, AggregationRequest request)
    {
        var groups = new Dictionary<string, Accumulator>(StringComparer.Ordinal);
        foreach (var e in matching)
        {
            if (GroupValues(request.GroupBy, e, request.OptionalGroupBy) is not { } values)
            {
                continue;
            }
            var key = GroupKey(values);
            if (!groups.TryGetValue(key, out var acc))
            {
                acc = new Accumulator(values);
                groups[key] = acc;
            }
            acc.Add(e, request);
        }
        return groups.Values.Select(a => a.ToAggregate(request)).ToList();
    }

    /// <summary>
    /// The event's values of the group-by fields, or null when one is missing and the fields are not
    /// <paramref name="optional"/> (then a missing value groups as the empty string).
    /// </summary>
    public static string[]? GroupValues(IReadOnlyList<FieldRef> groupBy, LogEvent e, bool optional)
    {
        if (groupBy.Count == 0)
        {
            return [];
        }
        var values = new string[groupBy.Count];
        return TryReadGroupValues(groupBy, e, optional, values) ? values : null;
    }

    /// <summary>
    /// <see cref="GroupValues"/> into <paramref name="values"/> (one place per field), without allocating; false when a
    /// value is missing and required (the places read so far are left filled).
    /// </summary>
    public static bool TryReadGroupValues(IReadOnlyList<FieldRef> groupBy, LogEvent e, bool optional, Span<string> values)
    {
        for (var i = 0; i < groupBy.Count; i++)
        {
            var value = FieldNames.FirstValue(groupBy[i], e);
            if (value is null && !optional)
            {
                return false;
            }
            values[i] = value ?? "";
        }
        return true;
    }

    /// <summary>Between the values of a <see cref="GroupKey"/>.</summary>
    public const char KeySeparator = '\u001f';

    /// <summary>A stable key for a tuple of group values.</summary>
    public static string GroupKey(IReadOnlyList<string> values) => string.Join(KeySeparator, values);

    /// <summary>The length of the <see cref="GroupKey"/> of <paramref name="values"/>.</summary>
    public static int GroupKeyLength(ReadOnlySpan<string> values)
    {
        var length = Math.Max(0, values.Length - 1);
        foreach (var value in values)
        {
            length += value.Length;
        }
        return length;
    }

    /// <summary>Writes the <see cref="GroupKey"/> of <paramref name="values"/> into <paramref name="into"/> (<see cref="GroupKeyLength"/> long).</summary>
    public static void WriteGroupKey(ReadOnlySpan<string> values, Span<char> into)
    {
        var at = 0;
        for (var i = 0; i < values.Length; i++)
        {
            if (i > 0)
            {
                into[at++] = KeySeparator;
            }
            values[i].CopyTo(into[at..]);
            at += values[i].Length;
        }
    }

    private sealed class Accumulator(string[] values)
    {
        private readonly HashSet<string> _distinct = new(StringComparer.Ordinal);
        /// <summary>The samples, each with the order it was given in (among events of one time, the first given are kept).</summary>
        private readonly List<(LogEvent Event, long Given)> _samples = [];
        private long _given;

        /// <summary>The sample an earlier event would replace once the samples are full: the latest (the last given of its time).</summary>
        private int _latestSample;
        private long _count;
        private long _newCount;
        private double _sum;
        private double _max = double.NegativeInfinity;
        private DateTimeOffset _first = DateTimeOffset.MaxValue;
        private DateTimeOffset _last = DateTimeOffset.MinValue;

        public void Add(LogEvent e, AggregationRequest request)
        {
            _count++;
            if (e.Timestamp >= request.NewSince)
            {
                _newCount++;
            }
            _first = e.Timestamp < _first ? e.Timestamp : _first;
            _last = e.Timestamp > _last ? e.Timestamp : _last;
            if (request.DistinctField is { } distinct && FieldNames.FirstValue(distinct, e) is { } value)
            {
                _distinct.Add(value);
            }
            if (request.Metric is { } metric && FieldNames.FirstNumber(metric, e) is { } number)
            {
                _sum += number;
                _max = Math.Max(_max, number);
            }
            var given = _given++;
            if (_samples.Count < request.SampleSize)
            {
                _samples.Add((e, given));
                if (Later(_samples[^1], _samples[_latestSample]))
                {
                    _latestSample = _samples.Count - 1;
                }
            }
            else if (_samples.Count > 0 && e.Timestamp < _samples[_latestSample].Event.Timestamp)
            {
                _samples[_latestSample] = (e, given);
                _latestSample = 0;
                for (var i = 1; i < _samples.Count; i++)
                {
                    if (Later(_samples[i], _samples[_latestSample]))
                    {
                        _latestSample = i;
                    }
                }
            }
        }

        public GroupAggregate ToAggregate(AggregationRequest request)
        {
            var value = request.Aggregation switch
            {
                RuleAggregations.Cardinality => _distinct.Count,
                RuleAggregations.Sum => _sum,
                RuleAggregations.Max => double.IsNegativeInfinity(_max) ? 0 : _max,
                _ => _count,
            };
            return new GroupAggregate(values, value, _count, _newCount, _first, _last, [.. _samples.OrderBy(s => s.Event.Timestamp).ThenBy(s => s.Given).Select(s => s.Event)]);
        }

        /// <summary>Whether <paramref name="a"/> comes after <paramref name="b"/>: later, or of the same time and given after it.</summary>
        private static bool Later((LogEvent Event, long Given) a, (LogEvent Event, long Given) b) =>
            a.Event.Timestamp > b.Event.Timestamp || (a.Event.Timestamp == b.Event.Timestamp && a.Given > b.Given);
    }
}
