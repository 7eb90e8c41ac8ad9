using System.Text.Json.Nodes;
using Portal.Detection.Events;
using Portal.Detection.Query;

namespace Portal.Detection.Tests.Sigma;

public class SigmaQueryTextTests
{
    public static TheoryData<string> Literals => new(
        "plain",
        "two words",
        "tab\tand\nnewline",
        @"C:\Windows\System32\",
        "a*b?c",
        "\"quoted\"",
        "(parens) and [brackets] and {braces}",
        "-leading-dash",
        ">=500",
        "<5",
        "[1 TO 5]",
        "{1 TO 5}",
        "CIDR(10.0.0.0/8)",
        "cidr(x",
        "key:value",
        "@attr:value",
        "http://example.com/a?b=c&d=e|f",
        "AND",
        "OR",
        "NOT",
        "${jndi:ldap://x}",
        "+plus=equals!bang^caret~tilde",
        "\u201Csmart quotes\u201D",
        "trailing backslash\\",
        "\\",
        "*",
        "?",
        "émoji 🛡️ ünïcode",
        "'single'");

    [Theory]
    [MemberData(nameof(Literals))]
    public void Escape_AttributeValue_ParsesBackToTheLiteralAndMatchesOnlyIt(string literal)
    {
        var node = QueryParser.Parse("@f:" + QueryText.Escape(literal));

        var term = Assert.IsType<TermNode>(node);
        Assert.Equal(TermKind.Exact, term.Kind);
        Assert.Equal(literal, term.Value);
        Assert.True(QueryMatcher.Matches(node, Event(literal)));
        Assert.False(QueryMatcher.Matches(node, Event(literal + "x")));
        Assert.False(QueryMatcher.Matches(node, Event("x" + literal)));
    }

    [Theory]
    [MemberData(nameof(Literals))]
    public void Escape_BetweenWildcards_MatchesTheLiteralAsASubstringOnly(string literal)
    {
        var node = QueryParser.Parse("@f:*" + QueryText.Escape(literal) + "*");

        Assert.True(QueryMatcher.Matches(node, Event("before " + literal + " after")));
        Assert.True(QueryMatcher.Matches(node, Event(literal)));
        // The escaped wildcards of the literal are literal: a value without them does not match.
        Assert.False(QueryMatcher.Matches(node, Event("no match here")));
    }

    [Theory]
    [MemberData(nameof(Literals))]
    public void Escape_InsideALargerQuery_KeepsTheQueryStructure(string literal)
    {
        var node = QueryParser.Parse($"source:cloudtrail (@f:{QueryText.Escape(literal)} OR @g:x) -@h:*");

        var and = Assert.IsType<AndNode>(node);
        Assert.Equal(3, and.Children.Count);
        var or = Assert.IsType<OrNode>(and.Children[1]);
        Assert.Equal(literal, Assert.IsType<TermNode>(or.Children[0]).Value);
    }

    [Fact]
    public void Escape_DatadogSpecialCharacters_AreAllBackslashed()
    {
        Assert.Equal(@"a\ b\:c\/d\-e\*f\?g\(h\)\""i\\j", QueryText.Escape("a b:c/d-e*f?g(h)\"i\\j"));
        Assert.Equal("eu.west_1", QueryText.Escape("eu.west_1"));
    }

    private static LogEvent Event(string value) => new()
    {
        Id = "e",
        Attributes = new JsonObject { ["f"] = value },
    };
}
