using System.Text.Json.Nodes;
using Portal.Detection.Signals;

namespace Portal.Detection.Tests.Signals;

public class SignalEventsTests
{
    [Fact]
    public void From_Signal_CarriesRuleSeverityAndEveryKindOfGroupValue()
    {
        var signal = new SecuritySignal
        {
            Id = "s1",
            RuleId = "brute-force",
            RuleName = "SSH brute force",
            Title = "SSH brute force",
            Severity = "high",
            Timestamp = new DateTimeOffset(2026, 3, 3, 14, 0, 0, TimeSpan.Zero),
            Tags = ["source:ssh"],
            GroupBy = new Dictionary<string, string> { ["host"] = "bastion-1", ["service"] = "sshd", ["env"] = "prod", ["@usr.name"] = "root" },
            Attributes = new JsonObject { ["network"] = new JsonObject { ["client"] = new JsonObject { ["ip"] = "203.0.113.77" } } },
        };

        var e = SignalEvents.From(signal);

        Assert.Equal(("bastion-1", "sshd", "signal", "high"), (e.Host, e.Service, e.Source, e.Status));
        Assert.Equal(["source:ssh", "env:prod"], e.Tags);
        Assert.Equal("brute-force", e.GetAttribute("rule.id")[0].Text);
        Assert.Equal("root", e.GetAttribute("usr.name")[0].Text);
        Assert.Equal("203.0.113.77", e.GetAttribute("network.client.ip")[0].Text);
        Assert.Equal(signal.Timestamp, e.Timestamp);
    }
}
