using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Portal.Search;

/// <summary>
/// A <c>search_after</c> position in a listing: the timestamp and id of the last item returned, and the order it was
/// returned in (newest first unless <paramref name="OldestFirst"/>), so that it is never used with the other. Opaque to
/// clients (URL-safe base64).
/// </summary>
public readonly record struct SearchCursor(long TimestampMs, string Id, bool OldestFirst = false)
{
    /// <summary>The cursor after <paramref name="timestamp"/>/<paramref name="id"/> in the given order.</summary>
    public static SearchCursor After(DateTimeOffset timestamp, string id, bool oldestFirst = false) => new(timestamp.ToUnixTimeMilliseconds(), id, oldestFirst);

    /// <summary>Encodes the cursor for a URL (an oldest-first one marked with a leading <c>a</c>).</summary>
    public string Encode() => Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{(OldestFirst ? "a" : "")}{TimestampMs.ToString(CultureInfo.InvariantCulture)}|{Id}"));

    /// <summary>Decodes a cursor; false for anything that is not one.</summary>
    public static bool TryDecode(string? text, out SearchCursor cursor)
    {
        cursor = default;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }
        try
        {
            var raw = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(text));
            var oldestFirst = raw.StartsWith('a');
            var bar = raw.IndexOf('|', StringComparison.Ordinal);
            var at = oldestFirst ? 1 : 0;
            if (bar <= at || !long.TryParse(raw.AsSpan(at, bar - at), NumberStyles.Integer, CultureInfo.InvariantCulture, out var ts)
                || ts <= DateTimeOffset.MinValue.ToUnixTimeMilliseconds() || ts >= DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
            {
                return false;
            }
            cursor = new SearchCursor(ts, raw[(bar + 1)..], oldestFirst);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
