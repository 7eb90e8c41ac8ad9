namespace Portal.Search.Elasticsearch;

/// <summary>
/// The index template of Vigil's log indexes (<c>PUT _index_template/vigil-logs</c>): the document layout that
/// <see cref="ElasticDocument"/> writes and <see cref="ElasticQueryTranslator"/> queries.
/// </summary>
public static class ElasticIndexTemplate
{
    /// <summary>The template's name.</summary>
    public const string Name = "vigil-logs";

    /// <summary>
    /// The template body. The <c>vigil_words</c> analyzer splits the message as <see cref="Portal.Detection.Query.TextTokens"/>
    /// does: runs of letters, decimal digits and underscores of the basic plane (.NET's chars: a letter beyond it, in two
    /// halves, splits words there too), each cut to <see cref="IndexedValues.MaxChars"/> as the embedded index cuts words
    /// (a longer one, a hex dump, would fail the whole document). The message is written lower-cased by .NET
    /// (<see cref="ElasticDocument"/>), so the analyzer does not lower-case it again: Java's rules differ (U+0130, İ).
    /// Attribute objects take dotted leaf names
    /// (<c>subobjects: false</c>) so that a value at <c>@usr</c> never conflicts with one at <c>@usr.name</c>. Beyond
    /// 20,000 fields an index maps no new field and indexes the document without it (it stays in <c>event</c>), instead of
    /// refusing the document; the embedded store has a limit of its own (<c>AttributeFields</c>), beyond which values stay
    /// findable by exact, prefix, wildcard and existence queries.
    /// </summary>
    public const string Json = """
        {
          "index_patterns": ["vigil-logs-*"],
          "priority": 200,
          "template": {
            "settings": {
              "index.mapping.total_fields.limit": 20000,
              "index.mapping.total_fields.ignore_dynamic_beyond_limit": true,
              "analysis": {
                "tokenizer": { "vigil_words": { "type": "pattern", "pattern": "(?:[^\\p{L}\\p{Nd}_]|[\\x{10000}-\\x{10FFFF}])+" } },
                "filter": { "vigil_word_length": { "type": "truncate", "length": 10922 } },
                "analyzer": { "vigil_words": { "type": "custom", "tokenizer": "vigil_words", "filter": ["vigil_word_length"] } }
              }
            },
            "mappings": {
              "dynamic": "strict",
              "dynamic_templates": [
                { "attribute_values": { "path_match": "attr.*", "mapping": { "type": "keyword" } } },
                { "range_values": { "path_match": "num.*", "mapping": { "type": "double" } } },
                { "ip_values": { "path_match": "ip.*", "mapping": { "type": "ip" } } }
              ],
              "properties": {
                "event_id": { "type": "keyword" },
                "tb": { "type": "long" },
                "timestamp": { "type": "date", "format": "epoch_millis" },
                "message": { "type": "text", "analyzer": "vigil_words", "fields": { "whole": { "type": "wildcard" } } },
                "host": { "type": "keyword" },
                "service": { "type": "keyword" },
                "source": { "type": "keyword" },
                "status": { "type": "keyword" },
                "tags": { "type": "keyword" },
                "attr": { "type": "object", "dynamic": true, "subobjects": false },
                "num": { "type": "object", "dynamic": true, "subobjects": false },
                "ip": { "type": "object", "dynamic": true, "subobjects": false },
                "event": { "type": "object", "enabled": false }
              }
            }
          }
        }
        """;
}
