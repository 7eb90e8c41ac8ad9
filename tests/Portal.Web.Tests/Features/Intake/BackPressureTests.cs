using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.Intake;

/// <summary>
/// Back-pressure over real HTTP: when more events wait for indexing than the store allows, the intake answers 503 with
/// Retry-After and a problem body, stores nothing of that request, and keeps accepting what fits.
/// </summary>
public sealed class BackPressureTests : IDisposable
{
    private readonly PortalDataDirectory _data = new("backpressure");

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task MoreThanTheStoreHoldsPending_503WithRetryAfter_NothingOfItStored()
    {
        var (apiKey, appKey) = await PortalProcess.CreateTenantAsync(_data.Path, "Back Pressure");
        using var portal = await PortalProcess.StartAsync(_data.Path, new Dictionary<string, string> { ["Vigil__Intake__MaxPendingEvents"] = "20" });
        using var http = new HttpClient { BaseAddress = portal.BaseAddress };

        using var refused = await http.SendAsync(Logs(apiKey, "overflow", 50));
        using var accepted = await http.SendAsync(Logs(apiKey, "fits", 10));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), $"Retry-After: {refused.Headers.RetryAfter}");
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Contains("nothing of this request was stored", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);

        // Searchable within a second of the 202; nothing of the refused request ever is.
        var messages = new List<string>();
        for (var attempt = 0; attempt < 50 && messages.Count < 10; attempt++)
        {
            await Task.Delay(100);
            messages = await MessagesAsync(http, apiKey, appKey);
        }
        Assert.Equal(10, messages.Count);
        Assert.All(messages, m => Assert.StartsWith("fits", m, StringComparison.Ordinal));
    }

    private static async Task<List<string>> MessagesAsync(HttpClient http, string apiKey, string appKey)
    {
        var search = new HttpRequestMessage(HttpMethod.Post, "api/v2/logs/events/search")
        {
            Content = JsonContent.Create(new JsonObject { ["filter"] = new JsonObject { ["query"] = "service:backpressure", ["from"] = "now-1h" }, ["page"] = new JsonObject { ["limit"] = 100 } }),
        };
        search.Headers.Add("DD-API-KEY", apiKey);
        search.Headers.Add("DD-APPLICATION-KEY", appKey);
        using var found = await http.SendAsync(search);
        return (await found.Content.ReadFromJsonAsync<JsonObject>())!["data"]!.AsArray().Select(e => e!["attributes"]!["message"]!.GetValue<string>()).ToList();
    }

    private static HttpRequestMessage Logs(string apiKey, string label, int count)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "api/v2/logs")
        {
            Content = JsonContent.Create(new JsonArray(Enumerable.Range(0, count)
                .Select(i => (JsonNode?)new JsonObject { ["service"] = "backpressure", ["message"] = $"{label} {i}" }).ToArray())),
        };
        request.Headers.Add("DD-API-KEY", apiKey);
        return request;
    }
}
