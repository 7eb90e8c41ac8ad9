using Portal.Detection.Query;

namespace Portal.Detection.Tests.Query;

public class WildcardPatternTests
{
    [Theory]
    [InlineData("*", "", true)]
    [InlineData("?", "", false)]
    [InlineData("a*", "abc", true)]
    [InlineData("*c", "abc", true)]
    [InlineData("a?c", "abc", true)]
    [InlineData("a?c", "ac", false)]
    [InlineData("*b*", "abc", true)]
    [InlineData("*x*", "abc", false)]
    [InlineData("a*b*c", "aXbYbZc", true)]
    [InlineData("a*b*c", "aXbYbZ", false)]
    [InlineData("A*", "abc", false)]
    [InlineData(@"a\*c", "a*c", true)]
    [InlineData(@"a\*c", "abc", false)]
    [InlineData(@"a\?c", "a?c", true)]
    [InlineData(@"C:\\*", @"C:\Temp", true)]
    [InlineData("?", "\ud83d\ude00", true)]
    [InlineData("??", "\ud83d\ude00", false)]
    [InlineData("é?odie", "élodie", true)]
    [InlineData("**", "abc", true)]
    [InlineData("*abc", "abc", true)]
    [InlineData("abc*", "ab", false)]
    [InlineData(@"*a\*", "xa*", true)]
    [InlineData(@"*a\*", "xab", false)]
    [InlineData(@"\*a*", "*ab", true)]
    [InlineData(@"*%2e%2e/*", "/x/%2e%2e/etc", true)]
    [InlineData(@"*\\*", @"a\b", true)]
    [InlineData(@"*\*", "a*", true)]
    [InlineData(@"*\*", "ab", false)]
    [InlineData("abc", "abc", true)]
    public void IsMatch_Pattern_MatchesTheWholeValue(string pattern, string value, bool expected)
    {
        Assert.Equal(expected, WildcardPattern.IsMatch(pattern, value));
        Assert.Equal(expected, WildcardPattern.Matcher(pattern)(value));
    }

    [Fact]
    public void IsMatch_ManyStarsOverLongValue_StaysLinear()
    {
        var value = new string('a', 100_000);

        Assert.False(WildcardPattern.IsMatch("*a*a*a*a*a*a*a*a*b", value));
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData(@"a*b?c\d", @"a\*b\?c\\d")]
    public void Escape_Literal_MatchesOnlyItself(string literal, string escaped)
    {
        Assert.Equal(escaped, WildcardPattern.Escape(literal));
        Assert.True(WildcardPattern.IsMatch(escaped, literal));
    }
}
