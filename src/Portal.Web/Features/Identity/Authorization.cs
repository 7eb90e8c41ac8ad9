using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Portal.Data.Audit;
using Portal.Data.Identity;

namespace Portal.Web.Features.Identity;

/// <summary>
/// One authorization policy per <see cref="Permission"/>, named <c>perm:&lt;Permission&gt;</c>, shared by API endpoints
/// (<see cref="RequirePermission{TBuilder}"/>) and pages (<c>[Authorize(Policy = Policies.RulesWrite)]</c>). A refusal
/// on the API answers a problem-details 403 that names what was missing, and is written to the audit trail.
/// </summary>
public static class Policies
{
    public const string LogsRead = "perm:LogsRead";
    public const string RulesRead = "perm:RulesRead";
    public const string RulesWrite = "perm:RulesWrite";
    public const string SignalsRead = "perm:SignalsRead";
    public const string SignalsWrite = "perm:SignalsWrite";
    public const string MembersRead = "perm:MembersRead";
    public const string MembersManage = "perm:MembersManage";
    public const string KeysManage = "perm:KeysManage";
    public const string SettingsManage = "perm:SettingsManage";
    public const string AuditRead = "perm:AuditRead";
    public const string Billing = "perm:Billing";
    public const string OrganisationDelete = "perm:OrganisationDelete";

    /// <summary>The policy name of a permission.</summary>
    public static string Of(Permission permission) => "perm:" + permission;

    /// <summary>Requires the permission (and an organisation member, by cookie or keys) on an endpoint or group.</summary>
    public static TBuilder RequirePermission<TBuilder>(this TBuilder builder, Permission permission)
        where TBuilder : IEndpointConventionBuilder => builder.RequireAuthorization(Of(permission));

    internal static void Add(AuthorizationBuilder authorization)
    {
        foreach (var permission in Enum.GetValues<Permission>())
        {
            authorization.AddPolicy(Of(permission), p => p
                .AddAuthenticationSchemes(IdentitySetup.Scheme)
                .RequireAuthenticatedUser()
                .RequireClaim(VigilClaims.TenantId)
                .AddRequirements(new PermissionRequirement(permission)));
        }
    }
}

/// <summary>
/// Instance administration (<c>/admin</c>): members whose <see cref="VigilUser.IsInstanceAdmin"/> is set carry
/// <see cref="Claim"/>, refreshed with the rest of the principal at each session check.
/// </summary>
public static class InstanceAdmin
{
    public const string Claim = "vigil:instance_admin";
    public const string Policy = "InstanceAdmin";

    /// <summary>Whether the principal administers the instance.</summary>
    public static bool Is(ClaimsPrincipal user) => user.HasClaim(Claim, "true");

    internal static void Add(AuthorizationBuilder authorization) => authorization.AddPolicy(Policy, p => p
        .AddAuthenticationSchemes(IdentitySetup.Scheme)
        .RequireAuthenticatedUser()
        .RequireClaim(VigilClaims.TenantId)
        .RequireClaim(Claim, "true"));
}

/// <summary>The organisation's two-step verification rule as a requirement of the API policy (<see cref="MfaRule"/>).</summary>
public sealed record MfaRequirement : IAuthorizationRequirement;

/// <summary>
/// Grants <see cref="MfaRequirement"/> when <see cref="MfaRule"/> is satisfied, so that every API endpoint, including
/// the ones any member may call (their own application keys), refuses a session that still owes its second factor.
/// </summary>
public sealed class MfaRequirementHandler(Portal.Data.TenantDbFactory dbs) : AuthorizationHandler<MfaRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, MfaRequirement requirement)
    {
        if (await MfaRule.SatisfiedAsync(context.User, dbs, CancellationToken.None))
        {
            context.Succeed(requirement);
            return;
        }
        context.Fail(new AuthorizationFailureReason(this, MfaRule.Refusal));
    }
}

/// <summary>The requirement behind a permission policy.</summary>
public sealed record PermissionRequirement(Permission Permission) : IAuthorizationRequirement;

/// <summary>
/// Grants a <see cref="PermissionRequirement"/> when the principal's role, and its key's scopes if any, allow it. The
/// two-step verification rule is the API policy's (<see cref="MfaRequirement"/>), checked once per request.
/// </summary>
public sealed class PermissionHandler : AuthorizationHandler<PermissionRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, PermissionRequirement requirement)
    {
        if (Permissions.Allows(context.User, requirement.Permission))
        {
            context.Succeed(requirement);
        }
        return Task.CompletedTask;
    }
}

/// <summary>
/// Answers a refused API request with a 403 problem that says which permission was missing and why (role or key
/// scopes), and records the attempt in the organisation's audit trail. Pages keep the default behaviour.
/// </summary>
public sealed class PermissionDeniedHandler(AuditLog audit) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        // A handler that failed with a reason (the MFA rule) says why itself; otherwise the missing permission does.
        var reason = authorizeResult.AuthorizationFailure?.FailureReasons.FirstOrDefault()?.Message;
        var missing = authorizeResult.AuthorizationFailure?.FailedRequirements.OfType<PermissionRequirement>().FirstOrDefault();
        if (!authorizeResult.Forbidden || (reason is null && missing is null) || SessionInfo.From(context.User) is not { } session)
        {
            await _default.HandleAsync(next, context, policy, authorizeResult);
            return;
        }
        var detail = reason ?? Explain(context.User, session, missing!.Permission);
        await audit.RecordAsync(session.TenantId, new AuditRecord("access.denied", "endpoint", $"{context.Request.Method} {context.Request.Path}")
        {
            Outcome = AuditOutcomes.Denied,
            Message = detail,
        });
        if (context.Request.Path.StartsWithSegments("/api"))
        {
            await Results.Problem(title: "Forbidden", detail: detail, statusCode: StatusCodes.Status403Forbidden).ExecuteAsync(context);
            return;
        }
        await _default.HandleAsync(next, context, policy, authorizeResult);
    }

    /// <summary>Why the principal lacks the permission: its role, or its application key's scopes.</summary>
    public static string Explain(ClaimsPrincipal user, SessionInfo session, Permission permission)
    {
        var name = Describe(permission);
        if (!Permissions.Allows(session.Role, permission))
        {
            return $"The {Permissions.RoleLabel(session.Role)} role does not allow {name}.";
        }
        var scopes = Permissions.Scopes.Where(s => s.Value.Contains(permission)).Select(s => s.Key);
        return $"This application key's scopes do not allow {name}; it needs one of: {string.Join(", ", scopes)}.";
    }

    private static string Describe(Permission permission) => permission switch
    {
        Permission.LogsRead => "reading logs",
        Permission.LogViewsWrite => "saving, changing and deleting the Logs Explorer's saved views",
        Permission.RulesRead => "reading detection rules",
        Permission.RulesWrite => "changing detection rules and suppressions",
        Permission.SignalsRead => "reading signals",
        Permission.SignalsWrite => "triaging signals",
        Permission.MembersRead => "reading the member list",
        Permission.MembersManage => "managing members and invitations",
        Permission.KeysManage => "managing the organisation's keys",
        Permission.SettingsManage => "changing organisation settings",
        Permission.AuditRead => "reading the audit trail",
        Permission.Billing => "managing billing",
        Permission.OrganisationDelete => "deleting the organisation",
        _ => permission.ToString(),
    };
}

/// <summary>
/// Sets <see cref="AuditActor.Current"/> for the rest of the request from the authenticated principal (member or key)
/// and the client address, so that every change it saves is attributed.
/// </summary>
public static class AuditActors
{
    /// <summary>The actor a principal stands for; null when it is not an organisation member.</summary>
    public static AuditActor? From(ClaimsPrincipal user, IPAddress? ip)
    {
        if (SessionInfo.From(user) is not { } session)
        {
            return null;
        }
        var viaKey = user.Identity?.AuthenticationType == KeyAuthenticationHandler.SchemeName;
        return new AuditActor(viaKey ? AuditActorTypes.ApplicationKey : AuditActorTypes.User, session.UserId, session.UserName, ip?.ToString());
    }

    public static IApplicationBuilder UseAuditActor(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        AuditActor.Current = From(context.User, context.Connection.RemoteIpAddress);
        await next(context);
    });
}
