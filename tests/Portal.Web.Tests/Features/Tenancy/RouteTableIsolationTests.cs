using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data.Audit;
using Portal.Data.Identity;
using Portal.Data.Keys;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.Tenancy;

/// <summary>
/// Walks every API route and every page of the app's own route table as tenant B with tenant A's ids (rules, signals,
/// suppressions, logs, members, invitations, keys, audit entries), so that a new endpoint or page is covered the day it
/// is added: API routes with an id answer 404 (or 403), pages render without error, and no answer ever carries A's data.
/// </summary>
[Collection("portal")]
public sealed partial class RouteTableIsolationTests(PortalFixture portal)
{
    [Fact]
    public async Task EveryRoute_AsTenantBWithAsIds_NotFoundAndNeverAsData()
    {
        var a = await portal.CreateTenantAsync("Alpha Routes");
        var b = await portal.CreateTenantAsync("Bravo Routes");
        var alpha = await SeedAsync(a);
        using var client = portal.CreateClient();

        var routes = portal.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => (Endpoint: e, Pattern: e.RoutePattern.RawText?.TrimStart('/') ?? ""))
            .ToList();
        var api = routes
            .Where(r => r.Pattern.StartsWith("api/", StringComparison.Ordinal))
            .SelectMany(r => (r.Endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => (Method: m, r.Pattern)))
            .Distinct()
            .ToList();
        var pages = routes
            .Where(r => r.Endpoint.Metadata.GetMetadata<ComponentTypeMetadata>() is not null)
            .Select(r => r.Pattern)
            .Distinct()
            .ToList();
        Assert.True(api.Count >= 20, $"Only {api.Count} API routes found");
        Assert.True(pages.Count >= 10, $"Only {pages.Count} pages found");

        foreach (var (method, pattern) in api)
        {
            foreach (var id in Ids(pattern, alpha))
            {
                var path = Parameter().Replace(pattern, id);
                var body = method is "POST" or "PUT" or "PATCH"
                    ? new StringContent(pattern.EndsWith("/backtest", StringComparison.Ordinal)
                        // B asks to backtest A's rule by its id: it must not exist for B.
                        ? $$"""{"ruleId":"{{alpha.Rule}}","from":"now-1h"}"""
                        : """{"data":{"attributes":{"state":"archived","name":"x","role":"owner"}},"isEnabled":false,"filter":{"query":"*","from":"now-1h"},"message":"x"}""", Encoding.UTF8, "application/json")
                    : null;
                using var response = await client.SendAsync(b.Request(new HttpMethod(method), path, body));
                var text = await response.Content.ReadAsStringAsync();

                AssertNoSecret(alpha, text, except: null, $"{method} /{path}");
                if (id.Length > 0 || pattern.EndsWith("/backtest", StringComparison.Ordinal))
                {
                    Assert.True(response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden,
                        $"{method} /{path} as B with A's id answered {(int)response.StatusCode}");
                }
            }
        }

        using var browser = portal.CreateClient();
        Assert.Equal(HttpStatusCode.Redirect, (await Forms.SignInAsync(browser, b.Slug, b.Email, TestTenant.Password)).StatusCode);
        foreach (var pattern in pages)
        {
            foreach (var id in Ids(pattern, alpha))
            {
                var path = Parameter().Replace(pattern, id);
                using var response = await browser.GetAsync(path);
                var html = await response.Content.ReadAsStringAsync();

                Assert.True((int)response.StatusCode < 500, $"GET /{path} as B answered {(int)response.StatusCode}");
                // A page may echo the id it was asked for; it must show nothing else of A's.
                AssertNoSecret(alpha, html, except: id, $"GET /{path}");
            }
        }

        // The job dashboard (every organisation's jobs) is for instance administrators only.
        using var dashboard = await browser.GetAsync("hangfire");
        Assert.True(dashboard.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.NotFound, $"/hangfire answered {(int)dashboard.StatusCode}");

        // A's objects survived B's walk.
        using var rule = await client.SendAsync(a.Request(HttpMethod.Get, $"api/v2/security_monitoring/rules/{alpha.Rule}"));
        Assert.Equal(HttpStatusCode.OK, rule.StatusCode);
        Assert.Contains(await portal.Services.GetRequiredService<MemberService>().ListAsync(a.Id), u => u.Email == alpha.MemberEmail);
        Assert.Null((await portal.Services.GetRequiredService<KeyService>().GetAsync(a.Id, Guid.Parse(alpha.ApiKey)))!.RevokedAt);
    }

    /// <summary>A's objects and the strings that must never reach B.</summary>
    private sealed record Alpha(string Signal, string Rule, string Suppression, string Log, string Member, string MemberEmail, string Invitation,
        string ApiKey, string ApplicationKey, string AuditEntry)
    {
        public string[] Ids => [Signal, Rule, Suppression, Log, Member, Invitation, ApiKey, ApplicationKey, AuditEntry];

        public string[] Secrets => [.. Ids, MemberEmail, "192.0.2.250", "alpha-secret-user", "alpha-secret-suppression", "alpha-invitee", "alpha-secret-key", "Alpha Routes"];
    }

    private async Task<Alpha> SeedAsync(TestTenant a)
    {
        using var client = portal.CreateClient();
        using (var _ = await LogShipper.PostAsync(client, a, LogShipper.SshFailures("192.0.2.250", 12, user: "alpha-secret-user")))
        {
        }
        await LogShipper.EvaluateAsync(portal, a);
        var signal = (await LogShipper.SearchSignalsAsync(client, a, "*"))["data"]![0]!["id"]!.GetValue<string>();
        using var rules = await client.SendAsync(a.Request(HttpMethod.Get, "api/v2/security_monitoring/rules?page[size]=100"));
        var rule = (await rules.Content.ReadFromJsonAsync<JsonObject>())!["data"]![0]!["id"]!.GetValue<string>();
        var suppression = new JsonObject { ["data"] = new JsonObject { ["attributes"] = new JsonObject { ["name"] = "alpha-secret-suppression", ["rule_query"] = "*", ["suppression_query"] = "host:alpha-lab" } } };
        using var suppressionCreated = await client.SendAsync(a.Request(HttpMethod.Post, "api/v2/security_monitoring/configuration/suppressions", JsonContent.Create(suppression)));
        var suppressionId = (await suppressionCreated.Content.ReadFromJsonAsync<JsonObject>())!["data"]!["id"]!.GetValue<string>();
        var logs = new JsonObject { ["filter"] = new JsonObject { ["query"] = "*", ["from"] = "now-1h" }, ["page"] = new JsonObject { ["limit"] = 1 } };
        using var logsFound = await client.SendAsync(a.Request(HttpMethod.Post, "api/v2/logs/events/search", JsonContent.Create(logs)));
        var log = (await logsFound.Content.ReadFromJsonAsync<JsonObject>())!["data"]![0]!["id"]!.GetValue<string>();

        var (member, memberId) = await portal.AddMemberAsync(a, VigilRoles.Standard);
        var members = portal.Services.GetRequiredService<MemberService>();
        var owner = (await members.ListAsync(a.Id)).First(u => u.Role == VigilRoles.Owner);
        var invited = await members.InviteAsync(a.Id, new MemberActor(owner.Id, owner.Role), "alpha-invitee@example.test", VigilRoles.ReadOnly);
        Assert.True(invited.Succeeded);
        var invitation = (await members.ListPendingInvitationsAsync(a.Id)).Single().Id.ToString();
        var keys = portal.Services.GetRequiredService<KeyService>();
        var (apiKey, _) = await keys.CreateAsync(a.Id, KeyKind.Api, "alpha-secret-key", owner.Id);
        var (appKey, _) = await keys.CreateAsync(a.Id, KeyKind.Application, "alpha-secret-key", owner.Id);
        var audit = await portal.Services.GetRequiredService<AuditLog>().ReadAsync(a.Id, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow, null, 1, null);

        return new Alpha(signal, rule, suppressionId, log, memberId.ToString(), member.Email, invitation, apiKey.Id.ToString(), appKey.Id.ToString(),
            audit.Entries.Single().Id.ToString());
    }

    private static string[] Ids(string pattern, Alpha alpha) => pattern.Contains('{', StringComparison.Ordinal) ? alpha.Ids : [""];

    private static void AssertNoSecret(Alpha alpha, string text, string? except, string request)
    {
        foreach (var secret in alpha.Secrets.Where(s => s != except))
        {
            Assert.False(text.Contains(secret, StringComparison.Ordinal), $"{request} as B returned A's '{secret}'");
        }
    }

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex Parameter();
}
