using Portal.Detection.Events;
using Portal.Detection.ThreatIntel;

namespace Portal.Detection.Tests.ThreatIntel;

public class ThreatIntelFeedTests
{
    [Fact]
    public void Parse_SpamhausDrop_ReadsNetworksAndSkipsComments()
    {
        const string text = """
            ; Spamhaus DROP List 2026/01/10 - (c) 2026 The Spamhaus Project SLR
            ; Last-Modified: Sat, 10 Jan 2026 08:14:02 GMT
            203.0.113.0/24 ; SBL256894, SBL256895
            198.51.100.0/25 ; SBL1234
            """;

        var feed = ThreatIntelFeed.Parse("/feeds/drop.txt", text);

        Assert.Empty(feed.Errors);
        Assert.Equal(["203.0.113.0/24", "198.51.100.0/25"], feed.Indicators.Select(i => i.Range.ToString()));
        Assert.All(feed.Indicators, i => Assert.Equal(("unknown", "malicious", "drop"), (i.Category, i.Intention, i.Source)));
    }

    [Fact]
    public void Parse_PlainListWithIpv6AndBareAddresses_ReadsEveryFamily()
    {
        const string text = """
            # Feodo Tracker: Botnet C2 IP Blocklist
            192.0.2.10
            2001:db8::/32
            2001:db8:1::7   # trailing comment

            """;

        var feed = ThreatIntelFeed.Parse("feodo.txt", text);

        Assert.Empty(feed.Errors);
        Assert.Equal(["192.0.2.10/32", "2001:db8::/32", "2001:db8:1::7/128"], feed.Indicators.Select(i => i.Range.ToString()));
    }

    [Fact]
    public void Parse_CommentDirectives_SetCategoryIntentionAndSourceOfLaterLines()
    {
        const string text = """
            # firehol_level1
            # Category        : attacks
            # source: FireHOL level 1
            192.0.2.0/24
            # intention: suspicious
            # category: hosting_proxy
            198.51.100.0/24
            """;

        var feed = ThreatIntelFeed.Parse("firehol_level1.netset", text);

        Assert.Empty(feed.Errors);
        Assert.Equal(new ThreatIndicator(Range("192.0.2.0/24"), "attacks", "malicious", "FireHOL level 1"), feed.Indicators[0]);
        Assert.Equal(new ThreatIndicator(Range("198.51.100.0/24"), "hosting_proxy", "suspicious", "FireHOL level 1"), feed.Indicators[1]);
    }

    [Fact]
    public void Parse_Csv_ReadsColumnsInAnyOrderWithDefaultsForEmptyCells()
    {
        const string text = """
            # exported 2026-01-10
            source,Indicator,intention,category
            abuse.ch,203.0.113.5,malicious,malware
            "Tor, exits",2001:db8::1,suspicious,tor
            ,198.51.100.0/24,,
            """;

        var feed = ThreatIntelFeed.Parse("/feeds/intel.csv", text);

        Assert.Empty(feed.Errors);
        Assert.Equal(
            [
                new ThreatIndicator(Range("203.0.113.5"), "malware", "malicious", "abuse.ch"),
                new ThreatIndicator(Range("2001:db8::1"), "tor", "suspicious", "Tor, exits"),
                new ThreatIndicator(Range("198.51.100.0/24"), "unknown", "malicious", "intel"),
            ],
            feed.Indicators);
    }

    [Fact]
    public void Parse_BadLines_AreReportedWithFileAndLineAndTheRestIsKept()
    {
        const string text = """
            192.0.2.1
            192.0.2.300
            not-an-address ; comment
            10.0.0.0/33
            192.0.2.2 192.0.2.3
            192.0.2.4
            """;

        var feed = ThreatIntelFeed.Parse("/feeds/list.txt", text);

        Assert.Equal(["192.0.2.1/32", "192.0.2.4/32"], feed.Indicators.Select(i => i.Range.ToString()));
        Assert.Equal([2, 3, 4, 5], feed.Errors.Select(e => e.Line));
        Assert.Equal("/feeds/list.txt:2: '192.0.2.300' is not an IP address or CIDR network", feed.Errors[0].ToString());
        Assert.Equal("/feeds/list.txt:3: 'not-an-address' is not an IP address or CIDR network", feed.Errors[1].ToString());
    }

    [Fact]
    public void Parse_CsvBadRows_AreReportedAndTheRestIsKept()
    {
        const string text = "ip,intention\r\n192.0.2.1,evil\r\n,malicious\r\n192.0.2.2,MALICIOUS\r\n";

        var feed = ThreatIntelFeed.Parse("intel.csv", text);

        Assert.Equal(new ThreatIndicator(Range("192.0.2.2"), "unknown", "malicious", "intel"), Assert.Single(feed.Indicators));
        Assert.Equal(
            ["intel.csv:2: intention 'evil' is not one of malicious, suspicious, benign, unknown", "intel.csv:3: no value in the 'ip' column"],
            feed.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Parse_CsvWithoutAddressColumn_SaysSoOnceAndReadsNothing()
    {
        var feed = ThreatIntelFeed.Parse("intel.csv", "host,category\nexample.test,malware\n192.0.2.1,malware\n");

        Assert.Empty(feed.Indicators);
        Assert.Equal("intel.csv:1: a CSV feed starts with a header naming an 'ip' or 'indicator' column", Assert.Single(feed.Errors).ToString());
    }

    [Fact]
    public void Read_Files_ConcatenatesFeedsAndRefusesAMissingOne()
    {
        var directory = Directory.CreateTempSubdirectory("vigil-threat-intel-");
        try
        {
            var drop = Path.Combine(directory.FullName, "drop.txt");
            var csv = Path.Combine(directory.FullName, "intel.csv");
            File.WriteAllText(drop, "203.0.113.0/24 ; SBL1\nbad\n");
            File.WriteAllText(csv, "ip,category\n2001:db8::1,scanner\n");

            var feed = ThreatIntelFeed.Read([drop, csv]);

            Assert.Equal(["drop", "intel"], feed.Indicators.Select(i => i.Source));
            Assert.Equal($"{drop}:2: 'bad' is not an IP address or CIDR network", Assert.Single(feed.Errors).ToString());
            var missing = Assert.Throws<FileNotFoundException>(() => ThreatIntelFeed.Read([Path.Combine(directory.FullName, "gone.txt")]));
            Assert.Contains("gone.txt", missing.Message, StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static IpRange Range(string text) =>
        IpRange.TryParse(text, out var range) ? range : throw new ArgumentException(text, nameof(text));
}
