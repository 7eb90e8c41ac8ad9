using System.Text.Json.Nodes;
using Portal.Detection.Events;
using Portal.Search.Elasticsearch;

namespace Portal.Search.Tests.Parity;

public class ElasticDocumentTests
{
    [Fact]
    public void Build_Event_TypesValuesAsTheEmbeddedIndexDoes()
    {
        var e = new LogEvent
        {
            Id = "e1",
            Timestamp = new DateTimeOffset(2026, 3, 3, 14, 2, 11, TimeSpan.Zero),
            Host = "web-1",
            Message = "Failed password",
            Tags = ["env:prod"],
            Attributes = JsonNode.Parse("""
                {"network":{"client":{"ip":"203.0.113.77","port":41822}},"delta":-0.0,"created":"2026-03-03 14:06:10+01:00",
                 "usr":"root","usr.name":"x","items":[{"qty":1},{"qty":2}]}
                """)!.AsObject(),
        };

        var doc = ElasticDocument.Build(e, LogEventJson.Serialize(e));

        Assert.Equal(1772546531000, doc["timestamp"]!.GetValue<long>());
        Assert.Equal("web-1", doc["host"]!.GetValue<string>());
        Assert.Equal("""["env:prod"]""", doc["tags"]!.ToJsonString());
        Assert.Equal("""{"network.client.ip":"203.0.113.77","network.client.port":"41822","delta":"-0","created":"2026-03-03 14:06:10\u002B01:00","usr":"root","usr.name":"x","items.qty":["1","2"]}""", doc["attr"]!.ToJsonString());
        Assert.Equal("""{"network.client.port":41822,"delta":0,"created":1772543170000,"items.qty":[1,2]}""", doc["num"]!.ToJsonString());
        Assert.Equal("""{"network.client.ip":"203.0.113.77"}""", doc["ip"]!.ToJsonString());
        Assert.Equal("e1", doc["event"]!["id"]!.GetValue<string>());
    }

    /// <summary>
    /// What Elasticsearch would refuse or read otherwise than the embedded index: the message lower-cased by .NET's rules
    /// (İ stays, where Java's would make it i), keys no field may be named after left out of the indexed objects (kept in
    /// event), and the embedded index's key of the id, by which both stores order events of one millisecond.
    /// </summary>
    [Fact]
    public void Build_Event_KeepsWhatElasticsearchWouldReadOtherwise()
    {
        var e = new LogEvent
        {
            Id = "e2",
            Timestamp = new DateTimeOffset(2026, 3, 3, 14, 2, 11, TimeSpan.Zero),
            Message = "İzin REDDEDİLDİ",
            Attributes = JsonNode.Parse("""{"": "a", " ": "b", "x": {"": "c"}, "ok": "d"}""")!.AsObject(),
        };

        var doc = ElasticDocument.Build(e, LogEventJson.Serialize(e));

        Assert.Equal("İzin reddedİldİ", doc["message"]!.GetValue<string>());
        Assert.Equal(Portal.Search.Lucene.TieBreak.Of("e2"), doc["tb"]!.GetValue<long>());
        Assert.Equal("""{"ok":"d"}""", doc["attr"]!.ToJsonString());
        Assert.Equal("a", doc["event"]!["attributes"]![""]!.GetValue<string>());
    }

    /// <summary>The template cuts message words where the embedded index does, and splits them where .NET's chars do.</summary>
    [Fact]
    public void IndexTemplate_SplitsAndCutsWordsAsTheEmbeddedIndex()
    {
        var analysis = JsonNode.Parse(ElasticIndexTemplate.Json)!["template"]!["settings"]!["analysis"]!;

        Assert.Equal(IndexedValues.MaxChars, analysis["filter"]!["vigil_word_length"]!["length"]!.GetValue<int>());
        Assert.Equal(["vigil_word_length"], analysis["analyzer"]!["vigil_words"]!["filter"]!.AsArray().Select(f => f!.GetValue<string>()));
        var pattern = analysis["tokenizer"]!["vigil_words"]!["pattern"]!.GetValue<string>();
        // The same words as TextTokens (.NET's regex reads this pattern as Java's does, bar \x{...}, written for .NET here).
        var dotnet = new System.Text.RegularExpressions.Regex(pattern.Replace(@"\x{10000}-\x{10FFFF}", @"\uD800-\uDFFF", StringComparison.Ordinal));
        foreach (var text in new[] { "user 𠮷野 login", "Failed password for root_1 from 10.0.0.1", "café—naïve" })
        {
            Assert.Equal(Portal.Detection.Query.TextTokens.Tokenize(text), dotnet.Split(text.ToLowerInvariant()).Where(w => w.Length > 0));
        }
    }
}
