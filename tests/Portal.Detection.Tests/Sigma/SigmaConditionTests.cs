using Portal.Detection.Sigma;

namespace Portal.Detection.Tests.Sigma;

public class SigmaConditionTests
{
    private const string Selections = """
        sel_a:
            a: 1
        sel_b:
            b: 2
        filter_c:
            c: 3
        _private:
            p: 4
        """;

    private static string Query(string condition) => SigmaSamples.Convert($"{Selections}\ncondition: {condition}").Query();

    [Theory]
    [InlineData("sel_a", "source:cloudtrail @a:1")]
    [InlineData("sel_a and sel_b", "source:cloudtrail @a:1 @b:2")]
    [InlineData("sel_a or sel_b", "source:cloudtrail (@a:1 OR @b:2)")]
    [InlineData("sel_a and not filter_c", "source:cloudtrail @a:1 -@c:3")]
    [InlineData("not (sel_a or sel_b)", "source:cloudtrail NOT (@a:1 OR @b:2)")]
    [InlineData("sel_a or sel_b and filter_c", "source:cloudtrail (@a:1 OR (@b:2 @c:3))")]
    [InlineData("(sel_a or sel_b) and filter_c", "source:cloudtrail (@a:1 OR @b:2) @c:3")]
    [InlineData("not not sel_a", "source:cloudtrail @a:1")]
    [InlineData("SEL_A", null)]
    [InlineData("sel_a AND NOT filter_c", "source:cloudtrail @a:1 -@c:3")]
    public void Condition_BooleanOperators_FollowSigmaPrecedence(string condition, string? expected)
    {
        if (expected is null)
        {
            // Identifiers are case-sensitive.
            Assert.Equal(SigmaConversionStatus.Invalid, SigmaSamples.Convert($"{Selections}\ncondition: {condition}").Status);
            return;
        }
        Assert.Equal(expected, Query(condition));
    }

    [Theory]
    [InlineData("1 of sel_*", "source:cloudtrail (@a:1 OR @b:2)")]
    [InlineData("any of sel_*", "source:cloudtrail (@a:1 OR @b:2)")]
    [InlineData("all of sel_*", "source:cloudtrail @a:1 @b:2")]
    [InlineData("1 of them", "source:cloudtrail (@a:1 OR @b:2 OR @c:3)")]
    [InlineData("all of them", "source:cloudtrail @a:1 @b:2 @c:3")]
    [InlineData("all of sel_* and not 1 of filter_*", "source:cloudtrail @a:1 @b:2 -@c:3")]
    [InlineData("2 of them", "source:cloudtrail ((@a:1 @b:2) OR (@a:1 @c:3) OR (@b:2 @c:3))")]
    [InlineData("1 of _priv*", "source:cloudtrail @p:4")]
    public void Condition_Quantifiers_ExpandOverMatchingIdentifiers(string condition, string expected) => Assert.Equal(expected, Query(condition));

    [Fact]
    public void Condition_List_IsAnOrOfItsConditions()
    {
        var c = SigmaSamples.Convert($"{Selections}\ncondition:\n    - sel_a\n    - sel_b and filter_c");

        Assert.Equal("source:cloudtrail (@a:1 OR (@b:2 @c:3))", c.Query());
    }

    [Theory]
    [InlineData("sel_a and", "ended")]
    [InlineData("sel_a or or sel_b", "unexpected 'or'")]
    [InlineData("(sel_a", "expected ')'")]
    [InlineData("sel_z", "'sel_z' is not a search identifier")]
    [InlineData("1 of nothing_*", "matches no search identifier")]
    [InlineData("4 of them", "more than the 3")]
    public void Condition_Malformed_IsInvalidWithTheReason(string condition, string message)
    {
        var c = SigmaSamples.Convert($"{Selections}\ncondition: {condition}");

        Assert.Equal(SigmaConversionStatus.Invalid, c.Status);
        Assert.Contains(c.Diagnostics, d => d.Message.Contains(message, StringComparison.Ordinal) && d.Location.Contains("detection.condition", StringComparison.Ordinal));
    }

    [Fact]
    public void Condition_SigmaV1Aggregation_IsUnsupported()
    {
        var c = SigmaSamples.Convert($"{Selections}\ntimeframe: 5m\ncondition: sel_a | count() by b > 5");

        Assert.Equal(SigmaConversionStatus.Unsupported, c.Status);
        Assert.Contains(c.Diagnostics, d => d.Message.Contains("correlation rules", StringComparison.Ordinal));
    }

    [Fact]
    public void Selection_ListOfMaps_IsAnOrOfAnds()
    {
        var c = SigmaSamples.Convert("""
            selection:
                - eventName: A
                  eventSource: s1
                - eventName: B
            condition: selection
            """);

        Assert.Equal("source:cloudtrail ((@eventName:A @eventSource:s1) OR @eventName:B)", c.Query());
        Assert.True(c.Matches(SigmaSamples.CloudTrailEvent("""{"eventName":"A","eventSource":"s1"}""")));
        Assert.False(c.Matches(SigmaSamples.CloudTrailEvent("""{"eventName":"A","eventSource":"s2"}""")));
        Assert.True(c.Matches(SigmaSamples.CloudTrailEvent("""{"eventName":"B","eventSource":"s2"}""")));
    }

    [Fact]
    public void Selection_UnusedAndUnsupported_DoesNotBlockTheRule()
    {
        var c = SigmaSamples.Convert("""
            selection:
                eventName: A
            unused:
                a|re: '[0-9]+'
            condition: selection
            """);

        Assert.Equal(SigmaConversionStatus.Lossless, c.Status);
    }
}
