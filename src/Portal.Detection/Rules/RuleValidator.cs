using Portal.Detection.Query;

namespace Portal.Detection.Rules;

/// <summary>Checks a rule's semantics and returns every problem with its JSON path.</summary>
public static class RuleValidator
{
    /// <summary>Datadog's allowed <c>evaluationWindow</c> values, in seconds.</summary>
    public static readonly IReadOnlyList<int> EvaluationWindows = [0, 60, 300, 600, 900, 1800, 3600, 7200];

    /// <summary>Datadog's allowed <c>keepAlive</c> values, in seconds.</summary>
    public static readonly IReadOnlyList<int> KeepAlives = [0, 60, 300, 600, 900, 1800, 3600, 7200, 10800, 21600];

    /// <summary>Datadog's allowed <c>maxSignalDuration</c> values, in seconds.</summary>
    public static readonly IReadOnlyList<int> MaxSignalDurations = [0, 60, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

    /// <summary>Longest case condition accepted; conditions are evaluated recursively, so their size is bounded.</summary>
    public const int MaxConditionLength = 1000;

    /// <summary>Validates <paramref name="rule"/>, filling in default query names (<c>a</c>, <c>b</c>...).</summary>
    public static List<RuleError> Validate(DetectionRule rule)
    {
        var errors = new List<RuleError>();
        if (string.IsNullOrWhiteSpace(rule.Name))
        {
            errors.Add(new("$.name", "is required"));
        }
        else if (rule.Name.Length > 200)
        {
            errors.Add(new("$.name", "must be at most 200 characters"));
        }
        if (rule.Type != "log_detection")
        {
            errors.Add(new("$.type", $"'{rule.Type}' is not supported; use 'log_detection'"));
        }
        // JSON null deserializes into non-nullable members: report it rather than fail later.
        if (rule.Message is null)
        {
            errors.Add(new("$.message", "must be a string"));
        }
        if (rule.Tags is null)
        {
            errors.Add(new("$.tags", "must be an array of strings"));
        }
        ValidateQueries(rule, errors);
        ValidateCases(rule, errors);
        ValidateOptions(rule.Options, errors);
        return errors;
    }

    private static void ValidateQueries(DetectionRule rule, List<RuleError> errors)
    {
        if (rule.Queries is not { Count: > 0 })
        {
            errors.Add(new("$.queries", "at least one query is required"));
            return;
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < rule.Queries.Count; i++)
        {
            var q = rule.Queries[i];
            var path = $"$.queries[{i}]";
            if (q is null)
            {
                errors.Add(new(path, "expected a query object"));
                continue;
            }
            q.Name = string.IsNullOrWhiteSpace(q.Name) ? ((char)('a' + i)).ToString() : q.Name;
            if (!names.Add(q.Name))
            {
                errors.Add(new($"{path}.name", $"'{q.Name}' is used by another query"));
            }
            if (!q.Name.All(c => char.IsLetterOrDigit(c) || c == '_'))
            {
                errors.Add(new($"{path}.name", "may contain only letters, digits and '_'"));
            }
            if (!QueryParser.TryParse(q.Query, out _, out var syntax))
            {
                errors.Add(new($"{path}.query", syntax!.Message));
            }
            if (q.Aggregation is not (RuleAggregations.Count or RuleAggregations.Cardinality))
            {
                errors.Add(new($"{path}.aggregation", $"'{q.Aggregation}' is not supported; use 'count' or 'cardinality'"));
            }
            if (q.Aggregation == RuleAggregations.Cardinality && q.DistinctFields is not { Count: > 0 })
            {
                errors.Add(new($"{path}.distinctFields", "cardinality needs one distinct field"));
            }
            ValidateFields(q.GroupByFields, $"{path}.groupByFields", errors);
            ValidateFields(q.DistinctFields, $"{path}.distinctFields", errors);
            if (i > 0 && q.GroupByFields is not null && !q.GroupByFields.SequenceEqual(rule.Queries[0]?.GroupByFields ?? []))
            {
                errors.Add(new($"{path}.groupByFields", "every query of a rule must group by the same fields"));
            }
        }
    }

    private static void ValidateFields(List<string>? fields, string path, List<RuleError> errors)
    {
        if (fields is null)
        {
            errors.Add(new(path, "expected an array of field names"));
            return;
        }
        if (fields.Count > 5)
        {
            errors.Add(new(path, "at most 5 fields"));
        }
        for (var i = 0; i < fields.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(fields[i]) || FieldNames.TryParse(fields[i]) is null)
            {
                errors.Add(new($"{path}[{i}]", $"'{fields[i]}' is not a field name (use host, service, source, status, a tag key or @attribute.path)"));
            }
        }
    }

    private static void ValidateCases(DetectionRule rule, List<RuleError> errors)
    {
        if (rule.Cases is not { Count: > 0 })
        {
            errors.Add(new("$.cases", "at least one case is required"));
            return;
        }
        var queryNames = (rule.Queries ?? []).Where(q => q?.Name is not null).Select(q => q.Name!).ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < rule.Cases.Count; i++)
        {
            var c = rule.Cases[i];
            var path = $"$.cases[{i}]";
            if (c is null)
            {
                errors.Add(new(path, "expected a case object"));
                continue;
            }
            if (Severities.Rank(c.Status) < 0)
            {
                errors.Add(new($"{path}.status", $"'{c.Status}' is not a severity; use one of {string.Join(", ", Severities.All)}"));
            }
            if (string.IsNullOrWhiteSpace(c.Condition))
            {
                errors.Add(new($"{path}.condition", "is required, e.g. 'a > 0'"));
                continue;
            }
            if (c.Condition.Length > MaxConditionLength)
            {
                errors.Add(new($"{path}.condition", $"must be at most {MaxConditionLength} characters"));
                continue;
            }
            try
            {
                var condition = CaseCondition.Parse(c.Condition);
                foreach (var unknown in condition.QueryNames.Where(n => !queryNames.Contains(n)))
                {
                    errors.Add(new($"{path}.condition", $"'{unknown}' is not the name of a query of this rule"));
                }
            }
            catch (FormatException e)
            {
                errors.Add(new($"{path}.condition", e.Message));
            }
        }
    }

    private static void ValidateOptions(RuleOptions? options, List<RuleError> errors)
    {
        if (options is null)
        {
            errors.Add(new("$.options", "is required"));
            return;
        }
        if (options.DetectionMethod != DetectionMethods.Threshold)
        {
            errors.Add(new("$.options.detectionMethod", $"'{options.DetectionMethod}' is not supported yet; use 'threshold'"));
        }
        CheckAllowed(options.EvaluationWindow, EvaluationWindows, "$.options.evaluationWindow", errors);
        CheckAllowed(options.KeepAlive, KeepAlives, "$.options.keepAlive", errors);
        CheckAllowed(options.MaxSignalDuration, MaxSignalDurations, "$.options.maxSignalDuration", errors);
        if (options.EvaluationWindow > options.KeepAlive)
        {
            errors.Add(new("$.options.keepAlive", "must be at least the evaluation window"));
        }
        if (options.KeepAlive > options.MaxSignalDuration)
        {
            errors.Add(new("$.options.maxSignalDuration", "must be at least the keep-alive"));
        }
    }

    private static void CheckAllowed(int value, IReadOnlyList<int> allowed, string path, List<RuleError> errors)
    {
        if (!allowed.Contains(value))
        {
            errors.Add(new(path, $"{value} is not allowed; use one of {string.Join(", ", allowed)} (seconds)"));
        }
    }
}
