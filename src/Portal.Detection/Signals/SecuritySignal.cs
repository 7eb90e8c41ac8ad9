using System.Text.Json.Nodes;

namespace Portal.Detection.Signals;

/// <summary>A security signal, mirroring Datadog's signal fields.</summary>
public sealed class SecuritySignal
{
    public required string Id { get; init; }

    /// <summary>When the signal was created.</summary>
    public DateTimeOffset Timestamp { get; set; }
    public string Title { get; set; } = "";

    /// <summary>Markdown rendered from the rule's message template.</summary>
    public string Message { get; set; } = "";
    public string Severity { get; set; } = "info";
    public List<string> Tags { get; set; } = [];
    public required string RuleId { get; init; }
    public string RuleName { get; set; } = "";
    public int RuleVersion { get; set; }

    /// <summary>Group-by field (as written in the rule) to value.</summary>
    public Dictionary<string, string> GroupBy { get; set; } = [];

    /// <summary>Stable key of the group values; with the rule id it identifies the open signal of a group.</summary>
    public string GroupKey { get; set; } = "";
    public DateTimeOffset FirstSeen { get; set; }
    public DateTimeOffset LastSeen { get; set; }
    public long EventsMatched { get; set; }
    public Dictionary<string, long> EventsMatchedByQuery { get; set; } = [];
    public List<string> SampleEventIds { get; set; } = [];

    /// <summary>Attributes copied from the first matching event (usr, network, evt, http...).</summary>
    public JsonObject Attributes { get; set; } = [];
    public string TriageState { get; set; } = TriageStates.Open;
    public string? ArchiveReason { get; set; }
    public string? ArchiveComment { get; set; }
    public DateTimeOffset? UpdatedAt { get; set; }
}

/// <summary>Triage states of a signal.</summary>
public static class TriageStates
{
    public const string Open = "open";
    public const string UnderReview = "under_review";
    public const string Archived = "archived";

    /// <summary>Every triage state.</summary>
    public static readonly IReadOnlyList<string> All = [Open, UnderReview, Archived];

    /// <summary>Datadog's archive reasons.</summary>
    public static readonly IReadOnlyList<string> ArchiveReasons =
        ["none", "false_positive", "testing_or_maintenance", "remediated", "investigated_case_opened", "true_positive_benign", "true_positive_malicious", "other"];
}
