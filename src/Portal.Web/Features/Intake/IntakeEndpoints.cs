using System.Buffers;
using System.IO.Compression;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Portal.Data.Keys;
using Portal.Detection.Intake;
using Portal.Detection.ThreatIntel;
using Portal.Search;
using Portal.Search.Journal;
using Portal.Web.Features.Identity;

namespace Portal.Web.Features.Intake;

/// <summary>
/// Datadog's log intake: <c>POST /api/v2/logs</c> with <c>DD-API-KEY</c>; JSON as Datadog takes it, newline-delimited
/// JSON (<c>application/x-ndjson</c>), or text, one log a line (<c>text/plain</c>) or framed as Heroku's drains send it
/// (<c>application/logplex-1</c>, <see cref="TextBodies"/>); the query string's <c>ddtags</c>, <c>ddsource</c>,
/// <c>service</c> and <c>hostname</c> (<see cref="RequestFields"/>) apply to every event. Answers 202 only once the whole batch is durable in the
/// tenant's store; a batch with any invalid event is refused whole. The request is checked in one pass of the JSON
/// reader (<see cref="IntakePayload.Check"/>) and journaled as it came: the store normalises it as it indexes it.
/// </summary>
public static class IntakeEndpoints
{
    /// <summary>Datadog's limits.</summary>
    public const int MaxPayloadBytes = IntakePayload.MaxPayloadBytes;
    public const int MaxEventsPerRequest = IntakePayload.MaxEvents;
    public const int MaxEventBytes = IntakePayload.MaxEventBytes;

    /// <summary>The Retry-After of a request the store could not make durable (a disk fault, a server stopping).</summary>
    private const string StorageRetrySeconds = "10";

    /// <summary>The compressed bytes a request may send: the uncompressed limit and room for the format's own overhead.</summary>
    private const int MaxSentBytes = MaxPayloadBytes + (64 << 10);

    public static void AddIntake(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IntakeRateLimiter>();
        builder.AddThreatIntel();
    }

    public static void MapIntake(this WebApplication app)
    {
        app.UseThreatIntel();
        app.MapPost("/api/v2/logs", AcceptAsync)
            .WithName("SubmitLogs")
            .WithTags("Logs")
            .DisableAntiforgery()
            .AllowAnonymous();
    }

    private static async Task<Results<Accepted<JsonObject>, ProblemHttpResult>> AcceptAsync(
        HttpContext http, KeyService keys, ILogStore store, IntakeRateLimiter limiter, ThreatIndicatorSet threatIntel, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var secret = http.Request.Headers[KeyAuthenticationHandler.ApiKeyHeader].ToString();
        if (string.IsNullOrEmpty(secret))
        {
            secret = http.Request.Query["dd-api-key"].ToString();
        }
        var resolved = await keys.ResolveWithOrganisationAsync(KeyKind.Api, secret, cancellationToken);
        if (resolved is null)
        {
            return Problem(StatusCodes.Status403Forbidden, "Forbidden", "The DD-API-KEY header is missing, unknown or revoked.");
        }
        if (resolved.OrganisationDisabled)
        {
            return Problem(StatusCodes.Status403Forbidden, "Organisation disabled", KeyAuthenticationHandler.DisabledMessage);
        }
        var key = resolved.Key;

        var encoding = http.Request.Headers.ContentEncoding.ToString().Trim().ToLowerInvariant();
        if (encoding is not ("" or "identity" or "gzip" or "deflate"))
        {
            return Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported encoding", $"Content-Encoding '{encoding}' is not supported; use gzip, deflate or none.");
        }
        var buffer = new BodyBuffer();
        try
        {
            return await AcceptBodyAsync(http, key, store, limiter, threatIntel, clock, encoding, buffer, cancellationToken);
        }
        finally
        {
            // Unless the store took the body over, its buffer goes back to the pool here.
            buffer.ReturnUnlessHandedOver();
        }
    }

    private static async Task<Results<Accepted<JsonObject>, ProblemHttpResult>> AcceptBodyAsync(
        HttpContext http, ApiKey key, ILogStore store, IntakeRateLimiter limiter, ThreatIndicatorSet threatIntel, TimeProvider clock, string encoding, BodyBuffer buffer,
        CancellationToken cancellationToken)
    {
        ReadOnlyMemory<byte>? body;
        try
        {
            body = await ReadBodyAsync(http, encoding, buffer, cancellationToken);
        }
        catch (InvalidDataException)
        {
            return Problem(StatusCodes.Status400BadRequest, "Malformed payload", $"The body is not valid {encoding} data.");
        }
        if (body is null)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, "Payload too large", $"The payload exceeds {MaxPayloadBytes} bytes uncompressed.");
        }
        var mediaType = http.Request.ContentType?.Split(';')[0].Trim().ToLowerInvariant() ?? "";
        var lines = mediaType is "application/x-ndjson" or "application/jsonlines" or "application/jsonl";
        if (TextBodies.IsText(mediaType, out var framed))
        {
            // Journaled (and charged) as the JSON lines it is read as, not as sent.
            var (converted, fault) = TextBodies.ToJsonLines(body.Value.Span, framed);
            if (fault is not null)
            {
                return Problem(fault);
            }
            (body, lines) = (converted, true);
            buffer.Replaced();
        }
        // Charged for what it sent or what it holds, whichever is larger.
        var charged = Math.Max(body.Value.Length, buffer.SentCount);
        if (limiter.TryAcquire(key.TenantId, charged) is { } wait)
        {
            http.Response.Headers.RetryAfter = Math.Max(1, Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Problem(StatusCodes.Status429TooManyRequests, "Rate limit exceeded", "The organisation's intake rate limit is exceeded; nothing of this request was stored. Retry after the Retry-After delay.");
        }
        // Checked as the indexer will normalise it: same arrival time, request fields and threat intelligence.
        var receivedAt = clock.GetUtcNow();
        var query = http.Request.Query;
        var fields = RequestFields.Of(query["ddtags"], query["ddsource"], query["service"], string.IsNullOrWhiteSpace(query["hostname"]) ? query["host"] : query["hostname"]);
        var (count, error) = IntakePayload.Check(body.Value, lines, receivedAt, fields, threatIntel);
        if (error is not null)
        {
            return Problem(error);
        }

        try
        {
            var batch = IntakeBatch.Accept(body.Value, count, receivedAt, fields, lines);
            await store.AcceptAsync(key.TenantId, buffer.HandOver(batch), cancellationToken);
        }
        catch (StoreBusyException busy)
        {
            limiter.Refund(key.TenantId, charged);
            http.Response.Headers.RetryAfter = Math.Ceiling(busy.RetryAfter.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Problem(StatusCodes.Status503ServiceUnavailable, "Busy", "Indexing is behind; nothing of this request was stored. Retry after the Retry-After delay.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            // The disk refused the journal's write or sync (full, read-only, failing), or the store is closing as the
            // server stops: not durable, so not acknowledged; a shipper retries what it was not acknowledged.
            http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(IntakeEndpoints))
                .LogError(e, "A request of organisation {Tenant} could not be made durable", key.TenantId);
            limiter.Refund(key.TenantId, charged);
            http.Response.Headers.RetryAfter = StorageRetrySeconds;
            return Problem(StatusCodes.Status503ServiceUnavailable, "Storage unavailable", "This request could not be made durable and is not acknowledged. Retry after the Retry-After delay.");
        }
        return TypedResults.Accepted((string?)null, new JsonObject());
    }

    /// <summary>
    /// The decompressed body, or null when it exceeds <see cref="MaxPayloadBytes"/> (or the bytes sent exceed
    /// <see cref="MaxSentBytes"/>). A compressed body is read as sent first (the journal keeps those bytes when they are
    /// the smaller), then inflated; each goes into one pooled buffer sized from the declared length (compressed bodies
    /// grow about tenfold) and doubled when short, without a copy at the end.
    /// </summary>
    private static async Task<ReadOnlyMemory<byte>?> ReadBodyAsync(HttpContext http, string encoding, BodyBuffer buffer, CancellationToken cancellationToken)
    {
        var declared = http.Request.ContentLength;
        var compressed = encoding is "gzip" or "deflate";
        if (declared > (compressed ? MaxSentBytes : MaxPayloadBytes))
        {
            return null;
        }
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = null; // we enforce Datadog's limit ourselves, with a problem-details answer
        }
        if (!compressed)
        {
            return await ReadAllAsync(http.Request.Body, buffer.Body, declared is { } length ? length + 1 : 64 * 1024, MaxPayloadBytes, cancellationToken) is { } plain ? plain.AsMemory() : null;
        }
        if (await ReadAllAsync(http.Request.Body, buffer.Sent, declared is { } sentLength ? sentLength + 1 : 16 * 1024, MaxSentBytes, cancellationToken) is not { } sent)
        {
            return null;
        }
        buffer.SentCount = sent.Count;
        // The limit applies to the decompressed bytes, so a small compressed bomb is refused like a large body.
        var source = new MemoryStream(sent.Array!, sent.Offset, sent.Count, writable: false);
        await using Stream decompressing = encoding == "gzip"
            ? new GZipStream(source, CompressionMode.Decompress)
            : new ZLibStream(source, CompressionMode.Decompress);
        ArraySegment<byte>? body;
        try
        {
            body = await ReadAllAsync(decompressing, buffer.Body, sent.Count * 10L + 1, MaxPayloadBytes, cancellationToken);
        }
        catch (IOException e)
        {
            // The sent bytes are all in memory: an IOException here is the inflater's (zlib asking for a preset
            // dictionary throws one of its own), so the body is not valid compressed data.
            throw new InvalidDataException(e.Message, e);
        }
        // Kept for the journal only when smaller than the body, so bytes trailing the compressed stream (which inflating
        // ignores) never make the journal hold more than the body itself; otherwise the buffer goes back at once.
        buffer.Compressed = body is { } inflated && sent.Count < inflated.Count ? (sent, encoding) : null;
        if (buffer.Compressed is null)
        {
            buffer.Sent.ReturnUnlessHandedOver();
        }
        return body is { } decompressed ? decompressed.AsMemory() : null;
    }

    /// <summary>Reads <paramref name="source"/> to its end into <paramref name="into"/>; null beyond <paramref name="max"/> bytes.</summary>
    private static async Task<ArraySegment<byte>?> ReadAllAsync(Stream source, PooledBytes into, long expected, int max, CancellationToken cancellationToken)
    {
        var bytes = into.Rent((int)Math.Clamp(expected, 4096, max + 1L));
        var filled = 0;
        int read;
        while ((read = await source.ReadAsync(bytes.AsMemory(filled), cancellationToken)) > 0)
        {
            filled += read;
            if (filled > max)
            {
                return null;
            }
            if (filled == bytes.Length)
            {
                bytes = into.Grow(filled, Math.Min(bytes.Length * 2, max + 1));
            }
        }
        return new ArraySegment<byte>(bytes, 0, filled);
    }

    /// <summary>
    /// A request's buffers (the body, and the body as sent when compressed), rented from a pool of the intake's own:
    /// returned when the request ends, or by the store once it took the batch over (<see cref="IntakeBatch.ReleaseBody"/>,
    /// <see cref="IntakeBatch.ReleaseSent"/>). Bodies of hundreds of kilobytes would otherwise be large-object allocations,
    /// whose collections pause every request.
    /// </summary>
    private sealed class BodyBuffer
    {
        /// <summary>The decompressed body's buffer.</summary>
        public PooledBytes Body { get; } = new();

        /// <summary>The buffer of the body as sent, when it came compressed.</summary>
        public PooledBytes Sent { get; } = new();

        /// <summary>What the journal keeps of a compressed body: the bytes as sent and their encoding; null to keep the body.</summary>
        public (ArraySegment<byte> Bytes, string Encoding)? Compressed { get; set; }

        /// <summary>How many bytes a compressed body took as sent, for the rate limiter (0 for a plain body).</summary>
        public int SentCount { get; set; }

        /// <summary>Whether the body read was replaced by another array (text made JSON), which the batch takes without a pool.</summary>
        private bool _replaced;

        /// <summary>The body read was replaced: the buffers go back now, and the journal keeps the replacement, not the bytes sent.</summary>
        public void Replaced()
        {
            _replaced = true;
            Compressed = null;
            ReturnUnlessHandedOver();
        }

        /// <summary>Hands the buffers over with <paramref name="batch"/>, whose releases return them.</summary>
        public IntakeBatch HandOver(IntakeBatch batch)
        {
            if (_replaced)
            {
                return batch;
            }
            var body = Body.HandOver();
            batch.OnRelease(() => PooledBytes.Return(body));
            if (Compressed is var (sent, encoding))
            {
                var sentArray = Sent.HandOver();
                batch.WithSent(sent, encoding, () => PooledBytes.Return(sentArray));
            }
            return batch;
        }

        /// <summary>Returns whatever was not handed over (the whole request's buffers after a refusal).</summary>
        public void ReturnUnlessHandedOver()
        {
            Body.ReturnUnlessHandedOver();
            Sent.ReturnUnlessHandedOver();
        }
    }

    /// <summary>One pooled array, grown by doubling.</summary>
    private sealed class PooledBytes
    {
        /// <summary>Buffers up to 1 MiB (a request of 1,000 typical events is about 400 KB) are kept; larger ones are not.</summary>
        private static readonly ArrayPool<byte> Pool = ArrayPool<byte>.Create(1 << 20, maxArraysPerBucket: 32);
        private byte[]? _bytes;

        public byte[] Rent(int length) => _bytes = Pool.Rent(length);

        /// <summary>A larger buffer holding the first <paramref name="filled"/> bytes; the smaller one goes back.</summary>
        public byte[] Grow(int filled, int length)
        {
            var larger = Pool.Rent(length);
            _bytes.AsSpan(0, filled).CopyTo(larger);
            Pool.Return(_bytes!);
            return _bytes = larger;
        }

        /// <summary>The array, no longer this object's to return.</summary>
        public byte[] HandOver()
        {
            var bytes = _bytes!;
            _bytes = null;
            return bytes;
        }

        /// <summary>Returns a handed-over array to the pool.</summary>
        public static void Return(byte[] bytes) => Pool.Return(bytes);

        /// <summary>Returns the array unless it was handed over.</summary>
        public void ReturnUnlessHandedOver()
        {
            if (_bytes is { } bytes)
            {
                _bytes = null;
                Pool.Return(bytes);
            }
        }
    }

    private static ProblemHttpResult Problem(IntakeError error) =>
        Problem(error.Status, error.Title, error.Detail, error.Extensions.Count == 0 ? null : new(error.Extensions));

    private static ProblemHttpResult Problem(int status, string title, string detail, Dictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title, extensions: extensions);
}
