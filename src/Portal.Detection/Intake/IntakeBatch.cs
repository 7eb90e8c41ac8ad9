using Portal.Detection.Events;
using Portal.Detection.ThreatIntel;

namespace Portal.Detection.Intake;

/// <summary>
/// One intake request as accepted: its decompressed body (which <see cref="IntakePayload.Check"/> found without fault),
/// how many events it holds, when it arrived, the request's fields (<c>ddtags</c> and the others of its query string),
/// whether it is newline-delimited, and the seed
/// of its events' ids. The store journals it as it is and normalises it when it indexes it, so acknowledging a request
/// costs one pass of the JSON reader; the seed makes a replay of the batch give the same events.
/// </summary>
public sealed class IntakeBatch(ReadOnlyMemory<byte> body, int count, DateTimeOffset receivedAt, RequestFields? request, bool lines, UInt128 idSeed)
{
    /// <summary>The decompressed request body.</summary>
    public ReadOnlyMemory<byte> Body { get; } = body;

    /// <summary>How many events the body holds.</summary>
    public int Count { get; } = count;

    /// <summary>When the request arrived: events without a usable time of their own take it.</summary>
    public DateTimeOffset ReceivedAt { get; } = receivedAt;

    /// <summary>What the request says of all its events: its <c>ddtags</c>, and the source, service and host of those without.</summary>
    public RequestFields? Request { get; } = request;

    /// <summary>Newline-delimited JSON rather than one document.</summary>
    public bool Lines { get; } = lines;

    /// <summary>The events' ids are drawn from it, in order (<see cref="EventIds.New(DateTimeOffset, UInt128)"/>).</summary>
    public UInt128 IdSeed { get; } = idSeed;

    /// <summary>A batch with a new seed.</summary>
    public static IntakeBatch Accept(ReadOnlyMemory<byte> body, int count, DateTimeOffset receivedAt, RequestFields? request, bool lines) =>
        new(body, count, receivedAt, request, lines, EventIds.NewSeed());

    private Action? _release;
    private Action? _releaseSent;

    /// <summary>
    /// The body as it was sent, compressed (about a seventh of <see cref="Body"/> for typical logs), when it came with a
    /// <c>Content-Encoding</c>: the journal keeps these bytes rather than the decompressed body. Null again after
    /// <see cref="ReleaseSent"/> (the store takes what it journals when it accepts the batch).
    /// </summary>
    public ReadOnlyMemory<byte>? Sent { get; private set; }

    /// <summary>How <see cref="Sent"/> is compressed: <c>gzip</c> or <c>deflate</c> (zlib), as HTTP names them.</summary>
    public string? SentEncoding { get; private set; }

    /// <summary>Records the body as sent (<see cref="Sent"/>); <paramref name="release"/> gives its buffer back once journaled.</summary>
    public IntakeBatch WithSent(ReadOnlyMemory<byte> sent, string encoding, Action release)
    {
        if (encoding is not ("gzip" or "deflate"))
        {
            throw new ArgumentException($"Unknown encoding '{encoding}'", nameof(encoding));
        }
        (Sent, SentEncoding, _releaseSent) = (sent, encoding, release);
        return this;
    }

    /// <summary>Returns the buffer of <see cref="Sent"/> to its pool, once; the store calls it when the batch is journaled.</summary>
    public void ReleaseSent()
    {
        if (Interlocked.Exchange(ref _releaseSent, null) is { } release)
        {
            Sent = null;
            release();
        }
    }

    /// <summary>The batch's events, normalised (<see cref="IntakePayload.ReadAccepted"/>); they keep nothing of the body.</summary>
    public List<LogEvent> Normalize(ThreatIndicatorSet? threatIntel) => IntakePayload.ReadAccepted(this, threatIntel);

    /// <summary>
    /// Gives the body's buffer back to <paramref name="release"/> (its pool) once <see cref="ReleaseBody"/> is called:
    /// whoever takes the batch over (the store) calls it once the body is journaled and no longer read.
    /// </summary>
    public IntakeBatch OnRelease(Action release)
    {
        _release = release;
        return this;
    }

    /// <summary>
    /// Returns the body's buffer (and the one of <see cref="Sent"/>, if not yet) to its pool, once (later calls do nothing).
    /// The body must not be read after.
    /// </summary>
    public void ReleaseBody()
    {
        ReleaseSent();
        Interlocked.Exchange(ref _release, null)?.Invoke();
    }
}
