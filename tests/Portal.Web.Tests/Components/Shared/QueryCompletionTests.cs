using Portal.Detection.Query;
using Portal.Search;
using Portal.Web.Components.Shared;

namespace Portal.Web.Tests.Components.Shared;

public class QueryCompletionTests
{
    private static readonly IReadOnlyList<FieldSummary> Fields =
    [
        new(FieldKind.Attribute, "network.client.ip", 900),
        new(FieldKind.Tag, "env", 800),
        new(FieldKind.Attribute, "http.status_code", 400),
        new(FieldKind.Attribute, "usr.name", 50),
    ];

    private static readonly IReadOnlyDictionary<string, IReadOnlyList<FacetValue>> Facets = new Dictionary<string, IReadOnlyList<FacetValue>>
    {
        ["status"] = [new("error", 12), new("info", 900)],
        ["@usr.name"] = [new("John Doe", 3), new("root", 40)],
    };

    [Theory]
    [InlineData("", "")]
    [InlineData("source:sshd ", "")]
    [InlineData("\"failed @", "")]
    [InlineData("@net", "@network.client.ip:")]
    [InlineData("source:sshd -@ht", "source:sshd -@http.status_code:")]
    [InlineData("(a OR @usr", "(a OR @usr.name:")]
    [InlineData("@client", "@network.client.ip:")]
    [InlineData("st", "status:")]
    [InlineData("en", "env:")]
    [InlineData("status:e", "status:error")]
    [InlineData("x @usr.name:J", "x @usr.name:\"John Doe\"")]
    [InlineData("@usr.name:root", "")]
    [InlineData("unknown:a", "")]
    public void Suggest_LastTerm_CompletesFieldsThenValues(string query, string first)
    {
        var suggestions = QueryCompletion.Suggest(query, Fields, Facets);

        Assert.Equal(first, suggestions.FirstOrDefault()?.Query ?? "");
    }

    [Fact]
    public void Suggest_AttributePrefix_MostCommonFirstWithCounts()
    {
        var suggestions = QueryCompletion.Suggest("@", Fields, Facets);

        Assert.Equal(["@network.client.ip:", "@http.status_code:", "@usr.name:"], suggestions.Select(s => s.Label));
        Assert.Equal("attribute · 900", suggestions[0].Detail);
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("John Doe", "\"John Doe\"")]
    [InlineData("a:b", "\"a:b\"")]
    [InlineData("C:\\Temp \"x\"", "\"C:\\\\Temp \\\"x\\\"\"")]
    [InlineData("", "\"\"")]
    [InlineData("<nil>", "\"<nil>\"")]
    [InlineData(">5", "\">5\"")]
    public void Quote_Value_ParsesBackToItself(string value, string expected)
    {
        Assert.Equal(expected, QueryCompletion.Quote(value));
        var term = Assert.IsType<TermNode>(QueryParser.Parse("@a:" + expected));
        Assert.Equal(value, term.Value);
    }
}
