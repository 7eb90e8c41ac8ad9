using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Portal.Data.Audit;
using Portal.Data.Identity;
using Portal.Web.Features.Identity;
using Portal.Web.Features.Platform;

namespace Portal.Web.Features.Audit;

/// <summary>
/// Datadog's Audit Trail API over the organisation's trail: <c>GET /api/v2/audit/events</c> and
/// <c>POST /api/v2/audit/events/search</c>, with the log search syntax, a time range and cursor paging. Read-only: the
/// product has no way to edit or delete an entry.
/// </summary>
public static class AuditApi
{
    private const int DefaultLimit = 10;
    private const int MaxLimit = 1000;

    public static void MapAuditApi(this WebApplication app)
    {
        var group = app.MapGroup("/api/v2/audit/events")
            .RequireAuthorization(IdentitySetup.ApiPolicy)
            .RequirePermission(Permission.AuditRead)
            .DisableAntiforgery()
            .WithTags("Audit");
        group.MapGet("/", ListAsync).WithName("ListAuditEvents");
        group.MapPost("/search", SearchAsync).WithName("SearchAuditEvents");
    }

    private static Task<Results<Ok<JsonObject>, ProblemHttpResult>> ListAsync(HttpContext http, AuditLog audit, TimeProvider clock, CancellationToken cancellationToken)
    {
        var q = http.Request.Query;
        var limit = int.TryParse(q["page[limit]"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) ? l : (int?)null;
        if (q.ContainsKey("page[limit]") && limit is null)
        {
            return Task.FromResult<Results<Ok<JsonObject>, ProblemHttpResult>>(TypedResults.Problem(
                detail: "page[limit] must be a number.", statusCode: StatusCodes.Status400BadRequest, title: "Invalid search"));
        }
        return RunAsync(http, audit, clock, q["filter[query]"], q["filter[from]"], q["filter[to]"], q["sort"], limit, q["page[cursor]"], DatadogSearch.QueryString, cancellationToken);
    }

    private static Task<Results<Ok<JsonObject>, ProblemHttpResult>> SearchAsync(HttpContext http, AuditLog audit, TimeProvider clock, AuditSearchBody? body, CancellationToken cancellationToken) =>
        RunAsync(http, audit, clock, body?.Filter?.Query, body?.Filter?.From, body?.Filter?.To, body?.Sort, body?.Page?.Limit, body?.Page?.Cursor, DatadogSearch.JsonBody, cancellationToken);

    private static async Task<Results<Ok<JsonObject>, ProblemHttpResult>> RunAsync(HttpContext http, AuditLog audit, TimeProvider clock,
        string? query, string? from, string? to, string? sort, int? limit, string? cursor, DatadogSearch.ParameterName named, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var session = SessionInfo.From(http.User)!;
        var (request, problem) = DatadogSearch.Parse(query, from, to, sort, limit, cursor: null, DefaultLimit, MaxLimit, clock, named);
        if (problem is not null)
        {
            return problem;
        }
        if (!string.IsNullOrEmpty(cursor) && !AuditLog.IsCursor(cursor, request!.OldestFirst))
        {
            return TypedResults.Problem(
                detail: AuditLog.IsCursor(cursor, !request!.OldestFirst)
                    ? $"{named("page", "cursor")} was returned for the other sort order: page on with the sort of the search that returned it."
                    : $"{named("page", "cursor")} is not a cursor returned by this API.",
                statusCode: StatusCodes.Status400BadRequest, title: "Invalid search");
        }
        var filter = request!.Query is Portal.Detection.Query.MatchAllNode ? null : AuditEvents.Filter(request.Query);
        var page = await audit.ReadAsync(session.TenantId, request.From, request.To, filter, request.Limit, cursor, oldestFirst: request.OldestFirst, cancellationToken: cancellationToken);
        var response = new JsonObject
        {
            ["data"] = new JsonArray(page.Entries.Select(e => (JsonNode?)ToResource(e)).ToArray()),
            ["meta"] = DatadogSearch.Meta(http, started, page.NextCursor),
        };
        if (page.NextCursor is { } next)
        {
            // As the log and signal searches' links: under Vigil:PublicUrl, the range as asked (its end inclusive).
            response["links"] = new JsonObject { ["next"] = DatadogSearch.NextLink(http.Request, "/api/v2/audit/events", query, request, next) };
        }
        return TypedResults.Ok(response);
    }

    /// <summary>Datadog's audit event resource.</summary>
    private static JsonObject ToResource(AuditEntry entry) => new()
    {
        ["id"] = entry.Id.ToString(),
        ["type"] = "audit",
        ["attributes"] = new JsonObject
        {
            ["timestamp"] = entry.At.ToString("O"),
            ["service"] = "vigil",
            ["message"] = AuditEvents.Describe(entry),
            ["tags"] = new JsonArray("source:audit", $"outcome:{entry.Outcome}"),
            ["attributes"] = AuditEvents.Attributes(entry),
        },
    };
}

/// <summary>Body of <c>POST /api/v2/audit/events/search</c>.</summary>
public sealed record AuditSearchBody(AuditSearchFilter? Filter, AuditSearchPage? Page, string? Sort);

/// <summary>The <c>filter</c> of an audit search.</summary>
public sealed record AuditSearchFilter(string? Query, string? From, string? To);

/// <summary>The <c>page</c> of an audit search.</summary>
public sealed record AuditSearchPage(string? Cursor, int? Limit);
