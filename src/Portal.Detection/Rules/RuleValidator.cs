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

    /// <summary>Datadog's allowed <c>newValueOptions.learningDuration</c> values, in days.</summary>
    public static readonly IReadOnlyList<int> NewValueLearningDays = [0, 1, 7];

    /// <summary>Datadog's allowed <c>newValueOptions.forgetAfter</c> values, in days.</summary>
    public static readonly IReadOnlyList<int> NewValueForgetDays = [1, 2, 7, 14, 21, 28];

    /// <summary>Datadog's allowed <c>anomalyDetectionOptions.bucketDuration</c> values, in seconds.</summary>
    public static readonly IReadOnlyList<int> AnomalyBuckets = [300, 600, 900, 1800, 3600, 10800];

    /// <summary>Datadog's allowed <c>anomalyDetectionOptions.learningDuration</c> values, in hours.</summary>
    public static readonly IReadOnlyList<int> AnomalyLearningHours = [1, 6, 12, 24, 48, 168, 336];

    /// <summary>Longest rule message: it is rendered for every signal.</summary>
    public const int MaxMessageLength = 20_000;

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
        if (rule.Type is not ("log_detection" or RuleTypes.SignalCorrelation))
        {
            errors.Add(new("$.type", $"'{rule.Type}' is not supported; use 'log_detection' or 'signal_correlation'"));
        }
        // JSON null deserializes into non-nullable members: report it rather than fail later.
        if (rule.Message is null)
        {
            errors.Add(new("$.message", "must be a string"));
        }
        else if (rule.Message.Length > MaxMessageLength)
        {
            errors.Add(new("$.message", $"must be at most {MaxMessageLength:N0} characters"));
        }
        if (rule.Options?.ThirdPartyRuleOptions?.SignalTitleTemplate is { Length: > 1000 })
        {
            errors.Add(new("$.options.thirdPartyRuleOptions.signalTitleTemplate", "must be at most 1,000 characters"));
        }
        ValidateTests(rule.Tests, errors);
        if (rule.Tags is null)
        {
            errors.Add(new("$.tags", "must be an array of strings"));
        }
        else if (rule.Tags.FindIndex(t => t is null) is >= 0 and var tag)
        {
            errors.Add(new($"$.tags[{tag}]", "must be a string"));
        }
        if (rule.Options?.DetectionMethod == DetectionMethods.ThirdParty)
        {
            ValidateThirdParty(rule, errors);
            NoNullItems(rule.Cases, "$.cases", "expected a case object", errors);
        }
        else
        {
            ValidateQueries(rule, errors);
            ValidateCases(rule, errors);
            // The other method's lists are stored as sent: a null in them would break every page that lists the rule.
            NoNullItems(rule.ThirdPartyCases, "$.thirdPartyCases", "expected a case object", errors);
            NoNullItems(rule.Options?.ThirdPartyRuleOptions?.RootQueries, "$.options.thirdPartyRuleOptions.rootQueries", "expected a root query object", errors);
        }
        ValidateFilters(rule.Filters, errors);
        ValidateOptions(rule.Options, errors);
        return errors;
    }

    private static void NoNullItems<T>(List<T>? items, string path, string message, List<RuleError> errors)
    {
        if (items?.FindIndex(item => item is null) is >= 0 and var at)
        {
            errors.Add(new($"{path}[{at}]", message));
        }
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
            CheckQuery(q.Query, $"{path}.query", errors);
            if (RuleTypes.IsCorrelation(rule))
            {
                ValidateCorrelation(q, path, errors);
                if (i > 0 && q.CorrelatedByFields is not null && !q.CorrelatedByFields.SequenceEqual(rule.Queries[0]?.CorrelatedByFields ?? []))
                {
                    errors.Add(new($"{path}.correlatedByFields", "every query of a correlation rule must correlate by the same fields"));
                }
            }
            else
            {
                ValidateAggregation(rule.Options?.DetectionMethod, q, path, errors);
            }
            ValidateFields(q.GroupByFields, $"{path}.groupByFields", errors);
            ValidateFields(q.DistinctFields, $"{path}.distinctFields", errors);
            ValidateFields(q.Metrics, $"{path}.metrics", errors);
            if (i > 0 && q.GroupByFields is not null && !q.GroupByFields.SequenceEqual(rule.Queries[0]?.GroupByFields ?? []))
            {
                errors.Add(new($"{path}.groupByFields", "every query of a rule must group by the same fields"));
            }
        }
    }

    /// <summary>Aggregations each detection method evaluates.</summary>
    private static readonly Dictionary<string, string[]> AggregationsByMethod = new(StringComparer.Ordinal)
    {
        [DetectionMethods.Threshold] = [RuleAggregations.Count, RuleAggregations.Cardinality, RuleAggregations.Sum, RuleAggregations.Max],
        [DetectionMethods.NewValue] = [RuleAggregations.NewValue],
        [DetectionMethods.AnomalyDetection] = [RuleAggregations.Count],
        [DetectionMethods.ImpossibleTravel] = [RuleAggregations.GeoData],
    };

    private static void ValidateThirdParty(DetectionRule rule, List<RuleError> errors)
    {
        var options = rule.Options.ThirdPartyRuleOptions;
        if (options?.RootQueries is not { Count: > 0 })
        {
            errors.Add(new("$.options.thirdPartyRuleOptions.rootQueries", "a third-party rule needs at least one root query"));
        }
        for (var i = 0; i < (options?.RootQueries?.Count ?? 0); i++)
        {
            var root = options!.RootQueries[i];
            var path = $"$.options.thirdPartyRuleOptions.rootQueries[{i}]";
            if (root is null)
            {
                errors.Add(new(path, "expected a root query object"));
                continue;
            }
            CheckQuery(root.Query, $"{path}.query", errors);
            ValidateFields(root.GroupByFields, $"{path}.groupByFields", errors);
            if (i > 0 && root.GroupByFields is not null && !root.GroupByFields.SequenceEqual(options.RootQueries[0]?.GroupByFields ?? []))
            {
                errors.Add(new($"{path}.groupByFields", "every root query must group by the same fields"));
            }
        }
        if (options?.DefaultStatus is { } status && Severities.Rank(status) < 0)
        {
            errors.Add(new("$.options.thirdPartyRuleOptions.defaultStatus", $"'{status}' is not a severity; use one of {string.Join(", ", Severities.All)}"));
        }
        for (var i = 0; i < (rule.ThirdPartyCases?.Count ?? 0); i++)
        {
            var c = rule.ThirdPartyCases![i];
            var path = $"$.thirdPartyCases[{i}]";
            if (c is null)
            {
                errors.Add(new(path, "expected a case object"));
                continue;
            }
            if (Severities.Rank(c.Status) < 0)
            {
                errors.Add(new($"{path}.status", $"'{c.Status}' is not a severity; use one of {string.Join(", ", Severities.All)}"));
            }
            CheckQuery(c.Query, $"{path}.query", errors);
        }
        if (rule.ThirdPartyCases is not { Count: > 0 } && options?.DefaultStatus is null)
        {
            errors.Add(new("$.thirdPartyCases", "give at least one case, or a default status"));
        }
    }

    private static void ValidateCorrelation(RuleQuery q, string path, List<RuleError> errors)
    {
        if (string.IsNullOrWhiteSpace(q.RuleId))
        {
            errors.Add(new($"{path}.ruleId", "a signal correlation query names the rule whose signals it counts"));
        }
        if (q.Aggregation != RuleAggregations.EventCount)
        {
            errors.Add(new($"{path}.aggregation", $"'{q.Aggregation}' is not an aggregation of signal correlation; use 'event_count'"));
        }
        if (q.CorrelatedByFields is not { Count: >= 1 and <= 3 })
        {
            errors.Add(new($"{path}.correlatedByFields", "signals are correlated by 1 to 3 fields"));
        }
        else
        {
            ValidateFields(q.CorrelatedByFields, $"{path}.correlatedByFields", errors);
        }
    }

    private static void ValidateAggregation(string? method, RuleQuery q, string path, List<RuleError> errors)
    {
        if (method is null || !AggregationsByMethod.TryGetValue(method, out var allowed))
        {
            return;
        }
        if (!allowed.Contains(q.Aggregation))
        {
            errors.Add(new($"{path}.aggregation", $"'{q.Aggregation}' is not an aggregation of the {method} method; use {string.Join(" or ", allowed.Select(a => $"'{a}'"))}"));
            return;
        }
        switch (q.Aggregation)
        {
            case RuleAggregations.Cardinality when q.DistinctFields is not { Count: > 0 }:
                errors.Add(new($"{path}.distinctFields", "cardinality needs one distinct field"));
                break;
            case RuleAggregations.Sum or RuleAggregations.Max when q.Metrics is not { Count: 1 }:
                errors.Add(new($"{path}.metrics", $"{q.Aggregation} needs exactly one numeric field"));
                break;
            case RuleAggregations.NewValue when q.Metrics is not { Count: >= 1 and <= 5 }:
                errors.Add(new($"{path}.metrics", "new_value needs 1 to 5 fields whose values are learned"));
                break;
            case RuleAggregations.GeoData when q.GroupByFields is not { Count: 1 }:
                errors.Add(new($"{path}.groupByFields", "impossible travel groups by exactly one user field, e.g. @usr.name"));
                break;
        }
    }

    /// <summary>
    /// Checks a rule's or suppression's query at <paramref name="path"/>: in the search syntax, and at most
    /// <paramref name="maxLength"/> characters when given (suppressions; a rule's queries are not capped, for stored rules
    /// are validated again when read, and a converted Sigma rule's long value lists would stop being evaluated).
    /// </summary>
    internal static void CheckQuery(string? query, string path, List<RuleError> errors, int? maxLength = null)
    {
        if (maxLength is { } most && query?.Length > most)
        {
            errors.Add(new(path, $"must be at most {most:N0} characters"));
        }
        else if (!QueryParser.TryParse(query, out _, out var syntax))
        {
            errors.Add(new(path, syntax!.Message));
        }
    }

    private static void ValidateTests(List<RuleTest>? tests, List<RuleError> errors)
    {
        var (total, bytes) = (0L, 0L);
        for (var i = 0; i < (tests?.Count ?? 0); i++)
        {
            var path = $"$.tests[{i}]";
            if (tests![i] is not { } test)
            {
                errors.Add(new(path, "expected a test object"));
                continue;
            }
            if (test.Logs is null || test.Expect is null)
            {
                errors.Add(new(path, "a test needs \"logs\" and \"expect\" arrays"));
                continue;
            }
            for (var j = 0; j < test.Logs.Count; j++)
            {
                if (test.Logs[j] is not { } log)
                {
                    errors.Add(new($"{path}.logs[{j}]", "expected a log object"));
                    continue;
                }
                var repeat = Number(log, Evaluation.RuleTests.RepeatProperty, 1);
                var interval = Number(log, Evaluation.RuleTests.IntervalProperty, 1);
                if (repeat is not { } times || times < 1 || times != Math.Floor(times))
                {
                    errors.Add(new($"{path}.logs[{j}].{Evaluation.RuleTests.RepeatProperty}", "must be a whole number of at least 1"));
                }
                else
                {
                    total += (long)Math.Min(times, int.MaxValue);
                    // Each repeat is a log of its own in memory: a large log repeated often is as many large logs.
                    bytes += log.ToJsonString().Length * (long)Math.Min(times, int.MaxValue);
                }
                if (interval is not (> 0 and <= 86_400))
                {
                    errors.Add(new($"{path}.logs[{j}].{Evaluation.RuleTests.IntervalProperty}", "must be a number of seconds above 0 and at most 86,400"));
                }
            }
            if (test.Expect.Any(e => e is null))
            {
                errors.Add(new($"{path}.expect", "expected signal objects"));
            }
        }
        if (total > Evaluation.RuleTests.MaxEvents)
        {
            errors.Add(new("$.tests", $"the tests send {total:N0} logs; at most {Evaluation.RuleTests.MaxEvents:N0}"));
        }
        if (bytes > Evaluation.RuleTests.MaxBytes)
        {
            errors.Add(new("$.tests", $"the tests' logs, repeats counted, take {bytes / 1_000_000.0:N1} MB; at most {Evaluation.RuleTests.MaxBytes / 1_000_000} MB"));
        }

        static double? Number(System.Text.Json.Nodes.JsonObject log, string name, double fallback) =>
            !log.TryGetPropertyValue(name, out var node) ? fallback
            : node is System.Text.Json.Nodes.JsonValue value && value.TryGetValue<double>(out var number) && double.IsFinite(number) ? number
            : null;
    }

    private static void ValidateFilters(List<RuleFilter>? filters, List<RuleError> errors)
    {
        for (var i = 0; i < (filters?.Count ?? 0); i++)
        {
            var filter = filters![i];
            if (filter is null)
            {
                errors.Add(new($"$.filters[{i}]", "expected a filter object"));
                continue;
            }
            if (filter.Action is not ("require" or "suppress"))
            {
                errors.Add(new($"$.filters[{i}].action", $"'{filter.Action}' is not a filter action; use 'require' or 'suppress'"));
            }
            CheckQuery(filter.Query, $"$.filters[{i}].query", errors);
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
                // Only thresholds compare numbers: the other methods decide themselves whether a group is suspicious.
                if (rule.Options?.DetectionMethod is null or DetectionMethods.Threshold)
                {
                    errors.Add(new($"{path}.condition", "is required, e.g. 'a > 0'"));
                }
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
        if (!DetectionMethods.All.Contains(options.DetectionMethod))
        {
            errors.Add(new("$.options.detectionMethod", $"'{options.DetectionMethod}' is not a detection method; use one of {string.Join(", ", DetectionMethods.All)}"));
        }

        if (options.NewValueOptions is { } newValue)
        {
            CheckAllowed(newValue.LearningDuration, NewValueLearningDays, "$.options.newValueOptions.learningDuration", errors, "days");
            CheckAllowed(newValue.ForgetAfter, NewValueForgetDays, "$.options.newValueOptions.forgetAfter", errors, "days");
            if (newValue.LearningMethod is not ("duration" or "threshold"))
            {
                errors.Add(new("$.options.newValueOptions.learningMethod", $"'{newValue.LearningMethod}' is not supported; use 'duration' or 'threshold'"));
            }
        }
        if (options.AnomalyDetectionOptions is { } anomaly)
        {
            CheckAllowed(anomaly.BucketDuration, AnomalyBuckets, "$.options.anomalyDetectionOptions.bucketDuration", errors);
            CheckAllowed(anomaly.LearningDuration, AnomalyLearningHours, "$.options.anomalyDetectionOptions.learningDuration", errors, "hours");
            if (anomaly.DetectionTolerance is < 1 or > 5)
            {
                errors.Add(new("$.options.anomalyDetectionOptions.detectionTolerance", $"{anomaly.DetectionTolerance} is not allowed; use 1 to 5"));
            }
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

    private static void CheckAllowed(int value, IReadOnlyList<int> allowed, string path, List<RuleError> errors, string unit = "seconds")
    {
        if (!allowed.Contains(value))
        {
            errors.Add(new(path, $"{value} is not allowed; use one of {string.Join(", ", allowed)} ({unit})"));
        }
    }
}
