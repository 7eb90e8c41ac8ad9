using System.Text.Json.Nodes;
using Portal.Detection.Intake;

namespace Portal.Detection.Tests.Intake;

public class IntakeNormalizerTests
{
    private static readonly DateTimeOffset ReceivedAt = IntakeSamples.ReceivedAt;

    [Fact]
    public void Normalize_ReservedFields_BecomePropertiesAndLeaveAttributes()
    {
        var e = IntakeSamples.Json("""
            {"message":"payment accepted","ddsource":"java","service":"payments","hostname":"pay-1",
             "ddtags":"env:prod,team:billing","status":"info","timestamp":"2026-03-03T14:04:59.250Z",
             "usr":{"id":"u-42"},"aws.region":"eu-west-1","duration":12.5}
            """);

        Assert.Equal("payment accepted", e.Message);
        Assert.Equal("java", e.Source);
        Assert.Equal("payments", e.Service);
        Assert.Equal("pay-1", e.Host);
        Assert.Equal(["env:prod", "team:billing"], e.Tags);
        Assert.Equal(new DateTimeOffset(2026, 3, 3, 14, 4, 59, 250, TimeSpan.Zero), e.Timestamp);
        // The status field stays an attribute as sent; the other reserved fields leave the attributes.
        Assert.Equal(["status", "usr", "aws.region", "duration"], e.Attributes.Select(p => p.Key));
        Assert.Equal("info", e.Status);
        Assert.Equal("u-42", e.Text("usr.id"));
        Assert.Equal(12.5, e.Number("duration"));
        Assert.Equal(EventIds.Length, e.Id.Length);
    }

    [Fact]
    public void Normalize_HostInsteadOfHostname_SetsHost()
    {
        Assert.Equal("db-2", IntakeSamples.Json("""{"host":"db-2","message":"x"}""").Host);
    }

    [Fact]
    public void Normalize_Raw_IsLeftUnchanged()
    {
        var raw = new JsonObject { ["message"] = "x", ["ddsource"] = "sshd", ["ctx"] = new JsonObject { ["a"] = 1 } };
        var before = raw.ToJsonString();

        IntakeNormalizer.Normalize(raw, ReceivedAt);

        Assert.Equal(before, raw.ToJsonString());
    }

    [Theory]
    [InlineData("status", "warning", "warn")]
    [InlineData("status", "ERROR", "error")]
    [InlineData("status", "fatal", "emerg")] // Datadog's status remapper: f… is emerg
    [InlineData("status", "FINE", "emerg")]
    [InlineData("status", "success", "ok")]
    [InlineData("status", "severe", "ok")] // s… is ok
    [InlineData("status", "verbose", "debug")]
    [InlineData("status", "t", "debug")]
    [InlineData("status", "panic", "info")] // no rule for p…
    [InlineData("status", "exception", "info")] // e… other than emerg… and err…
    [InlineData("status", "Errors", "error")]
    [InlineData("status", "9", "info")] // a number beyond syslog's
    [InlineData("status", "information", "info")]
    [InlineData("status", "Emergency", "emerg")]
    [InlineData("status", "crit", "critical")]
    [InlineData("status", "Notice", "notice")]
    [InlineData("status", "TRACE", "debug")]
    [InlineData("status", "OK", "ok")]
    [InlineData("status", "unknown-level", "info")]
    [InlineData("status", "Warning-ish", "warn")]
    [InlineData("level", "warn", "warn")]
    [InlineData("severity", "Alert", "alert")]
    public void Normalize_StatusWord_MapsToStandardStatus(string field, string value, string expected)
    {
        var raw = new JsonObject { ["message"] = "x", [field] = value };

        Assert.Equal(expected, IntakeNormalizer.Normalize(raw, ReceivedAt).Status);
    }

    [Theory]
    [InlineData(0, "emerg")]
    [InlineData(3, "error")]
    [InlineData(4, "warn")]
    [InlineData(7, "debug")]
    [InlineData(42, "info")]
    public void Normalize_SyslogSeverityNumber_MapsToStandardStatus(int level, string expected)
    {
        var raw = new JsonObject { ["message"] = "x", ["severity"] = level };

        Assert.Equal(expected, IntakeNormalizer.Normalize(raw, ReceivedAt).Status);
    }

    [Fact]
    public void Normalize_NoStatus_IsInfo()
    {
        Assert.Equal("info", IntakeSamples.Json("""{"message":"x"}""").Status);
    }

    [Theory]
    [InlineData("""{"timestamp":1772546640}""")]
    [InlineData("""{"timestamp":1772546640000}""")]
    [InlineData("""{"timestamp":"1772546640000"}""")]
    [InlineData("""{"timestamp":"2026-03-03T14:04:00Z"}""")]
    [InlineData("""{"date":"2026-03-03T15:04:00+01:00"}""")]
    [InlineData("""{"@timestamp":"2026-03-03T14:04:00.000Z"}""")]
    public void Normalize_TimestampAsEpochOrIso_IsUsed(string json)
    {
        var e = IntakeSamples.Json(json);

        Assert.Equal(new DateTimeOffset(2026, 3, 3, 14, 4, 0, TimeSpan.Zero), e.Timestamp);
        Assert.Empty(e.Attributes);
    }

    [Theory]
    [InlineData("""{"message":"x"}""")]
    [InlineData("""{"message":"x","timestamp":"yesterday-ish"}""")]
    [InlineData("""{"message":"x","timestamp":true}""")]
    public void Normalize_MissingOrInvalidTimestamp_UsesReceivedAt(string json)
    {
        Assert.Equal(ReceivedAt, IntakeSamples.Json(json).Timestamp);
    }

    [Fact]
    public void Normalize_InvalidTimestamp_StaysAnAttribute()
    {
        Assert.Equal("yesterday-ish", IntakeSamples.Json("""{"timestamp":"yesterday-ish"}""").Text("timestamp"));
    }

    [Fact]
    public void Normalize_OlderThan18Hours_UsesReceivedAtAndFlagsTheEvent()
    {
        var sent = ReceivedAt.AddHours(-19);

        var e = IntakeNormalizer.Normalize(new JsonObject { ["timestamp"] = sent.ToUnixTimeMilliseconds() }, ReceivedAt);

        Assert.Equal(ReceivedAt, e.Timestamp);
        Assert.Equal("true", e.Text(IntakeNormalizer.TimestampAdjustedAttribute));
        Assert.Equal("2026-03-02T19:05:00.0000000Z", e.Text(IntakeNormalizer.OriginalTimestampAttribute));
    }

    [Fact]
    public void Normalize_17HoursOld_KeepsItsTimestamp()
    {
        var sent = ReceivedAt.AddHours(-17);

        var e = IntakeNormalizer.Normalize(new JsonObject { ["timestamp"] = sent.ToUnixTimeMilliseconds() }, ReceivedAt);

        Assert.Equal(sent, e.Timestamp);
        Assert.Null(e.Text(IntakeNormalizer.TimestampAdjustedAttribute));
    }

    [Fact]
    public void Normalize_FarInTheFuture_UsesReceivedAtAndFlagsTheEvent()
    {
        var e = IntakeNormalizer.Normalize(new JsonObject { ["timestamp"] = ReceivedAt.AddHours(5).ToString("O") }, ReceivedAt);

        Assert.Equal(ReceivedAt, e.Timestamp);
        Assert.Equal("true", e.Text(IntakeNormalizer.TimestampAdjustedAttribute));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(40)]
    public void Normalize_RepeatedTags_AreKeptOnceInTheirFirstOrder(int distinct)
    {
        var tags = Enumerable.Range(0, distinct).Select(i => $"t:{i}").ToList();
        var sent = string.Join(',', tags.Concat(tags.AsEnumerable().Reverse()).Concat(["T:1"]));

        var e = IntakeNormalizer.Normalize(new JsonObject { ["message"] = "x", ["ddtags"] = sent }, ReceivedAt, request: "t:0,extra");

        Assert.Equal(tags.Append("extra"), e.Tags);
    }

    [Fact]
    public void Normalize_Ddtags_AreSplitTrimmedLowerCasedAndMergedWithRequestTags()
    {
        var raw = new JsonObject { ["ddtags"] = " env:Prod, team:web,,bare ,env:prod" };

        var e = IntakeNormalizer.Normalize(raw, ReceivedAt, request: "region:eu,team:web");

        Assert.Equal(["env:prod", "team:web", "bare", "region:eu"], e.Tags);
    }

    [Fact]
    public void Normalize_DdtagsArray_IsAccepted()
    {
        Assert.Equal(["env:prod", "team:web"], IntakeSamples.Json("""{"ddtags":["env:prod","team:web"]}""").Tags);
        Assert.Empty(IntakeSamples.Json("""{"ddtags":[]}""").Tags);
    }

    [Fact]
    public void Normalize_NumbersInTextFields_AreConvertedToText()
    {
        var e = IntakeSamples.Json("""{"message":42,"service":7,"hostname":10.5,"ddsource":null}""");

        Assert.Equal("42", e.Message);
        Assert.Equal("7", e.Service);
        Assert.Equal("10.5", e.Host);
        Assert.Null(e.Source);
    }

    /// <summary>
    /// A reserved field sent as an object, an array or a boolean (ECS's <c>host: {name: ...}</c>) is not the event's host,
    /// service, source, status or message: it stays an attribute of that name, searchable, and the event is kept (the whole
    /// request was refused, and shippers do not send a refused request again).
    /// </summary>
    [Theory]
    [InlineData("""{"message":{"text":"x"}}""", "message", """{"text":"x"}""")]
    [InlineData("""{"message":["x"]}""", "message", """["x"]""")]
    [InlineData("""{"ddsource":false}""", "ddsource", "false")]
    [InlineData("""{"hostname":true}""", "hostname", "true")]
    [InlineData("""{"host":{"name":"web-1","os":{"family":"debian"}}}""", "host", """{"name":"web-1","os":{"family":"debian"}}""")]
    [InlineData("""{"host":["a","b"]}""", "host", """["a","b"]""")]
    [InlineData("""{"service":{}}""", "service", "{}")]
    [InlineData("""{"status":{"code":500}}""", "status", """{"code":500}""")]
    [InlineData("""{"level":true}""", "level", "true")]
    public void Normalize_ReservedFieldOfAnotherType_StaysAnAttribute(string json, string field, string kept)
    {
        var e = IntakeSamples.Json(json);

        Assert.Equal(kept, e.Attributes[field]!.ToJsonString());
        Assert.Equal((null, null, null, null, "info"), (e.Message, e.Host, e.Service, e.Source, e.Status));
    }

    [Fact]
    public void Normalize_HostObject_StaysAnAttribute_TheOtherFieldsRead()
    {
        var e = IntakeSamples.Json("""{"message":"m","host":{"name":"web-1"},"service":"api","status":"warn"}""");

        Assert.Equal(("m", null, "api", "warn"), (e.Message, e.Host, e.Service, e.Status));
        Assert.Equal("web-1", e.Attributes["host"]!["name"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("""{"ddtags":{"env":"prod"}}""", "ddtags")]
    [InlineData("""{"ddtags":["env:prod",{"x":1}]}""", "ddtags[1]")]
    public void Normalize_WrongTypeInReservedField_ThrowsNamingTheField(string json, string field)
    {
        var error = Assert.Throws<IntakeFieldException>(() => IntakeSamples.Json(json));

        Assert.Equal(field, error.Field);
        Assert.StartsWith(field + ": expected", error.Message);
    }

    [Fact]
    public void Normalize_JsonMessageWithoutParser_AddsItsPropertiesAndKeepsTheMessage()
    {
        const string message = """{"level":"error","msg":"db timeout","usr":{"name":"ana"},"duration_ms":5003}""";

        var e = IntakeNormalizer.Normalize(new JsonObject { ["ddsource"] = "python", ["message"] = message }, ReceivedAt);

        Assert.Equal(message, e.Message);
        Assert.Equal("error", e.Status);
        Assert.Equal("ana", e.Text("usr.name"));
        Assert.Equal(5003, e.Number("duration_ms"));
        Assert.Equal("error", e.Text("level"));
    }

    [Fact]
    public void Normalize_JsonMessage_DoesNotOverrideWhatTheSenderStated()
    {
        var e = IntakeSamples.Json("""{"status":"warn","usr":{"name":"bob"},"message":"{\"status\":\"debug\",\"usr\":{\"name\":\"eve\"},\"status_code\":{}}"}""");

        Assert.Equal("warn", e.Status);
        Assert.Equal("bob", e.Text("usr.name"));
    }

    [Theory]
    [InlineData("{not json}")]
    [InlineData("{\"open\":")]
    [InlineData("{\"status\":{\"nested\":true}}")]
    [InlineData("{\"user\":\"a\",\"user\":\"b\"}")]
    [InlineData("{\"ctx\":{\"id\":1,\"id\":2}}")]
    [InlineData("{\"\\ud800\":1}")]
    [InlineData("{\"user\":\"\\udc00\"}")]
    public void Normalize_MessageThatOnlyLooksLikeJson_IsKeptWithoutError(string message)
    {
        var e = IntakeNormalizer.Normalize(new JsonObject { ["message"] = message }, ReceivedAt);

        Assert.Equal(message, e.Message);
        Assert.Equal("info", e.Status);
        Assert.Empty(e.GetAttribute("user"));
    }
}
