using System.Text.Json.Nodes;
using Portal.Detection.Events;
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

    /// <summary>The field whose value the last term types, which the query bar asks the values of when no facet counted them.</summary>
    [Theory]
    [InlineData("@usr.name:ro", "@usr.name")]
    [InlineData("service:sshd -@usr.name:", "@usr.name")]
    [InlineData("(a OR env:pr", "env")]
    [InlineData("host", null)]
    [InlineData("host:web ", null)]
    [InlineData("\"failed host:", null)]
    [InlineData("", null)]
    public void ValueField_TheFieldBeingTyped(string query, string? expected) => Assert.Equal(expected, QueryCompletion.ValueField(query));

    /// <summary>A facet's range of numbers as a term: both bounds included, or one alone; none without a bound, the wrong way round, or for a name no query can use.</summary>
    [Theory]
    [InlineData("@duration", 10.0, 200.0, "@duration:[10 TO 200]")]
    [InlineData("@duration", 0.25, null, "@duration:>=0.25")]
    [InlineData("@duration", null, 1e6, "@duration:<=1000000")]
    [InlineData("@delta", -3.5, -1.0, "@delta:[-3.5 TO -1]")]
    [InlineData("@duration", null, null, null)]
    [InlineData("@duration", 5.0, 1.0, null)]
    [InlineData("@a b", 1.0, 2.0, null)]
    public void Range_Bounds(string field, double? from, double? to, string? expected)
    {
        Assert.Equal(expected, QueryCompletion.Range(field, from, to));
        if (expected is not null)
        {
            Assert.True(QueryParser.TryParse(expected, out var node, out _));
            var range = Assert.IsType<RangeNode>(node);
            Assert.Equal((from, to), (range.Lower, range.Upper));
        }
    }

    /// <summary>A field's presence and absence as terms; a name the query language cannot search by, none.</summary>
    [Theory]
    [InlineData("@http.method", false, "@http.method:*")]
    [InlineData("@http.method", true, "-@http.method:*")]
    [InlineData("status", false, "status:*")]
    [InlineData("env", true, "-env:*")]
    [InlineData("@a b", false, null)]
    [InlineData("a:b", true, null)]
    public void Exists_PresenceOrAbsence(string field, bool absent, string? expected)
    {
        Assert.Equal(expected, QueryCompletion.Exists(field, absent));
        if (expected is not null)
        {
            Assert.True(QueryParser.TryParse(expected, out var node, out _));
            Assert.IsType(absent ? typeof(NotNode) : typeof(ExistsNode), node);
        }
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

    /// <summary>
    /// What an event's attribute tree offers (<see cref="QueryCompletion.Term"/> of each value at its path): the filter
    /// keeps the event and the exclusion drops it, whatever the value holds (spaces, quotes, colons, operators, wildcard
    /// characters, a leading minus, escapes, other scripts), and for values in arrays and nested objects.
    /// </summary>
    [Fact]
    public void Term_OfEveryAttributeValue_MatchesItsEventAndExcludesIt()
    {
        string[] awkward =
        [
            "plain", "John Doe", "a:b", "C:\\Temp \"x\"", "<nil>", ">5", "-1", "-rf", "OR", "AND", "NOT", "not", "(x)", "a*b", "a?b", "[1 TO 2]",
            "{a}", "x\\y", "GET /a?b=c&d=e", "Mozilla/5.0 (X11; Linux x86_64)", "élan ünïcode 日本", "  padded  ", "tab\there", "*", "?", "\\",
            "ends with \\", "\"", "true", "0", "203.0.113.7", "2001:db8::1", "10.0.0.0/8", "@usr.name:root", "a AND b", "TO",
        ];
        var attributes = new JsonObject
        {
            ["num"] = 42,
            ["fraction"] = -0.25,
            ["flag"] = true,
            ["list"] = new JsonArray("one", 2, "three four"),
            ["deep"] = new JsonObject { ["er"] = new JsonObject { ["value"] = "nested value" } },
            ["objects"] = new JsonArray(new JsonObject { ["name"] = "first" }, new JsonObject { ["name"] = "second one" }),
        };
        for (var i = 0; i < awkward.Length; i++)
        {
            attributes[$"v{i}"] = awkward[i];
        }
        var e = new LogEvent { Id = "e1", Timestamp = DateTimeOffset.UnixEpoch, Attributes = attributes };
        var leaves = AttributePath.Flatten(e.Attributes).ToList();
        Assert.Equal(awkward.Length + 9, leaves.Count);
        foreach (var (path, value) in leaves)
        {
            var keep = QueryCompletion.Term("@" + path, value.Text);
            var drop = QueryCompletion.Term("@" + path, value.Text, exclude: true);
            Assert.NotNull(keep);
            Assert.True(QueryMatcher.Matches(QueryParser.Parse(keep), e), $"{keep} should match the event it was taken from");
            Assert.False(QueryMatcher.Matches(QueryParser.Parse(drop!), e), $"{drop} should not match the event it was taken from");
        }
    }

    /// <summary>
    /// Keys the query language cannot name as a field get no term, rather than one that means something else
    /// (<c>@evt.Logon Type:3</c> is the free text <c>@evt.Logon</c> and the tag <c>Type:3</c>); nor do values too long to search by.
    /// </summary>
    [Theory]
    [InlineData("evt.Logon Type")]
    [InlineData("a:b")]
    [InlineData(".lead")]
    [InlineData("trail.")]
    [InlineData("x$y")]
    [InlineData("h#1")]
    [InlineData("")]
    [InlineData("a(b)")]
    public void Term_OfAFieldTheLanguageCannotName_IsNone(string path)
    {
        Assert.Null(QueryCompletion.Term("@" + path, "v"));
        Assert.Null(QueryCompletion.Term("@" + path, "v", exclude: true));
    }

    [Fact]
    public void Term_OfAVeryLongValue_IsNone()
    {
        Assert.NotNull(QueryCompletion.Term("@a", new string('x', QueryCompletion.MaxTermValue)));
        Assert.Null(QueryCompletion.Term("@a", new string('x', QueryCompletion.MaxTermValue + 1)));
    }

    /// <summary>AND binds tighter than OR: a query with an OR at its top is parenthesised before a term narrows it.</summary>
    [Theory]
    [InlineData("", "-@x:1", "-@x:1")]
    [InlineData("service:web", "-@x:1", "service:web -@x:1")]
    [InlineData(" service:web OR service:db ", "-@x:1", "(service:web OR service:db) -@x:1")]
    [InlineData("(a OR b) c", "@x:1", "(a OR b) c @x:1")]
    [InlineData("a OR", "@x:1", "a OR @x:1")]
    public void Narrowed_Query_AddsTheTermToAllOfIt(string query, string term, string expected)
    {
        Assert.Equal(expected, QueryCompletion.Narrowed(query, term));
    }

    /// <summary>A value the query keeps or excludes at its top is not asked for twice: the same term changes nothing, its opposite takes its place, and so does another value kept.</summary>
    [Theory]
    [InlineData("host:web-1", "-host:web-1", "-host:web-1")]
    [InlineData("service:store host:web-1 status:error", "-host:web-1", "service:store -host:web-1 status:error")]
    [InlineData("service:store AND host:web-1", "-host:web-1", "service:store AND -host:web-1")]
    [InlineData("host:web-1 AND service:store", "-host:web-1", "-host:web-1 AND service:store")]
    [InlineData("NOT host:web-1   \"failed password\"", "host:web-1", "host:web-1   \"failed password\"")]
    [InlineData("-@usr.name:\"a b\" env:prod", "@usr.name:\"a b\"", "@usr.name:\"a b\" env:prod")]
    [InlineData("host:\"web-1\"", "-host:web-1", "-host:web-1")]
    [InlineData("host:web-1 x", "host:web-1", "host:web-1 x")]
    [InlineData("-host:web-1", "-host:web-1", "-host:web-1")]
    // Another value of a reserved attribute kept in place of the one kept; exclusions add up.
    [InlineData("service:store host:web-1", "host:web-2", "service:store host:web-2")]
    [InlineData("-host:web-1 service:store", "-host:web-2", "-host:web-1 service:store -host:web-2")]
    [InlineData("-host:web-1", "host:web-2", "-host:web-1 host:web-2")]
    [InlineData("status:error env:prod", "status:warn", "status:warn env:prod")]
    // Values of a tag or an attribute add up: an event may hold several (tags team:a and team:b, an array).
    [InlineData("team:a", "team:b", "team:a team:b")]
    [InlineData("@http.status_code:500 env:prod", "@http.status_code:404", "@http.status_code:500 env:prod @http.status_code:404")]
    // Another value excluded, a wildcard, free text or a term inside parentheses: the term is added.
    [InlineData("host:web-1", "-host:web-2", "host:web-1 -host:web-2")]
    [InlineData("host:web-*", "-host:web-1", "host:web-* -host:web-1")]
    [InlineData("web-1", "-host:web-1", "web-1 -host:web-1")]
    [InlineData("(host:web-1) x", "-host:web-1", "(host:web-1) x -host:web-1")]
    [InlineData("Host:web-1", "-host:web-1", "Host:web-1 -host:web-1")]
    // A range of a number takes the place of the query's range of the same field; another field's is added.
    [InlineData("@duration:[10 TO 200] env:prod", "@duration:[20 TO 50]", "@duration:[20 TO 50] env:prod")]
    [InlineData("env:prod AND @duration:>=10", "@duration:<=5", "env:prod AND @duration:<=5")]
    [InlineData("@duration:>=10 AND env:prod", "@duration:[1 TO 5]", "@duration:[1 TO 5] AND env:prod")]
    [InlineData("(@duration:>=10) env:prod", "@duration:<=5", "(@duration:>=10) env:prod @duration:<=5")]
    [InlineData("@duration:>=10", "@bytes:[1 TO 2]", "@duration:>=10 @bytes:[1 TO 2]")]
    [InlineData("-@duration:>=10", "@duration:<=5", "-@duration:>=10 @duration:<=5")]
    // A group excluded (terms in parentheses) that the query already excludes, as written: not again; another, added.
    [InlineData("-(service:web @http.method:GET)", "-(service:web @http.method:GET)", "-(service:web @http.method:GET)")]
    [InlineData("env:prod -(service:web -@http.method:*) AND x", "-(service:web -@http.method:*)", "env:prod -(service:web -@http.method:*) AND x")]
    [InlineData("env:prod -(service:web @http.method:GET)", "-(service:api @http.method:GET)", "env:prod -(service:web @http.method:GET) -(service:api @http.method:GET)")]
    public void Narrowed_ByAFieldTheQueryHas_ReplacesTheOppositeOrTheOtherValueKeptAndDoesNotRepeatIt(string query, string term, string expected)
    {
        Assert.Equal(expected, QueryCompletion.Narrowed(query, term));
    }

    [Fact]
    public void Narrowed_OrQuery_ExcludesFromEveryBranch()
    {
        var e = new LogEvent { Id = "e1", Timestamp = DateTimeOffset.UnixEpoch, Service = "web", Attributes = new JsonObject { ["x"] = 1 } };
        var narrowed = QueryCompletion.Narrowed("service:web OR service:db", QueryCompletion.Term("@x", "1", exclude: true)!);

        Assert.False(QueryMatcher.Matches(QueryParser.Parse(narrowed), e), narrowed);
    }

    [Fact]
    public void TagTerm_OfEveryNamableTag_MatchesItsEventAndExcludesIt()
    {
        string[] tags = ["env:prod", "team:store front", "version:1.2.3", "url:https://x.test/a?b=c", "k:", "k:-1", "region:eu-west-1", "k:OR", "k:\"q\""];
        var e = new LogEvent { Id = "e1", Timestamp = DateTimeOffset.UnixEpoch, Tags = tags };
        foreach (var tag in tags)
        {
            var keep = QueryCompletion.TagTerm(tag);
            var drop = QueryCompletion.TagTerm(tag, exclude: true);
            Assert.NotNull(keep);
            Assert.True(QueryMatcher.Matches(QueryParser.Parse(keep), e), $"{keep} should match the event tagged {tag}");
            Assert.False(QueryMatcher.Matches(QueryParser.Parse(drop!), e), $"{drop} should not match the event tagged {tag}");
        }
        // A tag the language cannot name as one: no term.
        Assert.All(["bare", "host:web-1", "status:error", "message:x", "@a:b", "a b:c", ":x", "a+b:c", "team=x:y", "-k:v"], tag => Assert.Null(QueryCompletion.TagTerm(tag)));
    }
}
