using Portal.Detection.Query;
using Portal.Detection.Signals;
using Portal.Web.Features.Signals;

namespace Portal.Web.Tests.Features.Signals;

/// <summary>What the Signals page's query bar completes, as the signal store searches signals.</summary>
public sealed class SignalCompletionsTests
{
    private static SecuritySignal Signal(string id, string severity, params string[] tags) => new()
    {
        Id = id, RuleId = "rule-1", RuleName = "SSH brute force", Severity = severity, Tags = [.. tags],
        GroupBy = new Dictionary<string, string> { ["@network.client.ip"] = $"203.0.113.{id.Length}" },
    };

    /// <summary>
    /// Tags named <c>status</c> or <c>message</c> are not offered as tags, which the query language reads as the severity
    /// and free text (and a tag named status beside the severity must not break the page); a signal's <c>source:sshd</c>
    /// is, as the store searches it; other tags, the severity and the attributes are, most common first.
    /// </summary>
    [Fact]
    public void Of_ReservedTagNames_AreNotTags()
    {
        var (fields, values) = SignalCompletions.Of([Signal("a", "high", "source:sshd", "status:weird", "env:prod"), Signal("bb", "medium", "env:prod", "message:x")]);

        Assert.DoesNotContain(fields, f => f.Kind == FieldKind.Tag && f.Name is "status" or "message");
        Assert.Equal(["sshd"], values["source"].Select(v => v.Value));
        Assert.Equal(["high", "medium"], values["status"].Select(v => v.Value).Order());
        Assert.Equal(("prod", 2L), (values["env"][0].Value, values["env"][0].Count));
        Assert.Equal(2, fields.Single(f => f.QueryName == "@network.client.ip").Documents);
        Assert.Equal(["203.0.113.1", "203.0.113.2"], values["@network.client.ip"].Select(v => v.Value).Order());
        Assert.Equal(["open"], values["@workflow.triage.state"].Select(v => v.Value));
    }
}
