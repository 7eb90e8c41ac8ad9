namespace Portal.Web.Features.Platform;

/// <summary>
/// Response headers that keep the console out of frames, stop MIME sniffing and restrict what pages may load.
/// The Content-Security-Policy fits Blazor Server and MudBlazor: scripts only from the portal (no inline script,
/// no eval), styles from the portal plus inline style attributes (MudBlazor sets positions inline), and the
/// circuit's WebSocket to the same origin.
/// </summary>
public static class SecurityHeaders
{
    /// <summary>The policy sent with every response.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";

    /// <summary>Sets the headers as each response starts, so that an error handler clearing a response keeps them.</summary>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        context.Response.OnStarting(static state =>
        {
            var headers = ((HttpResponse)state).Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
            headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()";
            return Task.CompletedTask;
        }, context.Response);
        await next(context);
    });
}
