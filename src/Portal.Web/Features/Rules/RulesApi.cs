using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Portal.Data.Rules;
using Portal.Detection.Rules;
using Portal.Web.Features.Identity;

namespace Portal.Web.Features.Rules;

/// <summary>Datadog's rule endpoints under <c>/api/v2/security_monitoring/rules</c>.</summary>
public static class RulesApi
{
    public static void MapRulesApi(this WebApplication app)
    {
        var group = app.MapGroup("/api/v2/security_monitoring/rules")
            .RequireAuthorization(IdentitySetup.ApiPolicy)
            .DisableAntiforgery()
            .WithTags("Rules");
        group.MapGet("/", ListAsync).WithName("ListRules");
        group.MapPost("/", CreateAsync).WithName("CreateRule");
        group.MapGet("/{id}", GetAsync).WithName("GetRule");
        group.MapPut("/{id}", UpdateAsync).WithName("UpdateRule");
        group.MapDelete("/{id}", DeleteAsync).WithName("DeleteRule");
    }

    private static async Task<Ok<JsonObject>> ListAsync(HttpContext http, RuleService rules, CancellationToken cancellationToken)
    {
        var all = await rules.ListAsync(Session(http).TenantId, cancellationToken);
        return TypedResults.Ok(new JsonObject
        {
            ["data"] = new JsonArray(all.Select(r => (JsonNode?)ToJson(r)).ToArray()),
            ["meta"] = new JsonObject { ["page"] = new JsonObject { ["total_count"] = all.Count, ["total_filtered_count"] = all.Count } },
        });
    }

    private static async Task<Results<Ok<JsonObject>, NotFound<JsonObject>>> GetAsync(string id, HttpContext http, RuleService rules, CancellationToken cancellationToken)
    {
        var rule = await rules.GetAsync(Session(http).TenantId, id, cancellationToken);
        return rule is null ? NotFound() : TypedResults.Ok(ToJson(rule));
    }

    private static async Task<Results<Ok<JsonObject>, ValidationProblem, ProblemHttpResult>> CreateAsync(HttpContext http, RuleService rules, CancellationToken cancellationToken)
    {
        var body = await ReadObjectAsync(http, cancellationToken);
        if (body.Error is not null)
        {
            return body.Error;
        }
        var session = Session(http);
        var (rule, errors) = await rules.CreateAsync(session.TenantId, body.Json!.ToJsonString(), session.UserId, cancellationToken: cancellationToken);
        return rule is null ? Invalid(errors) : TypedResults.Ok(ToJson(rule));
    }

    private static async Task<Results<Ok<JsonObject>, NotFound<JsonObject>, ValidationProblem, ProblemHttpResult>> UpdateAsync(string id, HttpContext http, RuleService rules, CancellationToken cancellationToken)
    {
        var body = await ReadObjectAsync(http, cancellationToken);
        if (body.Error is not null)
        {
            return body.Error;
        }
        var tenantId = Session(http).TenantId;
        var existing = await rules.GetAsync(tenantId, id, cancellationToken);
        if (existing is null)
        {
            return NotFound();
        }
        // Datadog's update replaces the fields it is given and keeps the others.
        var merged = JsonNode.Parse(RuleJson.Serialize(existing))!.AsObject();
        foreach (var (name, value) in body.Json!)
        {
            merged[name] = value?.DeepClone();
        }
        var (rule, errors) = await rules.UpdateAsync(tenantId, id, merged.ToJsonString(), cancellationToken);
        return rule is null ? (errors.Count == 0 ? NotFound() : Invalid(errors)) : TypedResults.Ok(ToJson(rule));
    }

    private static async Task<Results<NoContent, NotFound<JsonObject>>> DeleteAsync(string id, HttpContext http, RuleService rules, CancellationToken cancellationToken) =>
        await rules.DeleteAsync(Session(http).TenantId, id, cancellationToken) ? TypedResults.NoContent() : NotFound();

    private static JsonObject ToJson(DetectionRule rule)
    {
        var json = JsonNode.Parse(RuleJson.Serialize(rule))!.AsObject();
        json["isDeleted"] = false;
        return json;
    }

    private static async Task<(JsonObject? Json, ProblemHttpResult? Error)> ReadObjectAsync(HttpContext http, CancellationToken cancellationToken)
    {
        if (!http.Request.HasJsonContentType())
        {
            // Also keeps cross-site form posts (text/plain, no preflight) away from cookie-authenticated writes.
            return (null, TypedResults.Problem(detail: "Send the rule as JSON with Content-Type: application/json.", statusCode: 415, title: "Unsupported media type"));
        }
        try
        {
            var node = await JsonNode.ParseAsync(http.Request.Body, cancellationToken: cancellationToken);
            return node is JsonObject obj
                ? (obj, null)
                : (null, TypedResults.Problem(detail: "$: expected a rule object.", statusCode: 400, title: "Invalid rule"));
        }
        catch (JsonException e)
        {
            return (null, TypedResults.Problem(detail: $"Malformed JSON at line {(e.LineNumber ?? 0) + 1}, byte {(e.BytePositionInLine ?? 0) + 1}.", statusCode: 400, title: "Malformed JSON"));
        }
    }

    private static ValidationProblem Invalid(IReadOnlyList<RuleError> errors) => TypedResults.ValidationProblem(
        errors.GroupBy(e => e.Path).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()),
        title: "The rule is invalid");

    private static NotFound<JsonObject> NotFound() => TypedResults.NotFound(new JsonObject { ["errors"] = new JsonArray("Rule not found") });

    private static SessionInfo Session(HttpContext http) => SessionInfo.From(http.User)!;
}
