using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Portal.Detection.Query;
using Portal.Search.Elasticsearch;

namespace Portal.Search.Tests.Parity;

/// <summary>
/// Pins the Elasticsearch search request of every parity case (<c>Parity/elasticsearch.golden.json</c>), as the
/// official client serializes it. A change to the translation shows up as a reviewed diff of that file:
/// regenerate it with <c>VIGIL_UPDATE_GOLDEN=1</c>. Hits are proven against a live server by
/// <see cref="ElasticsearchContractTests"/> when one is configured.
/// </summary>
public class ElasticsearchGoldenTests
{
    private const string GoldenFile = "elasticsearch.golden.json";
    private static readonly Guid Tenant = IndexedCorpus.Tenant;
    private static readonly DateTimeOffset From = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset To = new(2026, 3, 8, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Translate_EveryParityCase_MatchesItsGoldenRequest()
    {
        var actual = new JsonObject();
        foreach (var c in ParityCorpus.Cases)
        {
            actual[c.Query] = Request(c.Query);
        }

        if (Environment.GetEnvironmentVariable("VIGIL_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(SourcePath(), Golden(actual));
        }

        var golden = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Parity", GoldenFile)))!["requests"]!.AsObject();
        var differences = actual
            .Where(pair => !golden.TryGetPropertyValue(pair.Key, out var expected) || !JsonNode.DeepEquals(expected, pair.Value))
            .Select(pair => $"{pair.Key}\n  golden: {golden[pair.Key]?.ToJsonString() ?? "(missing)"}\n  actual: {pair.Value!.ToJsonString()}")
            .ToList();
        var stale = golden.Select(pair => pair.Key).Except(actual.Select(pair => pair.Key)).ToList();

        Assert.True(differences.Count == 0, $"{differences.Count} requests differ (regenerate with VIGIL_UPDATE_GOLDEN=1 and review the diff):\n" + string.Join('\n', differences.Take(5)));
        Assert.True(stale.Count == 0, "golden requests without a parity case: " + string.Join(", ", stale));
    }

    [Fact]
    public void LogSearch_Request_IsScopedToTheTenantsDailyIndexesAndTimeRange()
    {
        var request = ElasticQueryTranslator.LogSearch(Tenant, QueryParser.Parse("host:web"), From, To, 50, new SearchCursor(1_772_546_400_000, "e09"));
        var body = JsonNode.Parse(ElasticJson.Serialize(request))!;

        Assert.Equal($"vigil-logs-{Tenant:N}-*", ElasticFields.LogIndexPattern(Tenant));
        Assert.Equal($"vigil-logs-{Tenant:N}-2026.03.03", ElasticFields.LogIndex(Tenant, new DateTimeOffset(2026, 3, 3, 23, 59, 0, TimeSpan.Zero)));
        Assert.Equal($"vigil-logs-{Tenant:N}-*", ElasticJson.PathOf(request.Indices!));
        Assert.Equal("""{"range":{"timestamp":{"gte":1772323200000,"lt":1772928000000}}}""", body["query"]!["bool"]!["filter"]![0]!.ToJsonString());
        // Events of one millisecond in the embedded index's order (its key of the id), then by id.
        Assert.Equal($"[1772546400000,{Portal.Search.Lucene.TieBreak.Of("e09")},\"e09\"]", body["search_after"]!.ToJsonString());
        Assert.Equal(50, body["size"]!.GetValue<int>());
        Assert.Equal("""[{"timestamp":{"order":"desc"}},{"tb":{"order":"desc"}},{"event_id":{"order":"desc"}}]""", body["sort"]!.ToJsonString());
        var oldestFirst = JsonNode.Parse(ElasticJson.Serialize(ElasticQueryTranslator.LogSearch(Tenant, QueryParser.Parse("host:web"), From, To, 50, null, oldestFirst: true)))!;
        Assert.Equal("""[{"timestamp":{"order":"asc"}},{"tb":{"order":"asc"}},{"event_id":{"order":"asc"}}]""", oldestFirst["sort"]!.ToJsonString());
    }

    [Theory]
    [InlineData("CIDR(@network.client.ip, 10.0.0.0/8)", """{"bool":{"minimum_should_match":1,"should":{"term":{"ip.network.client.ip":{"value":"10.0.0.0/8"}}}}}""")]
    [InlineData("@duration:{1 TO 2026-03-03]", """{"range":{"num.duration":{"gt":1,"lte":1772496000000}}}""")]
    [InlineData("\"Failed  PASSWORD\"", """{"match_phrase":{"message":{"query":"failed password"}}}""")]
    [InlineData("env:pr?d", """{"wildcard":{"tags":{"value":"env:pr?d"}}}""")]
    [InlineData("-team:*", """{"bool":{"must_not":{"prefix":{"tags":{"value":"team:"}}}}}""")]
    public void Translate_Query_UsesTheTypedFieldOfEachValue(string query, string expected)
    {
        Assert.Equal(expected, ElasticJson.Serialize(ElasticQueryTranslator.Translate(QueryParser.Parse(query))));
    }

    /// <summary>
    /// A long list of values one attribute must equal (a converted rule's hashes) is one terms clause, not one clause a
    /// value: Elasticsearch refuses a query of more than about a thousand clauses.
    /// </summary>
    [Fact]
    public void Translate_LongListOfValues_IsOneTermsClause()
    {
        var query = "@hash:(" + string.Join(" OR ", Enumerable.Range(0, 2000).Select(i => $"h{i}")) + ") OR @usr.name:root OR host:web-1";

        var json = JsonNode.Parse(ElasticJson.Serialize(ElasticQueryTranslator.Translate(QueryParser.Parse(query))))!;

        var should = json["bool"]!["should"]!.AsArray();
        Assert.Equal(3, should.Count);
        Assert.Equal(2000, should[0]!["bool"]!["should"]!["terms"]!["attr.hash"]!.AsArray().Count);
        Assert.Equal("""{"term":{"attr.usr.name":{"value":"root"}}}""", should[1]!.ToJsonString());
    }

    private static JsonNode Request(string query)
    {
        var request = ElasticQueryTranslator.LogSearch(Tenant, QueryParser.Parse(query), From, To, 100, after: null);
        return new JsonObject
        {
            ["index"] = ElasticJson.PathOf(request.Indices!),
            ["body"] = JsonNode.Parse(ElasticJson.Serialize(request)),
        };
    }

    /// <summary>One request per line, so that a translation change reads as a diff of the cases it touches.</summary>
    private static string Golden(JsonObject requests)
    {
        var options = new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        var about = "Generated by ElasticsearchGoldenTests (VIGIL_UPDATE_GOLDEN=1): the Elasticsearch search request of each parity case, "
            + $"for tenant {Tenant} from {From:O} to {To:O}, 100 per page.";
        var lines = requests.Select(pair => $"    {JsonSerializer.Serialize(pair.Key, options)}: {pair.Value!.ToJsonString(options)}");
        return $"{{\n  \"about\": {JsonSerializer.Serialize(about, options)},\n  \"requests\": {{\n{string.Join(",\n", lines)}\n  }}\n}}\n";
    }

    private static string SourcePath([CallerFilePath] string path = "") => Path.Combine(Path.GetDirectoryName(path)!, GoldenFile);
}
