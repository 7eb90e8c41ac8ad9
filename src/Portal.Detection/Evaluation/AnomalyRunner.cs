using System.Text.Json.Nodes;
using Portal.Detection.Events;

namespace Portal.Detection.Evaluation;

/// <summary>
/// Anomaly detection on event counts: per group, events are counted in buckets of <c>bucketDuration</c> seconds. When a
/// bucket closes, its count is compared with the group's baseline, the buckets of the previous
/// <c>learningDuration</c> hours (empty buckets count as 0): the median m and the median absolute deviation give a
/// robust spread σ = max(1.4826·MAD, √max(m, 1)) (the square root is the Poisson noise of a count, so a flat series
/// does not make every blip an anomaly). A bucket above m + (tolerance + 1)·σ, with tolerance the rule's
/// <c>detectionTolerance</c> (1 to 5), raises a candidate. A group is judged only once it has a full learning period.
/// Medians and MAD are not fooled by a past spike, unlike a mean and a standard deviation.
/// </summary>
internal sealed class AnomalyRunner(CompiledRule rule) : RuleRunner(rule)
{
    private static readonly Rules.AnomalyDetectionOptions Defaults = new();

    private readonly long _bucketSeconds = (rule.Definition.Options.AnomalyDetectionOptions ?? Defaults).BucketDuration;
    private readonly int _tolerance = (rule.Definition.Options.AnomalyDetectionOptions ?? Defaults).DetectionTolerance;
    private readonly int _learningHours = (rule.Definition.Options.AnomalyDetectionOptions ?? Defaults).LearningDuration;
    private readonly Dictionary<string, Series> _groups = new(StringComparer.Ordinal);

    private int LearningBuckets => (int)Math.Max(1, _learningHours * 3600L / _bucketSeconds);

    /// <summary>
    /// The bucket learning started in: the rule's creation (stored rules) or its first event (rules from files). A
    /// group quiet until now has a baseline of zeros since then, so its first burst is judged, as a detector that had
    /// run all along would judge it, even when the history replayed starts later.
    /// </summary>
    private long? _learningStart = rule.Definition.CreatedAt is { } created ? DateTimeOffset.FromUnixTimeMilliseconds(created).ToUnixTimeSeconds() / (rule.Definition.Options.AnomalyDetectionOptions ?? Defaults).BucketDuration : null;

    public override SignalCandidate? Observe(int query, LogEvent e)
    {
        var q = Rule.Queries[query];
        if (GroupAggregator.GroupValues(q.GroupBy, e, q.HasOptionalGroupBy) is not { } values)
        {
            return null;
        }
        var key = GroupAggregator.GroupKey(values);
        var bucket = e.Timestamp.ToUnixTimeSeconds() / _bucketSeconds;
        _learningStart ??= bucket;
        if (!_groups.TryGetValue(key, out var series))
        {
            series = new Series(values, bucket, query);
            _groups[key] = series;
        }
        SignalCandidate? closed = null;
        if (bucket > series.Bucket)
        {
            closed = series.Judged ? null : Close(key, series);
            series.Start(bucket);
        }
        series.Add(e);
        return closed;
    }

    public override IEnumerable<SignalCandidate> Advance(DateTimeOffset now)
    {
        var candidates = new List<SignalCandidate>();
        var current = now == DateTimeOffset.MaxValue ? long.MaxValue : now.ToUnixTimeSeconds() / _bucketSeconds;
        foreach (var (key, series) in _groups)
        {
            // A bucket is complete once time has passed its end; each is judged once.
            if (series.Bucket < current && !series.Judged && Close(key, series) is { } candidate)
            {
                candidates.Add(candidate);
            }
        }
        return candidates;
    }

    private SignalCandidate? Close(string key, Series series)
    {
        var count = series.Count;
        var learning = LearningBuckets;
        var judged = series.Bucket - Math.Min(series.FirstBucket, _learningStart ?? series.FirstBucket) >= learning && count > 0;
        SignalCandidate? candidate = null;
        if (judged)
        {
            var history = new double[learning];
            for (var i = 0; i < learning; i++)
            {
                history[i] = series.History.GetValueOrDefault(series.Bucket - learning + i);
            }
            var median = Median(history);
            var mad = Median(history.Select(h => Math.Abs(h - median)).ToArray());
            var sigma = Math.Max(1.4826 * mad, Math.Sqrt(Math.Max(median, 1)));
            var bound = median + (_tolerance + 1) * sigma;
            if (count > bound)
            {
                var name = Rule.Queries[series.Query].Name;
                var values = new Dictionary<string, double>(StringComparer.Ordinal) { [name] = count };
                if (FirstCase(values) is { } matched)
                {
                    var counts = Counted(series.Query, count);
                    var details = new JsonObject
                    {
                        ["anomaly"] = new JsonObject
                        {
                            ["bucket_start"] = DateTimeOffset.FromUnixTimeSeconds(series.Bucket * _bucketSeconds).UtcDateTime.ToString("O"),
                            ["bucket_seconds"] = _bucketSeconds,
                            ["count"] = count,
                            ["baseline_median"] = median,
                            ["upper_bound"] = Math.Round(bound, 2),
                        },
                    };
                    candidate = new SignalCandidate(key, GroupBy(series.Values), matched, values, counts, counts, series.FirstTime, series.LastTime, series.Samples.ToList())
                    {
                        Details = details,
                        // The bucket's last instant: a run ending exactly at the bucket's end judges it, the next does not again.
                        DecidedAtOverride = DateTimeOffset.FromUnixTimeSeconds((series.Bucket + 1) * _bucketSeconds).AddTicks(-1),
                    };
                }
            }
        }
        series.Judged = true;
        series.History[series.Bucket] = count;
        foreach (var old in series.History.Keys.Where(b => b <= series.Bucket - learning).ToList())
        {
            series.History.Remove(old);
        }
        return candidate;
    }

    private static double Median(double[] values)
    {
        Array.Sort(values);
        var middle = values.Length / 2;
        return values.Length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }

    private sealed class Series(string[] values, long bucket, int query)
    {
        public string[] Values { get; } = values;
        public int Query { get; } = query;
        public long FirstBucket { get; } = bucket;
        public long Bucket { get; private set; } = bucket;
        public long Count { get; private set; }
        public DateTimeOffset FirstTime { get; private set; }
        public DateTimeOffset LastTime { get; private set; }
        public List<LogEvent> Samples { get; } = [];

        /// <summary>Whether the current bucket was already judged (by <see cref="Advance"/>, before its next event).</summary>
        public bool Judged { get; set; }

        /// <summary>Counts of closed buckets within the learning period, by bucket number.</summary>
        public Dictionary<long, double> History { get; } = [];

        public void Start(long bucket)
        {
            // Buckets skipped without events stay out of History: they count as 0.
            Bucket = bucket;
            Judged = false;
            Count = 0;
            Samples.Clear();
        }

        public void Add(LogEvent e)
        {
            if (Count == 0)
            {
                FirstTime = e.Timestamp;
            }
            Count++;
            LastTime = e.Timestamp;
            if (Samples.Count < SampleSize)
            {
                Samples.Add(e);
            }
        }
    }
}
