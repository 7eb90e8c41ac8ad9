using Portal.Detection.Sigma;

namespace Portal.Detection.Tests.Sigma;

public class SigmaModifierTests
{
    private static SigmaConversion Selection(string fields) => SigmaSamples.Convert($"selection:\n{SigmaSamples.Indent(fields)}\ncondition: selection");

    private static bool Matches(SigmaConversion conversion, string record) => conversion.Matches(SigmaSamples.CloudTrailEvent(record));

    [Fact]
    public void Plain_Value_IsAnExactCaseSensitiveMatch()
    {
        var c = Selection("eventName: ConsoleLogin");

        Assert.Equal(SigmaConversionStatus.Lossless, c.Status);
        Assert.Equal("source:cloudtrail @eventName:ConsoleLogin", c.Query());
        Assert.True(Matches(c, """{"eventName":"ConsoleLogin"}"""));
        Assert.False(Matches(c, """{"eventName":"ConsoleLoginX"}"""));
        Assert.False(Matches(c, """{"eventName":"consolelogin"}"""));
    }

    [Fact]
    public void Wildcards_InPlainValues_AreWildcardsAndEscapedOnesAreLiteral()
    {
        var c = Selection(@"userAgent: 'aws-cli/*\*?'");

        Assert.Equal(@"source:cloudtrail @userAgent:aws\-cli\/*\*?", c.Query());
        Assert.True(Matches(c, """{"userAgent":"aws-cli/2.1 *x"}"""));
        Assert.False(Matches(c, """{"userAgent":"aws-cli/2.1 xx"}"""));
    }

    [Fact]
    public void Contains_StartsWith_EndsWith_AddWildcards()
    {
        var c = Selection("""
            a|contains: 'mid dle'
            b|startswith: 'pre'
            c|endswith: '.exe'
            """);

        Assert.Equal(@"source:cloudtrail @a:*mid\ dle* @b:pre* @c:*.exe", c.Query());
        Assert.True(Matches(c, """{"a":"x mid dle y","b":"prefix","c":"run.exe"}"""));
        Assert.False(Matches(c, """{"a":"x mid dle y","b":"xpre","c":"run.exe"}"""));
        Assert.False(Matches(c, """{"a":"x mid dle y","b":"prefix","c":"run.exe.bak"}"""));
    }

    [Fact]
    public void ValueList_IsAnOr_AndWithAll_AnAnd()
    {
        var any = Selection("a|contains: [one, two]");
        var all = Selection("a|contains|all: [one, two]");

        Assert.Equal("source:cloudtrail (@a:*one* OR @a:*two*)", any.Query());
        Assert.Equal("source:cloudtrail @a:*one* @a:*two*", all.Query());
        Assert.True(Matches(any, """{"a":"only two"}"""));
        Assert.False(Matches(all, """{"a":"only two"}"""));
        Assert.True(Matches(all, """{"a":"two and one"}"""));
    }

    [Fact]
    public void Null_IsAMissingField()
    {
        var c = Selection("errorCode: null");

        Assert.Equal("source:cloudtrail -@errorCode:*", c.Query());
        Assert.True(Matches(c, """{"eventName":"x"}"""));
        Assert.True(Matches(c, """{"errorCode":null}"""));
        Assert.False(Matches(c, """{"errorCode":"AccessDenied"}"""));
    }

    [Fact]
    public void EmptyString_IsAnEmptyValue()
    {
        var c = Selection("a: ''");

        Assert.Equal("source:cloudtrail @a:\"\"", c.Query());
        Assert.True(Matches(c, """{"a":""}"""));
        Assert.False(Matches(c, """{"a":"x"}"""));
    }

    [Fact]
    public void NumbersAndBooleans_MatchTheirCanonicalText()
    {
        var c = Selection("""
            code: 403
            flag: true
            quoted: 'true'
            """);

        Assert.Equal("source:cloudtrail @code:403 @flag:true @quoted:true", c.Query());
        Assert.True(Matches(c, """{"code":403,"flag":true,"quoted":"true"}"""));
    }

    [Fact]
    public void Exists_TrueAndFalse_TestTheFieldsPresence()
    {
        var c = Selection("""
            errorCode|exists: true
            errorMessage|exists: false
            """);

        Assert.Equal("source:cloudtrail @errorCode:* -@errorMessage:*", c.Query());
        Assert.True(Matches(c, """{"errorCode":"x"}"""));
        Assert.False(Matches(c, """{"errorCode":"x","errorMessage":"y"}"""));
    }

    [Fact]
    public void Cidr_ListIsOneCidrTermOverEveryNetwork()
    {
        var c = Selection("sourceIPAddress|cidr: ['10.0.0.0/8', 'fc00::/7']");

        Assert.Equal("source:cloudtrail CIDR(@sourceIPAddress, 10.0.0.0/8, fc00::/7)", c.Query());
        Assert.True(Matches(c, """{"sourceIPAddress":"10.1.2.3"}"""));
        Assert.True(Matches(c, """{"sourceIPAddress":"fd00::1"}"""));
        Assert.False(Matches(c, """{"sourceIPAddress":"11.1.2.3"}"""));
    }

    [Fact]
    public void Cidr_NotANetwork_IsUnsupported()
    {
        var c = Selection("sourceIPAddress|cidr: 'ten/8'");

        Assert.Equal(SigmaConversionStatus.Unsupported, c.Status);
        Assert.Contains(c.Diagnostics, d => d.Message.Contains("'ten/8' is not a network", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("lt", "@n:<10", 9, true, 10, false)]
    [InlineData("lte", "@n:<=10", 10, true, 11, false)]
    [InlineData("gt", "@n:>10", 11, true, 10, false)]
    [InlineData("gte", "@n:>=10", 10, true, 9, false)]
    public void Comparisons_BecomeRanges(string modifier, string term, int inside, bool insideMatches, int outside, bool outsideMatches)
    {
        var c = Selection($"n|{modifier}: 10");

        Assert.Equal("source:cloudtrail " + term, c.Query());
        Assert.Equal(insideMatches, Matches(c, $$"""{"n":{{inside}}}"""));
        Assert.Equal(outsideMatches, Matches(c, $$"""{"n":{{outside}}}"""));
    }

    [Fact]
    public void Base64_EncodesTheValue()
    {
        var c = Selection("a|base64: 'http://'");

        Assert.Equal("source:cloudtrail @a:aHR0cDovLw\\=\\=", c.Query());
        Assert.True(Matches(c, """{"a":"aHR0cDovLw=="}"""));
    }

    [Fact]
    public void Base64Offset_ProducesTheThreeOffsetsSigmaDefines()
    {
        // Sigma's specification gives these three for 'http://'.
        var c = Selection("a|base64offset|contains: 'http://'");

        Assert.Equal("source:cloudtrail (@a:*aHR0cDovL* OR @a:*h0dHA6Ly* OR @a:*odHRwOi8v*)", c.Query());
        foreach (var prefix in new[] { "", "x", "xy" })
        {
            var encoded = System.Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(prefix + "http://example.com"));
            Assert.True(Matches(c, $$"""{"a":"{{encoded}}"}"""), encoded);
        }
    }

    [Fact]
    public void Wide_ThenBase64_EncodesUtf16LittleEndian()
    {
        var c = Selection("a|wide|base64: 'ab'");

        Assert.Equal("source:cloudtrail @a:YQBiAA\\=\\=", c.Query());
    }

    [Fact]
    public void Wide_WithoutBase64_IsUnsupported()
    {
        Assert.Equal(SigmaConversionStatus.Unsupported, Selection("a|wide: 'ab'").Status);
    }

    [Fact]
    public void Base64_OfAWildcard_IsUnsupported()
    {
        Assert.Equal(SigmaConversionStatus.Unsupported, Selection("a|base64: 'ab*'").Status);
    }

    [Fact]
    public void Windash_ExpandsDashesThatStartAWord()
    {
        var c = Selection("CommandLine|windash|contains: ' -enc '");

        Assert.Equal(SigmaConversionStatus.Lossless, c.Status);
        foreach (var dash in new[] { "-", "/", "\u2013", "\u2014", "\u2015" })
        {
            Assert.True(Matches(c, $$"""{"CommandLine":"powershell {{dash}}enc AAAA"}"""), dash);
        }
        Assert.False(Matches(c, """{"CommandLine":"powershell +enc AAAA"}"""));
        // A dash inside a word is not a switch.
        Assert.Equal("source:cloudtrail @a:x\\-y", Selection("a|windash: 'x-y'").Query());
    }

    [Fact]
    public void Re_ThatIsAWildcardPattern_Converts()
    {
        var c = Selection("""
            a|re: '^arn:aws:iam::'
            b|re|s: 'Get.*Object$'
            d|re: 'exact\.name'
            """);

        Assert.Equal(@"source:cloudtrail @a:arn\:aws\:iam\:\:* @b:*Get*Object @d:*exact.name*", c.Query());
        Assert.Equal(SigmaConversionStatus.Lossless, c.Status);
    }

    [Fact]
    public void Re_WithADot_IsPartialWithoutTheDotallFlag()
    {
        Assert.Equal(SigmaConversionStatus.Partial, Selection("a|re: 'a.c'").Status);
        var dotall = Selection("a|re|s: 'a.c'");
        Assert.Equal(SigmaConversionStatus.Lossless, dotall.Status);
        Assert.Equal("source:cloudtrail @a:*a?c*", dotall.Query());
        // '.+' unanchored is "at least one character", written the one way Vigil's patterns have it.
        Assert.Equal("source:cloudtrail @a:?*x", Selection("a|re|s: '.+x$'").Query());
    }

    [Theory]
    [InlineData(@"'[0-9]+'")]
    [InlineData(@"'(a|b)'")]
    [InlineData(@"'a{2}'")]
    [InlineData(@"'\d'")]
    [InlineData(@"'.{150}'")]
    public void Re_RealRegularExpression_IsUnsupportedWithTheReason(string regex)
    {
        var c = Selection("a|re: " + regex);

        Assert.Equal(SigmaConversionStatus.Unsupported, c.Status);
        Assert.Null(c.Rule);
        var diagnostic = Assert.Single(c.Diagnostics, d => d.Kind == SigmaDiagnosticKind.Unsupported);
        Assert.Contains("regular expression", diagnostic.Message, StringComparison.Ordinal);
        Assert.Contains("detection.selection.a|re", diagnostic.Location, StringComparison.Ordinal);
    }

    [Fact]
    public void FieldRef_IsUnsupported()
    {
        var c = Selection("userIdentity.arn|fieldref: requestParameters.userName");

        Assert.Equal(SigmaConversionStatus.Unsupported, c.Status);
        Assert.Contains(c.Diagnostics, d => d.Message.Contains("fieldref", StringComparison.Ordinal));
    }

    [Fact]
    public void Cased_KeepsTheValueAsWritten()
    {
        var c = Selection("eventName|cased: ConsoleLogin");

        Assert.Equal(SigmaConversionStatus.Lossless, c.Status);
        Assert.Equal("source:cloudtrail @eventName:ConsoleLogin", c.Query());
    }

    [Theory]
    [InlineData("a|sometimes: x", "unknown modifier 'sometimes'")]
    [InlineData("a|contains|endswith: x", "conflict")]
    [InlineData("a|re|contains: x", "'re' cannot be combined")]
    [InlineData("a|cidr|contains: 10.0.0.0/8", "cannot be combined")]
    [InlineData("a|expand: '%servers%'", "placeholders")]
    public void InvalidModifiers_AreUnsupported(string field, string message)
    {
        var c = Selection(field);

        Assert.Equal(SigmaConversionStatus.Unsupported, c.Status);
        Assert.Contains(c.Diagnostics, d => d.Message.Contains(message, StringComparison.Ordinal));
    }
}
