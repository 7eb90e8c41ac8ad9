namespace Portal.Search;

/// <summary>How long a value every store indexes may be, so that all of them find the same events.</summary>
public static class IndexedValues
{
    /// <summary>
    /// Longest indexed value, in UTF-16 chars: each is at most 3 UTF-8 bytes, so a value this long always fits
    /// Lucene's term limit (32,766 bytes, also Elasticsearch's keyword limit), which otherwise rejects the whole document.
    /// </summary>
    public const int MaxChars = 32_766 / 3;

    /// <summary>
    /// Cuts an oversized value (a stack trace, a blob) to a prefix the indexes accept: the event is still
    /// stored whole and found by prefix and existence, only an exact match on the full value misses.
    /// </summary>
    public static string Fit(string value)
    {
        var length = FitLength(value);
        return length == value.Length ? value : value[..length];
    }

    /// <summary>How many chars of <paramref name="value"/> <see cref="Fit"/> keeps: all, or a cut that splits no surrogate pair.</summary>
    public static int FitLength(ReadOnlySpan<char> value) =>
        value.Length <= MaxChars ? value.Length : char.IsHighSurrogate(value[MaxChars - 1]) ? MaxChars - 1 : MaxChars;
}
