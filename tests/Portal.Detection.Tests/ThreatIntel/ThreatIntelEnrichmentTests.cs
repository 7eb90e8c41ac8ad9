using System.Text.Json.Nodes;
using Portal.Detection.Events;
using Portal.Detection.Intake;
using Portal.Detection.Tests.Intake;
using Portal.Detection.ThreatIntel;

namespace Portal.Detection.Tests.ThreatIntel;

public class ThreatIntelEnrichmentTests
{
    private static readonly ThreatIndicatorSet Feed = new(ThreatIntelFeed.Parse("intel.csv", """
        ip,category,intention,source
        203.0.113.250,malware,malicious,abuse.ch Feodo Tracker
        203.0.113.0/24,hosting_proxy,suspicious,hosting-ranges
        2001:db8::/32,scanner,malicious,FireHOL level 1
        """).Indicators);

    [Fact]
    public void Enrich_ListedClientIp_AddsResultsMostAlarmingFirstAndTheMatchedAddress()
    {
        var attributes = new JsonObject { ["network"] = new JsonObject { ["client"] = new JsonObject { ["ip"] = "203.0.113.250" } } };

        Assert.True(ThreatIntelEnrichment.Enrich(attributes, Feed));

        var expected = JsonNode.Parse("""
            {
              "results": [
                { "category": "malware", "intention": "malicious", "source": { "name": "abuse.ch Feodo Tracker" }, "ip": "203.0.113.250" },
                { "category": "hosting_proxy", "intention": "suspicious", "source": { "name": "hosting-ranges" }, "ip": "203.0.113.250" }
              ],
              "indicators_matched": ["203.0.113.250"]
            }
            """);
        Assert.True(JsonNode.DeepEquals(expected, attributes["threat_intel"]), attributes.ToJsonString());
    }

    [Fact]
    public void Enrich_UnlistedOrMissingAddresses_LeavesTheAttributesUntouched()
    {
        var attributes = new JsonObject
        {
            ["network"] = new JsonObject { ["client"] = new JsonObject { ["ip"] = "198.51.100.1" }, ["destination"] = new JsonObject { ["ip"] = "10.0.0.1" } },
            ["sourceIPAddress"] = "ec2.amazonaws.com",
        };
        var before = attributes.ToJsonString();

        Assert.False(ThreatIntelEnrichment.Enrich(attributes, Feed));
        Assert.False(ThreatIntelEnrichment.Enrich([], Feed));
        Assert.False(ThreatIntelEnrichment.Enrich(JsonNode.Parse("""{"network":{"client":{"ip":"203.0.113.250"}}}""")!.AsObject(), ThreatIndicatorSet.Empty));

        Assert.Equal(before, attributes.ToJsonString());
    }

    [Fact]
    public void Enrich_DestinationAndCloudTrailAddresses_AreLookedUpOnceEach()
    {
        var attributes = JsonNode.Parse("""
            { "network": { "client": { "ip": "2001:db8::5" }, "destination": { "ip": "203.0.113.9" } }, "sourceIPAddress": "2001:DB8::5" }
            """)!.AsObject();

        Assert.True(ThreatIntelEnrichment.Enrich(attributes, Feed));

        var e = new LogEvent { Id = "1", Attributes = attributes };
        Assert.Equal(["malicious", "suspicious"], e.GetAttribute("threat_intel.results.intention").Select(v => v.Text));
        Assert.Equal(["2001:db8::5", "203.0.113.9"], e.GetAttribute("threat_intel.indicators_matched").Select(v => v.Text));
    }

    [Fact]
    public void Normalize_WithFeed_EnrichesAddressesTheParsersFind()
    {
        var raw = new JsonObject
        {
            ["ddsource"] = "sshd",
            ["hostname"] = "bastion-1",
            ["message"] = "Failed password for root from 203.0.113.250 port 52211 ssh2",
        };

        var e = IntakeNormalizer.Normalize(raw, IntakeSamples.ReceivedAt, threatIntel: Feed);

        Assert.Equal(["malicious", "suspicious"], e.GetAttribute("threat_intel.results.intention").Select(v => v.Text));
        Assert.Equal("abuse.ch Feodo Tracker", e.GetAttribute("threat_intel.results.source.name").First().Text);
        Assert.Null(IntakeNormalizer.Normalize(raw, IntakeSamples.ReceivedAt).Text("threat_intel.results.intention"));
    }

    [Fact]
    public void Read_CloudTrailRecordWithFeed_EnrichesTheCaller()
    {
        const string body = """
            [{"ddsource":"cloudtrail","eventName":"GetCallerIdentity","sourceIPAddress":"203.0.113.250","userIdentity":{"arn":"arn:aws:iam::123456789012:user/ci"}},
             {"ddsource":"cloudtrail","eventName":"GetCallerIdentity","sourceIPAddress":"192.0.2.1","userIdentity":{"arn":"arn:aws:iam::123456789012:user/ci"}}]
            """;

        var (events, error) = IntakePayload.Read(System.Text.Encoding.UTF8.GetBytes(body), IntakeSamples.ReceivedAt, null, threatIntel: Feed);

        Assert.Null(error);
        Assert.Equal(["203.0.113.250"], events![0].GetAttribute("threat_intel.indicators_matched").Select(v => v.Text));
        Assert.Empty(events[1].GetAttribute("threat_intel.indicators_matched"));
    }
}
