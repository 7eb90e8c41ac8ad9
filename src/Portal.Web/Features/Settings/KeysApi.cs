using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Portal.Data.Identity;
using Portal.Data.Keys;
using Portal.Web.Features.Identity;
using Portal.Web.Features.Platform;
using Portal.Web.Features.Rules;
using KeyAnswer = Microsoft.AspNetCore.Http.HttpResults.Results<
    Microsoft.AspNetCore.Http.HttpResults.Ok<System.Text.Json.Nodes.JsonObject>,
    Microsoft.AspNetCore.Http.HttpResults.Created<System.Text.Json.Nodes.JsonObject>,
    Microsoft.AspNetCore.Http.HttpResults.NoContent,
    Microsoft.AspNetCore.Http.HttpResults.NotFound<System.Text.Json.Nodes.JsonObject>,
    Microsoft.AspNetCore.Http.HttpResults.ValidationProblem,
    Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult>;

namespace Portal.Web.Features.Settings;

/// <summary>
/// Datadog's key management API (JSON:API): the organisation's API keys under <c>/api/v2/api_keys</c> (admins and
/// owners), the caller's own application keys under <c>/api/v2/current_user/application_keys</c>, and every member's
/// application keys under <c>/api/v2/application_keys</c> (admins and owners: read and revoke). Deleting a key revokes
/// it; revoked keys are no longer listed or found. Secrets appear once, as <c>attributes.key</c>, in the answer of a
/// create or a rotate. Vigil adds <c>POST …/{id}/rotate</c> (Datadog has none): a new secret for the same name and
/// scopes, the old one revoked at once.
/// </summary>
public static class KeysApi
{
    private const int DefaultPageSize = 10;
    private const int MaxPageSize = 100;

    public static void MapKeysApi(this WebApplication app)
    {
        var apiKeys = Group(app, "/api/v2/api_keys", new KeyRoutes(Scope.Api, "api_key_id")).RequirePermission(Permission.KeysManage);
        apiKeys.MapGet("/", ListAsync).WithName("ListAPIKeys");
        apiKeys.MapPost("/", CreateAsync).WithName("CreateAPIKey");
        apiKeys.MapGet("/{api_key_id}", GetAsync).WithName("GetAPIKey");
        apiKeys.MapPatch("/{api_key_id}", UpdateAsync).WithName("UpdateAPIKey");
        apiKeys.MapDelete("/{api_key_id}", RevokeAsync).WithName("DeleteAPIKey");
        apiKeys.MapPost("/{api_key_id}/rotate", RotateAsync).WithName("RotateAPIKey");

        var own = Group(app, "/api/v2/current_user/application_keys", new KeyRoutes(Scope.Own, "app_key_id"));
        own.MapGet("/", ListAsync).WithName("ListCurrentUserApplicationKeys");
        own.MapPost("/", CreateAsync).WithName("CreateCurrentUserApplicationKey");
        own.MapGet("/{app_key_id}", GetAsync).WithName("GetCurrentUserApplicationKey");
        own.MapPatch("/{app_key_id}", UpdateAsync).WithName("UpdateCurrentUserApplicationKey");
        own.MapDelete("/{app_key_id}", RevokeAsync).WithName("DeleteCurrentUserApplicationKey");
        own.MapPost("/{app_key_id}/rotate", RotateAsync).WithName("RotateCurrentUserApplicationKey");

        var members = Group(app, "/api/v2/application_keys", new KeyRoutes(Scope.Members, "app_key_id")).RequirePermission(Permission.KeysManage);
        members.MapGet("/", ListAsync).WithName("ListApplicationKeys");
        members.MapGet("/{app_key_id}", GetAsync).WithName("GetApplicationKey");
        members.MapPatch("/{app_key_id}", UpdateAsync).WithName("UpdateApplicationKey");
        members.MapDelete("/{app_key_id}", RevokeAsync).WithName("DeleteApplicationKey");
    }

    /// <summary>Which keys a route reaches: the organisation's API keys, the caller's application keys, or every member's.</summary>
    private enum Scope
    {
        Api,
        Own,
        Members,
    }

    /// <summary>A route group's metadata: which keys it reaches and the name of its id parameter.</summary>
    private sealed record KeyRoutes(Scope Scope, string IdParameter)
    {
        public KeyKind Kind => Scope == Scope.Api ? KeyKind.Api : KeyKind.Application;

        public static KeyRoutes Of(HttpContext http) => http.GetEndpoint()!.Metadata.GetRequiredMetadata<KeyRoutes>();

        public string Id(HttpContext http) => http.Request.RouteValues[IdParameter] as string ?? "";
    }

    private static RouteGroupBuilder Group(WebApplication app, string prefix, KeyRoutes routes) => app.MapGroup(prefix)
        .RequireAuthorization(IdentitySetup.ApiPolicy)
        .DisableAntiforgery()
        .WithMetadata(routes)
        .WithTags("Keys");

    private static async Task<Results<Ok<JsonObject>, ProblemHttpResult>> ListAsync(HttpContext http, KeyService keys, CancellationToken cancellationToken)
    {
        var routes = KeyRoutes.Of(http);
        var query = http.Request.Query;
        if (!NumberedPage.TryRead(query, DefaultPageSize, MaxPageSize, out var page, out var invalid))
        {
            return invalid!;
        }
        var sort = query["sort"].ToString() is { Length: > 0 } s ? s : "name";
        if (sort is not ("name" or "-name" or "created_at" or "-created_at"))
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid sort", $"sort: '{sort}' is not one of name, -name, created_at, -created_at.");
        }
        var session = Session(http);
        var filter = query["filter"].ToString();
        var live = (await keys.ListAsync(session.TenantId, routes.Kind, routes.Scope == Scope.Own ? session.UserId : null, cancellationToken))
            .Where(k => k.RevokedAt is null && (filter.Length == 0 || k.Name.Contains(filter, StringComparison.OrdinalIgnoreCase)));
        var sorted = sort switch
        {
            "name" => live.OrderBy(k => k.Name, StringComparer.OrdinalIgnoreCase),
            "-name" => live.OrderByDescending(k => k.Name, StringComparer.OrdinalIgnoreCase),
            "created_at" => live.OrderBy(k => k.CreatedAt),
            _ => live.OrderByDescending(k => k.CreatedAt),
        };
        var all = sorted.ToList();
        return TypedResults.Ok(new JsonObject
        {
            ["data"] = new JsonArray([.. page.Of(all).Select(k => (JsonNode?)Resource(k))]),
            ["meta"] = new JsonObject { ["page"] = new JsonObject { ["total_filtered_count"] = all.Count } },
        });
    }

    private static async Task<KeyAnswer> CreateAsync(HttpContext http, KeyService keys, CancellationToken cancellationToken)
    {
        var kind = KeyRoutes.Of(http).Kind;
        if (ScopedKeyRefusal(http, kind) is { } refused)
        {
            return refused;
        }
        var (attributes, error) = await AttributesAsync(http, kind, keyId: null, cancellationToken);
        if (error is not null)
        {
            return error;
        }
        if (attributes!.Name is null)
        {
            return Invalid("name", "is required.", kind);
        }
        var session = Session(http);
        var change = await keys.CreateAsync(Actor(session), session.TenantId, kind, attributes.Name, attributes.Scopes, cancellationToken);
        if (!change.Succeeded)
        {
            return Refused(change, kind);
        }
        return Created(kind, change);
    }

    private static async Task<KeyAnswer> GetAsync(HttpContext http, KeyService keys, CancellationToken cancellationToken)
    {
        var key = await FindAsync(http, keys, cancellationToken);
        return key is null ? NotFound(http) : TypedResults.Ok(Document(key, secret: null));
    }

    private static async Task<KeyAnswer> UpdateAsync(HttpContext http, KeyService keys, CancellationToken cancellationToken)
    {
        var kind = KeyRoutes.Of(http).Kind;
        if (ScopedKeyRefusal(http, kind) is { } refused)
        {
            return refused;
        }
        var key = await FindAsync(http, keys, cancellationToken);
        if (key is null)
        {
            return NotFound(http);
        }
        var (attributes, error) = await AttributesAsync(http, kind, key.Id, cancellationToken);
        if (error is not null)
        {
            return error;
        }
        var session = Session(http);
        var change = await keys.UpdateAsync(Actor(session), session.TenantId, key.Id, attributes!.Name, attributes.HasScopes, attributes.Scopes, cancellationToken);
        return change.Succeeded ? TypedResults.Ok(Document(change.Key!, secret: null)) : change.Failure == KeyFailure.NotFound ? NotFound(http) : Refused(change, kind);
    }

    private static async Task<KeyAnswer> RevokeAsync(HttpContext http, KeyService keys, CancellationToken cancellationToken)
    {
        if (KeyRoutes.Of(http).Scope == Scope.Own && ScopedKeyRefusal(http, KeyKind.Application) is { } refused)
        {
            return refused;
        }
        var key = await FindAsync(http, keys, cancellationToken);
        if (key is null)
        {
            return NotFound(http);
        }
        var session = Session(http);
        var change = await keys.RevokeAsync(Actor(session), session.TenantId, key.Id, cancellationToken);
        return change.Succeeded ? TypedResults.NoContent() : change.Failure == KeyFailure.NotFound ? NotFound(http) : Problem(StatusCodes.Status403Forbidden, "Forbidden", change.Message!);
    }

    private static async Task<KeyAnswer> RotateAsync(HttpContext http, KeyService keys, CancellationToken cancellationToken)
    {
        var kind = KeyRoutes.Of(http).Kind;
        if (ScopedKeyRefusal(http, kind) is { } refused)
        {
            return refused;
        }
        var key = await FindAsync(http, keys, cancellationToken);
        if (key is null)
        {
            return NotFound(http);
        }
        var session = Session(http);
        var change = await keys.RotateAsync(Actor(session), session.TenantId, key.Id, cancellationToken);
        if (!change.Succeeded)
        {
            return change.Failure == KeyFailure.NotFound ? NotFound(http) : Refused(change, kind);
        }
        return Created(kind, change);
    }

    /// <summary>201 with the new secret, shown once, at the key's address.</summary>
    private static KeyAnswer Created(KeyKind kind, KeyChange change)
    {
        var path = kind == KeyKind.Api ? "/api/v2/api_keys/" : "/api/v2/current_user/application_keys/";
        return TypedResults.Created(path + change.Key!.Id, Document(change.Key, change.Secret));
    }

    /// <summary>The live key a route may reach, or null: unknown ids, other organisations' keys and other members' keys all look alike.</summary>
    private static async Task<ApiKey?> FindAsync(HttpContext http, KeyService keys, CancellationToken cancellationToken)
    {
        var routes = KeyRoutes.Of(http);
        if (!Guid.TryParse(routes.Id(http), out var keyId))
        {
            return null;
        }
        var session = Session(http);
        var key = await keys.GetAsync(session.TenantId, keyId, cancellationToken);
        var reachable = key is { RevokedAt: null } && routes.Scope switch
        {
            Scope.Api => key.Kind == KeyKind.Api,
            Scope.Own => key.Kind == KeyKind.Application && key.UserId == session.UserId,
            Scope.Members => key.Kind == KeyKind.Application,
            _ => false,
        };
        return reachable ? key : null;
    }

    /// <summary>What a create or update body says: <c>data.attributes.name</c> and, for application keys, <c>data.attributes.scopes</c>.</summary>
    private sealed record KeyAttributes(string? Name, bool HasScopes, IReadOnlyList<string?>? Scopes);

    private static async Task<(KeyAttributes? Attributes, KeyAnswer? Error)> AttributesAsync(
        HttpContext http, KeyKind kind, Guid? keyId, CancellationToken cancellationToken)
    {
        var what = kind == KeyKind.Api ? "API key" : "application key";
        var (json, problem) = await JsonBodies.ReadObjectAsync(http, what, cancellationToken);
        if (problem is not null)
        {
            return (null, problem);
        }
        if (json!["data"] is not JsonObject data)
        {
            return (null, Field("$.data", $"expected the {what} as a JSON:API resource object.", what));
        }
        var type = kind == KeyKind.Api ? "api_keys" : "application_keys";
        if (data["type"] is { } typeNode && (typeNode is not JsonValue typeValue || !typeValue.TryGetValue<string>(out var given) || given != type))
        {
            return (null, Field("$.data.type", $"must be \"{type}\".", what));
        }
        if (keyId is { } expected && data["id"] is { } idNode && (idNode is not JsonValue idValue || !idValue.TryGetValue<string>(out var idText) || !Guid.TryParse(idText, out var id) || id != expected))
        {
            return (null, Field("$.data.id", "must be the id in the URL.", what));
        }
        var attributes = data["attributes"] as JsonObject ?? [];
        string? name = null;
        if (attributes["name"] is { } nameNode && (nameNode is not JsonValue nameValue || !nameValue.TryGetValue(out name)))
        {
            return (null, Field("$.data.attributes.name", "expected a string.", what));
        }
        var hasScopes = attributes.ContainsKey("scopes");
        List<string?>? scopes = null;
        if (attributes["scopes"] is JsonArray array)
        {
            scopes = [];
            foreach (var item in array)
            {
                if (item is not JsonValue value || !value.TryGetValue<string>(out var scope))
                {
                    return (null, Field("$.data.attributes.scopes", "expected an array of scope names, or null.", what));
                }
                scopes.Add(scope);
            }
        }
        else if (attributes["scopes"] is not null)
        {
            return (null, Field("$.data.attributes.scopes", "expected an array of scope names, or null.", what));
        }
        return (new KeyAttributes(name, hasScopes, scopes), null);
    }

    /// <summary>Keys restricted by scopes cannot make keys, or they could mint themselves an unrestricted one.</summary>
    private static ProblemHttpResult? ScopedKeyRefusal(HttpContext http, KeyKind kind) =>
        kind == KeyKind.Application && http.User.FindFirst(Permissions.ScopedClaim) is not null
            ? Problem(StatusCodes.Status403Forbidden, "Forbidden", "An application key restricted by scopes cannot manage application keys; use an unrestricted key or the portal.")
            : null;

    private static KeyAnswer Refused(KeyChange change, KeyKind kind) => change.Failure switch
    {
        KeyFailure.Forbidden => Problem(StatusCodes.Status403Forbidden, "Forbidden", change.Message!),
        KeyFailure.Invalid when change.Field is { } field => Invalid(field, change.Message!, kind),
        _ => Problem(StatusCodes.Status422UnprocessableEntity, "Unprocessable", change.Message!),
    };

    private static ValidationProblem Invalid(string field, string message, KeyKind kind) =>
        Field($"$.data.attributes.{field}", message, kind == KeyKind.Api ? "API key" : "application key");

    private static ValidationProblem Field(string path, string message, string what) => TypedResults.ValidationProblem(
        new Dictionary<string, string[]> { [path] = [message] }, detail: $"{path}: {message}", title: $"Invalid {what}");

    private static JsonObject Document(ApiKey key, string? secret) => new() { ["data"] = Resource(key, secret) };

    private static JsonObject Resource(ApiKey key, string? secret = null)
    {
        var attributes = new JsonObject
        {
            ["name"] = key.Name,
            ["created_at"] = Time(key.CreatedAt),
            ["last_used_at"] = Time(key.LastUsedAt),
            ["prefix"] = key.Prefix,
        };
        if (secret is not null)
        {
            attributes["key"] = secret;
        }
        var owner = new JsonObject { ["data"] = key.UserId is { } userId ? new JsonObject { ["type"] = "users", ["id"] = userId.ToString() } : null };
        if (key.Kind == KeyKind.Api)
        {
            attributes["category"] = "default";
            return new JsonObject { ["type"] = "api_keys", ["id"] = key.Id.ToString(), ["attributes"] = attributes, ["relationships"] = new JsonObject { ["created_by"] = owner } };
        }
        var scopes = KeyScopes.Of(key);
        attributes["scopes"] = scopes.Count == 0 ? null : new JsonArray([.. scopes.Select(s => (JsonNode?)s)]);
        return new JsonObject { ["type"] = "application_keys", ["id"] = key.Id.ToString(), ["attributes"] = attributes, ["relationships"] = new JsonObject { ["owned_by"] = owner } };
    }

    private static string? Time(DateTimeOffset? at) => at?.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    private static NotFound<JsonObject> NotFound(HttpContext http) =>
        TypedResults.NotFound(new JsonObject { ["errors"] = new JsonArray(KeyRoutes.Of(http).Kind == KeyKind.Api ? "API key not found" : "Application key not found") });

    private static ProblemHttpResult Problem(int status, string title, string detail) => TypedResults.Problem(detail: detail, statusCode: status, title: title);

    private static KeyActor Actor(SessionInfo session) => new(session.UserId, session.Role);

    private static SessionInfo Session(HttpContext http) => SessionInfo.From(http.User)!;
}
