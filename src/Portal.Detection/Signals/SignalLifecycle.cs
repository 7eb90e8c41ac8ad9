using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Portal.Detection.Evaluation;
using Portal.Detection.Events;
using Portal.Detection.Rules;

namespace Portal.Detection.Signals;

/// <summary>
/// One signal per rule and group while it stays alive: a match updates the open signal when the group
/// was last seen within keep-alive and the signal is younger than the max signal duration; otherwise a
/// new signal starts. A more severe case escalates the open signal; severity never drops.
/// </summary>
public static class SignalLifecycle
{
    private const int MaxSamples = 10;
    private static readonly string[] CopiedAttributes = ["usr", "network", "evt", "http", "userIdentity", "ssh"];

    /// <summary>True when <paramref name="open"/> can still absorb matches seen at <paramref name="lastSeen"/>.</summary>
    public static bool IsAlive(SecuritySignal open, RuleOptions options, DateTimeOffset lastSeen) =>
        open.TriageState != TriageStates.Archived
        && lastSeen - open.LastSeen <= TimeSpan.FromSeconds(options.KeepAlive)
        && lastSeen - open.FirstSeen <= TimeSpan.FromSeconds(options.MaxSignalDuration);

    /// <summary>Applies a candidate: returns the updated open signal or a new one.</summary>
    public static SecuritySignal Apply(CompiledRule rule, SignalCandidate candidate, SecuritySignal? open, DateTimeOffset evaluatedAt, Func<string> newId)
    {
        var severity = Severity(rule.Definition, candidate);
        if (open is not null && IsAlive(open, rule.Definition.Options, candidate.LastSeen))
        {
            // An open signal absorbs every later match of a busy group: this path allocates nothing of its own.
            if (candidate.NewCounts is QueryValues<long> counts)
            {
                // A threshold runner's counts, read without an enumerator.
                for (var i = 0; i < counts.Values.Length; i++)
                {
                    AddCount(open, counts.Names[i], counts.Values[i]);
                }
            }
            else
            {
                foreach (var (query, count) in candidate.NewCounts)
                {
                    AddCount(open, query, count);
                }
            }
            Absorb(open, severity, candidate.LastSeen, candidate.Samples, evaluatedAt);
            AddDetails(open.Attributes, candidate);
            return open;
        }

        var definition = rule.Definition;
        var sample = candidate.Samples.FirstOrDefault();
        var title = definition.Options.ThirdPartyRuleOptions?.SignalTitleTemplate is { Length: > 0 } template
            ? MessageTemplate.Render(template, definition.Name, candidate.WindowCounts.Values.Sum(), candidate.GroupBy, sample, markdown: false)
            : definition.HasExtendedTitle && candidate.GroupBy.Count > 0
                ? $"{definition.Name} ({string.Join(", ", candidate.GroupBy.Values)})"
                : definition.Name;
        return new SecuritySignal
        {
            Id = newId(),
            Timestamp = evaluatedAt,
            Title = title,
            Message = MessageTemplate.Render(definition.Message, definition.Name, candidate.WindowCounts.Values.Sum(), candidate.GroupBy, sample),
            Severity = severity,
            Tags = SignalTags(definition, candidate.Samples),
            RuleId = rule.Id,
            RuleName = definition.Name,
            RuleVersion = definition.Version,
            GroupBy = new Dictionary<string, string>(candidate.GroupBy),
            GroupKey = candidate.GroupKey,
            FirstSeen = candidate.FirstSeen,
            LastSeen = candidate.LastSeen,
            EventsMatched = candidate.WindowCounts.Values.Sum(),
            EventsMatchedByQuery = new Dictionary<string, long>(candidate.WindowCounts),
            SampleEventIds = candidate.Samples.Select(s => s.Id).Take(MaxSamples).ToList(),
            Attributes = AddDetails(CopyAttributes(sample), candidate),
        };
    }

    /// <summary>
    /// What an open signal takes from a later match besides its counts (<see cref="AddCount"/>): the time it was last
    /// seen, sample ids up to ten, a more severe case, and when it was updated.
    /// </summary>
    internal static void Absorb(SecuritySignal open, string severity, DateTimeOffset lastSeen, IReadOnlyList<LogEvent> samples, DateTimeOffset evaluatedAt)
    {
        open.LastSeen = lastSeen > open.LastSeen ? lastSeen : open.LastSeen;
        for (var i = 0; i < samples.Count && open.SampleEventIds.Count < MaxSamples; i++)
        {
            var id = samples[i].Id;
            if (!open.SampleEventIds.Contains(id))
            {
                open.SampleEventIds.Add(id);
            }
        }
        if (Severities.Rank(severity) > Severities.Rank(open.Severity))
        {
            open.Severity = severity;
        }
        open.UpdatedAt = evaluatedAt;
    }

    /// <summary>Adds a query's newly matched events to an open signal's counts.</summary>
    internal static void AddCount(SecuritySignal open, string query, long count)
    {
        open.EventsMatched += count;
        ref var byQuery = ref CollectionsMarshal.GetValueRefOrAddDefault(open.EventsMatchedByQuery, query, out _);
        byQuery += count;
    }

    /// <summary>
    /// Applies <paramref name="candidates"/> in order to the <paramref name="open"/> signals by group (kept up to date as it
    /// goes); returns every signal created or changed, each once.
    /// </summary>
    public static List<SecuritySignal> ApplyAll(
        CompiledRule rule, IEnumerable<SignalCandidate> candidates, IDictionary<string, SecuritySignal> open, Func<SignalCandidate, DateTimeOffset> evaluatedAt, Func<string> newId)
    {
        var changed = new List<SecuritySignal>();
        var seen = new HashSet<SecuritySignal>(ReferenceEqualityComparer.Instance);
        foreach (var candidate in candidates)
        {
            var signal = Apply(rule, candidate, open.TryGetValue(candidate.GroupKey, out var current) ? current : null, evaluatedAt(candidate), newId);
            open[candidate.GroupKey] = signal;
            if (seen.Add(signal))
            {
                changed.Add(signal);
            }
        }
        return changed;
    }

    /// <summary>Environments whose signals a rule with <c>decreaseCriticalityBasedOnEnv</c> lowers by one step.</summary>
    public static readonly IReadOnlySet<string> LowerEnvironments = new HashSet<string>(["staging", "test", "dev"], StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The severity of the matched case, one step lower (never below info) when the rule decreases criticality based on
    /// the environment and the events come from <c>env:staging</c>, <c>env:test</c> or <c>env:dev</c>.
    /// </summary>
    public static string Severity(DetectionRule rule, SignalCandidate candidate)
    {
        var status = candidate.Case.Status;
        if (!rule.Options.DecreaseCriticalityBasedOnEnv || candidate.Samples.Count == 0)
        {
            return status;
        }
        foreach (var sample in candidate.Samples)
        {
            if (!InLowerEnvironment(sample))
            {
                return status;
            }
        }
        return Severities.All[Math.Max(0, Severities.Rank(status) - 1)];
    }

    private static bool InLowerEnvironment(LogEvent e)
    {
        foreach (var tag in e.Tags)
        {
            if (tag.StartsWith("env:", StringComparison.Ordinal) && LowerEnvironments.Contains(tag[4..]))
            {
                return true;
            }
        }
        return false;
    }

    private static JsonObject AddDetails(JsonObject attributes, SignalCandidate candidate)
    {
        if (candidate.Details is { } details)
        {
            foreach (var (name, value) in details)
            {
                attributes[name] = value?.DeepClone();
            }
        }
        return attributes;
    }

    private static List<string> SignalTags(DetectionRule rule, IReadOnlyList<LogEvent> samples)
    {
        var tags = new List<string>(rule.Tags);
        foreach (var source in samples.Select(s => s.Source).Where(s => s is not null).Distinct())
        {
            var tag = $"source:{source}";
            if (!tags.Contains(tag))
            {
                tags.Add(tag);
            }
        }
        return tags;
    }

    private static JsonObject CopyAttributes(LogEvent? sample)
    {
        var copy = new JsonObject();
        if (sample is null)
        {
            return copy;
        }
        foreach (var name in CopiedAttributes)
        {
            if (sample.Attributes[name] is { } node)
            {
                copy[name] = node.DeepClone();
            }
        }
        return copy;
    }
}
