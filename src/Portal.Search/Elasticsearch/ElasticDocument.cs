using System.Text.Json.Nodes;
using Portal.Detection.Events;

namespace Portal.Search.Elasticsearch;

/// <summary>
/// Maps a <see cref="LogEvent"/> to the Elasticsearch document <see cref="ElasticQueryTranslator"/> relies on,
/// typing and cutting values exactly as the embedded index does (<see cref="AttributeValue.RangeValue"/>, <see cref="IpText"/>,
/// <see cref="IndexedValues.Fit"/>).
/// </summary>
public static class ElasticDocument
{
    /// <summary>Builds the document; <paramref name="sourceJson"/> (the stored event) is kept unindexed under <c>event</c>.</summary>
    public static JsonObject Build(LogEvent e, string sourceJson)
    {
        var doc = new JsonObject
        {
            [ElasticFields.EventId] = e.Id,
            [ElasticFields.TieBreak] = Lucene.TieBreak.Of(e.Id),
            [ElasticFields.Timestamp] = e.Timestamp.ToUnixTimeMilliseconds(),
            // Lower-cased as free text is searched (TextTokens), by .NET's rules rather than the analyzer's Java ones.
            [ElasticFields.Message] = e.Message is null ? null : e.MessageLower,
            [ElasticFields.Tags] = new JsonArray([.. e.Tags.Select(t => (JsonNode)IndexedValues.Fit(t))]),
        };
        foreach (var name in ReservedAttributes.Facets)
        {
            if (e.GetReserved(name) is { } value)
            {
                doc[name] = IndexedValues.Fit(value);
            }
        }
        var attr = new JsonObject();
        var num = new JsonObject();
        var ip = new JsonObject();
        foreach (var (path, value) in e.Leaves)
        {
            if (!Addressable(path))
            {
                // Elasticsearch refuses the whole document over a field named "" or " " (the value stays in event); no
                // query names such a path.
                continue;
            }
            Append(attr, path, IndexedValues.Fit(value.Text));
            if (value.RangeValue is { } number)
            {
                Append(num, path, number + 0d);
            }
            else if (IpText.TryParse(value.Text, out var address))
            {
                Append(ip, path, address.ToString());
            }
        }
        doc["attr"] = attr;
        doc["num"] = num;
        doc["ip"] = ip;
        doc["event"] = JsonNode.Parse(sourceJson, documentOptions: new System.Text.Json.JsonDocumentOptions { MaxDepth = Portal.Detection.Events.LogEventJson.MaxDepth });
        return doc;
    }

    /// <summary>Whether Elasticsearch takes <paramref name="path"/> as a field's name: not blank, and no segment of it empty.</summary>
    internal static bool Addressable(string path) =>
        !string.IsNullOrWhiteSpace(path) && path[0] != '.' && path[^1] != '.' && !path.Contains("..", StringComparison.Ordinal);

    /// <summary>Several values at one path (arrays) become an array, as Elasticsearch indexes each element.</summary>
    private static void Append(JsonObject target, string path, JsonNode value)
    {
        if (!target.TryGetPropertyValue(path, out var existing))
        {
            target[path] = value;
        }
        else if (existing is JsonArray array)
        {
            array.Add(value);
        }
        else
        {
            target.Remove(path);
            target[path] = new JsonArray(existing, value);
        }
    }
}
