using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;
using Portal.Detection.Query;

namespace Portal.Web.Features.Logs;

/// <summary>A log's message with what the search's free text found in it marked (<see cref="TextHighlights"/>), as Datadog's list and side panel show it.</summary>
internal static class Highlight
{
    /// <summary><paramref name="text"/>, the spans <paramref name="terms"/> find in it in <c>mark.search-hit</c> elements.</summary>
    public static RenderFragment Of(string? text, IReadOnlyList<TermNode> terms) => builder => Write(builder, text, terms);

    private static void Write(RenderTreeBuilder builder, string? text, IReadOnlyList<TermNode> terms)
    {
        var spans = TextHighlights.Find(text, terms);
        if (spans.Count == 0)
        {
            builder.AddContent(0, text);
            return;
        }
        var at = 0;
        foreach (var (start, length) in spans)
        {
            builder.AddContent(1, text![at..start]);
            builder.OpenElement(2, "mark");
            builder.AddAttribute(3, "class", "search-hit");
            builder.AddContent(4, text.Substring(start, length));
            builder.CloseElement();
            at = start + length;
        }
        builder.AddContent(5, text![at..]);
    }
}
