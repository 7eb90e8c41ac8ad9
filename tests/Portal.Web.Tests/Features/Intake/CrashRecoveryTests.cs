using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.Intake;

/// <summary>A 202 means durable: kill the portal with SIGKILL during sustained intake, restart it, count every event.</summary>
public sealed class CrashRecoveryTests : IDisposable
{
    private readonly PortalDataDirectory _data = new("crash");

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task SigkillDuringIntake_RestartedPortal_FindsEveryAcknowledgedEventExactlyOnce()
    {
        var (apiKey, appKey) = await PortalProcess.CreateTenantAsync(_data.Path, "Crash Test");
        var acknowledged = new ConcurrentBag<int>();
        var gzippedAcknowledged = 0;
        var next = 0;

        using (var portal = await PortalProcess.StartAsync(_data.Path))
        {
            using var http = new HttpClient { BaseAddress = portal.BaseAddress };
            using var stop = new CancellationTokenSource();
            var senders = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    var first = Interlocked.Add(ref next, 50) - 50;
                    var batch = new JsonArray(Enumerable.Range(first, 50).Select(seq => (JsonNode?)new JsonObject
                    {
                        ["ddsource"] = "app", ["service"] = "checkout", ["message"] = $"order {seq} paid", ["seq"] = seq,
                    }).ToArray());
                    // Every other request gzipped, as shippers send them: the journal keeps those as sent.
                    var gzipped = first / 50 % 2 == 1;
                    var request = new HttpRequestMessage(HttpMethod.Post, "api/v2/logs") { Content = gzipped ? Gzipped(batch) : JsonContent.Create(batch) };
                    request.Headers.Add("DD-API-KEY", apiKey);
                    try
                    {
                        using var response = await http.SendAsync(request);
                        if (response.StatusCode == HttpStatusCode.Accepted)
                        {
                            if (gzipped)
                            {
                                Interlocked.Increment(ref gzippedAcknowledged);
                            }
                            foreach (var seq in Enumerable.Range(first, 50))
                            {
                                acknowledged.Add(seq);
                            }
                        }
                    }
                    catch (HttpRequestException)
                    {
                        return; // the portal is gone
                    }
                }
            })).ToList();

            // Run past an index commit (every 5 s), so recovery must both keep the committed part and replay the rest.
            var sustained = System.Diagnostics.Stopwatch.StartNew();
            while ((acknowledged.Count < 3_000 || !IndexCommitted()) && sustained.Elapsed < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(50);
            }
            Assert.True(IndexCommitted(), "No index commit happened during 60 s of intake.");
            portal.Kill();
            await stop.CancelAsync();
            await Task.WhenAll(senders);
        }

        using var restarted = await PortalProcess.StartAsync(_data.Path);
        var found = await AllSequenceNumbersAsync(restarted, apiKey, appKey);

        Assert.True(acknowledged.Count >= 3_000);
        Assert.True(gzippedAcknowledged > 0, "No gzipped request was acknowledged.");
        var duplicates = found.GroupBy(s => s).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(duplicates.Count == 0, $"Duplicated after recovery: {string.Join(", ", duplicates.Take(10))}");
        var lost = acknowledged.Except(found).ToList();
        Assert.True(lost.Count == 0, $"{lost.Count} acknowledged events lost, e.g. {string.Join(", ", lost.Take(10))}");
    }

    private bool IndexCommitted() =>
        Directory.Exists(Path.Combine(_data.Path, "tenants"))
        && Directory.EnumerateFiles(Path.Combine(_data.Path, "tenants"), "segments_*", SearchOption.AllDirectories).Any();

    private static async Task<List<int>> AllSequenceNumbersAsync(PortalProcess portal, string apiKey, string appKey)
    {
        using var http = new HttpClient { BaseAddress = portal.BaseAddress };
        var found = new List<int>();
        string? cursor = null;
        do
        {
            var body = new JsonObject
            {
                ["filter"] = new JsonObject { ["query"] = "service:checkout", ["from"] = "now-1h", ["to"] = "now" },
                ["page"] = new JsonObject { ["limit"] = 5000, ["cursor"] = cursor },
            };
            var request = new HttpRequestMessage(HttpMethod.Post, "api/v2/logs/events/search") { Content = JsonContent.Create(body) };
            request.Headers.Add("DD-API-KEY", apiKey);
            request.Headers.Add("DD-APPLICATION-KEY", appKey);
            using var response = await http.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"Search answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}\n{portal.Output}");
            var page = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
            found.AddRange(page["data"]!.AsArray().Select(e => e!["attributes"]!["attributes"]!["seq"]!.GetValue<int>()));
            cursor = page["meta"]?["page"]?["after"]?.GetValue<string>();
        }
        while (cursor is not null);
        return found;
    }

    private static ByteArrayContent Gzipped(JsonArray batch)
    {
        using var output = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(output, System.IO.Compression.CompressionLevel.Fastest))
        {
            gzip.Write(System.Text.Encoding.UTF8.GetBytes(batch.ToJsonString()));
        }
        var content = new ByteArrayContent(output.ToArray());
        content.Headers.ContentType = new("application/json");
        content.Headers.ContentEncoding.Add("gzip");
        return content;
    }
}
