using System.Text.Json.Nodes;
using Portal.Detection.Signals;

namespace Portal.Web.Features.Signals;

/// <summary>Datadog's JSON:API shape of a signal: <c>{id, type: "signal", attributes: {timestamp, message, tags, custom}}</c>.</summary>
public static class SignalResource
{
    public static JsonObject From(SecuritySignal s)
    {
        var custom = (JsonObject)s.Attributes.DeepClone();
        custom["title"] = s.Title;
        custom["status"] = s.Severity;
        custom["severity"] = s.Severity;
        custom["group_by"] = new JsonObject(s.GroupBy.Select(g => KeyValuePair.Create(g.Key, (JsonNode?)g.Value)));
        custom["events_matched"] = s.EventsMatched;
        custom["events_matched_by_query"] = new JsonObject(s.EventsMatchedByQuery.Select(g => KeyValuePair.Create(g.Key, (JsonNode?)g.Value)));
        custom["samples"] = new JsonArray(s.SampleEventIds.Select(id => (JsonNode?)id).ToArray());
        custom["workflow"] = new JsonObject
        {
            ["first_seen"] = s.FirstSeen.ToString("O"),
            ["last_seen"] = s.LastSeen.ToString("O"),
            ["rule"] = new JsonObject { ["id"] = s.RuleId, ["name"] = s.RuleName, ["version"] = s.RuleVersion, ["type"] = "log_detection" },
            ["triage"] = TriageAttributes(s),
        };
        return new JsonObject
        {
            ["id"] = s.Id,
            ["type"] = "signal",
            ["attributes"] = new JsonObject
            {
                ["timestamp"] = s.Timestamp.ToString("O"),
                ["message"] = s.Message,
                ["tags"] = new JsonArray(s.Tags.Select(t => (JsonNode?)t).ToArray()),
                ["custom"] = custom,
            },
        };
    }

    /// <summary>The triage part: state, archive reason and comment.</summary>
    public static JsonObject TriageAttributes(SecuritySignal s) => new()
    {
        ["state"] = s.TriageState,
        ["archive_reason"] = s.ArchiveReason,
        ["archive_comment"] = s.ArchiveComment,
    };
}
