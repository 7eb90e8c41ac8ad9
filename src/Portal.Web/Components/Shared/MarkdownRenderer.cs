using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Portal.Web.Components.Shared;

/// <summary>
/// Renders the Markdown subset rule messages use (headings, paragraphs, lists, code, emphasis, links) to HTML.
/// Every piece of text is HTML-encoded first, so a rule or a log value can never inject markup; links are
/// kept only for http(s) targets.
/// </summary>
public static partial class MarkdownRenderer
{
    /// <summary>The HTML of <paramref name="markdown"/>.</summary>
    public static string ToHtml(string? markdown)
    {
        var html = new StringBuilder();
        string? openList = null;
        var paragraph = new List<string>();

        void FlushParagraph()
        {
            if (paragraph.Count > 0)
            {
                html.Append("<p>").Append(string.Join("<br />", paragraph.Select(Inline))).Append("</p>");
                paragraph.Clear();
            }
        }

        void CloseList()
        {
            if (openList is not null)
            {
                html.Append("</").Append(openList).Append('>');
                openList = null;
            }
        }

        foreach (var raw in (markdown ?? "").Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            var line = raw.TrimEnd();
            if (line.Length == 0)
            {
                FlushParagraph();
                CloseList();
                continue;
            }
            if (Heading().Match(line) is { Success: true } heading)
            {
                FlushParagraph();
                CloseList();
                var level = Math.Min(heading.Groups[1].Length + 2, 6); // rule messages' "##" sits below the drawer title
                html.Append($"<h{level}>").Append(Inline(heading.Groups[2].Value)).Append($"</h{level}>");
                continue;
            }
            var item = Bullet().Match(line);
            var ordered = item.Success ? null : Numbered().Match(line);
            if (item.Success || ordered is { Success: true })
            {
                FlushParagraph();
                var kind = item.Success ? "ul" : "ol";
                if (openList != kind)
                {
                    CloseList();
                    html.Append('<').Append(kind).Append('>');
                    openList = kind;
                }
                html.Append("<li>").Append(Inline((item.Success ? item : ordered!).Groups[1].Value)).Append("</li>");
                continue;
            }
            CloseList();
            paragraph.Add(line);
        }
        FlushParagraph();
        CloseList();
        return html.ToString();
    }

    private static string Inline(string text)
    {
        // Backslash escapes (how rule messages quote values from logs) are set aside before any markup applies, marked by
        // two control characters that the text itself may not hold (a log's value could, and would name no escape).
        text = text.Replace('\u0001', '\uFFFD').Replace('\u0002', '\uFFFD');
        var escaped = new List<char>();
        text = Escape().Replace(text, m =>
        {
            escaped.Add(m.Groups[1].Value[0]);
            return $"\u0001{escaped.Count - 1}\u0002";
        });
        var encoded = WebUtility.HtmlEncode(text);
        encoded = Code().Replace(encoded, "<code>$1</code>");
        encoded = Bold().Replace(encoded, "<strong>$1</strong>");
        encoded = Italic().Replace(encoded, "<em>$1</em>");
        encoded = Link().Replace(encoded, m => $"<a href=\"{m.Groups[2].Value}\" target=\"_blank\" rel=\"noopener noreferrer\">{m.Groups[1].Value}</a>");
        return Placeholder().Replace(encoded, m => WebUtility.HtmlEncode(escaped[int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)].ToString()));
    }

    [GeneratedRegex(@"\\([\\`*_\[\]()#<>!|~])")]
    private static partial Regex Escape();

    [GeneratedRegex("\u0001(\\d+)\u0002")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"^(#{1,4})\s+(.*)$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"^\s*[-*]\s+(.*)$")]
    private static partial Regex Bullet();

    [GeneratedRegex(@"^\s*\d+[.)]\s+(.*)$")]
    private static partial Regex Numbered();

    [GeneratedRegex(@"`([^`]+)`")]
    private static partial Regex Code();

    [GeneratedRegex(@"\*\*([^*]+)\*\*")]
    private static partial Regex Bold();

    [GeneratedRegex(@"(?<![\w*])[*_]([^*_]+)[*_](?![\w*])")]
    private static partial Regex Italic();

    [GeneratedRegex(@"\[([^\]]+)\]\((https?://[^\s)""]+)\)")]
    private static partial Regex Link();
}
