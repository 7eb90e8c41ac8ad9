using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Data.Rules;
using Portal.Detection.Evaluation;

namespace Portal.Web.Tests.Infrastructure;

/// <summary>Rules as stored in an organisation's database, changed behind the rule service's back.</summary>
internal static class StoredRules
{
    /// <summary>
    /// Makes a scheduled rule of the organisation (<paramref name="name"/>, or the first other than
    /// <paramref name="except"/>) one that no longer passes validation, as a check added since it was stored would: its
    /// evaluation window becomes 42 s, or what <paramref name="outdate"/> makes of its JSON. Returns its id and name.
    /// </summary>
    public static async Task<(string Id, string Name)> OutdateAsync(PortalFixture portal, Guid tenantId, string? name = null, string? except = null, Action<JsonNode>? outdate = null)
    {
        var rule = (await portal.Services.GetRequiredService<RuleService>().ListAsync(tenantId))
            .First(r => name is null ? r.Name != except && !RealTimeRules.IsRealTime(r) && r.Options.EvaluationWindow > 0 : r.Name == name);
        await using var db = portal.Services.GetRequiredService<TenantDbFactory>().Create(tenantId);
        var record = await db.Rules.SingleAsync(r => r.Id == rule.Id);
        var json = JsonNode.Parse(record.Json)!;
        (outdate ?? (rule => rule["options"]!["evaluationWindow"] = 42))(json);
        record.Json = json.ToJsonString();
        await db.SaveChangesAsync();
        return (rule.Id!, rule.Name);
    }
}
