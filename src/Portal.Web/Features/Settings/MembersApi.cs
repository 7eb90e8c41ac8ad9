using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Portal.Data.Identity;
using Portal.Web.Features.Identity;
using Portal.Web.Features.Rules;

namespace Portal.Web.Features.Settings;

/// <summary>
/// Members and invitations on the API, in Datadog's shapes where they fit (JSON:API <c>users</c> and
/// <c>user_invitations</c>): list members, invite by email with a role, change a member's role, remove a member.
/// Another organisation's ids answer 404; what the caller's role does not allow answers 403.
/// </summary>
public static class MembersApi
{
    public static void MapMembersApi(this WebApplication app)
    {
        var group = app.MapGroup("/api/v2")
            .RequireAuthorization(IdentitySetup.ApiPolicy)
            .DisableAntiforgery()
            .WithTags("Members");
        group.MapGet("/users", ListAsync).WithName("ListUsers").RequirePermission(Permission.MembersRead);
        group.MapPost("/user_invitations", InviteAsync).WithName("SendInvitations").RequirePermission(Permission.MembersManage);
        group.MapPatch("/users/{user_id}", UpdateAsync).WithName("UpdateUser").RequirePermission(Permission.MembersManage);
        group.MapDelete("/users/{user_id}", RemoveAsync).WithName("DisableUser").RequirePermission(Permission.MembersManage);
    }

    private static async Task<Ok<JsonObject>> ListAsync(HttpContext http, MemberService members, CancellationToken cancellationToken)
    {
        var all = await members.ListAsync(Session(http).TenantId, cancellationToken);
        return TypedResults.Ok(new JsonObject
        {
            ["data"] = new JsonArray([.. all.Select(u => (JsonNode?)Resource(u))]),
            ["meta"] = new JsonObject { ["page"] = new JsonObject { ["total_count"] = all.Count } },
        });
    }

    private static async Task<Results<Created<JsonObject>, ValidationProblem, ProblemHttpResult>> InviteAsync(
        HttpContext http, MemberService members, AccountEmails emails, CancellationToken cancellationToken)
    {
        var (body, error) = await JsonBodies.ReadObjectAsync(http, "invitation", cancellationToken);
        if (error is not null)
        {
            return error;
        }
        // Datadog sends a one-element array under data; Vigil's simpler form is a single object. One invitation a request.
        var data = body!["data"] switch
        {
            JsonArray { Count: 1 } one => one[0],
            JsonArray => null,
            var other => other,
        };
        if (data is not JsonObject asked || asked["attributes"] is not JsonObject attributes)
        {
            return TypedResults.Problem(
                detail: "$.data: expected one invitation, {\"attributes\": {\"email\", \"role\"}}, or an array holding one.", statusCode: 400, title: "Invalid invitation");
        }
        var (role, wrongRole) = RoleOf(attributes);
        if (wrongRole is not null)
        {
            return wrongRole;
        }
        var session = Session(http);
        var result = await members.InviteAsync(session.TenantId, Actor(session), Text(attributes, "email"), role ?? VigilRoles.Standard, cancellationToken);
        if (!result.Succeeded)
        {
            return Refusal(result) is { } refused ? refused : Invalid(result);
        }
        var invitation = result.Invitation!;
        var link = await emails.SendInvitationAsync(session.TenantName, invitation, result.Token!, BaseOf(http), cancellationToken);
        var resource = new JsonObject
        {
            ["id"] = invitation.Id.ToString(),
            ["type"] = "user_invitations",
            ["attributes"] = new JsonObject
            {
                ["email"] = invitation.Email,
                ["role"] = invitation.Role,
                ["created_at"] = invitation.CreatedAt.ToString("O"),
                ["expires_at"] = invitation.ExpiresAt.ToString("O"),
                ["invite_type"] = "openid_invite",
                ["status"] = "pending",
                ["emailed"] = link.Emailed,
                // Without email the inviter is the messenger: the link is theirs to pass on.
                ["url"] = link.Emailed ? null : link.Url,
            },
        };
        return TypedResults.Created((string?)null, new JsonObject { ["data"] = new JsonArray(resource) });
    }

    private static async Task<Results<Ok<JsonObject>, NotFound<JsonObject>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        string user_id, HttpContext http, MemberService members, CancellationToken cancellationToken)
    {
        var session = Session(http);
        if (!Guid.TryParse(user_id, out var userId) || await members.GetAsync(session.TenantId, userId, cancellationToken) is null)
        {
            return NotFound();
        }
        var (body, error) = await JsonBodies.ReadObjectAsync(http, "user", cancellationToken);
        if (error is not null)
        {
            return error;
        }
        if (body!["data"] is not JsonObject data || data["attributes"] is not JsonObject attributes || RoleOf(attributes) is not (string role, null))
        {
            return RoleRequired;
        }
        var result = await members.ChangeRoleAsync(session.TenantId, Actor(session), userId, role, cancellationToken);
        if (result.Outcome == MemberOutcome.NotFound)
        {
            return NotFound();
        }
        if (!result.Succeeded)
        {
            return Refusal(result) is { } refused ? refused : Invalid(result);
        }
        return TypedResults.Ok(new JsonObject { ["data"] = Resource((await members.GetAsync(session.TenantId, userId, cancellationToken))!) });
    }

    private static async Task<Results<NoContent, NotFound<JsonObject>, ValidationProblem, ProblemHttpResult>> RemoveAsync(
        string user_id, HttpContext http, MemberService members, CancellationToken cancellationToken)
    {
        var session = Session(http);
        if (!Guid.TryParse(user_id, out var userId))
        {
            return NotFound();
        }
        var result = await members.RemoveAsync(session.TenantId, Actor(session), userId, cancellationToken);
        return result.Outcome switch
        {
            MemberOutcome.Done => TypedResults.NoContent(),
            MemberOutcome.NotFound => NotFound(),
            _ when Refusal(result) is { } refused => refused,
            _ => Invalid(result),
        };
    }

    private static JsonObject Resource(VigilUser user) => new()
    {
        ["id"] = user.Id.ToString(),
        ["type"] = "users",
        ["attributes"] = new JsonObject
        {
            ["email"] = user.Email,
            ["handle"] = user.Email,
            ["name"] = user.Email,
            ["role"] = user.Role,
            ["status"] = "Active",
            ["verified"] = user.EmailConfirmed,
            ["mfa_enabled"] = user.TwoFactorEnabled,
            ["created_at"] = user.CreatedAt.ToString("O"),
            ["last_sign_in_at"] = user.LastSignInAt?.ToString("O"),
        },
    };

    /// <summary>403 with the reason, for what the caller's role does not allow.</summary>
    private static ProblemHttpResult Forbidden(MemberResult result) =>
        TypedResults.Problem(title: "Forbidden", detail: string.Join(" ", result.Errors.SelectMany(e => e.Value)), statusCode: StatusCodes.Status403Forbidden);

    /// <summary>
    /// A refusal no field of the request is at fault for: 403 for what the caller's role does not allow, 409 for what the
    /// organisation's members as they are refuse (its last owner, a change made at the same time); null otherwise.
    /// </summary>
    private static ProblemHttpResult? Refusal(MemberResult result) =>
        result.Outcome == MemberOutcome.Forbidden ? Forbidden(result)
        : result.Errors.Keys.All(k => k == "Member")
            ? TypedResults.Problem(title: "Conflict", detail: string.Join(" ", result.Errors.SelectMany(e => e.Value)), statusCode: StatusCodes.Status409Conflict)
            : null;

    /// <summary>400 naming each invalid field under its JSON path.</summary>
    private static ValidationProblem Invalid(MemberResult result) =>
        TypedResults.ValidationProblem(result.Errors.ToDictionary(e => "$.data.attributes." + e.Key.ToLowerInvariant(), e => e.Value), title: "The request cannot be applied");

    /// <summary>
    /// The role the attributes give (none when left out), or the 400 to answer when it is given as something other than a
    /// role's name (a number, a list), which is no role rather than the default one.
    /// </summary>
    private static (string? Role, ValidationProblem? Problem) RoleOf(JsonObject attributes) => attributes["role"] switch
    {
        null => (null, null),
        JsonValue value when value.TryGetValue<string>(out var role) => (role, null),
        _ => (null, RoleRequired),
    };

    private static ValidationProblem RoleRequired => TypedResults.ValidationProblem(
        new Dictionary<string, string[]> { ["$.data.attributes.role"] = ["Give the member's role: owner, admin, standard or read_only."] }, title: "Invalid user");

    private static string? Text(JsonObject attributes, string name) =>
        attributes[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static NotFound<JsonObject> NotFound() => TypedResults.NotFound(new JsonObject { ["errors"] = new JsonArray("User not found") });

    private static SessionInfo Session(HttpContext http) => SessionInfo.From(http.User)!;

    private static MemberActor Actor(SessionInfo session) => new(session.UserId, session.Role);

    private static string BaseOf(HttpContext http) => $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}/";
}
