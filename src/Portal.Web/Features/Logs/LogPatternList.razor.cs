using System.Globalization;
using Microsoft.AspNetCore.Components;

namespace Portal.Web.Features.Logs;

/// <summary>The patterns of the latest logs, commonest first; a pattern opens to show messages of it, and its logs can be searched.</summary>
public partial class LogPatternList
{
    /// <summary>The patterns, commonest first.</summary>
    [Parameter] public IReadOnlyList<LogPattern> Patterns { get; set; } = [];

    /// <summary>How many logs the patterns were found in.</summary>
    [Parameter] public int Sample { get; set; }

    /// <summary>Raised with a pattern's query (<see cref="LogPattern.Query"/>) when its logs are asked for; without a handler there is no button.</summary>
    [Parameter] public EventCallback<string> OnSearch { get; set; }

    /// <summary>The patterns opened, by their text: one stays open while live tail finds it again.</summary>
    private readonly HashSet<string> _open = new(StringComparer.Ordinal);

    private void Toggle(string pattern)
    {
        if (!_open.Remove(pattern))
        {
            _open.Add(pattern);
        }
    }

    private string Share(LogPattern pattern) =>
        Sample > 0 ? (100.0 * pattern.Count / Sample).ToString(pattern.Count * 100 < Sample ? "0.0" : "0", CultureInfo.InvariantCulture) + " %" : "";

    /// <summary>The pattern's text in parts: literal text, or null for a wildcard.</summary>
    private static IEnumerable<string?> Parts(LogPattern pattern)
    {
        var text = string.Join(' ', pattern.Tokens);
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == LogPatterns.Wildcard)
            {
                if (i > start)
                {
                    yield return text[start..i];
                }
                yield return null;
                start = i + 1;
            }
        }
        if (start < text.Length)
        {
            yield return text[start..];
        }
    }
}
