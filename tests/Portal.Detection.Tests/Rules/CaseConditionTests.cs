using Portal.Detection.Rules;

namespace Portal.Detection.Tests.Rules;

public class CaseConditionTests
{
    [Theory]
    [InlineData("a > 5", 6, 0, 0, true)]
    [InlineData("a > 5", 5, 0, 0, false)]
    [InlineData("a >= 5", 5, 0, 0, true)]
    [InlineData("a < 5", 4, 0, 0, true)]
    [InlineData("a <= 5", 6, 0, 0, false)]
    [InlineData("a == 0", 0, 0, 0, true)]
    [InlineData("a != 0", 0, 0, 0, false)]
    [InlineData("a>5&&b>0", 6, 1, 0, true)]
    [InlineData("a > b", 3, 2, 0, true)]
    [InlineData("10 < a", 11, 0, 0, true)]
    [InlineData("a > 2.5", 3, 0, 0, true)]
    public void Evaluate_Comparison_AppliesOperator(string condition, double a, double b, double c, bool expected)
    {
        Assert.Equal(expected, Evaluate(condition, a, b, c));
    }

    [Theory]
    [InlineData(6, 0, 0, true)]
    [InlineData(0, 1, 0, false)]
    [InlineData(0, 1, 1, true)]
    [InlineData(0, 0, 1, false)]
    public void Evaluate_AndBindsTighterThanOr(double a, double b, double c, bool expected)
    {
        Assert.Equal(expected, Evaluate("a > 5 || b > 0 && c > 0", a, b, c));
    }

    [Theory]
    [InlineData(6, 0, 0, false)]
    [InlineData(6, 0, 1, true)]
    [InlineData(0, 1, 1, true)]
    public void Evaluate_Parentheses_Group(double a, double b, double c, bool expected)
    {
        Assert.Equal(expected, Evaluate("(a > 5 || b > 0) && c > 0", a, b, c));
    }

    [Fact]
    public void Evaluate_TheDocumentedExample_Holds()
    {
        Assert.True(Evaluate("a > 5 && (b >= 1 || c == 0)", 6, 0, 0));
        Assert.False(Evaluate("a > 5 && (b >= 1 || c == 0)", 6, 0, 3));
        Assert.True(Evaluate("a > 5 && (b >= 1 || c == 0)", 6, 1, 3));
        Assert.False(Evaluate("a > 5 && (b >= 1 || c == 0)", 5, 1, 0));
    }

    [Fact]
    public void Evaluate_QueryWithoutValue_CountsAsZero()
    {
        var condition = CaseCondition.Parse("failed > 10 || success == 0");

        Assert.True(condition.Evaluate(new Dictionary<string, double>()));
        Assert.False(condition.Evaluate(new Dictionary<string, double> { ["success"] = 1 }));
    }

    [Fact]
    public void QueryNames_ParsedCondition_AreTheNamesReferenced()
    {
        var condition = CaseCondition.Parse("failed_logins > 5 && (b2 >= 1 || failed_logins == 100)");

        Assert.Equal(["b2", "failed_logins"], condition.QueryNames.Order());
    }

    [Theory]
    [InlineData("", "the condition ended where a query name or number was expected")]
    [InlineData("a >", "the condition ended where a query name or number was expected")]
    [InlineData("a > 5 &&", "the condition ended where a query name or number was expected")]
    [InlineData("a", "expected a comparison (>, >=, <, <=, ==, !=) at position 1")]
    [InlineData("a 5", "expected a comparison (>, >=, <, <=, ==, !=) at position 2")]
    [InlineData("a = 5", "expected a comparison (>, >=, <, <=, ==, !=) at position 2")]
    [InlineData("> 5", "expected a query name or number at position 0")]
    [InlineData("a > -1", "expected a query name or number at position 4")]
    [InlineData("a > 1.2.3", "invalid number at position 4")]
    [InlineData("(a > 5", "expected ')' at position 6")]
    [InlineData("a > 5)", "unexpected ')' at position 5")]
    [InlineData("a > 5 & b > 1", "unexpected '&' at position 6")]
    [InlineData("a > 5 b > 1", "unexpected 'b' at position 6")]
    [InlineData("a > 5 AND b > 1", "unexpected 'A' at position 6")]
    public void Parse_InvalidCondition_ThrowsFormatExceptionWithPosition(string condition, string message)
    {
        var error = Assert.Throws<FormatException>(() => CaseCondition.Parse(condition));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Parse_DeepNesting_IsRejected()
    {
        var error = Assert.Throws<FormatException>(() => CaseCondition.Parse(new string('(', 1000) + "a > 0" + new string(')', 1000)));

        Assert.StartsWith("the condition nests too deeply", error.Message);
    }

    private static bool Evaluate(string condition, double a, double b, double c) =>
        CaseCondition.Parse(condition).Evaluate(new Dictionary<string, double> { ["a"] = a, ["b"] = b, ["c"] = c });
}
