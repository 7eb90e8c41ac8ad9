using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Portal.Detection.Events;
using Portal.Detection.Query;
using Portal.Search;
using Portal.Web.Features.Identity;
using Portal.Web.Features.Signals;

namespace Portal.Web.Features.Logs;

/// <summary>Datadog's log search: <c>POST /api/v2/logs/events/search</c> and <c>GET /api/v2/logs/events</c>.</summary>
public static class LogsApi
{
    private const int DefaultLimit = 10;
    private const int MaxLimit = 5000;

    public static void MapLogsApi(this WebApplication app)
    {
        var group = app.MapGroup("/api/v2/logs/events")
            .RequireAuthorization(IdentitySetup.ApiPolicy)
            .DisableAntiforgery()
            .WithTags("Logs");
        group.MapPost("/search", SearchAsync).WithName("SearchLogs");
        group.MapGet("/", ListAsync).WithName("ListLogs");
    }

    private static Task<Results<Ok<JsonObject>, ProblemHttpResult>> ListAsync(HttpContext http, ILogStore store, TimeProvider clock, CancellationToken cancellationToken)
    {
        var q = http.Request.Query;
        return RunAsync(http, store, clock, new LogSearchBody(new LogSearchFilter(q["filter[query]"], q["filter[from]"], q["filter[to]"]),
            new SignalSearchPage(q["page[cursor]"], int.TryParse(q["page[limit]"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) ? l : null), q["sort"]), cancellationToken);
    }

    private static Task<Results<Ok<JsonObject>, ProblemHttpResult>> SearchAsync(HttpContext http, ILogStore store, TimeProvider clock, LogSearchBody? body, CancellationToken cancellationToken) =>
        RunAsync(http, store, clock, body ?? new LogSearchBody(null, null, null), cancellationToken);

    private static async Task<Results<Ok<JsonObject>, ProblemHttpResult>> RunAsync(HttpContext http, ILogStore store, TimeProvider clock, LogSearchBody body, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var session = SessionInfo.From(http.User)!;
        if (!QueryParser.TryParse(body.Filter?.Query, out var query, out var syntax))
        {
            return Problem($"filter.query: {syntax!.Message}");
        }
        var now = clock.GetUtcNow();
        if (!TimeParameter.TryParse(body.Filter?.From, now, now.AddMinutes(-15), out var from) || !TimeParameter.TryParse(body.Filter?.To, now, now, out var to))
        {
            return Problem("filter.from and filter.to must be ISO 8601 dates, epoch milliseconds, or date math such as 'now-15m'.");
        }
        if (body.Sort is not (null or "" or "-timestamp"))
        {
            return Problem("sort: only '-timestamp' (newest first) is supported.");
        }
        var limit = body.Page?.Limit ?? DefaultLimit;
        if (limit is < 1 or > MaxLimit)
        {
            return Problem($"page.limit must be between 1 and {MaxLimit}.");
        }
        SearchCursor? after = null;
        if (!string.IsNullOrEmpty(body.Page?.Cursor))
        {
            if (!SearchCursor.TryDecode(body.Page.Cursor, out var cursor))
            {
                return Problem("page.cursor is not a cursor returned by this API.");
            }
            after = cursor;
        }

        var page = await store.SearchAsync(session.TenantId, new SearchRequest(query!, from, to.AddMilliseconds(1), limit, after), cancellationToken);
        var response = new JsonObject
        {
            ["data"] = new JsonArray(page.Items.Select(e => (JsonNode?)ToResource(e)).ToArray()),
            ["meta"] = new JsonObject
            {
                ["page"] = new JsonObject { ["after"] = page.Next?.Encode() },
                ["status"] = "done",
                ["elapsed"] = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds,
                ["request_id"] = http.TraceIdentifier,
            },
        };
        if (page.Next is { } next)
        {
            response["links"] = new JsonObject
            {
                ["next"] = $"{http.Request.Scheme}://{http.Request.Host}/api/v2/logs/events?filter[query]={Uri.EscapeDataString(body.Filter?.Query ?? "")}"
                    + $"&filter[from]={Uri.EscapeDataString(from.ToString("O"))}&filter[to]={Uri.EscapeDataString(to.ToString("O"))}&page[limit]={limit}&page[cursor]={next.Encode()}",
            };
        }
        return TypedResults.Ok(response);
    }

    /// <summary>Datadog's log resource: reserved attributes beside the nested custom attributes.</summary>
    private static JsonObject ToResource(LogEvent e) => new()
    {
        ["id"] = e.Id,
        ["type"] = "log",
        ["attributes"] = new JsonObject
        {
            ["timestamp"] = e.Timestamp.ToString("O"),
            ["host"] = e.Host,
            ["service"] = e.Service,
            ["status"] = e.Status,
            ["message"] = e.Message,
            ["tags"] = new JsonArray(e.Tags.Select(t => (JsonNode?)t).ToArray()),
            ["attributes"] = e.Attributes.DeepClone(),
        },
    };

    private static ProblemHttpResult Problem(string detail) => TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status400BadRequest, title: "Invalid log search");
}

/// <summary>Body of <c>POST /api/v2/logs/events/search</c>.</summary>
public sealed record LogSearchBody(LogSearchFilter? Filter, SignalSearchPage? Page, string? Sort);

public sealed record LogSearchFilter(string? Query, string? From, string? To);
