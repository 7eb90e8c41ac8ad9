using Portal.Detection.Query;

namespace Portal.Detection.Tests.Query;

/// <summary>Datadog's log search syntax, as the parser reads it. Shapes are printed by <see cref="QueryShape"/>.</summary>
public class QueryParserTests
{
    [Theory]
    [InlineData("", "*")]
    [InlineData("   ", "*")]
    [InlineData("*", "*")]
    [InlineData(null, "*")]
    public void Parse_EmptyOrStar_MatchesEverything(string? query, string expected)
    {
        Assert.Equal(expected, Print(QueryParser.Parse(query)));
    }

    [Theory]
    [InlineData("host:web-1", "host=web-1")]
    [InlineData("service:shop-frontend", "service=shop-frontend")]
    [InlineData("source:sshd", "source=sshd")]
    [InlineData("status:error", "status=error")]
    public void Parse_ReservedField_IsReservedFacet(string query, string expected)
    {
        Assert.Equal(expected, QueryShape.Of(query));
    }

    [Theory]
    [InlineData("env:prod", "#env=prod")]
    [InlineData("kube_namespace:auth", "#kube_namespace=auth")]
    [InlineData("version:2.4.1", "#version=2.4.1")]
    [InlineData("team/sub-team:web", "#team/sub-team=web")]
    public void Parse_OtherField_IsTag(string query, string expected)
    {
        Assert.Equal(expected, QueryShape.Of(query));
    }

    [Theory]
    [InlineData("@usr.name:root", "@usr.name=root")]
    [InlineData("@network.client.ip:203.0.113.77", "@network.client.ip=203.0.113.77")]
    [InlineData(@"@http.url:https://shop.example.com/a\?b=c", "@http.url=https://shop.example.com/a?b=c")]
    [InlineData("@kube_pod-name:api-7f9", "@kube_pod-name=api-7f9")]
    public void Parse_AtField_IsAttributePath(string query, string expected)
    {
        Assert.Equal(expected, QueryShape.Of(query));
    }

    [Theory]
    [InlineData("@usr.name:(root OR admin)", "(OR @usr.name=root @usr.name=admin)")]
    [InlineData("service:(web-store OR \"web store\")", "(OR service=web-store service=\"web store\")")]
    [InlineData("-@evt.name:(login logout)", "(NOT (AND @evt.name=login @evt.name=logout))")]
    [InlineData("@a:(x OR NOT (y OR z*)) host:h", "(AND (OR @a=x (NOT (OR @a=y @a=z*))) host=h)")]
    [InlineData("@a:(b) c", "(AND @a=b text=c)")]
    [InlineData("@http.status_code:(>=500 OR 404)", "(OR @http.status_code>=500 @http.status_code=404)")]
    [InlineData("@duration:([1 TO 5] OR >100)", "(OR @duration[1 TO 5] @duration>100)")]
    [InlineData("@ip:(CIDR(10.0.0.0/8) OR 192.0.2.1)", "(OR cidr(@ip 10.0.0.0/8) @ip=192.0.2.1)")]
    [InlineData("@http.referer:(- OR x)", "(OR @http.referer=- @http.referer=x)")]
    public void Parse_ValueGroup_AppliesTheFieldToEveryValue(string query, string expected)
    {
        Assert.Equal(expected, QueryShape.Of(query));
    }

    [Fact]
    public void Parse_MessageField_IsFreeText()
    {
        Assert.Equal("text=failed", QueryShape.Of("message:failed"));
        Assert.Equal("text=\"failed password\"", QueryShape.Of("message:\"failed password\""));
    }

    [Theory]
    [InlineData("failed", "text=failed")]
    [InlineData("Failed", "text=Failed")]
    [InlineData("203.0.113.77", "text=203.0.113.77")]
    [InlineData("a:b:c", "#a=b:c")]
    [InlineData("@foo", "text=@foo")]
    [InlineData(".a:b", "text=.a:b")]
    [InlineData("ANDROID ORACLE NOTICE", "(AND text=ANDROID text=ORACLE text=NOTICE)")]
    [InlineData("a or b", "(AND text=a text=or text=b)")]
    public void Parse_BareWord_IsFreeText(string query, string expected)
    {
        Assert.Equal(expected, QueryShape.Of(query));
    }

    [Theory]
    [InlineData("\"failed password\"", "text=\"failed password\"")]
    [InlineData("host:\"web 1\"", "host=\"web 1\"")]
    [InlineData("@usr.name:\"John Doe\"", "@usr.name=\"John Doe\"")]
    [InlineData("env:\"prod\"", "#env=\"prod\"")]
    [InlineData("\"a OR b\"", "text=\"a OR b\"")]
    [InlineData("\"(x)*\"", "text=\"(x)*\"")]
    [InlineData("\"\"", "text=\"\"")]
    public void Parse_QuotedValue_IsPhrase(string query, string expected)
    {
        Assert.Equal(expected, QueryShape.Of(query));
    }

    [Theory]
    [InlineData("a AND b", "(AND text=a text=b)")]
    [InlineData("a b", "(AND text=a text=b)")]
    [InlineData("a OR b", "(OR text=a text=b)")]
    [InlineData("NOT a", "(NOT text=a)")]
    [InlineData("-a", "(NOT text=a)")]
    [InlineData("-@usr.name:root", "(NOT @usr.name=root)")]
    [InlineData("-\"failed password\"", "(NOT text=\"failed password\")")]
    [InlineData("a AND NOT b", "(AND text=a (NOT text=b))")]
    [InlineData("NOT NOT a", "(NOT (NOT text=a))")]
    [InlineData("a-b", "text=a-b")]
    [InlineData("a OR b OR c", "(OR text=a text=b text=c)")]
    [InlineData("a AND(b)", "(AND text=a text=b)")]
    [InlineData("NOT(a)", "(NOT text=a)")]
    public void Parse_BooleanOperators_BuildTree(string query, string expected)
    {
        Assert.Equal(expected, QueryShape.Of(query));
    }

    [Theory]
    [InlineData("a OR b c", "(OR text=a (AND text=b text=c))")]
    [InlineData("a b OR c", "(OR (AND text=a text=b) text=c)")]
    [InlineData("a OR b AND c", "(OR text=a (AND text=b text=c))")]
    [InlineData("NOT a b", "(AND (NOT text=a) text=b)")]
    [InlineData("NOT a OR b", "(OR (NOT text=a) text=b)")]
    [InlineData("-a OR b", "(OR (NOT text=a) text=b)")]
    public void Parse_AndBindsTighterThanOr_NotTightest(string query, string expected)
    {
        Assert.Equal(expected, QueryShape.Of(query));
    }

    [Theory]
    [InlineData("(a OR b) c", "(AND (OR text=a text=b) text=c)")]
    [InlineData("a (b OR c)", "(AND text=a (OR text=b text=c))")]
    [InlineData("-(a OR b)", "(NOT (OR text=a text=b))")]
    [InlineData("NOT (a b)", "(NOT (AND text=a text=b))")]
    [InlineData("((a))", "text=a")]
    [InlineData("( a OR  b )", "(OR text=a text=b)")]
    [InlineData("service:web (status:error OR @http.status_code:>=500)", "(AND service=web (OR status=error @http.status_code>=500))")]
    public void Parse_Parentheses_Group(string query, string expected)
    {
        Assert.Equal(expected, QueryShape.Of(query));
    }

    [Theory]
    [InlineData("fail*", "text=fail*")]
    [InlineData("host:web-*", "host=web-*")]
    [InlineData("@usr.name:adm*", "@usr.name=adm*")]
    [InlineData("env:pro*", "#env=pro*")]
    [InlineData("@http.status_code:5*", "@http.status_code=5*")]
    public void Parse_TrailingStar_IsPrefix(string query, string expected)
    {
        Assert.Equal(expected, QueryShape.Of(query));
    }

    [Theory]
    [InlineData("@usr.name:*", "exists(@usr.name)")]
    [InlineData("-@usr.name:*", "(NOT exists(@usr.name))")]
    [InlineData("host:*", "exists(host)")]
    [InlineData("env:*", "exists(#env)")]
    [InlineData("message:*", "*")]
    public void Parse_BareStarValue_IsExists(string query, string expected)
    {
        Assert.Equal(expected, QueryShape.Of(query));
    }

    [Theory]
    [InlineData("@http.status_code:>500", "@http.status_code>500")]
    [InlineData("@http.status_code:>=500", "@http.status_code>=500")]
    [InlineData("@duration:<0.5", "@duration<0.5")]
    [InlineData("@duration:<=1e3", "@duration<=1000")]
    [InlineData("@balance:>-42.5", "@balance>-42.5")]
    public void Parse_ComparisonOnAttribute_IsNumeric(string query, string expected)
    {
        Assert.Equal(expected, QueryShape.Of(query));
    }

    [Theory]
    [InlineData("@http.status_code:[400 TO 499]", "@http.status_code[400 TO 499]")]
    [InlineData("@duration:{100 TO 500}", "@duration{100 TO 500}")]
    [InlineData("@duration:[100 TO 500}", "@duration[100 TO 500}")]
    [InlineData("@duration:[ 1e2  TO  *]", "@duration>=100")]
    [InlineData("@duration:{* TO 0.5]", "@duration<=0.5")]
    [InlineData("@duration:[* TO *]", "@duration{* TO *}")]
    [InlineData("@created:[2026-03-03 TO 2026-03-04T00:00:00Z}", "@created[1772496000000 TO 1772582400000}")]
    [InlineData("@created:>2026-03-03T01:00:00+01:00", "@created>1772496000000")]
    public void Parse_Range_HasInclusiveOrExclusiveNumericOrDateBounds(string query, string expected)
    {
        Assert.Equal(expected, QueryShape.Of(query));
    }

    [Theory]
    [InlineData("host:we*b-1", "host=~we*b-1")]
    [InlineData("@usr.name:*adm", "@usr.name=~*adm")]
    [InlineData("@http.url:/wp-?ogin*", "@http.url=~/wp-?ogin*")]
    [InlineData("@http.url:https://shop.example.com/a?b=c", "@http.url=~https://shop.example.com/a?b=c")]
    [InlineData(@"@http.url:https://shop.example.com/a\?b=c*", "@http.url=https://shop.example.com/a?b=c*")]
    [InlineData(@"@q:a\*b*c", @"@q=~a\*b*c")]
    [InlineData("env:pr?d", "#env=~pr?d")]
    [InlineData("@x:*a????????", "@x=~*a????????")]
    [InlineData("@x:?????????????", "@x=~?????????????")]
    [InlineData("Fa?led", "text=~fa?led")]
    [InlineData("*word*", "text=~*word*")]
    [InlineData("x we*b*", "(AND text=x text=~we*b*)")]
    [InlineData(@"*Stopping\ iptables*", "text=~~*stopping iptables*")]
    [InlineData(@"*$\{jndi\:ldap*", "text=~~*${jndi:ldap*")]
    [InlineData("fa?l-ed", "text=~~fa?l-ed")]
    [InlineData("*../../*", "text=~~*../../*")]
    [InlineData(@"Panic\:*", "text=~~panic:*")]
    public void Parse_WildcardAnywhere_IsAPattern(string query, string expected)
    {
        Assert.Equal(expected, QueryShape.Of(query));
    }

    [Theory]
    [InlineData("CIDR(@network.client.ip,10.0.0.0/8)", "cidr(@network.client.ip 10.0.0.0/8)")]
    [InlineData("cidr( @ip , 10.1.2.3/8 , 192.168.1.7 , 2001:db8::1/32 )", "cidr(@ip 10.0.0.0/8 192.168.1.7/32 2001:db8::/32)")]
    [InlineData("@network.client.ip:CIDR(0.0.0.0/0)", "cidr(@network.client.ip 0.0.0.0/0)")]
    [InlineData("-CIDR(@ip, ::/0) host:a", "(AND (NOT cidr(@ip ::/0)) host=a)")]
    public void Parse_Cidr_ListsNetworks(string query, string expected)
    {
        Assert.Equal(expected, QueryShape.Of(query));
    }

    [Theory]
    [InlineData(@"a\:b", "text=a:b")]
    [InlineData(@"@file.path:C\:\\Temp", @"@file.path=C:\Temp")]
    [InlineData(@"f\(x\)", "text=f(x)")]
    [InlineData(@"@usr.name:John\ Doe", "@usr.name=John Doe")]
    [InlineData(@"a\*", "text=a*")]
    [InlineData(@"\-a", "text=-a")]
    [InlineData(@"""say \""hi\"" now""", "text=\"say \"hi\" now\"")]
    [InlineData(@"@cmd:a\""b", "@cmd=a\"b")]
    public void Parse_Backslash_EscapesNextCharacter(string query, string expected)
    {
        Assert.Equal(expected, QueryShape.Of(query));
    }

    [Fact]
    public void Parse_Nodes_CarryTheirOffsets()
    {
        var and = Assert.IsType<AndNode>(QueryParser.Parse("host:web  -@a:* \"x y\""));

        Assert.Equal([0, 10, 16], and.Children.Select(c => c.Position));
        Assert.Equal(11, Assert.IsType<NotNode>(and.Children[1]).Child.Position);
    }

    [Theory]
    [InlineData("(a", 2, "expected ')' to close the '(' at position 0")]
    [InlineData("a (b OR c", 9, "expected ')' to close the '(' at position 2")]
    [InlineData("((a)", 4, "expected ')' to close the '(' at position 0")]
    [InlineData("a)", 1, "unexpected ')' without a matching '('")]
    [InlineData("(a)) b", 3, "unexpected ')' without a matching '('")]
    [InlineData("()", 1, "expected a term")]
    [InlineData("\"failed password", 0, "unterminated quoted phrase")]
    [InlineData("host:\"web", 5, "unterminated quoted phrase")]
    [InlineData("a AND", 5, "expected a term after AND")]
    [InlineData("a AND OR b", 6, "expected a term after AND")]
    [InlineData("a AND )", 6, "expected a term after AND")]
    [InlineData("OR b", 0, "expected a term")]
    [InlineData("a OR", 4, "expected a term but the query ended")]
    [InlineData("a OR OR b", 5, "expected a term")]
    [InlineData("NOT", 3, "expected a term after NOT")]
    [InlineData("(NOT )", 5, "expected a term after NOT")]
    [InlineData("@a:>abc", 4, "expected a number or a date, not 'abc'")]
    [InlineData("@a:>", 4, "expected a number or a date after the comparison operator")]
    [InlineData("@a:>= 5", 5, "expected a number or a date after the comparison operator")]
    [InlineData("@a:<5*", 4, "expected a number or a date after the comparison operator")]
    [InlineData("@a:>NaN", 4, "expected a number or a date, not 'NaN'")]
    [InlineData("@a:>1e999", 4, "expected a number or a date, not '1e999'")]
    [InlineData("@a:>*", 4, "expected a number or a date after the comparison operator")]
    [InlineData("status:>5", 7, "comparisons apply to numeric or date attributes (@status), not to 'status'")]
    [InlineData("env:<=5", 4, "comparisons apply to numeric or date attributes (@env), not to 'env'")]
    [InlineData("host:[1 TO 2]", 5, "ranges apply to numeric or date attributes (@host), not to 'host'")]
    [InlineData("@a:[1 2]", 6, "expected 'TO' between the bounds of the range")]
    [InlineData("@a:[1 TO", 8, "expected a number, a date or '*'")]
    [InlineData("@a:[1 TO 2", 10, "expected ']' or '}' to close the range")]
    [InlineData("@a:[x TO 2]", 4, "expected a number, a date or '*', not 'x'")]
    [InlineData("@a:{1 TO 2026-13-01}", 9, "expected a number, a date or '*', not '2026-13-01'")]
    [InlineData("@x:*a?????????", 3, "a pattern with '*' may hold at most 8 '?'")]
    [InlineData("CIDR(network.client.ip, 10.0.0.0/8)", 5, "expected an @attribute as the first argument of CIDR")]
    [InlineData("CIDR(@ip 10.0.0.0/8)", 9, "expected ',' and a network after the attribute")]
    [InlineData("CIDR(@ip, 10.0.0.0/33)", 10, "expected a network such as 10.0.0.0/8, not '10.0.0.0/33'")]
    [InlineData("CIDR(@ip, 10.0.0/8)", 10, "expected a network such as 10.0.0.0/8, not '10.0.0/8'")]
    [InlineData("CIDR(@ip, )", 10, "expected a network such as 10.0.0.0/8")]
    [InlineData("CIDR(@ip, 10.0.0.0/8", 20, "expected ')' to close the CIDR( at position 4")]
    [InlineData("CIDR(@ip, 10.0.0.0/8 x)", 21, "expected ',' or ')' after the network")]
    [InlineData("host:CIDR(10.0.0.0/8)", 5, "CIDR applies to IP attributes (@host), not to 'host'")]
    [InlineData("host:", 5, "expected a value after 'host:'")]
    [InlineData("host: web", 5, "expected a value after 'host:'")]
    [InlineData("(@a.b:)", 6, "expected a value after '@a.b:'")]
    [InlineData(@"a\", 1, "a '\\' must escape a character")]
    [InlineData("@a:(b OR c", 10, "expected ')' to close the '(' at position 3")]
    [InlineData("@a:()", 4, "expected a term")]
    [InlineData("service:(web OR)", 15, "expected a term after OR")]
    [InlineData("(web OR)", 7, "expected a term after OR")]
    [InlineData("@a:(x AND)", 9, "expected a term after AND")]
    [InlineData("@a:(NOT)", 7, "expected a term after NOT")]
    [InlineData("AND foo", 0, "expected a term before AND")]
    [InlineData("(AND foo)", 1, "expected a term before AND")]
    [InlineData("@a:(AND x)", 4, "expected a term before AND")]
    [InlineData("a - b", 3, "expected a term after '-'")]
    [InlineData("error - timeout", 7, "expected a term after '-'")]
    [InlineData("foo -", 5, "expected a term after '-'")]
    [InlineData("@a:(>abc)", 5, "expected a number or a date, not 'abc'")]
    public void Parse_InvalidQuery_ThrowsWithPositionOfFault(string query, int position, string reason)
    {
        var error = Assert.Throws<QuerySyntaxException>(() => QueryParser.Parse(query));

        Assert.Equal((reason, position), (error.Reason, error.Position));
        Assert.EndsWith($"(at position {position})", error.Message);
    }

    [Fact]
    public void Parse_DeepNesting_IsRejectedNotOverflowed()
    {
        var error = Assert.Throws<QuerySyntaxException>(() => QueryParser.Parse(new string('(', 10_000) + "a"));
        var notChain = Assert.Throws<QuerySyntaxException>(() => QueryParser.Parse(string.Concat(Enumerable.Repeat("NOT ", 10_000)) + "a"));

        Assert.StartsWith("the query nests deeper than", error.Reason);
        Assert.StartsWith("the query nests deeper than", notChain.Reason);
        Assert.Equal("text=a", QueryShape.Of(new string('(', 30) + "a" + new string(')', 30)));
    }

    [Fact]
    public void TryParse_InvalidQuery_ReturnsErrorInsteadOfThrowing()
    {
        Assert.False(QueryParser.TryParse("a AND", out var node, out var error));
        Assert.Null(node);
        Assert.Equal(5, error!.Position);

        Assert.True(QueryParser.TryParse("a", out node, out error));
        Assert.Null(error);
        Assert.IsType<TermNode>(node);
    }

    private static string Print(QueryNode node) => QueryShape.Print(node);
}
