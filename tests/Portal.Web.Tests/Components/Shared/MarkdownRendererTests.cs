using Portal.Web.Components.Shared;

namespace Portal.Web.Tests.Components.Shared;

public sealed class MarkdownRendererTests
{
    [Fact]
    public void ToHtml_RuleMessage_RendersHeadingsListsCodeAndEmphasis()
    {
        var html = MarkdownRenderer.ToHtml("""
            203.0.113.7 failed **12** times.

            ## Goal
            Detect `sshd` brute force.

            ## Triage and response
            1. Check the *source* IP.
            2. Block it.
            - see [runbook](https://runbooks.example.test/ssh)
            """);

        Assert.Equal(
            "<p>203.0.113.7 failed <strong>12</strong> times.</p><h4>Goal</h4><p>Detect <code>sshd</code> brute force.</p>"
            + "<h4>Triage and response</h4><ol><li>Check the <em>source</em> IP.</li><li>Block it.</li></ol>"
            + "<ul><li>see <a href=\"https://runbooks.example.test/ssh\" target=\"_blank\" rel=\"noopener noreferrer\">runbook</a></li></ul>",
            html);
    }

    [Theory]
    [InlineData("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;")]
    [InlineData("[x](javascript:alert(1))", "[x](javascript:alert(1))")]
    [InlineData("user \"><img src=x onerror=alert(1)>", "user &quot;&gt;&lt;img src=x onerror=alert(1)&gt;")]
    public void ToHtml_HostileText_IsEncodedAndUnsafeLinksDropped(string markdown, string expectedInner)
    {
        Assert.Equal($"<p>{expectedInner}</p>", MarkdownRenderer.ToHtml(markdown));
    }

    /// <summary>The escapes' own markers in the text (a log's value may hold any character) are shown as replaced, not read as escapes.</summary>
    [Fact]
    public void ToHtml_TheEscapesMarkersInTheText_AreNotReadAsEscapes()
    {
        Assert.Equal("<p>a \uFFFD7\uFFFD b \uFFFD99999999999\uFFFD *</p>", MarkdownRenderer.ToHtml("a \u00017\u0002 b \u000199999999999\u0002 \\*"));
    }

    [Fact]
    public void ToHtml_EscapedValueFromALog_ShowsLiterallyWithoutLinkOrEmphasis()
    {
        var value = Portal.Detection.Signals.MessageTemplate.EscapeMarkdown("[click](https://evil.example) *now* ci_deployer");

        Assert.Equal("<p>user [click](https://evil.example) *now* ci_deployer</p>", MarkdownRenderer.ToHtml("user " + value));
    }
}
