using System.Globalization;
using Portal.Detection.Query;

namespace Portal.Detection.Tests.Query;

/// <summary>
/// Prints a parsed query as a compact S-expression so parser tests read as specifications:
/// <c>(OR text=a (AND host=web* (NOT #env=prod)))</c>. Free text is <c>text</c>, tags are <c>#key</c>,
/// attributes <c>@path</c>; a trailing <c>*</c> marks a prefix and quotes mark a phrase.
/// </summary>
internal static class QueryShape
{
    /// <summary>Parses <paramref name="query"/> and prints its tree.</summary>
    public static string Of(string query) => Print(QueryParser.Parse(query));

    public static string Print(QueryNode node) => node switch
    {
        MatchAllNode => "*",
        AndNode and => "(AND " + string.Join(' ', and.Children.Select(Print)) + ")",
        OrNode or => "(OR " + string.Join(' ', or.Children.Select(Print)) + ")",
        NotNode not => "(NOT " + Print(not.Child) + ")",
        TermNode term => Field(term.Field) + "=" + term.Kind switch
        {
            TermKind.Prefix => term.Value + "*",
            TermKind.Phrase => "\"" + term.Value + "\"",
            _ => term.Value,
        },
        ComparisonNode cmp => Field(cmp.Field) + cmp.Operator switch
        {
            ComparisonOperator.GreaterThan => ">",
            ComparisonOperator.GreaterThanOrEqual => ">=",
            ComparisonOperator.LessThan => "<",
            _ => "<=",
        } + cmp.Value.ToString(CultureInfo.InvariantCulture),
        ExistsNode exists => "exists(" + Field(exists.Field) + ")",
        _ => throw new ArgumentException(node.GetType().Name, nameof(node)),
    };

    private static string Field(FieldRef field) => field.Kind switch
    {
        FieldKind.FreeText => "text",
        FieldKind.Tag => "#" + field.Name,
        FieldKind.Attribute => "@" + field.Name,
        _ => field.Name,
    };
}
