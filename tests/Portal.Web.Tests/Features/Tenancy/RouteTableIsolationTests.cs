using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.Tenancy;

/// <summary>
/// Walks every API route of the app's own route table as tenant B with tenant A's ids, so that a new endpoint is
/// covered the day it is added: routes with an id answer 404, and no answer ever carries A's data.
/// </summary>
[Collection("portal")]
public sealed class RouteTableIsolationTests(PortalFixture portal)
{
    [Fact]
    public async Task EveryApiRoute_AsTenantBWithAsIds_NotFoundAndNeverAsData()
    {
        var a = await portal.CreateTenantAsync("Alpha Routes");
        var b = await portal.CreateTenantAsync("Bravo Routes");
        using var client = portal.CreateClient();
        using (var _ = await LogShipper.PostAsync(client, a, LogShipper.SshFailures("192.0.2.250", 12, user: "alpha-secret-user")))
        {
        }
        await LogShipper.EvaluateAsync(portal, a);
        var aSignal = (await LogShipper.SearchSignalsAsync(client, a, "*"))["data"]![0]!["id"]!.GetValue<string>();
        using var aRules = await client.SendAsync(a.Request(HttpMethod.Get, "api/v2/security_monitoring/rules"));
        var aRule = (await aRules.Content.ReadFromJsonAsync<JsonObject>())!["data"]![0]!["id"]!.GetValue<string>();
        var suppression = new JsonObject { ["data"] = new JsonObject { ["attributes"] = new JsonObject { ["name"] = "alpha-secret-suppression", ["rule_query"] = "*", ["suppression_query"] = "host:alpha-lab" } } };
        using var aSuppressionCreated = await client.SendAsync(a.Request(HttpMethod.Post, "api/v2/security_monitoring/configuration/suppressions", JsonContent.Create(suppression)));
        var aSuppression = (await aSuppressionCreated.Content.ReadFromJsonAsync<JsonObject>())!["data"]!["id"]!.GetValue<string>();
        string[] secrets = [aSignal, aRule, aSuppression, "192.0.2.250", "alpha-secret-user", "alpha-secret-suppression", "Alpha Routes"];

        var routes = portal.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.TrimStart('/').StartsWith("api/", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => (Method: m, Pattern: e.RoutePattern.RawText!.TrimStart('/'))))
            .Distinct()
            .ToList();
        Assert.True(routes.Count >= 10, $"Only {routes.Count} API routes found");

        foreach (var (method, pattern) in routes)
        {
            foreach (var id in pattern.Contains('{', StringComparison.Ordinal) ? new[] { aSignal, aRule, aSuppression } : [""])
            {
                var path = System.Text.RegularExpressions.Regex.Replace(pattern, @"\{[^}]+\}", id);
                var body = method is "POST" or "PUT" or "PATCH"
                    ? new StringContent(pattern.EndsWith("/backtest", StringComparison.Ordinal)
                        // B asks to backtest A's rule by its id: it must not exist for B.
                        ? $$"""{"ruleId":"{{aRule}}","from":"now-1h"}"""
                        : """{"data":{"attributes":{"state":"archived"}},"isEnabled":false,"filter":{"query":"*","from":"now-1h"},"message":"x"}""", Encoding.UTF8, "application/json")
                    : null;
                using var response = await client.SendAsync(b.Request(new HttpMethod(method), path, body));
                var text = await response.Content.ReadAsStringAsync();

                foreach (var secret in secrets)
                {
                    Assert.False(text.Contains(secret, StringComparison.Ordinal), $"{method} /{path} as B returned A's '{secret}'");
                }
                if (id.Length > 0 || pattern.EndsWith("/backtest", StringComparison.Ordinal))
                {
                    Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{method} /{path} as B with A's id answered {(int)response.StatusCode}");
                }
            }
        }
    }
}
