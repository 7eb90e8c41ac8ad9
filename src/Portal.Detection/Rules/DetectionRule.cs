using System.Text.Json;
using System.Text.Json.Serialization;

namespace Portal.Detection.Rules;

/// <summary>
/// A detection rule in Datadog's v2 security monitoring JSON shape. Unknown properties are kept in
/// <see cref="Extra"/> so that a rule written for Datadog round-trips through Vigil unchanged.
/// </summary>
public sealed class DetectionRule
{
    public string? Id { get; set; }
    public string Name { get; set; } = "";
    public string Type { get; set; } = "log_detection";
    public bool IsEnabled { get; set; } = true;
    public List<RuleQuery> Queries { get; set; } = [];
    public List<RuleCase> Cases { get; set; } = [];
    public RuleOptions Options { get; set; } = new();
    public string Message { get; set; } = "";
    public List<string> Tags { get; set; } = [];
    public bool HasExtendedTitle { get; set; }

    /// <summary>Server-managed: whether the rule ships with Vigil.</summary>
    public bool IsDefault { get; set; }

    /// <summary>Server-managed: incremented on every change.</summary>
    public int Version { get; set; } = 1;

    /// <summary>Server-managed: creation time in epoch milliseconds.</summary>
    public long? CreatedAt { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>One query of a rule; its <see cref="Name"/> is referenced by case conditions.</summary>
public sealed class RuleQuery
{
    public string? Name { get; set; }
    public string Query { get; set; } = "";
    public string Aggregation { get; set; } = RuleAggregations.Count;
    public List<string> GroupByFields { get; set; } = [];
    public List<string> DistinctFields { get; set; } = [];

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>A case: when <see cref="Condition"/> holds, a signal of <see cref="Status"/> severity is raised.</summary>
public sealed class RuleCase
{
    public string? Name { get; set; }
    public string Status { get; set; } = Severities.Info;
    public string Condition { get; set; } = "";
    public List<string> Notifications { get; set; } = [];

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>Detection method and time windows, in seconds as Datadog has them.</summary>
public sealed class RuleOptions
{
    public string DetectionMethod { get; set; } = DetectionMethods.Threshold;
    public int EvaluationWindow { get; set; } = 300;
    public int KeepAlive { get; set; } = 3600;
    public int MaxSignalDuration { get; set; } = 86400;

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>Aggregations of a rule query.</summary>
public static class RuleAggregations
{
    public const string Count = "count";
    public const string Cardinality = "cardinality";
}

/// <summary>Detection methods.</summary>
public static class DetectionMethods
{
    public const string Threshold = "threshold";
}

/// <summary>Signal severities, ordered from least to most severe.</summary>
public static class Severities
{
    public const string Info = "info";
    public const string Low = "low";
    public const string Medium = "medium";
    public const string High = "high";
    public const string Critical = "critical";

    /// <summary>All severities, least severe first.</summary>
    public static readonly IReadOnlyList<string> All = [Info, Low, Medium, High, Critical];

    /// <summary>Rank for comparisons: info 0 … critical 4, unknown -1.</summary>
    public static int Rank(string? severity) => severity is null ? -1 : All.IndexOf(severity);

    private static int IndexOf(this IReadOnlyList<string> list, string value)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] == value)
            {
                return i;
            }
        }
        return -1;
    }
}
