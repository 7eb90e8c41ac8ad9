using System.Globalization;

namespace Portal.Detection.Events;

/// <summary>
/// Recognises ISO 8601 dates in attribute values (<c>2026-03-03</c>, <c>2026-03-03T14:02:11.5Z</c>,
/// <c>2026-03-03 14:02:11+02:00</c>) so that date attributes take part in ranges, as numbers do.
/// </summary>
public static class DateText
{
    /// <summary>Epoch milliseconds of an ISO 8601 date or date-time (UTC when no offset is given).</summary>
    public static bool TryParseEpochMs(ReadOnlySpan<char> text, out double epochMs)
    {
        epochMs = 0;
        // Cheap shape check first: almost every string attribute is not a date.
        if (text.Length is < 10 or > 40
            || !char.IsAsciiDigit(text[0]) || !char.IsAsciiDigit(text[3]) || text[4] != '-' || text[7] != '-'
            || text.Length > 10 && text[10] is not 'T' and not ' ')
        {
            return false;
        }
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            return false;
        }
        epochMs = parsed.ToUnixTimeMilliseconds();
        return true;
    }
}
