using Portal.Detection.Events;
using Portal.Detection.Query;

namespace Portal.Detection.Tests.Query;

/// <summary>The free-text terms of a query highlighted in a message, found as the matcher finds them.</summary>
public class TextHighlightsTests
{
    [Theory]
    [InlineData("password", "Failed password for root", "Failed [password] for root")]
    [InlineData("PASSWORD", "Failed Password for root", "Failed [Password] for root")]
    [InlineData("\"failed password\"", "Failed password for root", "[Failed password] for root")]
    [InlineData("failed password", "Failed password for root", "[Failed] [password] for root")]
    [InlineData("\"failed password\" password", "Failed password for root", "[Failed password] for root")]
    [InlineData("pass*", "Failed password for root", "Failed [password] for root")]
    [InlineData("*ssw*", "Failed password for root", "Failed [password] for root")]
    [InlineData("p?ssword", "Failed password for root", "Failed [password] for root")]
    [InlineData("-password root", "Accepted publickey for root", "Accepted publickey for [root]")]
    [InlineData("NOT (failed OR root) password", "Reset password for admin", "Reset [password] for admin")]
    [InlineData("password OR root", "Failed password for root", "Failed [password] for [root]")]
    [InlineData("host:web-1 @usr.name:root password", "Failed password for root", "Failed [password] for root")]
    [InlineData(@"*invalid\ user*", "Failed password for Invalid user admin", "Failed password for [Invalid user] admin")]
    [InlineData("root", "root_user and root", "root_user and [root]")]
    [InlineData("fail", "Failed password for root", "Failed password for root")]
    [InlineData("*", "Failed password for root", "Failed password for root")]
    [InlineData("élodie", "Welcome, Élodie!", "Welcome, [Élodie]!")]
    public void Find_FreeTextTerms_MarksWhatTheMatcherFinds(string query, string message, string expected)
    {
        var node = QueryParser.Parse(query);
        var spans = TextHighlights.Find(message, TextHighlights.Terms(node));

        Assert.Equal(expected, Marked(message, spans));
        // Whatever is highlighted belongs to a message the query matches.
        if (spans.Count > 0)
        {
            Assert.True(QueryMatcher.Compile(node)(new LogEvent { Id = "e", Message = message, Host = "web-1", Attributes = new() { ["usr"] = new System.Text.Json.Nodes.JsonObject { ["name"] = "root" } } }));
        }
    }

    [Fact]
    public void Find_NothingToFind_NoSpans()
    {
        Assert.Empty(TextHighlights.Find(null, TextHighlights.Terms(QueryParser.Parse("password"))));
        Assert.Empty(TextHighlights.Find("Failed password", []));
        Assert.Empty(TextHighlights.Terms(null));
        Assert.Empty(TextHighlights.Terms(QueryParser.Parse("-password service:sshd")));
    }

    private static string Marked(string message, List<(int Start, int Length)> spans)
    {
        var marked = message;
        foreach (var (start, length) in Enumerable.Reverse(spans))
        {
            marked = marked.Insert(start + length, "]").Insert(start, "[");
        }
        return marked;
    }
}
