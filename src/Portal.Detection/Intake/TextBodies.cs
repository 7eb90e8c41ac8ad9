using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Portal.Detection.Intake;

/// <summary>
/// The bodies Datadog's intake takes besides JSON, made into newline-delimited JSON, one <c>{"message": ...}</c> a log,
/// which the intake then checks, journals and normalises as if it had been sent so:
/// <list type="bullet">
/// <item><c>text/plain</c>: one log a line; blank lines are skipped and a <c>\r</c> before the newline dropped;</item>
/// <item><c>application/logplex-1</c> (Heroku's log drains): syslog messages, each framed by its length in bytes (RFC 6587's
/// octet counting), kept whole as the message; an RFC 5424 header's time is the event's.</item>
/// </list>
/// Bytes that are not UTF-8 become U+FFFD. Past <see cref="IntakePayload.MaxEvents"/> logs the rest is not read: the
/// intake's check refuses the request for its count. Text that JSON makes more than <see cref="MaxJsonBytes"/> (control
/// characters written as escapes take six bytes each) is refused.
/// </summary>
public static class TextBodies
{
    /// <summary>The most a body may take once made JSON: twice the payload's limit, which quotes written as escapes reach.</summary>
    public const int MaxJsonBytes = 2 * IntakePayload.MaxPayloadBytes;

    /// <summary>Whether <paramref name="mediaType"/> (lower-cased, without parameters) is one of these bodies', and which.</summary>
    public static bool IsText(string mediaType, out bool framed)
    {
        framed = mediaType == "application/logplex-1";
        return framed || mediaType == "text/plain";
    }

    /// <summary>
    /// The body's logs as newline-delimited JSON, or the fault: a frame whose length is missing or too long (the byte where
    /// it starts, counted from 1 in the payload as decompressed), or JSON over <see cref="MaxJsonBytes"/>.
    /// </summary>
    public static (ReadOnlyMemory<byte> Lines, IntakeError? Error) ToJsonLines(ReadOnlySpan<byte> body, bool framed)
    {
        if (body.StartsWith("\uFEFF"u8))
        {
            // A byte order mark (Windows shippers write one) is no part of the first log.
            body = body[3..];
        }
        var output = new ArrayBufferWriter<byte>(body.Length + body.Length / 4 + 64);
        using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true });
        var logs = 0;
        var at = 0;
        while (at < body.Length && logs <= IntakePayload.MaxEvents)
        {
            ReadOnlySpan<byte> log;
            if (framed)
            {
                at += CountOfSpace(body[at..]);
                if (at == body.Length)
                {
                    break;
                }
                var digits = body[at..].IndexOfAnyExceptInRange((byte)'0', (byte)'9');
                var length = digits is > 0 and <= 9 && body[at + digits] == (byte)' ' ? int.Parse(body.Slice(at, digits), CultureInfo.InvariantCulture) : -1;
                if (length < 0 || length > body.Length - at - digits - 1)
                {
                    return (default, FrameFault(at));
                }
                log = body.Slice(at + digits + 1, length);
                at += digits + 1 + length;
            }
            else
            {
                var end = body[at..].IndexOf((byte)'\n');
                log = end < 0 ? body[at..] : body.Slice(at, end);
                at += end < 0 ? log.Length : end + 1;
            }
            log = log.TrimEnd("\r\n"u8);
            if (log.IsEmpty || log.IndexOfAnyExcept(" \t"u8) < 0)
            {
                continue;
            }
            Write(writer, log, framed ? Header(log) : default);
            writer.Flush();
            output.Write("\n"u8);
            if (output.WrittenCount > MaxJsonBytes)
            {
                return (default, new(413, "Payload too large", $"The payload exceeds {MaxJsonBytes} bytes once its lines are written as JSON.", new Dictionary<string, object?>()));
            }
            logs++;
        }
        return (output.WrittenMemory, null);
    }

    private static void Write(Utf8JsonWriter writer, ReadOnlySpan<byte> log, SyslogHeader header)
    {
        writer.Reset();
        writer.WriteStartObject();
        if (System.Text.Unicode.Utf8.IsValid(log))
        {
            writer.WriteString(ReservedFields.Message, log);
        }
        else
        {
            writer.WriteString(ReservedFields.Message, Encoding.UTF8.GetString(log));
        }
        if (header.Time is not null)
        {
            writer.WriteString("timestamp", header.Time);
        }
        if (header.Priority is { } priority)
        {
            // The severity is the status, as Datadog's syslog pipeline reads it; the header's fields are syslog's attributes.
            writer.WriteString("status", LogStatuses.FromSyslog(priority % 8));
            writer.WriteStartObject("syslog");
            writer.WriteNumber("severity", priority % 8);
            writer.WriteNumber("facility", priority / 8);
            foreach (var (name, value) in (ReadOnlySpan<(string, string?)>)[("hostname", header.Host), ("appname", header.App), ("procid", header.ProcessId), ("msgid", header.MessageId)])
            {
                if (value is not null)
                {
                    writer.WriteString(name, value);
                }
            }
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
    }

    /// <summary>What an RFC 5424 header says: the time as ISO 8601 UTC, the priority, and the host, program, process and message ids.</summary>
    private readonly record struct SyslogHeader(string? Time, int? Priority, string? Host, string? App, string? ProcessId, string? MessageId);

    /// <summary>
    /// The header of an RFC 5424 message (<c>&lt;190&gt;1 2026-12-07T14:05:00.123456+00:00 host app web.1 - ...</c>, Heroku's dyno
    /// in its process id): nothing when the message has none; no time when its time is the nil value or not a time, and no
    /// field that is the nil value (<c>-</c>).
    /// </summary>
    private static SyslogHeader Header(ReadOnlySpan<byte> log)
    {
        var close = log.IndexOf((byte)'>');
        if (log.IsEmpty || log[0] != (byte)'<' || close < 2 || close > 4 || !log[(close + 1)..].StartsWith("1 "u8)
            || !int.TryParse(log[1..close], NumberStyles.None, CultureInfo.InvariantCulture, out var priority) || priority > 191)
        {
            return default;
        }
        var rest = log[(close + 3)..];
        var stamp = Encoding.ASCII.GetString(Token(ref rest));
        var time = DateTimeOffset.TryParseExact(stamp, "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)
            : null;
        return new SyslogHeader(time, priority, Field(Token(ref rest)), Field(Token(ref rest)), Field(Token(ref rest)), Field(Token(ref rest)));

        // The next field up to a space (the rest of the line after it), and its text unless it is the nil value or empty.
        static ReadOnlySpan<byte> Token(ref ReadOnlySpan<byte> rest)
        {
            var space = rest.IndexOf((byte)' ');
            var token = space < 0 ? rest : rest[..space];
            rest = space < 0 ? [] : rest[(space + 1)..];
            return token;
        }

        static string? Field(ReadOnlySpan<byte> token) =>
            token.IsEmpty || token.SequenceEqual("-"u8) || !System.Text.Unicode.Utf8.IsValid(token) ? null : Encoding.UTF8.GetString(token);
    }

    private static int CountOfSpace(ReadOnlySpan<byte> text) => text.IndexOfAnyExcept(" \t\r\n"u8) is var at and >= 0 ? at : text.Length;

    private static IntakeError FrameFault(int at) => new(
        400, "Malformed payload", $"Byte {at + 1}: expected a logplex frame, its length in bytes and a space, within the payload.",
        new Dictionary<string, object?> { ["byte"] = at + 1 });
}
