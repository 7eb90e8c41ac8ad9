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

    /// <summary>Third-party rules: cases tested in order on each event of the root queries; the first whose query matches sets the severity.</summary>
    public List<ThirdPartyCase>? ThirdPartyCases { get; set; }

    /// <summary>Datadog's rule filters: events must match every <c>require</c> query and no <c>suppress</c> query to be evaluated.</summary>
    public List<RuleFilter>? Filters { get; set; }

    /// <summary>Server-managed: whether the rule ships with Vigil.</summary>
    public bool IsDefault { get; set; }

    /// <summary>Server-managed: incremented on every change.</summary>
    public int Version { get; set; } = 1;

    /// <summary>Server-managed: creation time in epoch milliseconds.</summary>
    public long? CreatedAt { get; set; }

    /// <summary>
    /// Vigil's extension for detection as code: sample logs and the signals they must (or must not) raise,
    /// run by <c>vigil rules test</c> and by the test suite for every shipped rule. Datadog ignores it.
    /// </summary>
    public List<RuleTest>? Tests { get; set; }

    /// <summary>
    /// Server-managed: why the rule as stored no longer passes validation (stored before a check it fails was added, or
    /// written to the database by hand). Such a rule is listed, can be turned off, corrected or deleted, but is not
    /// evaluated; none for a valid rule.
    /// </summary>
    [JsonIgnore]
    public IReadOnlyList<RuleError> StoredErrors { get; set; } = [];

    /// <summary>The name under which the API lists <see cref="StoredErrors"/> (Vigil's; ignored in a rule read, as the property is).</summary>
    public const string StoredErrorsName = "storedErrors";

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>A third-party case: events matching <see cref="Query"/> raise signals of <see cref="Status"/>.</summary>
public sealed class ThirdPartyCase
{
    public string? Name { get; set; }
    public string Query { get; set; } = "";
    public string Status { get; set; } = Severities.Info;
    public List<string> Notifications { get; set; } = [];

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>
/// The <c>third_party</c> method, for alerts other products already raised (GuardDuty findings, EDR detections): each
/// event of a root query is a signal of its group, with the severity of the first matching third-party case, else
/// <see cref="DefaultStatus"/> (no signal when that is unset).
/// </summary>
public sealed class ThirdPartyRuleOptions
{
    public string? DefaultStatus { get; set; }
    public List<ThirdPartyRootQuery> RootQueries { get; set; } = [];
    public string? SignalTitleTemplate { get; set; }
    public List<string> DefaultNotifications { get; set; } = [];

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>A root query of a third-party rule.</summary>
public sealed class ThirdPartyRootQuery
{
    public string Query { get; set; } = "";
    public List<string> GroupByFields { get; set; } = [];

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>A rule filter: <c>{"action": "require" | "suppress", "query": "..."}</c>.</summary>
public sealed class RuleFilter
{
    public string Action { get; set; } = "";
    public string Query { get; set; } = "";

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

    /// <summary>
    /// Fields the aggregation reads: the summed or maximised number (<c>sum</c>, <c>max</c>), the value tuple
    /// whose novelty is detected (<c>new_value</c>, up to 5 fields), or the geo-IP object (<c>geo_data</c>).
    /// </summary>
    public List<string> Metrics { get; set; } = [];

    /// <summary>When true, events missing a group-by value are grouped under an empty value instead of skipped.</summary>
    public bool HasOptionalGroupByFields { get; set; }

    /// <summary>Signal correlation: the rule whose signals this query counts.</summary>
    public string? RuleId { get; set; }

    /// <summary>Signal correlation: the fields (up to 3) on which the queries' signals must agree.</summary>
    public List<string>? CorrelatedByFields { get; set; }

    /// <summary>Signal correlation: the query whose signals give the correlated values (Datadog's field; informative here).</summary>
    public int? CorrelatedQueryIndex { get; set; }

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

    /// <summary>Options of the <c>new_value</c> method.</summary>
    public NewValueOptions? NewValueOptions { get; set; }

    /// <summary>Options of the <c>impossible_travel</c> method.</summary>
    public ImpossibleTravelOptions? ImpossibleTravelOptions { get; set; }

    /// <summary>Options of the <c>anomaly_detection</c> method.</summary>
    public AnomalyDetectionOptions? AnomalyDetectionOptions { get; set; }

    /// <summary>Options of the <c>third_party</c> method: the root queries and the severity when no case matches.</summary>
    public ThirdPartyRuleOptions? ThirdPartyRuleOptions { get; set; }

    /// <summary>Lower the severity one step for events tagged <c>env:staging</c>, <c>env:test</c> or <c>env:dev</c>.</summary>
    public bool DecreaseCriticalityBasedOnEnv { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>
/// The <c>new_value</c> method: a value never seen for its group during <see cref="LearningDuration"/> (days, after
/// which signals start) or within <see cref="ForgetAfter"/> days raises a signal.
/// </summary>
public sealed class NewValueOptions
{
    public int LearningDuration { get; set; } = 1;
    public int ForgetAfter { get; set; } = 7;
    public string LearningMethod { get; set; } = "duration";
    public int LearningThreshold { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>The <c>impossible_travel</c> method: with <see cref="BaselineUserLocations"/>, travel to a place the user was already seen at is normal.</summary>
public sealed class ImpossibleTravelOptions
{
    public bool BaselineUserLocations { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>
/// The <c>anomaly_detection</c> method: event counts per <see cref="BucketDuration"/> seconds are compared with the
/// group's baseline over the last <see cref="LearningDuration"/> hours; <see cref="DetectionTolerance"/> (1 to 5) is how
/// many robust standard deviations above the baseline a bucket must be.
/// </summary>
public sealed class AnomalyDetectionOptions
{
    public int BucketDuration { get; set; } = 300;
    public int LearningDuration { get; set; } = 24;
    public int DetectionTolerance { get; set; } = 5;
    public int LearningPeriodBaseline { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>A rule test: logs in intake shape, replayed in order, and the signals they must raise (none when empty).</summary>
public sealed class RuleTest
{
    public string Name { get; set; } = "";

    /// <summary>
    /// Logs as sent to the intake (<c>ddsource</c>, <c>message</c>, attributes...). A log without a timestamp is one second
    /// after the previous one; <c>"repeat": n</c> sends it n times, <c>"intervalSeconds"</c> apart (default 1).
    /// </summary>
    public List<System.Text.Json.Nodes.JsonObject> Logs { get; set; } = [];

    /// <summary>The signals expected, in order of first event; each lists only the fields it checks.</summary>
    public List<ExpectedSignal> Expect { get; set; } = [];
}

/// <summary>What a test expects of one signal; unset fields are not checked.</summary>
public sealed class ExpectedSignal
{
    public string? Severity { get; set; }
    public string? Title { get; set; }
    public Dictionary<string, string>? Group { get; set; }
    public long? EventsMatched { get; set; }

    /// <summary>Text the rendered message must contain.</summary>
    public string? MessageContains { get; set; }
}

/// <summary>Aggregations of a rule query.</summary>
public static class RuleAggregations
{
    public const string Count = "count";
    public const string Cardinality = "cardinality";
    public const string Sum = "sum";
    public const string Max = "max";
    public const string NewValue = "new_value";
    public const string GeoData = "geo_data";
    public const string EventCount = "event_count";

    /// <summary>Every aggregation a query may use.</summary>
    public static readonly IReadOnlyList<string> All = [Count, Cardinality, Sum, Max, NewValue, GeoData, EventCount];
}

/// <summary>Rule types.</summary>
public static class RuleTypes
{
    public const string LogDetection = "log_detection";
    public const string SignalCorrelation = "signal_correlation";

    /// <summary>True for rules over other rules' signals (Datadog's <c>signal_correlation</c> type, or that detection method).</summary>
    public static bool IsCorrelation(DetectionRule rule) =>
        rule.Type == SignalCorrelation || rule.Options?.DetectionMethod == DetectionMethods.SignalCorrelation;
}

/// <summary>Detection methods.</summary>
public static class DetectionMethods
{
    public const string Threshold = "threshold";
    public const string NewValue = "new_value";
    public const string AnomalyDetection = "anomaly_detection";
    public const string ImpossibleTravel = "impossible_travel";
    public const string SignalCorrelation = "signal_correlation";
    public const string ThirdParty = "third_party";

    /// <summary>Every detection method.</summary>
    public static readonly IReadOnlyList<string> All = [Threshold, NewValue, AnomalyDetection, ImpossibleTravel, SignalCorrelation, ThirdParty];
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
