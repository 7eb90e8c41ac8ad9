using System.Text.Json.Nodes;
using Portal.Detection.Events;
using Portal.Detection.Signals;

namespace Portal.Detection.Tests.Signals;

public class MessageTemplateTests
{
    private static readonly LogEvent Sample = new()
    {
        Id = "e1",
        Source = "cloudtrail",
        Attributes = new JsonObject { ["usr"] = new JsonObject { ["name"] = "alice" }, ["evt"] = new JsonObject { ["name"] = "ConsoleLogin" }, ["empty"] = "" },
    };

    [Theory]
    [InlineData("A{{#if @usr.name}}B{{else}}C{{/if}}D", "ABD")]
    [InlineData("A{{#if @missing}}B{{else}}C{{/if}}D", "ACD")]
    [InlineData("A{{#if @empty}}B{{/if}}D", "AD")]
    [InlineData("{{#is_match \"@evt.name\" \"Console*\"}}login{{/is_match}}", "login")]
    [InlineData("{{#is_match \"@evt.name\" \"Get*\" \"Console*\"}}one of{{/is_match}}", "one of")]
    [InlineData("{{^is_match \"@evt.name\" \"Console*\"}}not a login{{/is_match}}!", "!")]
    [InlineData("{{#is_exact_match \"@evt.name\" \"ConsoleLogin\"}}exact{{/is_exact_match}}", "exact")]
    [InlineData("{{#is_exact_match \"@evt.name\" \"Console\"}}exact{{/is_exact_match}}", "")]
    [InlineData("{{#if @usr.name}}{{#if @missing}}x{{else}}{{@usr.name}}{{/if}}{{else}}none{{/if}}", "alice")]
    [InlineData("{{#if @missing}}{{#if @usr.name}}x{{else}}y{{/if}}{{else}}none{{/if}}", "none")]
    [InlineData("{{/if}} {{#unknown x}} {x}", "{{/if}} {{#unknown x}} {x}")]
    [InlineData("{{rule_name}} by {{@usr.name}} ({{events_matched}})", "Rule by alice (3)")]
    public void Render_ConditionalsAndVariables_AsDatadogRendersThem(string template, string expected)
    {
        Assert.Equal(expected, MessageTemplate.Render(template, "Rule", 3, new Dictionary<string, string>(), Sample));
    }

    [Fact]
    public void Render_NestingBeyondTheLimit_IsLeftAsWrittenInsteadOfOverflowingTheStack()
    {
        var deep = string.Concat(Enumerable.Repeat("{{#if @usr.name}}", 100_000)) + "x" + string.Concat(Enumerable.Repeat("{{/if}}", 100_000));

        var rendered = MessageTemplate.Render(deep, "Rule", 1, new Dictionary<string, string>(), Sample);

        Assert.Contains("x", rendered, StringComparison.Ordinal);
        Assert.StartsWith("{{#if @usr.name}}", rendered[..Math.Min(rendered.Length, 20)], StringComparison.Ordinal);
    }
}
