using System.Text.Json.Nodes;
using Portal.Detection.Events;
using Portal.Search.Lucene;

namespace Portal.Search.Tests.Lucene;

public class MessagePatternQueryTests
{
    [Fact]
    public void StoredMessage_EventAsDeepAsTheIntakeReads_Read()
    {
        // 64 levels of attributes, one more in the stored form: the reader must go as deep as stored forms are written.
        JsonNode deep = 1;
        for (var i = 0; i < 63; i++)
        {
            deep = new JsonObject { ["a"] = deep };
        }
        var e = new LogEvent { Id = "deep", Message = "after the attributes", Attributes = new JsonObject { ["a"] = deep } };

        Assert.Equal("after the attributes", MessagePatternQuery.StoredMessage(System.Text.Encoding.UTF8.GetBytes(LogEventJson.Serialize(e))));
    }
}
