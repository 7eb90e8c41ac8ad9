using Portal.Detection.Query;
using Portal.Detection.Rules;

namespace Portal.Detection.Evaluation;

/// <summary>A validated rule with its queries and conditions parsed once.</summary>
public sealed class CompiledRule
{
    private CompiledRule(string id, DetectionRule definition, IReadOnlyList<QueryNode> exclusions)
    {
        _plain = !RuleTypes.IsCorrelation(definition) && definition.Filters is not { Count: > 0 } && exclusions.Count == 0;
        Id = id;
        Definition = definition;
        var correlation = RuleTypes.IsCorrelation(definition);
        if (definition.Options.DetectionMethod == DetectionMethods.ThirdParty)
        {
            _plain = false;
            var roots = definition.Options.ThirdPartyRuleOptions!.RootQueries;
            Queries = roots.Select((r, i) => new CompiledQuery(
                $"root{i}",
                Filtered(QueryParser.Parse(r.Query), definition.Filters, exclusions),
                r.GroupByFields.Select(f => FieldNames.TryParse(f)!).ToList(),
                RuleAggregations.Count,
                null)).ToList();
            Cases = [];
            ThirdPartyCases = (definition.ThirdPartyCases ?? [])
                .Select(c => (new RuleCase { Name = c.Name, Status = c.Status, Notifications = c.Notifications }, QueryMatcher.Compile(QueryParser.Parse(c.Query))))
                .ToList();
            return;
        }
        Queries = definition.Queries.Select(q => new CompiledQuery(
            q.Name!,
            Filtered(correlation ? SignalsOf(q) : QueryParser.Parse(q.Query), definition.Filters, exclusions),
            (correlation ? q.CorrelatedByFields! : q.GroupByFields).Select(f => FieldNames.TryParse(f)!).ToList(),
            q.Aggregation,
            q.DistinctFields.Count > 0 ? FieldNames.TryParse(q.DistinctFields[0]) : null)
        {
            Metrics = q.Metrics.Select(f => FieldNames.TryParse(f)!).ToList(),
            HasOptionalGroupBy = q.HasOptionalGroupByFields,
        }).ToList();
        Cases = definition.Cases
            .Select(c => (c, string.IsNullOrWhiteSpace(c.Condition) ? CaseCondition.Always : CaseCondition.Parse(c.Condition)))
            .ToList();
    }

    /// <summary>
    /// A query with the rule's filters and the suppressions' data exclusions folded in:
    /// <c>query AND require… AND NOT suppress… AND NOT exclusion…</c>. Every evaluator (stores, streaming, backtests) then
    /// sees filtered queries and nothing else needs to know about filters.
    /// </summary>
    private static QueryNode Filtered(QueryNode query, List<RuleFilter>? filters, IReadOnlyList<QueryNode> exclusions)
    {
        if (filters is not { Count: > 0 } && exclusions.Count == 0)
        {
            return query;
        }
        var parts = new List<QueryNode> { query };
        foreach (var filter in filters ?? [])
        {
            var node = QueryParser.Parse(filter.Query);
            parts.Add(filter.Action == "suppress" ? new NotNode(node, node.Position) : node);
        }
        parts.AddRange(exclusions.Select(e => new NotNode(e, e.Position)));
        return new AndNode(parts, query.Position);
    }

    /// <summary>The stored rule id.</summary>
    public string Id { get; }

    /// <summary>The rule as written.</summary>
    public DetectionRule Definition { get; }

    /// <summary>Parsed queries, in rule order.</summary>
    public IReadOnlyList<CompiledQuery> Queries { get; }

    /// <summary>Cases with their parsed conditions, in rule order (first match wins).</summary>
    public IReadOnlyList<(RuleCase Case, CaseCondition Condition)> Cases { get; }

    /// <summary>Third-party cases with their compiled queries, in rule order (first match wins).</summary>
    public IReadOnlyList<(RuleCase Case, Func<Events.LogEvent, bool> Matches)> ThirdPartyCases { get; } = [];

    /// <summary>Group-by field names as written in the rule (the correlated fields of a correlation rule, the root query's of a third-party rule).</summary>
    public IReadOnlyList<string> GroupByNames =>
        Definition.Options.DetectionMethod == DetectionMethods.ThirdParty ? Definition.Options.ThirdPartyRuleOptions!.RootQueries[0].GroupByFields
        : RuleTypes.IsCorrelation(Definition) ? Definition.Queries[0].CorrelatedByFields!
        : Definition.Queries[0].GroupByFields;

    private readonly bool _plain;

    /// <summary>
    /// A key equal for queries that match exactly the same events: the query text, when nothing (filters, exclusions,
    /// correlation) was folded in; null otherwise. Rules sharing a key are tested once per event.
    /// </summary>
    public string? SharingKey(int query) => _plain ? Definition.Queries[query].Query : null;

    /// <summary>True for a rule over other rules' signals.</summary>
    public bool IsCorrelation => RuleTypes.IsCorrelation(Definition);

    /// <summary>A correlation query: the signals of its rule (as <see cref="Signals.SignalEvents"/> shows them), narrowed by its own query.</summary>
    private static QueryNode SignalsOf(RuleQuery query)
    {
        var ofRule = new TermNode(new FieldRef(FieldKind.Attribute, "rule.id"), query.RuleId!, TermKind.Exact, 0);
        var narrowed = QueryParser.Parse(query.Query);
        return narrowed is MatchAllNode ? ofRule : new AndNode([ofRule, narrowed], 0);
    }

    /// <summary>
    /// Compiles a rule; throws <see cref="ArgumentException"/> listing the errors of an invalid rule. Events matching any
    /// of <paramref name="exclusions"/> (suppressions' data exclusion queries) are left out of every query.
    /// </summary>
    public static CompiledRule Compile(string id, DetectionRule rule, IReadOnlyList<QueryNode>? exclusions = null)
    {
        var errors = RuleValidator.Validate(rule);
        if (errors.Count > 0)
        {
            throw new ArgumentException($"Rule '{rule.Name}' is invalid: {string.Join("; ", errors)}", nameof(rule));
        }
        return new CompiledRule(id, rule, exclusions ?? []);
    }
}

/// <summary>A parsed rule query.</summary>
public sealed record CompiledQuery(string Name, QueryNode Query, IReadOnlyList<FieldRef> GroupBy, string Aggregation, FieldRef? DistinctField)
{
    /// <summary>Fields the aggregation reads (<c>sum</c>/<c>max</c> number, <c>new_value</c> tuple, <c>geo_data</c> object).</summary>
    public IReadOnlyList<FieldRef> Metrics { get; init; } = [];

    /// <summary>Events missing a group-by value are grouped under an empty value instead of skipped.</summary>
    public bool HasOptionalGroupBy { get; init; }
}
