using System.Text.RegularExpressions;
using Portal.Detection.Events;

namespace Portal.Detection.Signals;

/// <summary>
/// Renders a rule message with Datadog's template variables: <c>{{@attr.path}}</c> from the group
/// values or the first matching event, <c>{{rule_name}}</c>, <c>{{events_matched}}</c>.
/// </summary>
public static partial class MessageTemplate
{
    /// <summary>
    /// Fills in the variables of <paramref name="template"/>; unknown variables render as empty. Values come from
    /// logs, which anyone able to send logs controls: their Markdown characters are escaped, so a value can never
    /// add a link or a heading to the message.
    /// </summary>
    public static string Render(string template, string ruleName, long eventsMatched, IReadOnlyDictionary<string, string> groupBy, LogEvent? sample)
    {
        return Variable().Replace(template, m => EscapeMarkdown(Value(m)));

        string Value(Match m)
        {
            var name = m.Groups[1].Value;
            switch (name)
            {
                case "rule_name":
                    return ruleName;
                case "events_matched":
                    return eventsMatched.ToString(System.Globalization.CultureInfo.InvariantCulture);
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
                ? sample.GetAttribute(name[1..]).Select(v => v.Text).FirstOrDefault() ?? ""
                : sample.GetReserved(name) ?? "";
        }
    }

    /// <summary>Backslash-escapes the characters Markdown gives meaning to.</summary>
    public static string EscapeMarkdown(string value) => MarkdownSpecial().Replace(value, @"\$0");

    [GeneratedRegex(@"[\\`*_\[\]()#<>!|~]")]
    private static partial Regex MarkdownSpecial();

    [GeneratedRegex(@"\{\{\s*(@?[A-Za-z0-9_.\-]+)\s*\}\}")]
    private static partial Regex Variable();
}
