using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Portal.Search;

/// <summary>
/// A <c>search_after</c> position in a newest-first listing: the timestamp and id of the last item
/// returned. Opaque to clients (URL-safe base64).
/// </summary>
public readonly record struct SearchCursor(long TimestampMs, string Id)
{
    /// <summary>The cursor after <paramref name="timestamp"/>/<paramref name="id"/>.</summary>
    public static SearchCursor After(DateTimeOffset timestamp, string id) => new(timestamp.ToUnixTimeMilliseconds(), id);

    /// <summary>Encodes the cursor for a URL.</summary>
    public string Encode() => Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{TimestampMs.ToString(CultureInfo.InvariantCulture)}|{Id}"));

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
            var bar = raw.IndexOf('|', StringComparison.Ordinal);
            if (bar <= 0 || !long.TryParse(raw.AsSpan(0, bar), NumberStyles.Integer, CultureInfo.InvariantCulture, out var ts))
            {
                return false;
            }
            cursor = new SearchCursor(ts, raw[(bar + 1)..]);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
