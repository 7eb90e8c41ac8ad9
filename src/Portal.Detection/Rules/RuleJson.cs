using System.Text.Json;
using System.Text.Json.Serialization;

namespace Portal.Detection.Rules;

/// <summary>Reads and writes rules as Datadog's camelCase JSON.</summary>
public static class RuleJson
{
    /// <summary>Serializer options for rule JSON (camelCase, nulls omitted).</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
        AllowTrailingCommas = false,
    };

    /// <summary>Parses and validates rule JSON; on failure returns every error with its JSON path.</summary>
    public static (DetectionRule? Rule, IReadOnlyList<RuleError> Errors) Parse(string json)
    {
        DetectionRule? rule;
        try
        {
            rule = JsonSerializer.Deserialize<DetectionRule>(json, Options);
        }
        catch (JsonException e)
        {
            var path = string.IsNullOrEmpty(e.Path) ? "$" : e.Path;
            var where = e.LineNumber is { } line ? $" (line {line + 1}, byte {e.BytePositionInLine + 1})" : "";
            return (null, [new RuleError(path, $"invalid JSON or wrong type{where}: {FirstSentence(e.Message)}")]);
        }
        if (rule is null)
        {
            return (null, [new RuleError("$", "expected a rule object")]);
        }
        var errors = RuleValidator.Validate(rule);
        return errors.Count == 0 ? (rule, errors) : (null, errors);
    }

    /// <summary>
    /// A stored rule's JSON read as it is, for a rule that no longer passes validation: null when it no longer reads as a
    /// rule at all (a property of another type) or lacks a part every rule's readers take for granted (its lists, their
    /// items, the strings they list).
    /// </summary>
    public static DetectionRule? ReadUnchecked(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<DetectionRule>(json, Options) is { Name: not null, Options: not null, Message: not null } rule && Whole(rule) ? rule : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool Whole(DetectionRule rule) =>
        rule.Queries?.All(q => q is { Query: not null } && (q.GroupByFields?.All(f => f is not null) ?? true) && (q.CorrelatedByFields?.All(f => f is not null) ?? true)) == true
        && rule.Cases?.All(c => c is { Status: not null, Condition: not null }) == true
        && rule.Tags?.All(t => t is not null) == true
        && rule.ThirdPartyCases?.All(c => c is { Status: not null, Query: not null }) != false
        && rule.Filters?.All(f => f is { Query: not null }) != false
        && rule.Options.ThirdPartyRuleOptions?.RootQueries?.All(q => q is { Query: not null }) != false
        && rule.Options.ThirdPartyRuleOptions is null or { RootQueries: not null };

    /// <summary>Serializes a rule to its canonical JSON.</summary>
    public static string Serialize(DetectionRule rule) => JsonSerializer.Serialize(rule, Options);

    /// <summary>A deep copy through JSON.</summary>
    public static DetectionRule Clone(DetectionRule rule) => JsonSerializer.Deserialize<DetectionRule>(Serialize(rule), Options)!;

    /// <summary>A <see cref="JsonException"/> message without the ". Path: …" tail the reader adds.</summary>
    internal static string FirstSentence(string message)
    {
        var cut = message.IndexOf(". Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
