using System.Text.Json.Nodes;
using Portal.Detection.Events;
using Portal.Detection.Query;
using Portal.Detection.Signals;

namespace Portal.Search.Lucene;

/// <summary>
/// Projects a signal onto the event shape so the log query language searches it as Datadog's
/// Signals Explorer does: <c>status:high</c>, <c>@workflow.triage.state:open</c>, <c>@workflow.rule.name:"..."</c>,
/// tags (<c>source:sshd</c>, see <see cref="Query"/>), copied attributes such as <c>@network.client.ip</c>, and free text
/// over title and message.
/// </summary>
public static class SignalDocument
{
    /// <summary>Attribute path of the rule id.</summary>
    public const string RuleIdPath = "workflow.rule.id";

    /// <summary>Attribute path of the signal's group key (<see cref="SecuritySignal.GroupKey"/>).</summary>
    public const string GroupKeyPath = "workflow.group_key";

    /// <summary>
    /// What the Signals Explorer counts the signals found by, beside their severity (<c>status</c>): the triage state, the
    /// rule, the commonest group-by attributes, and the tags of the sources, tactics and techniques.
    /// </summary>
    public static readonly (IReadOnlyList<string> Attributes, IReadOnlyList<string> TagKeys) Facets =
        (["workflow.triage.state", "workflow.rule.name", "network.client.ip", "usr.name"], [ReservedAttributes.Source, "tactic", "technique"]);

    /// <summary>The text free text searches in a signal: its title, then its message.</summary>
    public static string SearchableMessage(string? title, string? message) => title + "\n" + message;

    /// <summary>
    /// <paramref name="query"/> as signals answer it. A signal has no host, service or source of its own (its
    /// <c>status</c> is its severity): <c>host:</c>, <c>service:</c> and <c>source:</c> search its tags of those names,
    /// as in Datadog's Signals Explorer, where every signal is tagged with the sources of the logs it was raised on
    /// (<c>source:sshd</c>) and its rule's tags. Values and existence are; a range or a network of those names is left as
    /// the query language reads it (of the attribute), as a tag holds text.
    /// </summary>
    public static QueryNode Query(QueryNode query) => query switch
    {
        AndNode and => and with { Children = [.. and.Children.Select(Query)] },
        OrNode or => or with { Children = [.. or.Children.Select(Query)] },
        NotNode not => not with { Child = Query(not.Child) },
        TermNode term when IsTag(term.Field) => term with { Field = new FieldRef(FieldKind.Tag, term.Field.Name) },
        ExistsNode exists when IsTag(exists.Field) => exists with { Field = new FieldRef(FieldKind.Tag, exists.Field.Name) },
        _ => query,
    };

    /// <summary>Whether a signal's <paramref name="field"/> is its tag of that name: the reserved attributes but <c>status</c>.</summary>
    public static bool IsTag(FieldRef field) => field.Kind == FieldKind.Reserved && field.Name != ReservedAttributes.Status;

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
        var tags = signal.Tags;
        foreach (var (field, value) in signal.GroupBy)
        {
            if (field.StartsWith('@'))
            {
                if (!AttributePath.Values(attributes, field[1..]).Any())
                {
                    AttributePath.Set(attributes, field[1..], value);
                }
            }
            else if (field is not (ReservedAttributes.Status or ReservedAttributes.Message) && $"{field}:{value}" is var tag && !tags.Contains(tag))
            {
                // A group's host, service, source or tag value is searched as the signal's tag of that name (host:web-1).
                tags = [.. tags, tag];
            }
        }
        return new LogEvent
        {
            Id = signal.Id,
            Timestamp = signal.Timestamp,
            Status = signal.Severity,
            Message = SearchableMessage(signal.Title, signal.Message),
            Tags = tags,
            Attributes = attributes,
        };
    }
}
