using Portal.Data.Identity;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Portal.Search;
using Portal.Web.Features.Identity;
using Portal.Web.Features.Platform;

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
        group.MapGet("/", ListAsync).WithName("ListSignals").RequirePermission(Permission.SignalsRead);
        group.MapPost("/search", SearchAsync).WithName("SearchSignals").RequirePermission(Permission.SignalsRead);
        group.MapGet("/{id}", GetAsync).WithName("GetSignal").RequirePermission(Permission.SignalsRead);
        group.MapPatch("/{id}/state", SetStateAsync).WithName("UpdateSignalState").RequirePermission(Permission.SignalsWrite);
    }

    private static Task<Results<Ok<JsonObject>, ProblemHttpResult>> ListAsync(HttpContext http, ISignalStore store, TimeProvider clock, CancellationToken cancellationToken)
    {
        var q = http.Request.Query;
        return RunSearchAsync(http, store, clock, q["filter[query]"], q["filter[from]"], q["filter[to]"], q["sort"], q["page[cursor]"], q["page[limit]"], DatadogSearch.QueryString, cancellationToken);
    }

    private static async Task<Results<Ok<JsonObject>, ProblemHttpResult>> SearchAsync(HttpContext http, ISignalStore store, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (body, problem) = await DatadogSearch.ReadBodyAsync<SignalSearchBody>(http, cancellationToken);
        return problem ?? await RunSearchAsync(http, store, clock, body?.Filter?.Query, body?.Filter?.From, body?.Filter?.To, body?.Sort, body?.Page?.Cursor,
            body?.Page?.Limit?.ToString(CultureInfo.InvariantCulture), DatadogSearch.JsonBody, cancellationToken);
    }

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
        HttpContext http, ISignalStore store, TimeProvider clock, string? query, string? from, string? to, string? sort, string? cursor, string? limit,
        DatadogSearch.ParameterName named, CancellationToken cancellationToken)
    {
        var session = SessionInfo.From(http.User)!;
        var (request, problem) = DatadogSearch.Parse(query, from, to, sort, DatadogSearch.LimitOf(limit), cursor, DefaultLimit, MaxLimit, clock, named);
        if (problem is not null)
        {
            return problem;
        }

        var page = await store.SearchAsync(session.TenantId, request!, cancellationToken);
        var response = new JsonObject
        {
            ["data"] = new JsonArray(page.Items.Select(s => (JsonNode?)SignalResource.From(s)).ToArray()),
            ["meta"] = new JsonObject { ["page"] = DatadogSearch.Page(page.Next?.Encode()), ["total"] = page.TotalHits },
        };
        if (page.Next is { } next)
        {
            response["links"] = new JsonObject { ["next"] = DatadogSearch.NextLink(http.Request, "/api/v2/security_monitoring/signals", query, request!, next) };
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
