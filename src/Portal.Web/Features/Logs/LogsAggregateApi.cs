using Portal.Data.Identity;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Portal.Detection.Query;
using Portal.Search;
using Portal.Search.Lucene;
using Portal.Web.Features.Identity;
using Portal.Web.Features.Signals;

namespace Portal.Web.Features.Logs;

/// <summary>
/// Datadog's <c>POST /api/v2/logs/analytics/aggregate</c>, for what the embedded store computes without reading
/// documents: <c>count</c> as a total or a timeseries, and <c>cardinality</c> of a field (<c>metric</c>: a reserved
/// attribute, a tag key or an <c>@attribute</c>) as a total; overall or grouped by one reserved facet
/// (host, service, source, status). Anything else is refused with a 400 that says so.
/// </summary>
public static class LogsAggregateApi
{
    private const int MaxGroups = 10;

    public static void MapLogsAggregateApi(this WebApplication app) =>
        app.MapPost("/api/v2/logs/analytics/aggregate", AggregateAsync)
            .RequireAuthorization(IdentitySetup.ApiPolicy)
            .RequirePermission(Permission.LogsRead)
            .DisableAntiforgery()
            .WithTags("Logs")
            .WithName("AggregateLogs");

    private static async Task<Results<Ok<JsonObject>, ProblemHttpResult>> AggregateAsync(HttpContext http, ILogStore store, TimeProvider clock, CancellationToken cancellationToken)
    {
        JsonObject body;
        try
        {
            // A key twice in one object is malformed here, as in the intake (it would otherwise fault on reading).
            body = (await JsonNode.ParseAsync(http.Request.Body, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false }, cancellationToken: cancellationToken)) as JsonObject ?? [];
        }
        catch (JsonException e)
        {
            return Problem($"Malformed JSON at line {(e.LineNumber ?? 0) + 1}, byte {(e.BytePositionInLine ?? 0) + 1}.");
        }
        var filter = body["filter"] as JsonObject;
        if (!QueryParser.TryParse(Text(filter?["query"]), out var query, out var syntax))
        {
            return Problem($"filter.query: {syntax!.Message}");
        }
        var now = clock.GetUtcNow();
        if (!TimeParameter.TryParse(Text(filter?["from"]), now, now.AddMinutes(-15), out var from) || !TimeParameter.TryParse(Text(filter?["to"]), now, now, out var to) || to <= from)
        {
            return Problem("filter.from and filter.to must be a time range: ISO 8601 dates, epoch milliseconds or date math such as 'now-15m'.");
        }
        var computes = (body["compute"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [new JsonObject { ["aggregation"] = "count" }];
        var timeseries = new TimeSpan?[computes.Count];
        var distinctOf = new FieldRef?[computes.Count];
        for (var i = 0; i < computes.Count; i++)
        {
            var aggregation = Text(computes[i]["aggregation"]);
            if (aggregation is not ("count" or "cardinality" or null))
            {
                return Problem($"compute[{i}].aggregation: 'count' and 'cardinality' are supported by this store.");
            }
            if (aggregation == "cardinality")
            {
                if (Field(Text(computes[i]["metric"])) is not { } field)
                {
                    return Problem($"compute[{i}].metric: cardinality needs the field to count, such as '@usr.name', 'host' or 'env'.");
                }
                if (Text(computes[i]["type"]) == "timeseries")
                {
                    return Problem($"compute[{i}].type: cardinality is computed as a total by this store.");
                }
                distinctOf[i] = field;
            }
            else if (Text(computes[i]["type"]) == "timeseries")
            {
                if (!TryParseInterval(Text(computes[i]["interval"]) ?? "1m", out var interval))
                {
                    return Problem($"compute[{i}].interval: expected a duration such as '30s', '5m' or '1h'.");
                }
                if (HistogramBucket.CountFor(from, to, interval) > HistogramBucket.MaxCount)
                {
                    return Problem($"compute[{i}].interval: a timeseries has at most {HistogramBucket.MaxCount:N0} points; use a longer interval for this time range.");
                }
                timeseries[i] = interval;
            }
        }
        var groupBy = (body["group_by"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
        if (groupBy.Count > 1 || groupBy.Count == 1 && !LuceneLogStore.FacetFields.Contains(Text(groupBy[0]["facet"]) ?? ""))
        {
            return Problem($"group_by: one facet among {string.Join(", ", LuceneLogStore.FacetFields)} is supported by this store.");
        }

        var tenantId = SessionInfo.From(http.User)!.TenantId;
        var buckets = new JsonArray();
        LogAnalytics? overall = null;
        if (groupBy.Count == 0)
        {
            overall = await store.AnalyzeAsync(tenantId, query!, from, to, DefaultInterval(from, to, timeseries), cancellationToken, facets: []);
            buckets.Add(await BucketAsync(new JsonObject(), query!, overall.Total, series: null));
        }
        else
        {
            // Groups, their counts and their timeseries of one interval come from one pass over the matches; each
            // further interval takes one more pass, over the same groups.
            var facet = Text(groupBy[0]["facet"])!;
            var limit = MaxGroups;
            if (groupBy[0]["limit"] is { } given)
            {
                if (given is not JsonValue value || !value.TryGetValue<int>(out limit) || limit < 1)
                {
                    return Problem($"group_by[0].limit: expected a whole number of groups from 1 to {MaxGroups}.");
                }
                limit = Math.Min(limit, MaxGroups);
            }
            var first = DefaultInterval(from, to, timeseries);
            var series = new Dictionary<TimeSpan, GroupedSeries> { [first] = await store.SeriesAsync(tenantId, query!, from, to, first, facet, limit, cancellationToken) };
            var values = series[first].Groups.Select(g => g.Value).ToList();
            foreach (var interval in timeseries.OfType<TimeSpan>().Where(i => i != first).Distinct())
            {
                series[interval] = await store.SeriesAsync(tenantId, query!, from, to, interval, facet, limit, cancellationToken, values);
            }
            foreach (var group in series[first].Groups)
            {
                var narrowed = new AndNode([query!, new TermNode(new FieldRef(FieldKind.Reserved, facet), group.Value, TermKind.Exact, 0)], 0);
                var histograms = series.ToDictionary(s => s.Key, s => s.Value.Groups.First(g => g.Value == group.Value).Histogram);
                buckets.Add(await BucketAsync(new JsonObject { [facet] = group.Value }, narrowed, group.Count, histograms));
            }
        }
        return TypedResults.Ok(new JsonObject
        {
            ["data"] = new JsonObject { ["buckets"] = buckets },
            ["meta"] = new JsonObject { ["status"] = "done", ["request_id"] = http.TraceIdentifier },
        });

        // A group's count and timeseries come computed for all groups at once; without groups, the overall analysis
        // has them. Cardinality is counted per bucket.
        async Task<JsonObject> BucketAsync(JsonObject by, QueryNode bucketQuery, long total, Dictionary<TimeSpan, IReadOnlyList<HistogramBucket>>? series)
        {
            var values = new JsonObject();
            for (var i = 0; i < computes.Count; i++)
            {
                if (distinctOf[i] is { } field)
                {
                    values[$"c{i}"] = await store.CardinalityAsync(tenantId, bucketQuery, from, to, field, cancellationToken);
                    continue;
                }
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

    /// <summary>A field as Datadog names it in <c>metric</c>: <c>@usr.name</c>, <c>host</c>, or a tag key.</summary>
    private static FieldRef? Field(string? name) => name switch
    {
        null or "" or "@" or Portal.Detection.Events.ReservedAttributes.Message => null,
        ['@', .. var path] => new FieldRef(FieldKind.Attribute, path),
        _ when Portal.Detection.Events.ReservedAttributes.IsFacet(name) => new FieldRef(FieldKind.Reserved, name),
        _ => new FieldRef(FieldKind.Tag, name),
    };

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static ProblemHttpResult Problem(string detail) => TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status400BadRequest, title: "Invalid log aggregation");
}
