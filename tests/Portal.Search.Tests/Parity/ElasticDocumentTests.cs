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
}
