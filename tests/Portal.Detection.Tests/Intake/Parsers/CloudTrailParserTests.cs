using System.Text.Json.Nodes;
using Portal.Detection.Intake;
using Portal.Detection.Query;

namespace Portal.Detection.Tests.Intake.Parsers;

/// <summary>
/// Real records from OTRF Security-Datasets (MIT), copied into
/// <c>Fixtures/otrf-aws-ec2-proxy-s3-exfiltration</c>; see the README there.
/// </summary>
public class CloudTrailParserTests
{
    private static readonly string[] Records = File.ReadAllLines(IntakeSamples.Fixture("otrf-aws-ec2-proxy-s3-exfiltration", "records.ndjson"));

    // Shortly after the records were written, so their own timestamps are kept.
    private static readonly DateTimeOffset ReceivedAt = new(2020, 9, 14, 1, 30, 0, TimeSpan.Zero);

    private static JsonObject Record(int index)
    {
        var record = JsonNode.Parse(Records[index])!.AsObject();
        record["ddsource"] = "cloudtrail";
        return record;
    }

    [Fact]
    public void Parse_IamUserApiCall_AddsStandardAttributesAndSummary()
    {
        var e = IntakeNormalizer.Normalize(Record(0), ReceivedAt);

        Assert.Equal("DescribeInstanceTypes", e.Text("evt.name"));
        Assert.Equal("success", e.Text("evt.outcome"));
        Assert.Equal("1.2.3.4", e.Text("network.client.ip"));
        Assert.Equal("arn:aws:iam::123456789123:user/pedro", e.Text("usr.id"));
        Assert.Equal("pedro", e.Text("usr.name"));
        Assert.Equal("DescribeInstanceTypes by arn:aws:iam::123456789123:user/pedro from 1.2.3.4", e.Message);
        Assert.Equal(new DateTimeOffset(2020, 9, 14, 0, 44, 23, TimeSpan.Zero), e.Timestamp);
        Assert.Equal("info", e.Status);
        // The record itself stays as sent.
        Assert.Equal("ec2.amazonaws.com", e.Text("eventSource"));
        Assert.Equal(100, e.Number("requestParameters.DescribeInstanceTypesRequest.MaxResults"));
    }

    [Fact]
    public void Parse_AwsServiceCall_UsesInvokedByAndNoClientIp()
    {
        var e = IntakeNormalizer.Normalize(Record(1), ReceivedAt);

        Assert.Equal("AssumeRole", e.Text("evt.name"));
        Assert.Null(e.Text("network.client.ip"));
        Assert.Equal("ec2.amazonaws.com", e.Text("usr.id"));
        Assert.Equal("AssumeRole by ec2.amazonaws.com from ec2.amazonaws.com", e.Message);
    }

    [Fact]
    public void Parse_StolenRoleCredentials_MatchAQueryOnTheRecordAndStandardAttributes()
    {
        var e = IntakeNormalizer.Normalize(Record(2), ReceivedAt);
        var query = QueryParser.Parse("source:cloudtrail @userIdentity.type:AssumedRole @evt.name:ListBuckets @usr.id:arn\\:aws\\:sts\\:\\:123456789123\\:assumed-role/* @network.client.ip:1.2.3.4");

        Assert.True(QueryMatcher.Matches(query, e));
    }

    [Fact]
    public void Parse_ErrorCode_IsFailureWithWarnStatus()
    {
        var record = Record(0);
        record["errorCode"] = "Client.UnauthorizedOperation";
        record["errorMessage"] = "You are not authorized to perform this operation.";

        var e = IntakeNormalizer.Normalize(record, ReceivedAt);

        Assert.Equal("failure", e.Text("evt.outcome"));
        Assert.Equal("warn", e.Status);
        Assert.EndsWith("failed: Client.UnauthorizedOperation", e.Message);
    }

    [Fact]
    public void Parse_FailedConsoleLogin_IsFailure()
    {
        var e = IntakeSamples.Json("""
            {"ddsource":"cloudtrail","eventName":"ConsoleLogin","eventSource":"signin.amazonaws.com","sourceIPAddress":"203.0.113.8",
             "userIdentity":{"type":"IAMUser","principalId":"AIDAQ3EGUMWVK4HZB7D2A","accountId":"123456789012","userName":"alice"},
             "responseElements":{"ConsoleLogin":"Failure"},"additionalEventData":{"MFAUsed":"No"}}
            """);

        Assert.Equal("failure", e.Text("evt.outcome"));
        Assert.Equal("AIDAQ3EGUMWVK4HZB7D2A", e.Text("usr.id"));
    }

    [Fact]
    public void Parse_EventTimeWithoutTimestamp_UsesEventTime()
    {
        var record = Record(0);
        record.Remove("@timestamp");
        record["eventTime"] = "2020-09-14T00:44:20Z";

        var e = IntakeNormalizer.Normalize(record, ReceivedAt);

        Assert.Equal(new DateTimeOffset(2020, 9, 14, 0, 44, 20, TimeSpan.Zero), e.Timestamp);
        Assert.Equal("2020-09-14T00:44:20Z", e.Text("eventTime"));
    }

    [Fact]
    public void Parse_MessageSent_IsKept()
    {
        var record = Record(0);
        record["message"] = "forwarded by the Datadog Forwarder";

        Assert.Equal("forwarded by the Datadog Forwarder", IntakeNormalizer.Normalize(record, ReceivedAt).Message);
    }

    [Fact]
    public void Parse_RecordSentAsJsonMessage_IsParsedThenEnriched()
    {
        var raw = new JsonObject { ["ddsource"] = "cloudtrail", ["message"] = Records[2] };

        var e = IntakeNormalizer.Normalize(raw, ReceivedAt);

        Assert.Equal(Records[2], e.Message);
        Assert.Equal(("ListBuckets", "success", "1.2.3.4"), (e.Text("evt.name"), e.Text("evt.outcome"), e.Text("network.client.ip")));
        Assert.Equal(new DateTimeOffset(2020, 9, 14, 1, 1, 50, TimeSpan.Zero), e.Timestamp);
    }
}
