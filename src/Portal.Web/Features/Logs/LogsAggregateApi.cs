using Portal.Data.Identity;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Portal.Detection.Query;
using Portal.Search;
using Portal.Web.Features.Identity;
using Portal.Web.Features.Signals;

namespace Portal.Web.Features.Logs;

/// <summary>
/// Datadog's <c>POST /api/v2/logs/analytics/aggregate</c>: every aggregation function (<c>count</c>, <c>cardinality</c>,
/// <c>sum</c>, <c>min</c>, <c>max</c>, <c>avg</c>, <c>median</c>, <c>pc75</c> to <c>pc99</c>) as a total or a timeseries,
/// over all matches or grouped by up to four facets (reserved attributes, tag keys, attributes, or a numeric attribute's
/// histogram bins), each level with its limit, sort, missing value and total group. Counts grouped by at most one reserved
/// facet come from the store's doc-values series (what dashboards ask most, in one pass); the rest from its general
/// aggregation (<see cref="ILogStore.AggregateAsync"/>). A request the store cannot answer is refused with a 400 naming
/// the field at fault, never answered in part.
/// </summary>
public static class LogsAggregateApi
{
    /// <summary>Nested group-by levels accepted, as Datadog's log analytics allows.</summary>
    private const int MaxGroupBy = 4;

    /// <summary>The most groups a request may ask for: the product of its levels' limits, as Datadog allows.</summary>
    private const int MaxGroups = 10_000;

    /// <summary>
    /// The most points a response's timeseries may hold in all (every group's, of every timeseries compute), counted on the
    /// groups the limits ask for, before any is read: the top 10,000 of a day at 5-minute points pass, at 1-second points over
    /// two hours (72 million) they do not.
    /// </summary>
    internal const long MaxSeriesPoints = 5_000_000;

    /// <summary>The <c>by</c> value of a level's total group when <c>total</c> is <c>true</c> rather than the value to use.</summary>
    internal const string TotalGroup = "__total__";

    public static void MapLogsAggregateApi(this WebApplication app) =>
        app.MapPost("/api/v2/logs/analytics/aggregate", AggregateAsync)
            .RequireAuthorization(IdentitySetup.ApiPolicy)
            .RequirePermission(Permission.LogsRead)
            .DisableAntiforgery()
            .WithTags("Logs")
            .WithName("AggregateLogs");

    private static async Task<Results<Ok<JsonObject>, ProblemHttpResult>> AggregateAsync(HttpContext http, ILogStore store, TimeProvider clock, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        JsonNode? parsed;
        try
        {
            // A key twice in one object is malformed here, as in the intake (it would otherwise fault on reading).
            parsed = await JsonNode.ParseAsync(http.Request.Body, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false }, cancellationToken: cancellationToken);
        }
        catch (JsonException e)
        {
            return Problem($"Malformed JSON at line {(e.LineNumber ?? 0) + 1}, byte {(e.BytePositionInLine ?? 0) + 1}.");
        }
        if (parsed is not (null or JsonObject) || parsed?["filter"] is not (null or JsonObject) || parsed?["page"] is not (null or JsonObject))
        {
            return Problem("The body, its filter and its page are objects: {\"filter\": {\"query\": ..., \"from\": ..., \"to\": ...}, \"compute\": [...], \"group_by\": [...]}.");
        }
        var body = parsed as JsonObject ?? [];
        var filter = body["filter"] as JsonObject;
        if (filter?["query"] is { } queryNode && Text(queryNode) is null)
        {
            return Problem("filter.query: expected a string in the log search syntax.");
        }
        if (!QueryParser.TryParse(Text(filter?["query"]), out var query, out var syntax))
        {
            return Problem($"filter.query: {syntax!.Message}");
        }
        var now = clock.GetUtcNow();
        if (TimeText(filter?["from"]) is not (var fromText, true) || TimeText(filter?["to"]) is not (var toText, true)
            || !TimeParameter.TryParse(fromText, now, now.AddMinutes(-15), out var from) || !TimeParameter.TryParse(toText, now, now, out var to) || to <= from)
        {
            return Problem("filter.from and filter.to must be a time range: ISO 8601 dates, epoch milliseconds or date math such as 'now-15m'.");
        }
        // Inclusive, as the search endpoints take it: a log at "to" is counted where it is listed.
        to = Portal.Web.Features.Platform.DatadogSearch.InclusiveEnd(to);
        if (body["page"]?["cursor"] is not null)
        {
            return Problem("page.cursor: every bucket is returned in one response here; there is no next page to read.");
        }
        var computes = new List<AggregateMeasure>();
        if (body["compute"] is not (null or JsonArray) || body["group_by"] is not (null or JsonArray))
        {
            return Problem(body["compute"] is not (null or JsonArray) ? "compute: expected an array of aggregations." : "group_by: expected an array of facets to group by.");
        }
        var computeNodes = body["compute"] is JsonArray given ? given.ToList() : [new JsonObject { ["aggregation"] = "count" }];
        for (var i = 0; i < computeNodes.Count; i++)
        {
            if (ReadCompute(computeNodes[i] as JsonObject, $"compute[{i}]", from, to) is var (compute, error) && error is not null)
            {
                return Problem(error);
            }
            computes.Add(compute!);
        }
        var groupBy = new List<AggregateGroupBy>();
        var groupNodes = body["group_by"] as JsonArray ?? [];
        if (groupNodes.Count > MaxGroupBy)
        {
            return Problem($"group_by: at most {MaxGroupBy} facets.");
        }
        for (var i = 0; i < groupNodes.Count; i++)
        {
            if (ReadGroupBy(groupNodes[i] as JsonObject, $"group_by[{i}]") is var (group, error) && error is not null)
            {
                return Problem(error);
            }
            groupBy.Add(group!);
        }
        var groups = groupBy.Aggregate(1L, (product, g) => product * g.Limit);
        if (groups > MaxGroups)
        {
            return Problem($"group_by: the product of the levels' limits is at most {MaxGroups:N0}.");
        }
        // Each group's timeseries is a point a bucket: 10,000 groups of 7,200 points each were 72 million points, built in
        // memory then written, before anything could refuse them.
        var points = computes.Where(c => c.Interval is not null).Sum(c => HistogramBucket.CountFor(from, to, c.Interval!.Value));
        if (points > 0 && groups * points > MaxSeriesPoints)
        {
            return Problem($"compute: the timeseries hold at most {MaxSeriesPoints:N0} points in all (groups × points): use a longer interval, a shorter time range or lower group_by limits.");
        }

        var tenantId = SessionInfo.From(http.User)!.TenantId;
        var request = new AggregateRequest(query!, from, to, computes, groupBy);
        var facets = groupNodes.Select(g => Text(g!["facet"])!).ToList();
        JsonArray buckets;
        try
        {
            buckets = IsSeries(request)
                ? await SeriesBucketsAsync(store, tenantId, request, facets, cancellationToken)
                : new JsonArray([.. (await store.AggregateAsync(tenantId, request, cancellationToken)).Select(b => (JsonNode?)Bucket(facets, b, computes))]);
        }
        catch (AggregateTooLargeException e)
        {
            return Problem($"{(groupBy.Count > 0 ? "group_by: " : "")}{e.Message} Narrow filter.query or the time range{(groupBy.Count > 0 ? ", or group by fewer facets" : "")}.");
        }
        return TypedResults.Ok(new JsonObject
        {
            ["data"] = new JsonObject { ["buckets"] = buckets },
            // Every bucket in one response: no page after it.
            ["meta"] = Portal.Web.Features.Platform.DatadogSearch.Meta(http, started, after: null),
        });
    }

    /// <summary>A compute of the request: its function, metric and, for a timeseries, interval; or what is at fault.</summary>
    private static (AggregateMeasure? Measure, string? Error) ReadCompute(JsonObject? node, string at, DateTimeOffset from, DateTimeOffset to)
    {
        if (node is null)
        {
            return (null, $"{at}: expected an object with an 'aggregation'.");
        }
        if (ReadMeasure(node, at) is var (measure, error) && error is not null)
        {
            return (null, error);
        }
        switch (node["type"] is null ? "total" : Text(node["type"]))
        {
            case "total":
                return (measure, null);
            case "timeseries":
                var interval = DefaultInterval(from, to);
                if (node["interval"] is { } given && (Text(given) is not { } text || !TryParseInterval(text, out interval)))
                {
                    return (null, $"{at}.interval: expected a duration such as '30s', '5m' or '1h'.");
                }
                if (HistogramBucket.CountFor(from, to, interval) > HistogramBucket.MaxCount)
                {
                    return (null, $"{at}.interval: a timeseries has at most {HistogramBucket.MaxCount:N0} points; use a longer interval for this time range.");
                }
                return (measure! with { Interval = interval }, null);
            default:
                return (null, $"{at}.type: 'total' or 'timeseries'.");
        }
    }

    /// <summary>An aggregation function and its metric, of a compute or a sort.</summary>
    private static (AggregateMeasure? Measure, string? Error) ReadMeasure(JsonObject node, string at)
    {
        var name = node["aggregation"] is null ? "count" : Text(node["aggregation"]);
        if (AggregateMeasure.Parse(name) is not { } function)
        {
            return (null, $"{at}.aggregation: one of {string.Join(", ", Enum.GetValues<AggregateFunction>().Select(AggregateMeasure.NameOf))}.");
        }
        if (function == AggregateFunction.Count)
        {
            return (new AggregateMeasure(function), null);
        }
        return AggregateFields.MetricOf(function, Text(node["metric"])) is { } metric ? (new AggregateMeasure(function, metric), null)
            : function == AggregateFunction.Cardinality ? (null, $"{at}.metric: cardinality needs the field to count, such as '@usr.name', 'host' or 'env'.")
            : (null, $"{at}.metric: {name} needs a numeric attribute, such as '@duration' or '@http.status_code'.");
    }

    /// <summary>A level of grouping: its facet, limit, sort, missing value, total group and histogram; or what is at fault.</summary>
    private static (AggregateGroupBy? Group, string? Error) ReadGroupBy(JsonObject? node, string at)
    {
        if (node is null || AggregateFields.Parse(Text(node["facet"])) is not { } facet)
        {
            return (null, $"{at}.facet: the facet to group by, such as 'service', '@http.status_code' or 'env'.");
        }
        var group = new AggregateGroupBy(facet);
        if (node["limit"] is { } given)
        {
            if (given is not JsonValue value || !value.TryGetValue<int>(out var limit) || limit < 1 || limit > MaxGroups)
            {
                return (null, $"{at}.limit: expected a whole number of groups from 1 to {MaxGroups:N0}.");
            }
            group = group with { Limit = limit };
        }
        if (node["sort"] is { } sortNode)
        {
            if (sortNode is not JsonObject sort)
            {
                return (null, $"{at}.sort: expected an object with 'type', 'order', 'aggregation' and 'metric'.");
            }
            var alphabetical = Text(sort["type"]) switch
            {
                // Datadog's default is alphabetical; an aggregation or metric named says the sort is by that measure.
                null => (bool?)(sort["aggregation"] is null && sort["metric"] is null),
                "alphabetical" => true,
                "measure" => false,
                _ => null,
            };
            if (sort["type"] is not null && (alphabetical is null || Text(sort["type"]) is null))
            {
                return (null, $"{at}.sort.type: 'alphabetical' or 'measure'.");
            }
            if (sort["order"] is not null && Text(sort["order"]) is not ("asc" or "desc"))
            {
                return (null, $"{at}.sort.order: 'asc' or 'desc'.");
            }
            var descending = Text(sort["order"]) is { } order ? order == "desc" : alphabetical != true;
            if (alphabetical == true)
            {
                group = group with { Sort = new AggregateSort(descending, null) };
            }
            else if (ReadMeasure(sort, $"{at}.sort") is var (measure, error) && error is not null)
            {
                return (null, error);
            }
            else
            {
                group = group with { Sort = new AggregateSort(descending, measure) };
            }
        }
        if (node["missing"] is { } missing)
        {
            if (Key(missing) is not { } key)
            {
                return (null, $"{at}.missing: a string or a number, the value of the events without the facet.");
            }
            group = group with { Missing = key };
        }
        if (node["total"] is JsonValue total && total.GetValueKind() is not (JsonValueKind.False or JsonValueKind.Null))
        {
            if ((total.GetValueKind() == JsonValueKind.True ? GroupKey.Of(TotalGroup) : Key(total)) is not { } key)
            {
                return (null, $"{at}.total: true, or a string or a number naming the group of all the events.");
            }
            group = group with { Total = key };
        }
        else if (node["total"] is JsonObject or JsonArray)
        {
            return (null, $"{at}.total: true, or a string or a number naming the group of all the events.");
        }
        if (node["histogram"] is { } histogramNode)
        {
            if (facet.Kind != FieldKind.Attribute)
            {
                return (null, $"{at}.histogram: bins are of a numeric attribute, such as '@duration'.");
            }
            if (histogramNode is not JsonObject histogram || Number(histogram["interval"]) is not ({ } interval and > 0)
                || Number(histogram["min"]) is not { } min || Number(histogram["max"]) is not { } max || max < min)
            {
                return (null, $"{at}.histogram: 'interval' above 0, and 'min' and 'max' with min at most max.");
            }
            if (!double.IsFinite((max - min) / interval) || !double.IsFinite(max / interval) || !double.IsFinite(min / interval) || (max - min) / interval > NumericBins.MaxBins)
            {
                return (null, $"{at}.histogram: at most {NumericBins.MaxBins} bins ((max - min) / interval).");
            }
            group = group with { Histogram = new NumericBins(interval, min, max) };
        }
        return (group, null);
    }

    /// <summary>
    /// Whether the request is counts over all matches or grouped by one reserved facet in the default order, without
    /// missing value, total group or bins: what the store's series answer in one pass.
    /// </summary>
    private static bool IsSeries(AggregateRequest request) =>
        request.Computes.All(c => c.Function == AggregateFunction.Count)
        && request.GroupBy switch
        {
            [] => true,
            [var g] => g.Facet.Kind == FieldKind.Reserved && g.Sort == AggregateSort.ByCount && g is { Missing: null, Total: null, Histogram: null },
            _ => false,
        };

    private static JsonObject Bucket(List<string> facets, AggregateBucket bucket, List<AggregateMeasure> computes)
    {
        var by = new JsonObject();
        for (var i = 0; i < facets.Count; i++)
        {
            by[facets[i]] = bucket.By[i].Text is { } text ? JsonValue.Create(text) : JsonValue.Create(bucket.By[i].Number);
        }
        // A value there is none of (the average of no values) is left out, as Datadog's clients refuse a null for a number.
        var values = new JsonObject();
        for (var i = 0; i < computes.Count; i++)
        {
            var value = bucket.Computes[i];
            if (value.Series is { } series)
            {
                values[$"c{i}"] = new JsonArray([.. series.Select(p => (JsonNode?)(Value(p.Value) is { } point
                    ? new JsonObject { ["time"] = p.Time.ToString("O"), ["value"] = point }
                    : new JsonObject { ["time"] = p.Time.ToString("O") }))]);
            }
            else if (Value(value.Total) is { } total)
            {
                values[$"c{i}"] = total;
            }
        }
        return new JsonObject { ["by"] = by, ["computes"] = values };
    }

    /// <summary>A computed value: whole numbers as integers (counts), others as they are, none as null.</summary>
    private static JsonNode? Value(double? value) => value switch
    {
        null or double.NaN or double.PositiveInfinity or double.NegativeInfinity => null,
        { } v when v == Math.Floor(v) && Math.Abs(v) < 1e15 => JsonValue.Create((long)v),
        { } v => JsonValue.Create(v),
    };

    /// <summary>A string or number as a group's value.</summary>
    private static GroupKey? Key(JsonNode node) => node is JsonValue value
        ? value.GetValueKind() switch
        {
            JsonValueKind.String => GroupKey.Of(value.GetValue<string>()),
            JsonValueKind.Number when value.GetValue<double>() is var number && double.IsFinite(number) => GroupKey.Of(number),
            _ => null,
        }
        : null;

    private static double? Number(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.Number && value.GetValue<double>() is var number && double.IsFinite(number) ? number : null;

    /// <summary>
    /// The buckets of counts over all matches or grouped by one reserved facet, from the store's series: groups, their
    /// counts and their timeseries of one interval come from one pass over the matches; each further interval takes one
    /// more pass, over the same groups; cardinality is counted per bucket.
    /// </summary>
    private static async Task<JsonArray> SeriesBucketsAsync(ILogStore store, Guid tenantId, AggregateRequest request, List<string> facetNames, CancellationToken cancellationToken)
    {
        var (query, from, to, computes) = (request.Query, request.From, request.To, request.Computes);
        var timeseries = computes.Select(c => c.Interval).ToArray();
        var buckets = new JsonArray();
        LogAnalytics? overall = null;
        if (request.GroupBy.Count == 0)
        {
            overall = await store.AnalyzeAsync(tenantId, query, from, to, DefaultInterval(from, to, timeseries), cancellationToken, facets: []);
            buckets.Add(await BucketAsync(new JsonObject(), query, overall.Total, series: null));
            return buckets;
        }
        var facet = request.GroupBy[0].Facet.Name;
        var limit = request.GroupBy[0].Limit;
        var first = DefaultInterval(from, to, timeseries);
        var series = new Dictionary<TimeSpan, GroupedSeries> { [first] = await store.SeriesAsync(tenantId, query, from, to, first, facet, limit, cancellationToken) };
        var values = series[first].Groups.Select(g => g.Value).ToList();
        foreach (var interval in timeseries.OfType<TimeSpan>().Where(i => i != first).Distinct())
        {
            series[interval] = await store.SeriesAsync(tenantId, query, from, to, interval, facet, limit, cancellationToken, values);
        }
        foreach (var group in series[first].Groups)
        {
            var narrowed = new AndNode([query, new TermNode(new FieldRef(FieldKind.Reserved, facet), group.Value, TermKind.Exact, 0)], 0);
            var histograms = series.ToDictionary(s => s.Key, s => s.Value.Groups.First(g => g.Value == group.Value).Histogram);
            buckets.Add(await BucketAsync(new JsonObject { [facetNames[0]] = group.Value }, narrowed, group.Count, histograms));
        }
        return buckets;

        async Task<JsonObject> BucketAsync(JsonObject by, QueryNode bucketQuery, long total, Dictionary<TimeSpan, IReadOnlyList<HistogramBucket>>? series)
        {
            var values = new JsonObject();
            for (var i = 0; i < computes.Count; i++)
            {
                if (timeseries[i] is not { } interval)
                {
                    values[$"c{i}"] = total;
                    continue;
                }
                var histogram = series?[interval]
                    ?? (interval == overall!.Interval ? overall.Histogram : (await store.AnalyzeAsync(tenantId, bucketQuery, from, to, interval, cancellationToken, facets: [])).Histogram);
                values[$"c{i}"] = new JsonArray(histogram.Select(b => (JsonNode?)new JsonObject { ["time"] = b.Start.ToString("O"), ["value"] = b.Count }).ToArray());
            }
            return new JsonObject { ["by"] = by, ["computes"] = values };
        }
    }

    private static TimeSpan DefaultInterval(DateTimeOffset from, DateTimeOffset to, TimeSpan?[] timeseries) =>
        timeseries.FirstOrDefault(t => t is not null) ?? Portal.Web.Components.Shared.TimeRanges.IntervalFor(to - from);

    /// <summary>A timeseries' interval when the request gives none: about 150 points over the window, as Datadog's, in whole seconds.</summary>
    private static TimeSpan DefaultInterval(DateTimeOffset from, DateTimeOffset to) =>
        TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling((to - from).TotalSeconds / DefaultPoints)));

    private const int DefaultPoints = 150;

    /// <summary>A time of the filter as text (a number is epoch milliseconds); false for another kind of value.</summary>
    private static (string? Text, bool Valid) TimeText(JsonNode? node) => node switch
    {
        null => (null, true),
        JsonValue value when value.GetValueKind() == JsonValueKind.String => (value.GetValue<string>(), true),
        JsonValue value when value.GetValueKind() == JsonValueKind.Number => (value.ToJsonString(), true),
        _ => (null, false),
    };

    private static bool TryParseInterval(string text, out TimeSpan interval)
    {
        interval = default;
        if (text.Length < 2 || !int.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var amount) || amount <= 0)
        {
            return false;
        }
        var unit = text[^1] switch
        {
            's' => TimeSpan.TicksPerSecond,
            'm' => TimeSpan.TicksPerMinute,
            'h' => TimeSpan.TicksPerHour,
            'd' => TimeSpan.TicksPerDay,
            _ => 0,
        };
        // No longer than about a hundred years: a larger amount is no interval (and would overflow).
        if (unit == 0 || amount > 36_600 * TimeSpan.TicksPerDay / unit)
        {
            return false;
        }
        interval = TimeSpan.FromTicks(amount * unit);
        return interval >= TimeSpan.FromSeconds(1);
    }

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static ProblemHttpResult Problem(string detail) => TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status400BadRequest, title: "Invalid log aggregation");
}
