using System.Text.Json.Nodes;
using Portal.Detection.Events;

namespace Portal.Detection.Signals;

/// <summary>
/// A signal seen as an event, for signal correlation rules: its attributes (from the events that raised it) plus
/// <c>@rule.id</c>, <c>@rule.name</c> and <c>@severity</c>, its group values where the events had none (attributes, or
/// <c>host</c>/<c>service</c>, or a tag for a tag key), its title as the message, its tags, and its severity as the status.
/// Stamped when it was raised, so correlation rules can group by any field the signals were grouped by.
/// </summary>
public static class SignalEvents
{
    /// <summary>The event standing for <paramref name="signal"/>.</summary>
    public static LogEvent From(SecuritySignal signal)
    {
        var attributes = (JsonObject)signal.Attributes.DeepClone();
        attributes["rule"] = new JsonObject { ["id"] = signal.RuleId, ["name"] = signal.RuleName };
        attributes["severity"] = signal.Severity;
        var tags = new List<string>(signal.Tags);
        string? host = null, service = null;
        foreach (var (field, value) in signal.GroupBy)
        {
            switch (field)
            {
                case ['@', .. var path]:
                    if (!AttributePath.Exists(attributes, path))
                    {
                        AttributePath.Set(attributes, path, value);
                    }
                    break;
                case ReservedAttributes.Host:
                    host = value;
                    break;
                case ReservedAttributes.Service:
                    service = value;
                    break;
                case not (ReservedAttributes.Source or ReservedAttributes.Status or ReservedAttributes.Message):
                    tags.Add($"{field}:{value}");
                    break;
            }
        }
        return new LogEvent
        {
            Id = signal.Id,
            Timestamp = signal.Timestamp,
            Message = signal.Title,
            Status = signal.Severity,
            Source = "signal",
            Host = host,
            Service = service,
            Tags = tags.Distinct(StringComparer.Ordinal).ToList(),
            Attributes = attributes,
        };
    }
}
