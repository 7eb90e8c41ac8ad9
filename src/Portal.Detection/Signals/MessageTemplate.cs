using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Portal.Detection.Events;
using Portal.Detection.Query;

namespace Portal.Detection.Signals;

/// <summary>
/// Renders a rule message with Datadog's template variables and conditionals:
/// <c>{{@attr.path}}</c> (from the group values, else the first matching event), <c>{{rule_name}}</c>,
/// <c>{{events_matched}}</c>; <c>{{#is_match "@attr" "value" "other*"}}…{{/is_match}}</c> (any value, <c>*</c> as a
/// wildcard), its negation <c>{{^is_match …}}</c>, <c>{{#is_exact_match "@attr" "value"}}…{{/is_exact_match}}</c>, and
/// <c>{{#if @attr}}…{{else}}…{{/if}}</c> (the attribute has a non-empty value). Anything that is not well-formed
/// template syntax is left as written, so a message never fails to render.
/// </summary>
public static partial class MessageTemplate
{
    /// <summary>
    /// Fills in the variables of <paramref name="template"/>; unknown variables render as empty. Values come from
    /// logs, which anyone able to send logs controls: in <paramref name="markdown"/> (a message) their Markdown characters
    /// are escaped, so a value can never add a link or a heading to it; in plain text (a title, shown as it is) they are
    /// written as they are.
    /// </summary>
    public static string Render(string template, string ruleName, long eventsMatched, IReadOnlyDictionary<string, string> groupBy, LogEvent? sample, bool markdown = true)
    {
        var context = new Context(ruleName, eventsMatched, groupBy, sample, markdown);
        var output = new StringBuilder(template.Length);
        var tags = Tag().Matches(template);
        var position = 0;
        RenderBlock(template, tags, ref position, 0, context, output, visible: true, condition: true, closing: null, depth: 0);
        return output.ToString();
    }

    /// <summary>Backslash-escapes the characters Markdown gives meaning to.</summary>
    public static string EscapeMarkdown(string value) => MarkdownSpecial().Replace(value, @"\$0");

    /// <summary>Blocks nested deeper than this are left as written: the renderer recurses per level, and messages come from users.</summary>
    public const int MaxNesting = 16;

    /// <summary>
    /// Renders tags from <paramref name="index"/> until the tag closing <paramref name="closing"/> (or the end);
    /// returns the index after the closing tag. <paramref name="position"/> is the next template character to copy.
    /// <paramref name="visible"/> says whether the enclosing block is shown, <paramref name="condition"/> whether this
    /// block's own condition holds (its <c>{{else}}</c> part shows when it does not).
    /// </summary>
    private static int RenderBlock(
        string template, MatchCollection tags, ref int position, int index, Context context, StringBuilder output, bool visible, bool condition, string? closing, int depth)
    {
        var emitting = visible && condition;
        while (index < tags.Count)
        {
            var tag = tags[index];
            if (emitting)
            {
                output.Append(template, position, tag.Index - position);
            }
            position = tag.Index + tag.Length;
            index++;
            var body = tag.Groups[1].Value.Trim();
            if (closing is not null && body == "/" + closing)
            {
                return index;
            }
            if (closing == "if" && body == "else")
            {
                // The else branch shows exactly when the if branch did not (and the block as a whole is shown).
                emitting = visible && !condition;
                continue;
            }
            if (depth < MaxNesting && Block().Match(body) is { Success: true } block)
            {
                var name = block.Groups[2].Value;
                if (Holds(name, block.Groups[3].Value, context) is { } holds)
                {
                    var show = block.Groups[1].Value == "^" ? !holds : holds;
                    index = RenderBlock(template, tags, ref position, index, context, output, emitting, show, name, depth + 1);
                    continue;
                }
            }
            if (emitting)
            {
                output.Append(Variable().Match(body) is { Success: true } variable
                    ? context.Markdown ? EscapeMarkdown(context.Value(variable.Groups[1].Value)) : context.Value(variable.Groups[1].Value)
                    : tag.Value);
            }
        }
        if (emitting)
        {
            output.Append(template, position, template.Length - position);
        }
        position = template.Length;
        return index;
    }

    /// <summary>Whether a block's condition holds, or null when the block is not one this renderer knows.</summary>
    private static bool? Holds(string name, string arguments, Context context)
    {
        var args = Argument().Matches(arguments).Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value).ToList();
        switch (name)
        {
            case "if" when args.Count == 1:
                return context.Value(args[0]).Length > 0;
            case "is_match" when args.Count >= 2:
                var value = context.Value(args[0]);
                return args.Skip(1).Any(pattern => WildcardPattern.IsMatch(pattern, value));
            case "is_exact_match" when args.Count >= 2:
                var exact = context.Value(args[0]);
                return args.Skip(1).Any(v => v == exact);
            default:
                return null;
        }
    }

    private sealed class Context(string ruleName, long eventsMatched, IReadOnlyDictionary<string, string> groupBy, LogEvent? sample, bool markdown)
    {
        /// <summary>Whether values are written into Markdown (escaped) rather than plain text.</summary>
        public bool Markdown => markdown;

        public string Value(string name)
        {
            switch (name)
            {
                case "rule_name":
                    return ruleName;
                case "events_matched":
                    return eventsMatched.ToString(CultureInfo.InvariantCulture);
            }
            if (groupBy.TryGetValue(name, out var grouped))
            {
                return grouped;
            }
            if (sample is null)
            {
                return "";
            }
            return name.StartsWith('@')
                ? sample.GetAttribute(name[1..]).FirstText ?? ""
                : sample.GetReserved(name) ?? "";
        }
    }

    [GeneratedRegex(@"[\\`*_\[\]()#<>!|~]")]
    private static partial Regex MarkdownSpecial();

    [GeneratedRegex(@"\{\{(.*?)\}\}", RegexOptions.Singleline)]
    private static partial Regex Tag();

    [GeneratedRegex(@"^(@?[A-Za-z0-9_.\-]+)$")]
    private static partial Regex Variable();

    [GeneratedRegex(@"^([#^])(if|is_match|is_exact_match)\s+(.+)$", RegexOptions.Singleline)]
    private static partial Regex Block();

    [GeneratedRegex(@"""([^""]*)""|(\S+)")]
    private static partial Regex Argument();
}
