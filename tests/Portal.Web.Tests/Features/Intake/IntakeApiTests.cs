using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data.Keys;
using Portal.Detection.Query;
using Portal.Search;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.Intake;

/// <summary><c>POST /api/v2/logs</c>: Datadog's shape, keys, and clear errors that lose nothing already accepted.</summary>
[Collection("portal")]
public sealed class IntakeApiTests(PortalFixture portal)
{
    [Fact]
    public async Task Post_SingleObject_StoredWithReservedAttributesAndParsedSshFields()
    {
        var tenant = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        var log = new JsonObject
        {
            ["ddsource"] = "sshd", ["service"] = "sshd", ["hostname"] = "bastion-2", ["status"] = "warning", ["ddtags"] = "env:prod,team:sec",
            ["message"] = "Accepted password for deploy from 192.0.2.44 port 50022 ssh2", ["custom"] = new JsonObject { ["n"] = 3 },
        };
        using var response = await LogShipper.PostAsync(client, tenant, log);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        var stored = Assert.Single(await SearchAsync(tenant, "env:prod @evt.outcome:success @usr.name:deploy"));
        Assert.Equal("bastion-2", stored.Host);
        Assert.Equal("sshd", stored.Source);
        Assert.Equal("warn", stored.Status);
        Assert.Equal("192.0.2.44", stored.GetAttribute("network.client.ip").Single().Text);
        Assert.Equal(3, stored.GetAttribute("custom.n").Single().Number);
    }

    /// <summary>A store the disk refuses (here, a file where the tenant's log index would be) answers 503 with Retry-After and a problem; nothing is acknowledged, and the next request after the fault is stored.</summary>
    [Fact]
    public async Task Post_DiskRefusesTheStore_503WithRetryAfterThenStoredOnceItClears()
    {
        var tenant = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        var logs = Path.Combine(portal.Services.GetRequiredService<Portal.Search.Lucene.TenantIndexes>().DirectoryOf(tenant.Id), Portal.Search.Lucene.LuceneLogStore.Kind);
        Directory.CreateDirectory(Path.GetDirectoryName(logs)!);
        await File.WriteAllTextAsync(logs, "in the way");

        using var refused = await LogShipper.PostAsync(client, tenant, new JsonObject { ["message"] = "refused", ["service"] = "disk" });
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), $"Retry-After: {refused.Headers.RetryAfter}");
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Contains("not acknowledged", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        File.Delete(logs);
        using var accepted = await LogShipper.PostAsync(client, tenant, new JsonObject { ["message"] = "accepted", ["service"] = "disk" });
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.Equal(["accepted"], (await SearchAsync(tenant, "service:disk")).Select(e => e.Message));
    }

    [Fact]
    public async Task Post_MissingOrRevokedKey_Forbidden()
    {
        var tenant = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        using var missing = await client.PostAsync("api/v2/logs", JsonContent.Create(new JsonObject { ["message"] = "x" }));
        Assert.Equal(HttpStatusCode.Forbidden, missing.StatusCode);

        var keys = portal.Services.GetRequiredService<KeyService>();
        var (key, secret) = await keys.CreateAsync(tenant.Id, KeyKind.Api, "to revoke", null);
        await keys.RevokeAsync(tenant.Id, key.Id);
        using var revoked = await LogShipper.PostAsync(client, tenant with { ApiKey = secret }, new JsonObject { ["message"] = "x" });
        Assert.Equal(HttpStatusCode.Forbidden, revoked.StatusCode);
        Assert.Equal("application/problem+json", revoked.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("{\"message\": \"a\",\n \"service\": }", "line 2, byte 13")]
    [InlineData("[]", "no event")]
    [InlineData("42", "one JSON object or an array")]
    [InlineData("[{\"message\":\"ok\"}, 7]", "$[1]: expected a JSON object")]
    [InlineData("[{\"message\":\"ok\"}, {\"message\":\"x\", \"ddtags\": {\"env\": \"prod\"}}]", "$[1].ddtags")]
    [InlineData("[{\"message\":\"ok\"}, {\"message\":\"x\", \"ctx\": {\"a\": 1, \"a\": 2}}]", "line 1, byte 52: an object repeats the key 'a'")]
    [InlineData("[{\"message\":\"ok\"},\n {\"\\uD800\": 1}]", "line 2, byte 4: a string holds an unpaired surrogate escape")]
    [InlineData("[{\"message\":\"ok\",\n \"user\":\"x\\udc00\"}]", "line 2, byte 11: a string holds an unpaired surrogate escape")]
    [InlineData("[{\"tags\":[\"\\ud83d\\ud83d\\ude00\"]}]", "line 1, byte 12: a string holds an unpaired surrogate escape")]
    [InlineData("[{\"\\uD800\": 1, x}]", "line 1, byte ")]
    public async Task Post_BadInput_400WithPositionAndNothingStored(string body, string expected)
    {
        var tenant = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        var request = new HttpRequestMessage(HttpMethod.Post, "api/v2/logs") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("DD-API-KEY", tenant.ApiKey);
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Contains(expected, problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(await SearchAsync(tenant, "*"));
    }

    /// <summary>
    /// Reserved fields of another type (ECS's host object, a message object, a status list) stay attributes and the
    /// request is accepted: a 400 for the whole request lost every event in it, for shippers do not send it again.
    /// </summary>
    [Fact]
    public async Task Post_ReservedFieldsOfAnotherType_AcceptedAndKeptAsAttributes()
    {
        var tenant = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        const string body = """[{"message":"ecs","host":{"name":"web-7","os":{"family":"debian"}}},{"message":{"nested":"yes"},"service":"api"},{"message":"s","status":[],"service":{"name":"billing"}}]""";
        var request = new HttpRequestMessage(HttpMethod.Post, "api/v2/logs") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("DD-API-KEY", tenant.ApiKey);

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        IReadOnlyList<Portal.Detection.Events.LogEvent> all = [];
        for (var attempt = 0; attempt < 100 && all.Count < 3; attempt++)
        {
            await Task.Delay(attempt == 0 ? 0 : 100); // searchable within a second of the 202 (a loaded machine is given ten)
            all = await SearchAsync(tenant, "*");
        }
        Assert.Equal(3, all.Count);
        Assert.Equal("ecs", Assert.Single(await SearchAsync(tenant, "@host.name:web-7 @host.os.family:debian")).Message);
        Assert.Equal("api", Assert.Single(await SearchAsync(tenant, "@message.nested:yes")).Service);
        Assert.Equal("info", Assert.Single(await SearchAsync(tenant, "@service.name:billing")).Status);
    }

    [Fact]
    public async Task Post_DdtagsQueryParameter_TagsEveryEventOfTheRequest()
    {
        var tenant = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        var request = new HttpRequestMessage(HttpMethod.Post, "api/v2/logs?ddtags=region:eu,Team:Web") { Content = JsonContent.Create(LogShipper.SshFailures("192.0.2.11", 2)) };
        request.Headers.Add("DD-API-KEY", tenant.ApiKey);

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(2, (await SearchAsync(tenant, "region:eu team:web")).Count);
    }

    /// <summary>
    /// Plain text, compressed, one log a line, with the source, service and host in the query string as Datadog's intake
    /// takes them: the source chooses the parser, and a replay reads the same fields (the journal keeps them).
    /// </summary>
    [Fact]
    public async Task Post_PlainTextWithQueryFields_OneEventALine_ParsedByTheQuerysSource()
    {
        var tenant = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        const string body = "Failed password for root from 192.0.2.61 port 50022 ssh2\r\n\nFailed password for admin from 192.0.2.61 port 50023 ssh2\n";
        using var compressed = new MemoryStream();
        await using (var zip = new System.IO.Compression.GZipStream(compressed, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        {
            await zip.WriteAsync(Encoding.UTF8.GetBytes(body));
        }
        var content = new ByteArrayContent(compressed.ToArray());
        content.Headers.ContentType = new("text/plain") { CharSet = "utf-8" };
        content.Headers.ContentEncoding.Add("gzip");
        var request = new HttpRequestMessage(HttpMethod.Post, "api/v2/logs?ddsource=sshd&service=auth&hostname=bastion-3&ddtags=env:prod") { Content = content };
        request.Headers.Add("DD-API-KEY", tenant.ApiKey);

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var stored = await SearchAsync(tenant, "source:sshd service:auth host:bastion-3 env:prod @evt.outcome:failure @network.client.ip:192.0.2.61");
        Assert.Equal(["admin", "root"], stored.Select(e => e.GetAttribute("usr.name").Single().Text).Order());
        Assert.Equal(2, (await SearchAsync(tenant, "*")).Count);
    }

    /// <summary>A Heroku log drain as Datadog documents it: the key and the fields in the URL, logplex frames, each its own time.</summary>
    [Fact]
    public async Task Post_HerokuLogplexDrain_EachFrameAnEventAtItsOwnTime()
    {
        var tenant = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        var at = DateTimeOffset.UtcNow.AddMinutes(-10);
        string[] frames =
        [
            $"<190>1 {at:yyyy-MM-ddTHH:mm:ss.fff}+00:00 host app web.1 - State changed from starting to up\n",
            $"<158>1 {at.AddSeconds(2):yyyy-MM-ddTHH:mm:ss}+00:00 host heroku router - at=info method=GET path=\"/cart\" status=200",
        ];
        var body = string.Concat(frames.Select(f => $"{Encoding.UTF8.GetByteCount(f)} {f}"));
        var request = new HttpRequestMessage(HttpMethod.Post, $"api/v2/logs?dd-api-key={tenant.ApiKey}&ddsource=heroku&service=shop&host=shop-prod")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/logplex-1"),
        };

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var stored = (await SearchAsync(tenant, "source:heroku service:shop host:shop-prod")).OrderBy(e => e.Timestamp).ToList();
        Assert.Equal([frames[0].TrimEnd('\n'), frames[1]], stored.Select(e => e.Message));
        var ms = at.UtcTicks / TimeSpan.TicksPerMillisecond * TimeSpan.TicksPerMillisecond;
        Assert.Equal([ms, at.AddSeconds(2).UtcTicks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond], stored.Select(e => e.Timestamp.UtcTicks));
    }

    [Fact]
    public async Task Post_LogplexFrameWithoutItsLength_400NamingTheByte_NothingStored()
    {
        var tenant = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        var request = new HttpRequestMessage(HttpMethod.Post, "api/v2/logs")
        {
            Content = new StringContent("14 <13>1 - h a - ok<13>1 - h a - no count", Encoding.UTF8, "application/logplex-1"),
        };
        request.Headers.Add("DD-API-KEY", tenant.ApiKey);

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal(18, (int)problem!["byte"]!);
        Assert.StartsWith("Byte 18: expected a logplex frame", (string)problem["detail"]!);
        Assert.Empty(await SearchAsync(tenant, "*"));
    }

    [Fact]
    public async Task Post_NewlineDelimitedJson_OneEventPerLine()
    {
        var tenant = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        var body = string.Join('\n', LogShipper.SshFailures("192.0.2.10", 3).Select(e => e!.ToJsonString())) + "\n\n";
        var request = new HttpRequestMessage(HttpMethod.Post, "api/v2/logs") { Content = new StringContent(body, Encoding.UTF8, "application/x-ndjson") };
        request.Headers.Add("DD-API-KEY", tenant.ApiKey);

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(3, (await SearchAsync(tenant, "@network.client.ip:192.0.2.10")).Count);
    }

    [Theory]
    [InlineData("{\"message\":\"ok\"}\n{\"message\": oops}\n", "Line 2 is not valid JSON at byte 13")]
    [InlineData("{\"message\":\"ok\"}\r\n[1]\r\n", "line 2: expected a JSON object")]
    [InlineData("{\"message\":\"ok\"}\n\n{\"ddtags\": [1, {}]}", "line 3: $.ddtags[1]")]
    [InlineData("{\"message\":\"ok\"}\n{\"a\":1,\"a\":2}", "Line 2 is not valid JSON at byte 8: an object repeats the key 'a'")]
    [InlineData("\n \n", "no event")]
    public async Task Post_NewlineDelimitedJson_BadLine_400NamingTheLineAndNothingStored(string body, string expected)
    {
        var tenant = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        var request = new HttpRequestMessage(HttpMethod.Post, "api/v2/logs") { Content = new StringContent(body, Encoding.UTF8, "application/x-ndjson") };
        request.Headers.Add("DD-API-KEY", tenant.ApiKey);

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, (await response.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(await SearchAsync(tenant, "*"));
    }

    [Theory]
    [InlineData("gzip", 0)]
    [InlineData("deflate", 0)]
    [InlineData("gzip", 200_000)]
    [InlineData("deflate", 200_000)]
    public async Task Post_CompressedBody_Accepted(string encoding, int trailingBytes)
    {
        // Bytes after the compressed stream are ignored by inflating; the journal then keeps the (smaller) body, not them.
        var tenant = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        var json = Encoding.UTF8.GetBytes(LogShipper.SshFailures("192.0.2.9", 3).ToJsonString());
        using var compressed = new MemoryStream();
        await using (Stream zip = encoding == "gzip"
            ? new System.IO.Compression.GZipStream(compressed, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true)
            : new System.IO.Compression.ZLibStream(compressed, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        {
            await zip.WriteAsync(json);
        }
        compressed.Write(new byte[trailingBytes]);
        var content = new ByteArrayContent(compressed.ToArray());
        content.Headers.ContentType = new("application/json");
        content.Headers.ContentEncoding.Add(encoding);
        var request = new HttpRequestMessage(HttpMethod.Post, "api/v2/logs") { Content = content };
        request.Headers.Add("DD-API-KEY", tenant.ApiKey);
        var journal = portal.Services.GetRequiredService<Portal.Search.Lucene.TenantIndexes>().GetJournaled(tenant.Id, "logs");
        var journaled = journal.JournaledBytes;

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(3, (await SearchAsync(tenant, "@network.client.ip:192.0.2.9")).Count);
        // The journal holds the compressed bytes as sent (smaller than the body), or with trailing bytes the body instead:
        // never the trailing bytes. A record's head takes a few dozen bytes.
        var recorded = journal.JournaledBytes - journaled;
        Assert.InRange(recorded, trailingBytes == 0 ? 1 : json.Length, trailingBytes == 0 ? json.Length : json.Length + 256);
    }

    [Fact]
    public async Task Post_DuplicatedKeyOrBadGzip_400NotServerError()
    {
        var tenant = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        var duplicated = new HttpRequestMessage(HttpMethod.Post, "api/v2/logs") { Content = new StringContent("[{\"message\":\"a\",\"message\":\"b\"}]", Encoding.UTF8, "application/json") };
        duplicated.Headers.Add("DD-API-KEY", tenant.ApiKey);
        using var first = await client.SendAsync(duplicated);
        Assert.Equal(HttpStatusCode.BadRequest, first.StatusCode);

        var notGzip = new ByteArrayContent(Encoding.UTF8.GetBytes("{\"message\":\"plain\"}"));
        notGzip.Headers.ContentEncoding.Add("gzip");
        var request = new HttpRequestMessage(HttpMethod.Post, "api/v2/logs") { Content = notGzip };
        request.Headers.Add("DD-API-KEY", tenant.ApiKey);
        using var second = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, second.StatusCode);
        Assert.Empty(await SearchAsync(tenant, "*"));
    }

    [Theory]
    [InlineData("gzip", new byte[] { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2 })]
    [InlineData("deflate", new byte[] { 0x78, 0x20, 0, 0, 0, 1 })]
    [InlineData("deflate", new byte[] { 0x78, 0x9c, 0xff, 0xff })]
    [InlineData("deflate", new byte[] { 0x12, 0x34 })]
    [InlineData("gzip", new byte[0])]
    public async Task Post_CompressedBodyThatDoesNotInflate_400NotServerError(string encoding, byte[] sent)
    {
        // The second: a zlib header asking for a preset dictionary, which inflating refuses with an IOException of its own.
        var tenant = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        var content = new ByteArrayContent(sent);
        content.Headers.ContentEncoding.Add(encoding);
        var request = new HttpRequestMessage(HttpMethod.Post, "api/v2/logs") { Content = content };
        request.Headers.Add("DD-API-KEY", tenant.ApiKey);
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Post_BeyondTheTenantsRateLimit_429WithRetryAfterAndOtherTenantsUnaffected()
    {
        var noisy = await portal.CreateTenantAsync();
        var quiet = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        // 1.9 MB each against the fixture's 1 MB/s with a 2 MB burst: the second needs 1.8 s of refill. A machine slow enough
        // to spend that between two requests gets the refill, so they are sent until one is refused, which the third is at
        // the latest (each request adds 1.9 MB and takes well under 1.9 s) unless the machine stalls for seconds.
        var big = new JsonArray(Enumerable.Range(0, 500).Select(i => (JsonNode?)new JsonObject { ["service"] = "bulk", ["message"] = $"{i} " + new string('x', 3750) }).ToArray());

        var accepted = 0;
        HttpResponseMessage? refused = null;
        for (var sent = 0; sent < 8 && refused is null; sent++)
        {
            var response = await LogShipper.PostAsync(client, noisy, big);
            if (response.StatusCode == HttpStatusCode.Accepted)
            {
                accepted++;
                response.Dispose();
            }
            else
            {
                refused = response;
            }
        }
        using var other = await LogShipper.PostAsync(client, quiet, big);

        Assert.NotNull(refused);
        using (refused)
        {
            Assert.Equal((HttpStatusCode)429, refused.StatusCode);
            Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        }
        Assert.InRange(accepted, 1, 7);
        Assert.Equal(HttpStatusCode.Accepted, other.StatusCode);
        // What was refused was not stored: exactly the accepted requests' logs are.
        Assert.Equal(500 * accepted, (await SearchAsync(noisy, "service:bulk", limit: 5000)).Count);
    }

    /// <summary>
    /// A request the server could not store (its disk at fault) is not charged to the organisation's rate: sent again at
    /// once, the same 1.9 MB is accepted, where the charge would have left 0.1 MB of the fixture's 2 MB burst.
    /// </summary>
    [Fact]
    public async Task Post_RefusedForTheServersFault_NotChargedToTheRateLimit()
    {
        var tenant = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        var big = new JsonArray(Enumerable.Range(0, 500).Select(i => (JsonNode?)new JsonObject { ["service"] = "retried", ["message"] = $"{i} " + new string('x', 3750) }).ToArray());
        var logs = Path.Combine(portal.Services.GetRequiredService<Portal.Search.Lucene.TenantIndexes>().DirectoryOf(tenant.Id), Portal.Search.Lucene.LuceneLogStore.Kind);
        Directory.CreateDirectory(Path.GetDirectoryName(logs)!);
        await File.WriteAllTextAsync(logs, "in the way");

        using var refused = await LogShipper.PostAsync(client, tenant, big);
        File.Delete(logs);
        using var retried = await LogShipper.PostAsync(client, tenant, big);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, retried.StatusCode);
        Assert.Equal(500, (await SearchAsync(tenant, "service:retried", limit: 1000)).Count);
    }

    [Fact]
    public async Task Post_EventOver1MB_AcceptedTruncatedAndFlagged()
    {
        var tenant = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        var huge = new JsonObject { ["service"] = "huge", ["message"] = "start " + new string('y', 1_300_000) };

        using var response = await LogShipper.PostAsync(client, tenant, huge);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var stored = Assert.Single(await SearchAsync(tenant, "service:huge @vigil.truncated:true"));
        Assert.StartsWith("start yyy", stored.Message, StringComparison.Ordinal);
        Assert.True(stored.Message!.Length < 1024 * 1024);
        Assert.InRange(stored.GetAttribute("vigil.original_bytes").Single().Number!.Value, 1_300_000, 1_300_100);
    }

    [Fact]
    public async Task Post_EventOver1MBWithARepeatedKey_400NamingTheKeyAndNothingStored()
    {
        // Cut to fit first, which reads its keys: this threw past the refusal (a 500) before commit 04d5535.
        var tenant = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        var body = "[{\"a\":1,\"a\":2,\"message\":\"" + new string('y', 1_100_000) + "\"}]";
        var request = new HttpRequestMessage(HttpMethod.Post, "api/v2/logs") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("DD-API-KEY", tenant.ApiKey);
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Contains("line 1, byte 9: an object repeats the key 'a'", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(await SearchAsync(tenant, "*"));
    }

    [Fact]
    public async Task Post_EventAsDeepAsTheIntakeReads_StoredAndTheTenantKeepsIndexing()
    {
        // 64 levels: accepted, and one level deeper in its stored form. Its journal record once failed to be written,
        // which stopped the tenant's indexing for good (every later request a 503, the journal unreadable on restart).
        var tenant = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        var deep = string.Concat(Enumerable.Repeat("{\"a\":", 63)) + "{\"service\":\"deep\",\"a\":1" + new string('}', 64);
        var request = new HttpRequestMessage(HttpMethod.Post, "api/v2/logs") { Content = new StringContent(deep, Encoding.UTF8, "application/json") };
        request.Headers.Add("DD-API-KEY", tenant.ApiKey);
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        using var next = await LogShipper.PostAsync(client, tenant, new JsonObject { ["service"] = "next", ["message"] = "after" });

        Assert.Equal(HttpStatusCode.Accepted, next.StatusCode);
        Assert.Single(await SearchAsync(tenant, "service:next"));
        var stored = Assert.Single(await SearchAsync(tenant, "-service:next"));
        Assert.Equal(1, stored.GetAttribute(string.Join('.', Enumerable.Repeat("a", 64))).Single().Number);
    }

    [Fact]
    public async Task Post_TooManyEvents_413AndEarlierBatchesKept()
    {
        var tenant = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        using var first = await LogShipper.PostAsync(client, tenant, new JsonObject { ["message"] = "kept" });
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);

        var tooMany = new JsonArray(Enumerable.Range(0, 1001).Select(i => (JsonNode?)new JsonObject { ["message"] = $"m{i}" }).ToArray());
        using var response = await LogShipper.PostAsync(client, tenant, tooMany);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Single(await SearchAsync(tenant, "*"));
    }

    private async Task<IReadOnlyList<Portal.Detection.Events.LogEvent>> SearchAsync(TestTenant tenant, string query, int limit = 100)
    {
        var store = portal.Services.GetRequiredService<ILogStore>();
        await store.RefreshAsync(tenant.Id, CancellationToken.None);
        var page = await store.SearchAsync(tenant.Id, new SearchRequest(QueryParser.Parse(query), DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddMinutes(1), limit), CancellationToken.None);
        return page.Items;
    }
}
