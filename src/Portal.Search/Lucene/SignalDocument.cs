using System.Text.Json.Nodes;
using Portal.Detection.Events;
using Portal.Detection.Signals;

namespace Portal.Search.Lucene;

/// <summary>
/// Projects a signal onto the event shape so the log query language searches it as Datadog's
/// Signals Explorer does: <c>status:high</c>, <c>@workflow.triage.state:open</c>, <c>@workflow.rule.name:"..."</c>,
/// tags, copied attributes such as <c>@network.client.ip</c>, and free text over title and message.
/// </summary>
public static class SignalDocument
{
    /// <summary>Attribute path of the rule id.</summary>
    public const string RuleIdPath = "workflow.rule.id";

    /// <summary>The text free text searches in a signal: its title, then its message.</summary>
    public static string SearchableMessage(string? title, string? message) => title + "\n" + message;

    /// <summary>The searchable projection of <paramref name="signal"/>.</summary>
    public static LogEvent Searchable(SecuritySignal signal)
    {
        var attributes = (JsonObject)signal.Attributes.DeepClone();
        attributes["title"] = signal.Title;
        attributes["severity"] = signal.Severity;
        attributes["workflow"] = new JsonObject
        {
            ["rule"] = new JsonObject { ["id"] = signal.RuleId, ["name"] = signal.RuleName, ["version"] = signal.RuleVersion },
            ["triage"] = new JsonObject { ["state"] = signal.TriageState, ["archive_reason"] = signal.ArchiveReason },
            ["first_seen"] = signal.FirstSeen.ToUnixTimeMilliseconds(),
            ["last_seen"] = signal.LastSeen.ToUnixTimeMilliseconds(),
            ["group_key"] = signal.GroupKey,
        };
        foreach (var (field, value) in signal.GroupBy.Where(g => g.Key.StartsWith('@')))
        {
            if (!AttributePath.Values(attributes, field[1..]).Any())
            {
                AttributePath.Set(attributes, field[1..], value);
            }
        }
        return new LogEvent
        {
            Id = signal.Id,
            Timestamp = signal.Timestamp,
            Status = signal.Severity,
            Source = "vigil",
            Message = SearchableMessage(signal.Title, signal.Message),
            Tags = signal.Tags,
            Attributes = attributes,
        };
    }
}
