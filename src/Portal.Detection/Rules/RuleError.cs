namespace Portal.Detection.Rules;

/// <summary>A problem with a rule, located by a JSON path such as <c>$.queries[0].query</c>.</summary>
public sealed record RuleError(string Path, string Message)
{
    public override string ToString() => $"{Path}: {Message}";
}
