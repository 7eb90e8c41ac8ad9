using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Portal.Detection.Query;
using Portal.Search;
using Portal.Web.Features.Identity;

namespace Portal.Web.Features.Signals;

/// <summary>Datadog's signal endpoints: list (GET), search (POST), and triage state (PATCH).</summary>
public static class SignalsApi
{
    private const int DefaultLimit = 10;
    private const int MaxLimit = 1000;

    public static void MapSignalsApi(this WebApplication app)
    {
        var group = app.MapGroup("/api/v2/security_monitoring/signals")
            .RequireAuthorization(IdentitySetup.ApiPolicy)
            .DisableAntiforgery()
            .WithTags("Signals");
        group.MapGet("/", ListAsync).WithName("ListSignals");
        group.MapPost("/search", SearchAsync).WithName("SearchSignals");
        group.MapGet("/{id}", GetAsync).WithName("GetSignal");
        group.MapPatch("/{id}/state", SetStateAsync).WithName("UpdateSignalState");
    }

    private static Task<Results<Ok<JsonObject>, ProblemHttpResult>> ListAsync(HttpContext http, ISignalStore store, TimeProvider clock, CancellationToken cancellationToken)
    {
        var q = http.Request.Query;
        return RunSearchAsync(http, store, clock, q["filter[query]"], q["filter[from]"], q["filter[to]"], q["sort"], q["page[cursor]"], q["page[limit]"], cancellationToken);
    }

    private static Task<Results<Ok<JsonObject>, ProblemHttpResult>> SearchAsync(HttpContext http, ISignalStore store, TimeProvider clock, SignalSearchBody? body, CancellationToken cancellationToken) =>
        RunSearchAsync(http, store, clock, body?.Filter?.Query, body?.Filter?.From, body?.Filter?.To, body?.Sort, body?.Page?.Cursor,
            body?.Page?.Limit?.ToString(CultureInfo.InvariantCulture), cancellationToken);

    private static async Task<Results<Ok<JsonObject>, NotFound<JsonObject>>> GetAsync(string id, HttpContext http, ISignalStore store, CancellationToken cancellationToken)
    {
        var session = SessionInfo.From(http.User)!;
        var signal = await store.GetAsync(session.TenantId, id, cancellationToken);
        return signal is null ? TypedResults.NotFound(Errors("Signal not found")) : TypedResults.Ok(new JsonObject { ["data"] = SignalResource.From(signal) });
    }

    private static async Task<Results<Ok<JsonObject>, NotFound<JsonObject>, ProblemHttpResult>> SetStateAsync(
        string id, StateUpdateBody? body, HttpContext http, SignalTriage triage, CancellationToken cancellationToken)
    {
        var session = SessionInfo.From(http.User)!;
        var attributes = body?.Data?.Attributes;
        if (attributes?.State is not { } state)
        {
            return TypedResults.Problem(detail: "data.attributes.state is required.", statusCode: 400, title: "Invalid request");
        }
        try
        {
            var signal = await triage.SetStateAsync(session.TenantId, id, state, attributes.ArchiveReason, attributes.ArchiveComment, cancellationToken);
            if (signal is null)
            {
                return TypedResults.NotFound(Errors("Signal not found"));
            }
            return TypedResults.Ok(new JsonObject
            {
                ["data"] = new JsonObject { ["id"] = signal.Id, ["type"] = "signal_metadata", ["attributes"] = SignalResource.TriageAttributes(signal) },
            });
        }
        catch (ArgumentException e)
        {
            return TypedResults.Problem(detail: e.Message.Split(" (Parameter")[0], statusCode: 400, title: "Invalid request");
        }
    }

    private static async Task<Results<Ok<JsonObject>, ProblemHttpResult>> RunSearchAsync(
        HttpContext http, ISignalStore store, TimeProvider clock, string? query, string? from, string? to, string? sort, string? cursor, string? limit, CancellationToken cancellationToken)
    {
        var session = SessionInfo.From(http.User)!;
        QueryNode node;
        try
        {
            node = QueryParser.Parse(query);
        }
        catch (QuerySyntaxException e)
        {
            return TypedResults.Problem(detail: $"filter[query]: {e.Message}", statusCode: 400, title: "Invalid query", extensions: new Dictionary<string, object?> { ["position"] = e.Position });
        }
        var now = clock.GetUtcNow();
        if (!TimeParameter.TryParse(from, now, now.AddMinutes(-15), out var fromTime) || !TimeParameter.TryParse(to, now, now, out var toTime))
        {
            return TypedResults.Problem(detail: "filter[from] and filter[to] must be ISO 8601 dates, epoch milliseconds, or 'now', 'now-15m'.", statusCode: 400, title: "Invalid time range");
        }
        if (sort is not (null or "" or "-timestamp"))
        {
            return TypedResults.Problem(detail: "sort: only '-timestamp' (newest first) is supported.", statusCode: 400, title: "Invalid sort");
        }
        var size = int.TryParse(limit, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) ? parsed : DefaultLimit;
        if (size is < 1 or > MaxLimit)
        {
            return TypedResults.Problem(detail: $"page[limit] must be between 1 and {MaxLimit}.", statusCode: 400, title: "Invalid page");
        }
        SearchCursor? after = null;
        if (!string.IsNullOrEmpty(cursor))
        {
            if (!SearchCursor.TryDecode(cursor, out var decoded))
            {
                return TypedResults.Problem(detail: "page[cursor] is not a cursor returned by this API.", statusCode: 400, title: "Invalid page");
            }
            after = decoded;
        }

        var page = await store.SearchAsync(session.TenantId, new SearchRequest(node, fromTime, toTime.AddMilliseconds(1), size, after), cancellationToken);
        var response = new JsonObject
        {
            ["data"] = new JsonArray(page.Items.Select(s => (JsonNode?)SignalResource.From(s)).ToArray()),
            ["meta"] = new JsonObject { ["page"] = new JsonObject { ["after"] = page.Next?.Encode() }, ["total"] = page.TotalHits },
        };
        if (page.Next is { } next)
        {
            var url = $"{http.Request.Scheme}://{http.Request.Host}/api/v2/security_monitoring/signals?filter[query]={Uri.EscapeDataString(query ?? "")}"
                + $"&filter[from]={Uri.EscapeDataString(fromTime.ToString("O"))}&filter[to]={Uri.EscapeDataString(toTime.ToString("O"))}&page[limit]={size}&page[cursor]={next.Encode()}";
            response["links"] = new JsonObject { ["next"] = url };
        }
        return TypedResults.Ok(response);
    }

    private static JsonObject Errors(string message) => new() { ["errors"] = new JsonArray(message) };
}

/// <summary>Body of <c>POST /api/v2/security_monitoring/signals/search</c>.</summary>
public sealed record SignalSearchBody(SignalSearchFilter? Filter, SignalSearchPage? Page, string? Sort);

public sealed record SignalSearchFilter(string? Query, string? From, string? To);

public sealed record SignalSearchPage(string? Cursor, int? Limit);

/// <summary>Body of <c>PATCH /api/v2/security_monitoring/signals/{id}/state</c>.</summary>
public sealed record StateUpdateBody(StateUpdateData? Data);

public sealed record StateUpdateData(StateUpdateAttributes? Attributes, string? Type);

public sealed record StateUpdateAttributes(
    string? State,
    [property: System.Text.Json.Serialization.JsonPropertyName("archive_reason")] string? ArchiveReason,
    [property: System.Text.Json.Serialization.JsonPropertyName("archive_comment")] string? ArchiveComment);
