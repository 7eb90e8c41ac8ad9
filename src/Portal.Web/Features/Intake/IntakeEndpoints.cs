using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Portal.Data.Keys;
using Portal.Detection.Events;
using Portal.Detection.Intake;
using Portal.Search;
using Portal.Search.Journal;
using Portal.Web.Features.Identity;

namespace Portal.Web.Features.Intake;

/// <summary>
/// Datadog's log intake: <c>POST /api/v2/logs</c> with <c>DD-API-KEY</c>. Answers 202 only once the
/// whole batch is durable in the tenant's store; a batch with any invalid event is refused whole.
/// </summary>
public static class IntakeEndpoints
{
    /// <summary>Datadog's limits.</summary>
    public const int MaxPayloadBytes = 5 * 1024 * 1024;
    public const int MaxEventsPerRequest = 1000;

    public static void MapIntake(this WebApplication app)
    {
        app.MapPost("/api/v2/logs", AcceptAsync)
            .WithName("SubmitLogs")
            .WithTags("Logs")
            .DisableAntiforgery()
            .AllowAnonymous();
    }

    private static async Task<Results<Accepted<JsonObject>, ProblemHttpResult>> AcceptAsync(
        HttpContext http, KeyService keys, ILogStore store, TimeProvider clock, CancellationToken cancellationToken)
    {
        var secret = http.Request.Headers[KeyAuthenticationHandler.ApiKeyHeader].ToString();
        if (string.IsNullOrEmpty(secret))
        {
            secret = http.Request.Query["dd-api-key"].ToString();
        }
        var key = await keys.ResolveAsync(KeyKind.Api, secret, cancellationToken);
        if (key is null)
        {
            return Problem(StatusCodes.Status403Forbidden, "Forbidden", "The DD-API-KEY header is missing, unknown or revoked.");
        }

        var body = await ReadBodyAsync(http, cancellationToken);
        if (body is null)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, "Payload too large", $"The payload exceeds {MaxPayloadBytes} bytes.");
        }
        JsonNode? payload;
        try
        {
            payload = JsonNode.Parse(body, documentOptions: new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            var line = (e.LineNumber ?? 0) + 1;
            var column = (e.BytePositionInLine ?? 0) + 1;
            return Problem(StatusCodes.Status400BadRequest, "Malformed JSON", $"The payload is not valid JSON at line {line}, byte {column}.", new() { ["line"] = line, ["byte"] = column });
        }

        var items = payload switch
        {
            JsonArray array => array.ToList(),
            JsonObject obj => [obj],
            _ => null,
        };
        if (items is null)
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid payload", "Send one JSON object or an array of JSON objects.");
        }
        if (items.Count == 0)
        {
            return Problem(StatusCodes.Status400BadRequest, "Empty payload", "The array is empty: send at least one log event.");
        }
        if (items.Count > MaxEventsPerRequest)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, "Too many events", $"{items.Count} events in one request; the limit is {MaxEventsPerRequest}.");
        }

        var now = clock.GetUtcNow();
        var tags = http.Request.Query["ddtags"].ToString();
        var events = new List<LogEvent>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            var at = payload is JsonArray ? $"$[{i}]" : "$";
            if (items[i] is not JsonObject raw)
            {
                return Problem(StatusCodes.Status400BadRequest, "Invalid event", $"{at}: expected a JSON object.", new() { ["path"] = at });
            }
            try
            {
                events.Add(IntakeNormalizer.Normalize(raw, now, string.IsNullOrEmpty(tags) ? null : tags));
            }
            catch (IntakeFieldException e)
            {
                var path = $"{at}.{e.Field}";
                return Problem(StatusCodes.Status400BadRequest, "Invalid event", $"{path}: {e.Reason}", new() { ["path"] = path });
            }
        }

        try
        {
            await store.AppendAsync(key.TenantId, events, cancellationToken);
        }
        catch (StoreBusyException busy)
        {
            http.Response.Headers.RetryAfter = Math.Ceiling(busy.RetryAfter.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Problem(StatusCodes.Status503ServiceUnavailable, "Busy", "Indexing is behind; nothing of this request was stored. Retry after the Retry-After delay.");
        }
        return TypedResults.Accepted((string?)null, new JsonObject());
    }

    private static async Task<byte[]?> ReadBodyAsync(HttpContext http, CancellationToken cancellationToken)
    {
        if (http.Request.ContentLength > MaxPayloadBytes)
        {
            return null;
        }
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = null; // we enforce Datadog's limit ourselves, with a problem-details answer
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await http.Request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxPayloadBytes)
            {
                return null;
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static ProblemHttpResult Problem(int status, string title, string detail, Dictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title, extensions: extensions);
}
