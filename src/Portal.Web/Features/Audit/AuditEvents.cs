using System.Text.Json.Nodes;
using Portal.Data.Audit;
using Portal.Detection.Events;
using Portal.Detection.Query;

namespace Portal.Web.Features.Audit;

/// <summary>
/// An audit entry as the query language and Datadog's Audit Trail see it: <c>@evt.name</c> (the action),
/// <c>@evt.outcome</c>, <c>@usr.id</c>, <c>@usr.email</c>, <c>@usr.type</c>, <c>@asset.type</c>, <c>@asset.id</c>,
/// <c>@asset.name</c>, <c>@network.client.ip</c>, and a sentence as message. The page and the API search the same shape.
/// </summary>
public static class AuditEvents
{
    /// <summary>The searchable event of an entry.</summary>
    public static LogEvent ToEvent(AuditEntry entry) => new()
    {
        Id = entry.Id.ToString(),
        Timestamp = entry.At,
        Service = "vigil",
        Source = "audit",
        Status = entry.Outcome == AuditOutcomes.Success ? "info" : "warn",
        Message = Describe(entry),
        Attributes = Attributes(entry),
    };

    /// <summary>A filter over entries from a query in the log search syntax (already parsed).</summary>
    public static Func<AuditEntry, bool> Filter(QueryNode query)
    {
        var matches = QueryMatcher.Compile(query);
        return entry => matches(ToEvent(entry));
    }

    /// <summary>The entry's attributes, nested as Datadog's audit events nest them.</summary>
    public static JsonObject Attributes(AuditEntry entry)
    {
        var attributes = new JsonObject
        {
            ["evt"] = new JsonObject { ["name"] = entry.Action, ["outcome"] = entry.Outcome },
            ["usr"] = new JsonObject { ["id"] = entry.ActorId?.ToString(), ["email"] = entry.ActorName, ["type"] = entry.ActorType },
            ["asset"] = new JsonObject { ["type"] = entry.TargetType, ["id"] = entry.TargetId, ["name"] = entry.TargetName },
            ["action"] = entry.Action[(entry.Action.IndexOf('.') + 1)..],
        };
        if (entry.Ip is not null)
        {
            attributes["network"] = new JsonObject { ["client"] = new JsonObject { ["ip"] = entry.Ip } };
        }
        if (entry.Message is not null)
        {
            attributes["reason"] = entry.Message;
        }
        if (Parse(entry.Before) is { } before)
        {
            attributes["before"] = before;
        }
        if (Parse(entry.After) is { } after)
        {
            attributes["after"] = after;
        }
        return attributes;
    }

    /// <summary>One sentence for people: "alice@acme.test updated rule SSH brute force".</summary>
    public static string Describe(AuditEntry entry)
    {
        var verb = entry.Action[(entry.Action.IndexOf('.') + 1)..].Replace('_', ' ');
        var target = entry.TargetName is { Length: > 0 } name ? $"{entry.TargetType.Replace('_', ' ')} {name}" : entry.TargetType.Replace('_', ' ');
        var sentence = entry.Action switch
        {
            "access.denied" => $"{entry.ActorName} was refused {entry.TargetId}",
            _ when entry.Action.StartsWith("signin.", StringComparison.Ordinal) => $"sign-in {verb} for {entry.TargetName ?? entry.ActorName}",
            _ => $"{entry.ActorName} {verb} {target}",
        };
        return entry.Message is { Length: > 0 } message ? $"{sentence}: {message}" : sentence;
    }

    private static JsonNode? Parse(string? json)
    {
        if (json is null)
        {
            return null;
        }
        try
        {
            return JsonNode.Parse(json);
        }
        catch (System.Text.Json.JsonException)
        {
            return json;
        }
    }
}
