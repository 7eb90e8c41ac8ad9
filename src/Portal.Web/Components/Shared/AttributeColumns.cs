using Portal.Detection.Events;

namespace Portal.Web.Components.Shared;

/// <summary>
/// Attributes shown as columns of an event list (Datadog's "add as column"): which paths can be one, how the view's URL
/// keeps them (<c>cols=@usr.name,@network.client.ip</c>), and what a cell shows.
/// </summary>
public static class AttributeColumns
{
    /// <summary>The most columns a list shows besides its own: more would leave the message no room.</summary>
    public const int Max = 8;

    /// <summary>The longest path a column takes (the URL holds it).</summary>
    public const int MaxPathLength = 256;

    /// <summary>Whether the attribute at <paramref name="path"/> can be a column: the URL separates columns with commas, so no path holding one.</summary>
    public static bool CanShow(string path) => path.Length is > 0 and <= MaxPathLength && !path.Contains(',');

    /// <summary>
    /// The columns a URL's parameter names (<see cref="Format"/>): in order, each once, at most <see cref="Max"/>; a name
    /// without its <c>@</c> or a path no column can take is left out.
    /// </summary>
    public static List<string> Parse(string? text) =>
        (text ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Where(name => name.StartsWith('@'))
            .Select(name => name[1..])
            .Where(CanShow)
            .Distinct(StringComparer.Ordinal)
            .Take(Max)
            .ToList();

    /// <summary>The URL's parameter for <paramref name="columns"/>; null for none, which leaves it out.</summary>
    public static string? Format(IReadOnlyList<string> columns) => columns.Count == 0 ? null : string.Join(',', columns.Select(c => "@" + c));

    /// <summary>
    /// <paramref name="columns"/> with <paramref name="path"/> removed when shown, or added last; unchanged (false) when it
    /// cannot be one or <see cref="Max"/> are shown.
    /// </summary>
    public static bool Toggle(List<string> columns, string path)
    {
        if (columns.Remove(path))
        {
            return true;
        }
        if (!CanShow(path) || columns.Count >= Max)
        {
            return false;
        }
        columns.Add(path);
        return true;
    }

    /// <summary>What the column of <paramref name="path"/> shows for <paramref name="e"/>: its values (an array's, comma-separated), or nothing.</summary>
    public static string Cell(LogEvent e, string path)
    {
        var values = e.GetAttribute(path);
        return values.Count switch
        {
            0 => "",
            1 => values[0].Text,
            _ => string.Join(", ", values.Select(v => v.Text)),
        };
    }
}
