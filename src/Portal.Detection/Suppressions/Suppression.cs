using System.Text.Json;
using System.Text.Json.Serialization;
using Portal.Detection.Events;
using Portal.Detection.Query;
using Portal.Detection.Rules;

namespace Portal.Detection.Suppressions;

/// <summary>
/// Datadog's suppression: for the rules matching <see cref="RuleQuery"/>, events matching <see cref="DataExclusionQuery"/>
/// are dropped before evaluation and signals whose events match <see cref="SuppressionQuery"/> are not raised, between
/// <see cref="StartDate"/> and <see cref="ExpirationDate"/> (epoch milliseconds). Attribute names are Datadog's snake_case.
/// </summary>
public sealed class Suppression
{
    public string? Id { get; set; }
    public string Name { get; set; } = "";
    public string Description { get; set; } = "";
    public bool Enabled { get; set; } = true;

    /// <summary>Which rules it applies to, in the rule search syntax (<c>source:cloudtrail</c>, <c>ruleId:abc</c>, tags, words of the name).</summary>
    [JsonPropertyName("rule_query")]
    public string RuleQuery { get; set; } = "";

    /// <summary>Signals whose events match this query are suppressed.</summary>
    [JsonPropertyName("suppression_query")]
    public string? SuppressionQuery { get; set; }

    /// <summary>Events matching this query are excluded before the rules see them.</summary>
    [JsonPropertyName("data_exclusion_query")]
    public string? DataExclusionQuery { get; set; }

    [JsonPropertyName("start_date")]
    public long? StartDate { get; set; }

    [JsonPropertyName("expiration_date")]
    public long? ExpirationDate { get; set; }

    /// <summary>Server-managed: incremented on every change.</summary>
    public int Version { get; set; } = 1;

    /// <summary>Server-managed: creation time in epoch milliseconds.</summary>
    [JsonPropertyName("creation_date")]
    public long? CreationDate { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }

    /// <summary>True when enabled and <paramref name="now"/> is within its dates.</summary>
    public bool IsActive(DateTimeOffset now)
    {
        var ms = now.ToUnixTimeMilliseconds();
        return Enabled && (StartDate is not { } start || ms >= start) && (ExpirationDate is not { } end || ms < end);
    }

    /// <summary>Checks a suppression and returns every problem with its JSON path (Datadog's attribute names).</summary>
    public static List<RuleError> Validate(Suppression s)
    {
        var errors = new List<RuleError>();
        if (string.IsNullOrWhiteSpace(s.Name))
        {
            errors.Add(new("$.name", "is required"));
        }
        else if (s.Name.Length > 200)
        {
            errors.Add(new("$.name", "must be at most 200 characters"));
        }
        if (s.Description is { Length: > 10_000 })
        {
            errors.Add(new("$.description", "must be at most 10,000 characters"));
        }
        CheckQuery(s.RuleQuery, "$.rule_query", required: true, errors);
        CheckQuery(s.SuppressionQuery, "$.suppression_query", required: false, errors);
        CheckQuery(s.DataExclusionQuery, "$.data_exclusion_query", required: false, errors);
        if (string.IsNullOrWhiteSpace(s.SuppressionQuery) && string.IsNullOrWhiteSpace(s.DataExclusionQuery))
        {
            errors.Add(new("$.suppression_query", "a suppression needs a suppression_query, a data_exclusion_query, or both"));
        }
        if (s.StartDate is { } start && s.ExpirationDate is { } end && end <= start)
        {
            errors.Add(new("$.expiration_date", "must be after start_date"));
        }
        return errors;
    }

    private static void CheckQuery(string? query, string path, bool required, List<RuleError> errors)
    {
        if (string.IsNullOrWhiteSpace(query))
        {
            if (required)
            {
                errors.Add(new(path, "is required (use * for every rule)"));
            }
            return;
        }
        RuleValidator.CheckQuery(query, path, errors, maxLength: 10_000);
    }
}

/// <summary>
/// The active suppressions of an organisation, compiled once per evaluation run: which apply to a rule, what they exclude
/// from its events, and whether a would-be signal is suppressed.
/// </summary>
public sealed class SuppressionSet
{
    private readonly List<(Suppression Definition, Func<LogEvent, bool> Rules, QueryNode? Exclusion, Func<LogEvent, bool>? Signals)> _active;

    /// <summary>Compiles the suppressions active at <paramref name="now"/>; invalid ones (stored before a syntax change) are skipped.</summary>
    public SuppressionSet(IEnumerable<Suppression> suppressions, DateTimeOffset now)
    {
        _active = [];
        foreach (var s in suppressions.Where(s => s.IsActive(now) && Suppression.Validate(s).Count == 0))
        {
            _active.Add((
                s,
                QueryMatcher.Compile(QueryParser.Parse(s.RuleQuery)),
                string.IsNullOrWhiteSpace(s.DataExclusionQuery) ? null : QueryParser.Parse(s.DataExclusionQuery),
                string.IsNullOrWhiteSpace(s.SuppressionQuery) ? null : QueryMatcher.Compile(QueryParser.Parse(s.SuppressionQuery))));
        }
    }

    /// <summary>No suppression at all.</summary>
    public static SuppressionSet None { get; } = new([], DateTimeOffset.UnixEpoch);

    /// <summary>The suppressions whose rule query matches <paramref name="rule"/>.</summary>
    public RuleSuppressions For(DetectionRule rule)
    {
        var asEvent = RuleAsEvent(rule);
        var applicable = _active.Where(a => a.Rules(asEvent)).ToList();
        return new RuleSuppressions(
            applicable.Where(a => a.Exclusion is not null).Select(a => (a.Definition, a.Exclusion!)).ToList(),
            applicable.Where(a => a.Signals is not null).Select(a => (a.Definition, a.Signals!)).ToList());
    }

    /// <summary>
    /// A rule as the rule search sees it: its tags (<c>source:cloudtrail</c>, <c>tactic:…</c>), <c>ruleId:</c>, <c>type:</c> and
    /// <c>method:</c> as tags, <c>source</c> from its source tag, and its name as free text.
    /// </summary>
    public static LogEvent RuleAsEvent(DetectionRule rule) => new()
    {
        Id = rule.Id ?? "",
        Message = rule.Name,
        Source = rule.Tags.FirstOrDefault(t => t.StartsWith("source:", StringComparison.Ordinal))?["source:".Length..],
        Tags = [.. rule.Tags, $"ruleId:{rule.Id}", $"type:{rule.Type}", $"method:{rule.Options.DetectionMethod}"],
    };
}

/// <summary>The suppressions that apply to one rule.</summary>
public sealed record RuleSuppressions(
    IReadOnlyList<(Suppression Suppression, QueryNode Query)> Exclusions,
    IReadOnlyList<(Suppression Suppression, Func<LogEvent, bool> Matches)> Signals)
{
    /// <summary>No suppression applies.</summary>
    public static RuleSuppressions None { get; } = new([], []);

    /// <summary>Every suppression that applies, each once: those that exclude logs, then those that stop signals.</summary>
    public IEnumerable<Suppression> All => Exclusions.Select(e => e.Suppression).Concat(Signals.Select(s => s.Suppression)).Distinct();

    /// <summary>The rule compiled as these suppressions have it evaluated: the logs their data exclusions match left out of every query.</summary>
    public Evaluation.CompiledRule Compile(string id, DetectionRule rule) => Evaluation.CompiledRule.Compile(id, rule, [.. Exclusions.Select(e => e.Query)]);

    /// <summary>
    /// The candidates no suppression stops; the others are counted in <paramref name="hidden"/> against the suppression
    /// that stopped them (by id), once per group per call: a group's later matches would have updated one signal.
    /// </summary>
    public IEnumerable<Evaluation.SignalCandidate> Unsuppressed(IEnumerable<Evaluation.SignalCandidate> candidates, Dictionary<string, (long Signals, long Events)> hidden)
    {
        var counted = new HashSet<(string, string)>();
        foreach (var candidate in candidates)
        {
            if (Suppressing(candidate.Samples) is { Id: { } id })
            {
                if (counted.Add((id, candidate.GroupKey)))
                {
                    var (signals, events) = hidden.GetValueOrDefault(id);
                    hidden[id] = (signals + 1, events);
                }
                continue;
            }
            yield return candidate;
        }
    }

    /// <summary>The first suppression whose suppression query matches one of the would-be signal's events, or null.</summary>
    public Suppression? Suppressing(IEnumerable<LogEvent> samples)
    {
        foreach (var (suppression, matches) in Signals)
        {
            if (samples.Any(matches))
            {
                return suppression;
            }
        }
        return null;
    }
}
