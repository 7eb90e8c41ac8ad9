using System.Text.Json.Nodes;
using Portal.Detection.Events;

namespace Portal.Detection.Signals;

/// <summary>
/// A signal seen as an event, for signal correlation rules: its attributes (from the events that raised it) plus
/// <c>@rule.id</c>, <c>@rule.name</c> and <c>@severity</c>, its group values as attributes where the events had none,
/// its title as the message, its tags, and its severity as the status. Stamped when it was raised.
/// </summary>
public static class SignalEvents
{
    /// <summary>The event standing for <paramref name="signal"/>.</summary>
    public static LogEvent From(SecuritySignal signal)
    {
        var attributes = (JsonObject)signal.Attributes.DeepClone();
        attributes["rule"] = new JsonObject { ["id"] = signal.RuleId, ["name"] = signal.RuleName };
        attributes["severity"] = signal.Severity;
        foreach (var (field, value) in signal.GroupBy)
        {
            if (field.StartsWith('@') && !AttributePath.Exists(attributes, field[1..]))
            {
                AttributePath.Set(attributes, field[1..], value);
            }
        }
        return new LogEvent
        {
            Id = signal.Id,
            Timestamp = signal.Timestamp,
            Message = signal.Title,
            Status = signal.Severity,
            Source = "signal",
            Tags = [.. signal.Tags],
            Attributes = attributes,
        };
    }
}
