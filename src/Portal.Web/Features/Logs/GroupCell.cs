using Portal.Web.Components.Shared;

namespace Portal.Web.Features.Logs;

/// <summary>
/// One group the grouping card shows, as the query names it: each level's field and value, the first level first; a
/// value of none for a table's group of the logs without the field (<see cref="LogGrouping.NoValue"/>).
/// </summary>
public sealed record GroupCell(IReadOnlyList<(string Field, string? Value)> Levels)
{
    /// <summary>
    /// The terms that narrow the query to the group's logs, one a level (its value kept, or its field absent), to add one
    /// after another; with <paramref name="exclude"/>, the one term that drops them: a group of one level its value
    /// excluded, a group within another its terms excluded together (<c>-(service:web @http.method:GET)</c>: the other
    /// groups' GET logs stay). Null when a value cannot be searched by.
    /// </summary>
    public IReadOnlyList<string>? Terms(bool exclude)
    {
        if (exclude && Levels is [var (only, its)])
        {
            return (its is null ? QueryCompletion.Exists(only) : QueryCompletion.Term(only, its, exclude: true)) is { } dropped ? [dropped] : null;
        }
        var kept = new List<string>(Levels.Count);
        foreach (var (field, value) in Levels)
        {
            if ((value is null ? QueryCompletion.Exists(field, absent: true) : QueryCompletion.Term(field, value)) is not { } term)
            {
                return null;
            }
            kept.Add(term);
        }
        return exclude ? [$"-({string.Join(' ', kept)})"] : kept;
    }

    /// <summary>How the group is named in the card's titles: <c>service:web @http.method:GET</c>, a missing value as <c>-field:*</c>.</summary>
    public string Label =>
        string.Join(' ', Levels.Select(l => l.Value is null ? $"-{l.Field}:*" : $"{l.Field}:{l.Value}"));
}
