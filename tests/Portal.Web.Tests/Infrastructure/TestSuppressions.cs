using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data.Suppressions;

namespace Portal.Web.Tests.Infrastructure;

/// <summary>Suppressions stored for an organisation through the portal's own service, as its API stores them.</summary>
internal static class TestSuppressions
{
    /// <summary>
    /// Stores a suppression of the rules <paramref name="ruleQuery"/> matches, excluding the logs <paramref name="exclusion"/>
    /// matches and stopping the signals whose logs <paramref name="suppression"/> matches; its id.
    /// </summary>
    public static async Task<string> CreateAsync(
        PortalFixture portal, Guid organisation, string name, string ruleQuery, string? exclusion = null, string? suppression = null,
        long? expires = null, bool enabled = true, long? starts = null)
    {
        var (created, problems) = await portal.Services.GetRequiredService<SuppressionService>().CreateAsync(organisation, new JsonObject
        {
            ["name"] = name, ["rule_query"] = ruleQuery, ["data_exclusion_query"] = exclusion, ["suppression_query"] = suppression, ["expiration_date"] = expires,
            ["enabled"] = enabled, ["start_date"] = starts,
        }.ToJsonString());
        Assert.True(created is not null, string.Join("; ", problems.Select(e => e.ToString())));
        return created!.Definition.Id!;
    }
}
