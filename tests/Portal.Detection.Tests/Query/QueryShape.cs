using System.Globalization;
using Portal.Detection.Query;

namespace Portal.Detection.Tests.Query;

/// <summary>
/// Prints a parsed query as a compact S-expression so parser tests read as specifications:
/// <c>(OR text=a (AND host=web* (NOT #env=prod)))</c>. Free text is <c>text</c>, tags are <c>#key</c>,
/// attributes <c>@path</c>; a trailing <c>*</c> marks a prefix, quotes a phrase, <c>~</c> a wildcard pattern.
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
            TermKind.Wildcard => "~" + term.Value,
            TermKind.MessagePattern => "~~" + term.Value,
            _ => term.Value,
        },
        RangeNode { Lower: { } low, Upper: null } range => Field(range.Field) + (range.IncludeLower ? ">=" : ">") + Number(low),
        RangeNode { Lower: null, Upper: { } high } range => Field(range.Field) + (range.IncludeUpper ? "<=" : "<") + Number(high),
        RangeNode range => Field(range.Field) + (range.IncludeLower ? "[" : "{") + Bound(range.Lower) + " TO " + Bound(range.Upper) + (range.IncludeUpper ? "]" : "}"),
        CidrNode cidr => "cidr(" + Field(cidr.Field) + " " + string.Join(' ', cidr.Networks) + ")",
        ExistsNode exists => "exists(" + Field(exists.Field) + ")",
        _ => throw new ArgumentException(node.GetType().Name, nameof(node)),
    };

    private static string Number(double value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Bound(double? value) => value is { } v ? Number(v) : "*";

    private static string Field(FieldRef field) => field.Kind switch
    {
        FieldKind.FreeText => "text",
        FieldKind.Tag => "#" + field.Name,
        FieldKind.Attribute => "@" + field.Name,
        _ => field.Name,
    };
}
