using System.Text.Json.Nodes;
using Portal.Data.Audit;
using Portal.Detection.Events;

namespace Portal.Web.Features.Audit;

/// <summary>The fields an audited change touched, flattened to dotted paths (a rule's query is <c>definition.queries.query</c>).</summary>
public static class AuditDiff
{
    /// <summary>One changed field.</summary>
    public sealed record Change(string Field, string? Before, string? After);

    private const int MaxChanges = 40;

    /// <summary>The changed fields of an entry, in field order; all fields of a creation or deletion.</summary>
    public static IReadOnlyList<Change> Changes(AuditEntry entry)
    {
        var before = Flatten(entry.Before);
        var after = Flatten(entry.After);
        return before.Keys.Union(after.Keys)
            .Where(field => before.GetValueOrDefault(field) != after.GetValueOrDefault(field))
            .Take(MaxChanges)
            .Select(field => new Change(field, before.GetValueOrDefault(field), after.GetValueOrDefault(field)))
            .ToList();
    }

    private static Dictionary<string, string?> Flatten(string? json)
    {
        if (json is null)
        {
            return [];
        }
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json);
        }
        catch (System.Text.Json.JsonException)
        {
            return new() { ["value"] = json };
        }
        if (node is not JsonObject root)
        {
            return new() { ["value"] = node?.ToJsonString() };
        }
        // Arrays repeat their path: their values are joined, so that a reordered list reads as one change.
        return AttributePath.Flatten(root)
            .GroupBy(l => l.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (string?)string.Join(", ", g.Select(l => l.Value.Text)), StringComparer.Ordinal);
    }
}
