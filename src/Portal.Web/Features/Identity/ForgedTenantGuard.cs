using System.Text.Json;
using Portal.Data.Audit;

namespace Portal.Web.Features.Identity;

/// <summary>
/// The organisation of an API request comes from its credentials, never from its body. A JSON body that names another
/// organisation (<c>tenantId</c>, <c>tenant_id</c>, <c>org_id</c>, at the top level or in <c>data.attributes</c>) is
/// refused with a 400 that names the field, and the attempt is audited, instead of being silently ignored. The log
/// intake is exempt: customers' own logs may carry such fields as data.
/// </summary>
public static class ForgedTenantGuard
{
    private static readonly string[] Fields = ["tenantId", "tenant_id", "org_id", "orgId", "organisation_id", "organization_id"];
    private const int MaxInspectedBytes = 1 << 20;

    public static IApplicationBuilder UseForgedTenantGuard(this IApplicationBuilder app) => app.UseWhen(
        c => c.Request.Path.StartsWithSegments("/api")
            && !string.Equals(c.Request.Path.Value?.TrimEnd('/'), "/api/v2/logs", StringComparison.OrdinalIgnoreCase)
            && c.Request.Method is "POST" or "PUT" or "PATCH"
            && c.Request.ContentType?.Contains("json", StringComparison.OrdinalIgnoreCase) == true
            && c.Request.ContentLength is null or <= MaxInspectedBytes,
        branch => branch.Use(async (context, next) =>
        {
            if (SessionInfo.From(context.User) is { } session && await NamedTenantAsync(context.Request) is { } named
                && !string.Equals(named.Value, session.TenantId.ToString(), StringComparison.OrdinalIgnoreCase)
                && !string.Equals(named.Value, session.TenantId.ToString("N"), StringComparison.OrdinalIgnoreCase))
            {
                var detail = $"{named.Field}: the organisation is taken from your credentials; a request cannot name another one.";
                await context.RequestServices.GetRequiredService<AuditLog>().RecordAsync(session.TenantId,
                    new AuditRecord("access.denied", "endpoint", $"{context.Request.Method} {context.Request.Path}") { Outcome = AuditOutcomes.Denied, Message = detail });
                await Results.Problem(title: "Invalid request", detail: detail, statusCode: StatusCodes.Status400BadRequest,
                    extensions: new Dictionary<string, object?> { ["field"] = named.Field }).ExecuteAsync(context);
                return;
            }
            await next(context);
        }));

    /// <summary>The first organisation field of the body with its value, or null; the body stays readable.</summary>
    private static async Task<(string Field, string Value)?> NamedTenantAsync(HttpRequest request)
    {
        // Up to 1 MB in memory, beyond it in a temporary file; a chunked body is bounded by Kestrel's request size limit.
        request.EnableBuffering(MaxInspectedBytes);
        try
        {
            // As deep as the endpoints behind it read bodies (the portal's JSON options), so no body they accept escapes it.
            using var document = await JsonDocument.ParseAsync(request.Body, new JsonDocumentOptions { MaxDepth = Portal.Detection.Events.LogEventJson.MaxDepth }, request.HttpContext.RequestAborted);
            var root = document.RootElement;
            return Find(root, "") ?? (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("data", out var data)
                && data.ValueKind == JsonValueKind.Object && data.TryGetProperty("attributes", out var attributes) ? Find(attributes, "data.attributes.") : null);
        }
        catch (JsonException)
        {
            return null; // the endpoint reports malformed JSON itself
        }
        finally
        {
            request.Body.Position = 0;
        }
    }

    private static (string, string)? Find(JsonElement element, string prefix)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return null;
        }
        foreach (var field in Fields)
        {
            if (element.TryGetProperty(field, out var value) && value.ValueKind != JsonValueKind.Null)
            {
                return (prefix + field, value.ValueKind == JsonValueKind.String ? value.GetString() ?? "" : value.GetRawText());
            }
        }
        return null;
    }
}
