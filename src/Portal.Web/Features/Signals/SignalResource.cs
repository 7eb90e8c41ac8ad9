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

    /// <summary>
    /// The triage part, as Datadog's triage attributes: the state, the archive reason and comment when archived, and the
    /// assignee and incidents Datadog's clients require (Vigil assigns no one: an empty user).
    /// </summary>
    public static JsonObject TriageAttributes(SecuritySignal s)
    {
        var triage = new JsonObject { ["state"] = s.TriageState };
        if (s.ArchiveReason is { } reason)
        {
            triage["archive_reason"] = reason;
        }
        if (s.ArchiveComment is { } comment)
        {
            triage["archive_comment"] = comment;
        }
        triage["assignee"] = new JsonObject { ["uuid"] = "" };
        triage["incident_ids"] = new JsonArray();
        return triage;
    }
}
