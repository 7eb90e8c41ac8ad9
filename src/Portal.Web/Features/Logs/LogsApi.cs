using Portal.Data.Identity;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Portal.Detection.Events;
using Portal.Web.Features.Platform;
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
            .RequirePermission(Permission.LogsRead)
            .DisableAntiforgery()
            .WithTags("Logs");
        group.MapPost("/search", SearchAsync).WithName("SearchLogs");
        group.MapGet("/", ListAsync).WithName("ListLogs");
    }

    private static Task<Results<Ok<JsonObject>, ProblemHttpResult>> ListAsync(HttpContext http, ILogStore store, TimeProvider clock, CancellationToken cancellationToken)
    {
        var q = http.Request.Query;
        return RunAsync(http, store, clock, new LogSearchBody(new LogSearchFilter(q["filter[query]"], q["filter[from]"], q["filter[to]"]),
            new SignalSearchPage(q["page[cursor]"], DatadogSearch.LimitOf(q["page[limit]"])), q["sort"]), DatadogSearch.QueryString, cancellationToken);
    }

    private static async Task<Results<Ok<JsonObject>, ProblemHttpResult>> SearchAsync(HttpContext http, ILogStore store, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (body, problem) = await DatadogSearch.ReadBodyAsync<LogSearchBody>(http, cancellationToken);
        return problem ?? await RunAsync(http, store, clock, body ?? new LogSearchBody(null, null, null), DatadogSearch.JsonBody, cancellationToken);
    }

    private static async Task<Results<Ok<JsonObject>, ProblemHttpResult>> RunAsync(
        HttpContext http, ILogStore store, TimeProvider clock, LogSearchBody body, DatadogSearch.ParameterName named, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var session = SessionInfo.From(http.User)!;
        var (request, problem) = DatadogSearch.Parse(body.Filter?.Query, body.Filter?.From, body.Filter?.To, body.Sort, body.Page?.Limit, body.Page?.Cursor,
            DefaultLimit, MaxLimit, clock, named);
        if (problem is not null)
        {
            return problem;
        }

        var page = await store.SearchAsync(session.TenantId, request!, cancellationToken);
        var response = new JsonObject
        {
            ["data"] = new JsonArray(page.Items.Select(e => (JsonNode?)ToResource(e)).ToArray()),
            ["meta"] = DatadogSearch.Meta(http, started, page.Next?.Encode()),
        };
        if (page.Next is { } next)
        {
            response["links"] = new JsonObject { ["next"] = DatadogSearch.NextLink(http.Request, "/api/v2/logs/events", body.Filter?.Query, request!, next) };
        }
        return TypedResults.Ok(response);
    }

    /// <summary>
    /// Datadog's log resource: reserved attributes beside the nested custom attributes. A reserved attribute the log does not
    /// have is left out, as Datadog does: its clients refuse a null where they expect text.
    /// </summary>
    private static JsonObject ToResource(LogEvent e)
    {
        var attributes = new JsonObject { ["timestamp"] = e.Timestamp.ToString("O") };
        foreach (var (name, value) in new[] { ("host", e.Host), ("service", e.Service), ("status", e.Status), ("message", e.Message) })
        {
            if (value is not null)
            {
                attributes[name] = value;
            }
        }
        attributes["tags"] = new JsonArray([.. e.Tags.Select(t => (JsonNode?)t)]);
        attributes["attributes"] = e.Attributes.DeepClone();
        return new JsonObject { ["id"] = e.Id, ["type"] = "log", ["attributes"] = attributes };
    }
}

/// <summary>Body of <c>POST /api/v2/logs/events/search</c>.</summary>
public sealed record LogSearchBody(LogSearchFilter? Filter, SignalSearchPage? Page, string? Sort);

public sealed record LogSearchFilter(string? Query, string? From, string? To);
