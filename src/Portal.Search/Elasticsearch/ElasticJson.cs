using Elastic.Clients.Elasticsearch;
using Elastic.Transport;
using Elastic.Transport.Extensions;

namespace Portal.Search.Elasticsearch;

/// <summary>Request bodies as the official client writes them, with its own serializer.</summary>
public static class ElasticJson
{
    private static readonly IElasticsearchClientSettings Settings = new ElasticsearchClientSettings(new Uri("http://localhost:9200"));

    /// <summary>Serializes a request or query with the client's request/response serializer.</summary>
    public static string Serialize<T>(T value) => Settings.RequestResponseSerializer.SerializeToString(value);

    /// <summary>Indexes as the client writes them in a request path: <c>vigil-logs-…-*</c>.</summary>
    public static string PathOf(Indices indices) => ((IUrlParameter)indices).GetString(Settings);
}
