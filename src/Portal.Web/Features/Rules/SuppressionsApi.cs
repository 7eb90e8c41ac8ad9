using Portal.Data.Identity;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Portal.Data.Suppressions;
using Portal.Detection.Rules;
using Portal.Web.Features.Identity;

namespace Portal.Web.Features.Rules;

/// <summary>Datadog's suppression endpoints under <c>/api/v2/security_monitoring/configuration/suppressions</c> (JSON:API envelopes).</summary>
public static class SuppressionsApi
{
    public static void MapSuppressionsApi(this WebApplication app)
    {
        var group = app.MapGroup("/api/v2/security_monitoring/configuration/suppressions")
            .RequireAuthorization(IdentitySetup.ApiPolicy)
            .DisableAntiforgery()
            .WithTags("Suppressions");
        group.MapGet("/", ListAsync).WithName("ListSuppressions").RequirePermission(Permission.RulesRead);
        group.MapPost("/", CreateAsync).WithName("CreateSuppression").RequirePermission(Permission.RulesWrite);
        group.MapGet("/{id}", GetAsync).WithName("GetSuppression").RequirePermission(Permission.RulesRead);
        group.MapPatch("/{id}", UpdateAsync).WithName("UpdateSuppression").RequirePermission(Permission.RulesWrite);
        group.MapDelete("/{id}", DeleteAsync).WithName("DeleteSuppression").RequirePermission(Permission.RulesWrite);
    }

    private static async Task<Ok<JsonObject>> ListAsync(HttpContext http, SuppressionService suppressions, CancellationToken cancellationToken)
    {
        var all = await suppressions.ListAsync(TenantOf(http), cancellationToken);
        return TypedResults.Ok(new JsonObject { ["data"] = new JsonArray([.. all.Select(s => (JsonNode?)Resource(s))]) });
    }

    private static async Task<Results<Ok<JsonObject>, NotFound<JsonObject>>> GetAsync(string id, HttpContext http, SuppressionService suppressions, CancellationToken cancellationToken) =>
        await suppressions.GetAsync(TenantOf(http), id, cancellationToken) is { } found ? TypedResults.Ok(Envelope(found)) : NotFound();

    private static async Task<Results<Ok<JsonObject>, ValidationProblem, ProblemHttpResult>> CreateAsync(HttpContext http, SuppressionService suppressions, CancellationToken cancellationToken)
    {
        var body = await ReadAttributesAsync(http, cancellationToken);
        if (body.Error is not null)
        {
            return body.Error;
        }
        var (created, errors) = await suppressions.CreateAsync(TenantOf(http), body.Attributes!.ToJsonString(), cancellationToken);
        return created is null ? Invalid(errors) : TypedResults.Ok(Envelope(created));
    }

    private static async Task<Results<Ok<JsonObject>, NotFound<JsonObject>, ValidationProblem, ProblemHttpResult>> UpdateAsync(string id, HttpContext http, SuppressionService suppressions, CancellationToken cancellationToken)
    {
        var body = await ReadAttributesAsync(http, cancellationToken);
        if (body.Error is not null)
        {
            return body.Error;
        }
        var (updated, errors) = await suppressions.UpdateAsync(TenantOf(http), id, body.Attributes!, cancellationToken);
        return updated is not null ? TypedResults.Ok(Envelope(updated)) : errors.Count == 0 ? NotFound() : Invalid(errors);
    }

    private static async Task<Results<NoContent, NotFound<JsonObject>>> DeleteAsync(string id, HttpContext http, SuppressionService suppressions, CancellationToken cancellationToken) =>
        await suppressions.DeleteAsync(TenantOf(http), id, cancellationToken) ? TypedResults.NoContent() : NotFound();

    private static JsonObject Envelope(StoredSuppression s) => new() { ["data"] = Resource(s) };

    private static JsonObject Resource(StoredSuppression s)
    {
        var attributes = JsonSerializer.SerializeToNode(s.Definition, RuleJson.Options)!.AsObject();
        attributes.Remove("id");
        attributes["suppressed_signals"] = s.SuppressedSignals;
        attributes["excluded_events"] = s.ExcludedEvents;
        attributes["update_date"] = s.UpdatedAt.ToUnixTimeMilliseconds();
        return new JsonObject { ["id"] = s.Definition.Id, ["type"] = "suppressions", ["attributes"] = attributes };
    }

    /// <summary>The <c>data.attributes</c> object of a JSON:API request body.</summary>
    private static async Task<(JsonObject? Attributes, ProblemHttpResult? Error)> ReadAttributesAsync(HttpContext http, CancellationToken cancellationToken)
    {
        var (body, error) = await JsonBodies.ReadObjectAsync(http, "suppression", cancellationToken);
        if (error is not null)
        {
            return (null, error);
        }
        return body!["data"]?["attributes"] is JsonObject attributes
            ? (attributes, null)
            : (null, TypedResults.Problem(detail: "$.data.attributes: expected the suppression's attributes.", statusCode: 400, title: "Invalid suppression"));
    }

    private static ValidationProblem Invalid(IReadOnlyList<RuleError> errors) => JsonBodies.Invalid(errors, "The suppression is invalid", "$.data.attributes");

    private static NotFound<JsonObject> NotFound() => TypedResults.NotFound(new JsonObject { ["errors"] = new JsonArray("Suppression not found") });

    private static Guid TenantOf(HttpContext http) => SessionInfo.From(http.User)!.TenantId;
}
