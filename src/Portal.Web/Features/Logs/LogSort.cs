namespace Portal.Web.Features.Logs;

/// <summary>
/// The order of the Logs Explorer's list, as its address and export link name it: <c>sort=asc</c> for the oldest first;
/// newest first, Datadog's default, is said by no parameter (or <c>sort=desc</c>).
/// </summary>
public static class LogSort
{
    public const string Parameter = "sort";
    public const string OldestFirst = "asc";
    public const string NewestFirst = "desc";

    /// <summary>Whether <paramref name="value"/> names an order (none is newest first), and whether it is the oldest first.</summary>
    public static bool TryParse(string? value, out bool oldestFirst)
    {
        oldestFirst = IsOldestFirst(value);
        return string.IsNullOrEmpty(value) || oldestFirst || value == NewestFirst;
    }

    /// <summary>Whether an address's <paramref name="value"/> asks for the oldest first (an address is read leniently: any other value is newest first).</summary>
    public static bool IsOldestFirst(string? value) => value == OldestFirst;

    /// <summary>The parameter's value for an order: none for newest first.</summary>
    public static string? Format(bool oldestFirst) => oldestFirst ? OldestFirst : null;
}
