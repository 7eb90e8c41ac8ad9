using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Elastic.Clients.Elasticsearch;
using Portal.Detection.Events;
using Portal.Detection.Query;
using Portal.Search.Elasticsearch;

namespace Portal.Search.Tests.Parity;

/// <summary>Runs only when <c>VIGIL_ELASTICSEARCH_URL</c> names a live Elasticsearch 9 server (none is reachable in CI).</summary>
public sealed class LiveElasticsearchFactAttribute : FactAttribute
{
    public LiveElasticsearchFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(ElasticsearchContractTests.UrlVariable)))
        {
            Skip = $"set {ElasticsearchContractTests.UrlVariable} to run against a live Elasticsearch";
        }
    }
}

/// <summary>
/// The contract of the Elasticsearch store: with Vigil's index template and documents, every parity case hits
/// exactly its expected events on a real server, through the official client and the golden requests' translation.
/// </summary>
public class ElasticsearchContractTests
{
    public const string UrlVariable = "VIGIL_ELASTICSEARCH_URL";

    [LiveElasticsearchFact]
    public async Task Query_EveryParityCase_HitsExactlyTheExpectedEventsOnALiveServer()
    {
        var url = new Uri(Environment.GetEnvironmentVariable(UrlVariable)!);
        var tenant = Guid.NewGuid();
        using var http = new HttpClient { BaseAddress = url };
        var client = new ElasticsearchClient(new ElasticsearchClientSettings(url));
        (await http.PutAsync($"_index_template/{ElasticIndexTemplate.Name}", new StringContent(ElasticIndexTemplate.Json, Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        var bulk = new StringBuilder();
        foreach (var e in ParityCorpus.Events)
        {
            bulk.Append(new JsonObject { ["index"] = new JsonObject { ["_index"] = ElasticFields.LogIndex(tenant, e.Timestamp), ["_id"] = e.Id } }.ToJsonString()).Append('\n');
            bulk.Append(ElasticDocument.Build(e, LogEventJson.Serialize(e)).ToJsonString()).Append('\n');
        }
        var indexed = await http.PostAsync("_bulk?refresh=true", new StringContent(bulk.ToString(), Encoding.UTF8, "application/x-ndjson"));
        var result = await indexed.Content.ReadFromJsonAsync<JsonObject>();
        Assert.False(result!["errors"]!.GetValue<bool>(), result.ToJsonString());
        var failures = new List<string>();
        try
        {
            foreach (var c in ParityCorpus.Cases)
            {
                var request = ElasticQueryTranslator.LogSearch(tenant, QueryParser.Parse(c.Query), DateTimeOffset.UnixEpoch, DateTimeOffset.UtcNow.AddYears(50), 100, after: null);
                var response = await client.SearchAsync<JsonObject>(request);
                var hits = string.Join(",", response.Hits.Select(h => h.Id).Order(StringComparer.Ordinal));
                var expected = string.Join(",", c.Expected.Order(StringComparer.Ordinal));
                if (!response.IsValidResponse || hits != expected)
                {
                    failures.Add($"{c.Query}\n  expected: [{expected}]\n  elasticsearch: [{hits}] {response.ElasticsearchServerError}");
                }
            }
        }
        finally
        {
            // Wildcard deletes are refused by default (action.destructive_requires_name): name each daily index.
            var indexes = ParityCorpus.Events.Select(e => ElasticFields.LogIndex(tenant, e.Timestamp)).Distinct();
            await http.DeleteAsync(string.Join(',', indexes));
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures.Take(10)));
    }
}
