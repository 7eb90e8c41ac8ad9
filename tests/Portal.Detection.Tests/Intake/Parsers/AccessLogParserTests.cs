using System.Text.Json.Nodes;
using Portal.Detection.Intake;

namespace Portal.Detection.Tests.Intake.Parsers;

/// <summary>
/// Real lines from elastic/examples (Apache-2.0), copied into
/// <c>Fixtures/elastic-examples-apache-access</c>; see the README there.
/// </summary>
public class AccessLogParserTests
{
    private static readonly string[] Lines = File.ReadAllLines(IntakeSamples.Fixture("elastic-examples-apache-access", "apache_logs_sample.log"));

    private static readonly DateTimeOffset ReceivedAt = new(2015, 5, 19, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Parse_CombinedLine_ExtractsRequestResponseAndClient()
    {
        var e = IntakeSamples.Line("apache", Lines[0], new DateTimeOffset(2015, 5, 17, 12, 0, 0, TimeSpan.Zero));

        Assert.Equal("83.149.9.216", e.Text("network.client.ip"));
        Assert.Equal("GET", e.Text("http.method"));
        Assert.Equal("/presentations/logstash-monitorama-2013/images/kibana-search.png", e.Text("http.url"));
        Assert.Equal("/presentations/logstash-monitorama-2013/images/kibana-search.png", e.Text("http.url_details.path"));
        Assert.Null(e.Text("http.url_details.queryString"));
        Assert.Equal("1.1", e.Text("http.version"));
        Assert.Equal(200, e.Number("http.status_code"));
        Assert.Equal(203023, e.Number("network.bytes_written"));
        Assert.Equal("http://semicomplete.com/presentations/logstash-monitorama-2013/", e.Text("http.referer"));
        Assert.StartsWith("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1)", e.Text("http.useragent"));
        Assert.Null(e.Text("usr.name"));
        Assert.Equal("info", e.Status);
        Assert.Equal(new DateTimeOffset(2015, 5, 17, 10, 5, 3, TimeSpan.Zero), e.Timestamp);
        Assert.Equal(Lines[0], e.Message);
    }

    [Theory]
    [InlineData("17/May/2015:10:05:03 +0000")]
    [InlineData("29/Feb/2024:23:59:59 -0730")]
    [InlineData("01/Dec/1999:00:00:00 +1400")]
    [InlineData("30/Feb/2024:10:00:00 +0000")] // no such day
    [InlineData("17/Mai/2015:10:05:03 +0000")] // no such month
    [InlineData("17/May/2015:24:05:03 +0000")]
    [InlineData("17/May/2015:10:05:03 +00:00")] // another shape: the general parser decides
    [InlineData("7/May/2015:10:05:03 +0000")]
    [InlineData("17/May/2015:10:05:03 *0000")]
    [InlineData("17/May/2015:10:05:03 +1430")] // beyond the largest offset
    [InlineData("17/May/2015:10:05:03 -1400")]
    [InlineData("01/Jan/0001:00:00:00 +0100")] // before the first UTC instant
    [InlineData("31/Dec/9999:23:59:59 -0100")] // after the last one
    public void TryParseTime_AgreesWithTheGeneralParser(string text)
    {
        var expected = DateTimeOffset.TryParseExact(text, "dd/MMM/yyyy:HH:mm:ss zzz", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var general);

        var parsed = Portal.Detection.Intake.Parsers.AccessLogParser.TryParseTime(text, out var time);

        Assert.Equal((expected, general, general.Offset), (parsed, time, time.Offset));
    }

    [Fact]
    public void Parse_RequestHoldingAnEscapedQuote_TheStatusIsTheServersNotTheRequestsText()
    {
        // Apache writes a quote of the request line as \": a URL cut at it let the client's own "200" stand for the status.
        var e = IntakeSamples.Line("apache", """1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /x\" 200 5 \"-\" HTTP/1.1" 400 226 "-" "-" """, ReceivedAt);

        Assert.Equal((400d, 226d, "warn"), (e.Number("http.status_code"), e.Number("network.bytes_written"), e.Status));
    }

    [Fact]
    public void Parse_UrlWithQuery_SplitsPathAndQueryString()
    {
        var e = IntakeSamples.Line("nginx", Lines[1], ReceivedAt);

        Assert.Equal("/blog/tags/puppet", e.Text("http.url_details.path"));
        Assert.Equal("flav=rss20", e.Text("http.url_details.queryString"));
        Assert.Equal("Tiny Tiny RSS/1.11 (http://tt-rss.org/)", e.Text("http.useragent"));
    }

    [Fact]
    public void Parse_NotFoundWithoutRefererOrAgent_IsWarnAndOmitsDashes()
    {
        var e = IntakeSamples.Line("httpd", Lines[2], ReceivedAt);

        Assert.Equal("warn", e.Status);
        Assert.Equal(404, e.Number("http.status_code"));
        Assert.Equal("1.0", e.Text("http.version"));
        Assert.Null(e.Text("http.referer"));
        Assert.Null(e.Text("http.useragent"));
    }

    [Fact]
    public void Parse_ServerErrorWithoutBytes_IsErrorWithoutByteCount()
    {
        var e = IntakeSamples.Line("webserver", Lines[3], ReceivedAt);

        Assert.Equal("error", e.Status);
        Assert.Null(e.Number("network.bytes_written"));
    }

    [Fact]
    public void Parse_Post_RecordsMethod()
    {
        var e = IntakeSamples.Line("access", Lines[4], ReceivedAt);

        Assert.Equal(("POST", "/blog/geekery/xvfb-firefox"), (e.Text("http.method"), e.Text("http.url_details.path")));
    }

    [Fact]
    public void Parse_ExplicitStatus_WinsOverStatusCode()
    {
        var raw = new JsonObject { ["ddsource"] = "apache", ["status"] = "info", ["message"] = Lines[3] };

        Assert.Equal("info", IntakeNormalizer.Normalize(raw, ReceivedAt).Status);
    }

    [Fact]
    public void Parse_OldLineWithoutIntakeTimestamp_IsRestampedAndFlagged()
    {
        var e = IntakeSamples.Line("apache", Lines[0]);

        Assert.Equal(IntakeSamples.ReceivedAt, e.Timestamp);
        Assert.Equal("2015-05-17T10:05:03.0000000Z", e.Text(IntakeNormalizer.OriginalTimestampAttribute));
    }

    [Fact]
    public void Parse_CommonFormatWithUserAndZone_ReadsUserAndConvertsTimeToUtc()
    {
        // The example line of the Apache HTTP Server documentation.
        var e = IntakeSamples.Line("apache", "127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /apache_pb.gif HTTP/1.0\" 200 2326", new DateTimeOffset(2000, 10, 10, 21, 0, 0, TimeSpan.Zero));

        Assert.Equal("frank", e.Text("usr.name"));
        Assert.Equal(new DateTimeOffset(2000, 10, 10, 20, 55, 36, TimeSpan.Zero), e.Timestamp);
        Assert.Null(e.Text("http.useragent"));
    }

    [Fact]
    public void Parse_GarbageRequestLine_KeepsItWhole()
    {
        var e = IntakeSamples.Line("nginx", "192.0.2.9 - - [03/Mar/2026:14:04:00 +0000] \"\\x16\\x03\\x01\\x00\\xA5\" 400 157 \"-\" \"-\"");

        Assert.Equal(400, e.Number("http.status_code"));
        Assert.Equal("\\x16\\x03\\x01\\x00\\xA5", e.Text("http.request"));
        Assert.Null(e.Text("http.method"));
    }

    [Fact]
    public void Parse_EscapedQuoteInUserAgent_IsUnescaped()
    {
        var e = IntakeSamples.Line("nginx", "192.0.2.9 - - [03/Mar/2026:14:04:00 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"curl \\\"quoted\\\"\"");

        Assert.Equal("curl \"quoted\"", e.Text("http.useragent"));
    }

    [Fact]
    public void Parse_JsonWebLog_FallsBackToJsonAttributes()
    {
        var e = IntakeSamples.Line("nginx", """{"remote_addr":"192.0.2.9","request":"GET / HTTP/1.1","status":200}""");

        Assert.Equal("192.0.2.9", e.Text("remote_addr"));
        Assert.Equal(200, e.Number("status"));
        Assert.Null(e.Text("http.method"));
    }
}
