using System.Globalization;
using System.Text.Json.Nodes;
using Portal.Detection.Events;
using Portal.Detection.Query;
using Portal.Search.Lucene;

namespace Portal.Search.Tests.Lucene;

/// <summary>
/// Datadog's log aggregation over the Lucene store (<see cref="LuceneLogStore.AggregateAsync"/>): checked by hand on a few
/// events for its semantics, and against a plain reading of the events themselves for many request shapes.
/// </summary>
public sealed class AggregationTests : IDisposable
{
    private static readonly Guid TenantA = Guid.Parse("0a000000-0000-0000-0000-00000000000a");
    private static readonly Guid TenantB = Guid.Parse("0b000000-0000-0000-0000-00000000000b");
    private static readonly DateTimeOffset T0 = new(2026, 3, 3, 14, 0, 0, TimeSpan.Zero);

    private static readonly FieldRef Service = new(FieldKind.Reserved, "service");
    private static readonly FieldRef Host = new(FieldKind.Reserved, "host");
    private static readonly FieldRef Team = new(FieldKind.Tag, "team");
    private static readonly FieldRef Env = new(FieldKind.Tag, "env");
    private static readonly FieldRef User = new(FieldKind.Attribute, "usr.name");
    private static readonly FieldRef Status = new(FieldKind.Attribute, "http.status_code");
    private static readonly FieldRef Duration = new(FieldKind.Attribute, "duration");
    private static readonly FieldRef Roles = new(FieldKind.Attribute, "roles");
    private static readonly FieldRef Sizes = new(FieldKind.Attribute, "sizes");

    private readonly LogStoreOnDisk _disk = new();

    private LuceneLogStore Store => _disk.Store;

    private TenantIndexes Indexes => _disk.Indexes;

    public void Dispose() => _disk.Dispose();

    /// <summary>
    /// Multi-valued facets count an event in each of their groups once; missing and total groups; percentiles interpolated
    /// between ranks; another tenant's events never counted.
    /// </summary>
    [Fact]
    public async Task AggregateAsync_GroupsByTagAndAttribute_HandChecked()
    {
        await AppendAsync(TenantA,
        [
            Event("1", T0, "api", ["team:a", "team:b"], duration: 10, user: "ann"),
            Event("2", T0.AddSeconds(1), "api", ["team:a"], duration: 20, user: "bob"),
            Event("3", T0.AddSeconds(2), "web", ["team:b"], duration: 30),
            Event("4", T0.AddSeconds(3), "web", [], duration: 40, user: "ann"),
        ]);
        await AppendAsync(TenantB, [Event("x", T0, "api", ["team:a"], duration: 1000, user: "eve")]);

        var byTeam = await AggregateAsync(TenantA, [Measure(AggregateFunction.Count), Measure(AggregateFunction.Avg, Duration), Measure(AggregateFunction.Pc75, Duration)],
            new AggregateGroupBy(Team) { Missing = GroupKey.Of("none"), Total = GroupKey.Of("all") });
        var byUser = await AggregateAsync(TenantA, [Measure(AggregateFunction.Cardinality, Team), Measure(AggregateFunction.Median, Duration)],
            new AggregateGroupBy(User, Limit: 1) { Sort = new AggregateSort(Descending: false, Measure(AggregateFunction.Max, Duration)) });

        // team a: events 1 and 2 (avg 15, pc75 17.5); team b: 1 and 3 (avg 20, pc75 25); none: 4; all: every event once.
        Assert.Equal(["a=2|15|17.5", "b=2|20|25", "none=1|40|40", "all=4|25|32.5"], byTeam);
        // Users by their greatest duration, least first, one kept: bob (20) before ann (40); event 3 has no user.
        Assert.Equal(["bob=1|20"], byUser);
    }

    [Fact]
    public async Task AggregateAsync_HistogramAndTimeseries_HandChecked()
    {
        await AppendAsync(TenantA,
        [
            Event("1", T0, "api", [], duration: 5),
            Event("2", T0.AddSeconds(30), "api", [], duration: 12),
            Event("3", T0.AddMinutes(1), "api", [], duration: 19.5),
            Event("4", T0.AddMinutes(2), "api", [], duration: 99),
            Event("5", T0.AddMinutes(2), "api", []),
        ]);

        var bins = await AggregateAsync(TenantA, [Measure(AggregateFunction.Count), Measure(AggregateFunction.Sum, Duration)],
            new AggregateGroupBy(Duration) { Histogram = new NumericBins(10, 0, 50), Sort = new AggregateSort(Descending: false, null) });
        var series = (await Store.AggregateAsync(TenantA, new AggregateRequest(new MatchAllNode(0), T0, T0.AddMinutes(3),
            [Measure(AggregateFunction.Count) with { Interval = TimeSpan.FromMinutes(1) }, Measure(AggregateFunction.Max, Duration) with { Interval = TimeSpan.FromMinutes(1) }], []), CancellationToken.None)).Single();

        // 99 is beyond the histogram's max, event 5 has no duration: both left out.
        Assert.Equal(["0=1|5", "10=2|31.5"], bins);
        Assert.Equal([(T0, 2.0), (T0.AddMinutes(1), 1.0), (T0.AddMinutes(2), 2.0)], series.Computes[0].Series!.Select(p => (p.Time, p.Value!.Value)));
        Assert.Equal([12.0, 19.5, 99.0], series.Computes[1].Series!.Select(p => p.Value!.Value));
    }

    /// <summary>A timeseries' points start on multiples of its interval in the clock the offset gives (+05:30: hours on the half hour).</summary>
    [Fact]
    public async Task AggregateAsync_TimeseriesWithOffset_StartsOnTheClocksMultiples()
    {
        await AppendAsync(TenantA, [Event("1", T0.AddMinutes(10), "api", []), Event("2", T0.AddMinutes(40), "api", []), Event("3", T0.AddMinutes(50), "api", [])]);
        var hourly = new AggregateRequest(new MatchAllNode(0), T0, T0.AddHours(2), [Measure(AggregateFunction.Count) with { Interval = TimeSpan.FromHours(1) }], []);

        var utc = (await Store.AggregateAsync(TenantA, hourly, CancellationToken.None)).Single().Computes[0].Series!;
        var india = (await Store.AggregateAsync(TenantA, hourly with { Offset = TimeSpan.FromMinutes(330) }, CancellationToken.None)).Single().Computes[0].Series!;

        Assert.Equal([(T0, 3.0), (T0.AddHours(1), 0.0)], utc.Select(p => (p.Time, p.Value!.Value)));
        // 13:30-14:30 holds event 1, 14:30-15:30 events 2 and 3 (UTC); the first point starts before the window, as a histogram's bar may.
        Assert.Equal([(T0.AddMinutes(-30), 1.0), (T0.AddMinutes(30), 2.0), (T0.AddMinutes(90), 0.0)], india.Select(p => (p.Time, p.Value!.Value)));
    }

    /// <summary>An aggregation falling in more groups than the store keeps is refused, not allowed to grow without bound.</summary>
    [Fact]
    public async Task Aggregate_BeyondMaxGroups_Refused()
    {
        await AppendAsync(TenantA, [.. Enumerable.Range(0, 6).Select(i => Event($"e{i}", T0.AddSeconds(i), $"svc-{i}", []))]);
        var index = Indexes.GetJournaled(TenantA, LuceneLogStore.Kind).Index;
        var request = new AggregateRequest(new MatchAllNode(0), T0, T0.AddHours(1), [Measure(AggregateFunction.Count)], [new AggregateGroupBy(Service, Limit: 2)]);

        Assert.Equal(2, index.Aggregate(request, maxGroups: 6).Count);
        Assert.Contains("more than 5 groups", Assert.Throws<AggregateTooLargeException>(() => index.Aggregate(request, maxGroups: 5)).Message, StringComparison.Ordinal);
    }

    /// <summary>Many request shapes over a few hundred varied events in two segments, against the events read one by one.</summary>
    [Fact]
    public async Task AggregateAsync_ManyShapes_AgreeWithThePlainReading()
    {
        var random = new Random(7);
        var events = Enumerable.Range(0, 400).Select(i => Event(
            $"e{i:D3}", T0.AddSeconds(random.Next(600)), random.Next(5) == 0 ? null : $"svc-{random.Next(4)}",
            random.Next(3) switch { 0 => [], 1 => [$"team:t{random.Next(3)}"], _ => [$"team:t{random.Next(3)}", $"team:t{random.Next(3)}", "env:prod"] },
            duration: random.Next(6) == 0 ? null : Math.Round(random.NextDouble() * 500, 1),
            user: random.Next(4) == 0 ? null : $"u{random.Next(12)}",
            status: random.Next(3) switch { 0 => 200, 1 => 404, _ => 500 },
            roles: random.Next(2) == 0 ? ["admin", $"r{random.Next(3)}"] : null,
            sizes: random.Next(3) == 0 ? [random.Next(100), 100 + random.Next(100)] : null)).ToList();
        await AppendAsync(TenantA, events[..250]);
        await AppendAsync(TenantA, events[250..]);
        await AppendAsync(TenantB, events[..50]);
        var all = Enum.GetValues<AggregateFunction>().Select(f => f switch
        {
            AggregateFunction.Count => Measure(f),
            AggregateFunction.Cardinality => Measure(f, User),
            _ => Measure(f, Duration),
        }).Concat(
        [
            // Several numbers an event, and timeseries.
            Measure(AggregateFunction.Sum, Sizes), Measure(AggregateFunction.Pc75, Sizes),
            Measure(AggregateFunction.Count) with { Interval = TimeSpan.FromMinutes(2) },
            Measure(AggregateFunction.Max, Sizes) with { Interval = TimeSpan.FromMinutes(2) },
            Measure(AggregateFunction.Cardinality, Team) with { Interval = TimeSpan.FromSeconds(90) },
        ]).ToList();
        var shapes = new (string Query, AggregateGroupBy[] GroupBy)[]
        {
            ("*", []),
            ("*", [new AggregateGroupBy(Service)]),
            ("*", [new AggregateGroupBy(Team) { Missing = GroupKey.Of(-1), Total = GroupKey.Of("all") }]),
            ("@http.status_code:>=404", [new AggregateGroupBy(Service, Limit: 2) { Sort = new AggregateSort(true, Measure(AggregateFunction.Pc90, Duration)) }, new AggregateGroupBy(User, Limit: 3)]),
            ("*", [new AggregateGroupBy(Roles) { Sort = new AggregateSort(false, null) }, new AggregateGroupBy(Status) { Sort = new AggregateSort(true, null), Total = GroupKey.Of("any") }]),
            ("-service:svc-1", [new AggregateGroupBy(Duration) { Histogram = new NumericBins(50, 100, 400) }, new AggregateGroupBy(Env) { Missing = GroupKey.Of("no-env") }]),
            ("*", [new AggregateGroupBy(Sizes, Limit: 3) { Histogram = new NumericBins(25, 0, 200), Sort = new AggregateSort(true, Measure(AggregateFunction.Avg, Duration)) }]),
            ("*", [new AggregateGroupBy(Host), new AggregateGroupBy(Team, Limit: 2) { Sort = new AggregateSort(false, Measure(AggregateFunction.Cardinality, User)) }, new AggregateGroupBy(Status, Limit: 1) { Sort = new AggregateSort(true, Measure(AggregateFunction.Sum, Duration)) }]),
        };
        var (from, to) = (T0.AddSeconds(60), T0.AddSeconds(540));

        foreach (var (text, groupBy) in shapes)
        {
            var request = new AggregateRequest(QueryParser.Parse(text), from, to, all, groupBy);
            var expected = Plain(events, request);
            var actual = Describe(await Store.AggregateAsync(TenantA, request, CancellationToken.None));
            Assert.True(expected.Count > 0, text);
            Assert.Equal(expected, actual);
        }
    }

    /// <summary>The aggregation reads a request the way Datadog describes; here, the events one by one.</summary>
    private static List<string> Plain(List<LogEvent> events, AggregateRequest request)
    {
        var matches = events.Where(e => e.Timestamp >= request.From && e.Timestamp < request.To && QueryMatcher.Matches(request.Query, e)).ToList();
        var lines = new List<string>();
        Level(matches, 0, []);
        return lines;

        // A timeseries: buckets on multiples of the interval from the one holding the window's start, until its end.
        string Series(AggregateMeasure measure, TimeSpan interval, List<LogEvent> members)
        {
            var (fromMs, toMs, step) = (request.From.ToUnixTimeMilliseconds(), request.To.ToUnixTimeMilliseconds(), (long)interval.TotalMilliseconds);
            var points = new List<string>();
            for (var start = fromMs / step * step; start < toMs; start += step)
            {
                var inBucket = members.Where(e => e.Timestamp.ToUnixTimeMilliseconds() is var t && t >= start && t < start + step).ToList();
                points.Add($"{DateTimeOffset.FromUnixTimeMilliseconds(start):HH:mm:ss} {Format(Compute(measure with { Interval = null }, inBucket))}");
            }
            return string.Join(";", points);
        }

        void Level(List<LogEvent> members, int level, List<GroupKey> by)
        {
            if (level == request.GroupBy.Count)
            {
                lines.Add(Line(by, request.Computes.Select(c => c.Interval is { } interval ? Series(c, interval, members) : Format(Compute(c, members)))));
                return;
            }
            var groupBy = request.GroupBy[level];
            var groups = new Dictionary<GroupKey, List<LogEvent>>();
            foreach (var e in members)
            {
                var keys = KeysOf(e, groupBy).Distinct().ToList();
                if (keys.Count == 0 && groupBy.Missing is { } missing)
                {
                    keys.Add(missing);
                }
                foreach (var key in keys)
                {
                    (groups.TryGetValue(key, out var list) ? list : groups[key] = []).Add(e);
                }
            }
            var ordered = groupBy.Sort.Measure is { } measure
                ? groups.OrderBy(g => Compute(measure, g.Value) is null)
                    .ThenBy(g => groupBy.Sort.Descending ? -Compute(measure, g.Value) : Compute(measure, g.Value))
                    .ThenBy(g => g.Key, GroupKey.Order)
                : groupBy.Sort.Descending ? groups.OrderByDescending(g => g.Key, GroupKey.Order) : groups.OrderBy(g => g.Key, GroupKey.Order);
            var kept = ordered.Take(groupBy.Limit).ToList();
            if (groupBy.Total is { } total)
            {
                kept.Add(new(total with { IsTotal = true }, members));
            }
            foreach (var (key, list) in kept)
            {
                Level(list, level + 1, [.. by, key]);
            }
        }
    }

    private static IEnumerable<GroupKey> KeysOf(LogEvent e, AggregateGroupBy groupBy)
    {
        if (groupBy.Histogram is { } bins)
        {
            return Numbers(e, groupBy.Facet).Where(v => v >= bins.Min && v <= bins.Max).Select(v => GroupKey.Of(Math.Floor(v / bins.Interval) * bins.Interval));
        }
        return Texts(e, groupBy.Facet).Select(GroupKey.Of);
    }

    private static IEnumerable<string> Texts(LogEvent e, FieldRef field) => field.Kind switch
    {
        FieldKind.Reserved => e.GetReserved(field.Name) is { } value ? [value] : [],
        FieldKind.Tag => e.Tags.Where(t => t.StartsWith(field.Name + ":", StringComparison.Ordinal)).Select(t => t[(field.Name.Length + 1)..]),
        _ => e.GetAttribute(field.Name).Select(v => v.Text),
    };

    private static IEnumerable<double> Numbers(LogEvent e, FieldRef field) => e.GetAttribute(field.Name).Select(v => v.RangeValue).OfType<double>();

    private static double? Compute(AggregateMeasure measure, List<LogEvent> events)
    {
        var values = measure.IsNumeric ? events.SelectMany(e => Numbers(e, measure.Metric!)).Order().ToList() : [];
        return measure.Function switch
        {
            AggregateFunction.Count => events.Count,
            AggregateFunction.Cardinality => events.SelectMany(e => Texts(e, measure.Metric!)).Distinct().Count(),
            AggregateFunction.Sum => values.Sum(),
            _ when values.Count == 0 => null,
            AggregateFunction.Min => values[0],
            AggregateFunction.Max => values[^1],
            AggregateFunction.Avg => values.Average(),
            AggregateFunction.Median => Percentile(values, 50),
            var f => Percentile(values, int.Parse(f.ToString()[2..], CultureInfo.InvariantCulture)),
        };
    }

    private static double Percentile(List<double> sorted, double p)
    {
        var rank = p / 100 * (sorted.Count - 1);
        var below = (int)rank;
        return sorted[below] + (rank - below) * (sorted[Math.Min(below + 1, sorted.Count - 1)] - sorted[below]);
    }

    private async Task<List<string>> AggregateAsync(Guid tenant, AggregateMeasure[] computes, params AggregateGroupBy[] groupBy) =>
        Describe(await Store.AggregateAsync(tenant, new AggregateRequest(new MatchAllNode(0), T0, T0.AddHours(1), computes, groupBy), CancellationToken.None));

    private static List<string> Describe(IEnumerable<AggregateBucket> buckets) =>
        [.. buckets.Select(b => Line(b.By, b.Computes.Select(c => c.Series is { } series ? string.Join(";", series.Select(p => $"{p.Time:HH:mm:ss} {Format(p.Value)}")) : Format(c.Total))))];

    /// <summary>A bucket as <c>by=c0|c1|...</c>.</summary>
    private static string Line(IEnumerable<GroupKey> by, IEnumerable<string> values) => string.Join(",", by) + "=" + string.Join("|", values);

    /// <summary>A value rounded so that sums in another order compare equal.</summary>
    private static string Format(double? value) => value is { } n ? Math.Round(n, 6).ToString(CultureInfo.InvariantCulture) : "null";

    private static AggregateMeasure Measure(AggregateFunction function, FieldRef? metric = null) => new(function, metric);

    private async Task AppendAsync(Guid tenant, IReadOnlyList<LogEvent> events)
    {
        await Store.AppendAsync(tenant, events, CancellationToken.None);
        await Store.RefreshAsync(tenant, CancellationToken.None);
    }

    private static LogEvent Event(
        string id, DateTimeOffset at, string? service, string[] tags, double? duration = null, string? user = null, int status = 200, string[]? roles = null, double[]? sizes = null)
    {
        var attributes = new JsonObject { ["http"] = new JsonObject { ["status_code"] = status } };
        if (duration is { } d)
        {
            attributes["duration"] = d;
        }
        if (user is not null)
        {
            attributes["usr"] = new JsonObject { ["name"] = user };
        }
        if (roles is not null)
        {
            attributes["roles"] = new JsonArray([.. roles.Select(r => (JsonNode?)r)]);
        }
        if (sizes is not null)
        {
            attributes["sizes"] = new JsonArray([.. sizes.Select(s => (JsonNode?)s)]);
        }
        return new LogEvent
        {
            Id = id, Timestamp = at, Host = $"host-{id[^1] % 3}", Service = service, Source = "app", Status = "info", Message = "request served",
            Tags = tags, Attributes = attributes,
        };
    }
}
