namespace Portal.Web.Features.Identity;

/// <summary>
/// The API's writes made with a signed-in session's cookie are refused (403) when the browser says another site asked for
/// them: <c>Sec-Fetch-Site</c> other than <c>same-origin</c> (or <c>none</c>, typed by the member), or, from a browser that
/// does not send it, an <c>Origin</c> of another host. A page elsewhere, on a sibling subdomain the cookie's SameSite=Lax lets
/// through included, cannot rotate a key or change a rule as the member: the API's JSON bodies were the only defence, and
/// some writes take none. Requests with Datadog keys carry no session and pass, as do clients that send neither header (not
/// browsers); the log intake, which takes its key in the query string too, is not a session's.
/// </summary>
public static class CrossSiteGuard
{
    public static IApplicationBuilder UseCrossSiteGuard(this IApplicationBuilder app) => app.UseWhen(
        c => c.Request.Path.StartsWithSegments("/api")
            && !string.Equals(c.Request.Path.Value?.TrimEnd('/'), "/api/v2/logs", StringComparison.OrdinalIgnoreCase)
            && !(HttpMethods.IsGet(c.Request.Method) || HttpMethods.IsHead(c.Request.Method) || HttpMethods.IsOptions(c.Request.Method))
            && !KeyAuthenticationHandler.IsKeyRequest(c.Request),
        branch => branch.Use(async (context, next) =>
        {
            if (Refusal(context.Request) is { } detail)
            {
                await Results.Problem(title: "Forbidden", detail: detail, statusCode: StatusCodes.Status403Forbidden).ExecuteAsync(context);
                return;
            }
            await next(context);
        }));

    /// <summary>Why the request is refused as another site's, or null.</summary>
    internal static string? Refusal(HttpRequest request)
    {
        const string Why = "The API takes a signed-in session's changes only from this portal's own pages; other clients authenticate with DD-API-KEY and DD-APPLICATION-KEY.";
        if (request.Headers["Sec-Fetch-Site"].ToString() is { Length: > 0 } site)
        {
            return site is "same-origin" or "none" ? null : $"{Why} (Sec-Fetch-Site: {site})";
        }
        if (request.Headers.Origin.ToString() is { Length: > 0 } origin)
        {
            return Uri.TryCreate(origin, UriKind.Absolute, out var from) && string.Equals(from.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase)
                ? null
                : $"{Why} (Origin: {origin})";
        }
        return null;
    }
}
