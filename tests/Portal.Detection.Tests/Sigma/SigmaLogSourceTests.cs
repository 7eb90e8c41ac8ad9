using Portal.Detection.Sigma;
using Portal.Detection.Tests.Intake;

namespace Portal.Detection.Tests.Sigma;

public class SigmaLogSourceTests
{
    private const string WebSources = "(source:apache OR source:nginx OR source:httpd OR source:webserver OR source:access)";

    [Fact]
    public void CloudTrail_FieldsStayAttributesAsTheyAre()
    {
        var c = SigmaSamples.Convert("""
            selection:
                eventName: ConsoleLogin
                userIdentity.type: Root
                additionalEventData.MFAUsed: 'No'
            condition: selection
            """);

        Assert.Equal("source:cloudtrail @eventName:ConsoleLogin @userIdentity.type:Root @additionalEventData.MFAUsed:No", c.Query());
        Assert.True(c.Matches(SigmaSamples.CloudTrailEvent("""
            {"eventName":"ConsoleLogin","userIdentity":{"type":"Root"},"additionalEventData":{"MFAUsed":"No"}}
            """)));
        Assert.False(c.Matches(IntakeSamples.Json("""
            {"ddsource":"okta","eventName":"ConsoleLogin","userIdentity":{"type":"Root"},"additionalEventData":{"MFAUsed":"No"}}
            """)));
    }

    [Fact]
    public void CloudTrail_TestOfAWholeObject_IsUnsupported()
    {
        var c = SigmaSamples.Convert("""
            selection:
                requestParameters|contains: Suspended
            condition: selection
            """);

        Assert.Equal(SigmaConversionStatus.Unsupported, c.Status);
        Assert.Contains(c.Diagnostics, d => d.Message.Contains("'requestParameters' is an object", StringComparison.Ordinal));
    }

    [Fact]
    public void Webserver_FieldsBecomeTheAccessLogAttributes()
    {
        var c = SigmaSamples.Convert("""
            selection:
                cs-method: POST
                cs-uri-query|contains: '/wp-login.php'
                cs-uri-stem|endswith: '.php'
                sc-status: 200
                cs-user-agent|contains: 'curl'
                cs-referer: '-'
                c-ip|cidr: '203.0.113.0/24'
            condition: selection
            """, SigmaSamples.Webserver);

        Assert.Equal(SigmaConversionStatus.Lossless, c.Status);
        Assert.Equal(
            WebSources + @" @http.method:POST @http.url:*\/wp\-login.php* @http.url_details.path:*.php @http.status_code:200 @http.useragent:*curl* -@http.referer:* CIDR(@network.client.ip, 203.0.113.0/24)",
            c.Query());
        Assert.True(c.Matches(SigmaSamples.AccessLine("/wp-login.php?redirect=1", method: "POST")));
        Assert.False(c.Matches(SigmaSamples.AccessLine("/wp-login.php?redirect=1", method: "GET")));
        Assert.False(c.Matches(SigmaSamples.AccessLine("/wp-login.php", method: "POST", status: 404)));
        // '-' is an empty field in an access log, which the parser leaves out.
        Assert.False(c.Matches(SigmaSamples.AccessLine("/wp-login.php?redirect=1", method: "POST", referer: "https://example.com/")));
    }

    [Fact]
    public void Proxy_UriExtension_IsTheEndOfThePath()
    {
        var c = SigmaSamples.Convert("""
            selection:
                c-uri-extension: [exe, dll]
                cs-host: example.com
            condition: selection
            """, "category: proxy");

        Assert.Equal(WebSources + @" (@http.url_details.path:*.exe OR @http.url_details.path:*.dll) @http.url_details.host:example.com", c.Query());
        Assert.True(c.Matches(SigmaSamples.AccessLine("http://example.com/files/tool.exe?dl=1")));
        Assert.False(c.Matches(SigmaSamples.AccessLine("http://example.com/files/tool.exe.txt")));
        Assert.Equal(SigmaConversionStatus.Unsupported, SigmaSamples.Convert("selection:\n    c-uri-extension|contains: ex\ncondition: selection", "category: proxy").Status);
    }

    [Fact]
    public void Webserver_UnmappedField_IsPartial()
    {
        var c = SigmaSamples.Convert("""
            selection:
                cs-cookie|contains: 'session='
            condition: selection
            """, SigmaSamples.Webserver);

        Assert.Equal(SigmaConversionStatus.Partial, c.Status);
        Assert.Equal(WebSources + @" @cs-cookie:*session\=*", c.Query());
        Assert.Contains(c.Diagnostics, d => d.Kind == SigmaDiagnosticKind.Inexact && d.Message.Contains("'cs-cookie' is not a field", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("product: okta\nservice: okta", "source:okta")]
    [InlineData("product: github\nservice: audit", "source:github")]
    [InlineData("product: gcp\nservice: gcp.audit", "source:gcp.audit")]
    [InlineData("product: azure\nservice: signinlogs", "source:azure.signinlogs")]
    [InlineData("product: m365\nservice: audit", "source:m365.audit")]
    [InlineData("product: linux\nservice: sshd", "source:sshd")]
    [InlineData("product: linux", "(source:syslog OR source:sshd OR source:auth OR source:auditd OR source:sudo OR source:cron)")]
    [InlineData("service: apache", "source:apache")]
    public void Products_HaveOneSourceEach(string logsource, string sourceFilter)
    {
        var c = SigmaSamples.Convert("selection:\n    action: x\ncondition: selection", logsource);

        Assert.Equal(SigmaConversionStatus.Lossless, c.Status);
        Assert.Equal(sourceFilter + " @action:x", c.Query());
        Assert.Contains(c.Rule!.Tags, t => t.StartsWith("source:", StringComparison.Ordinal));
    }

    [Fact]
    public void UnknownLogSource_IsPartialWithoutASourceFilter()
    {
        var c = SigmaSamples.Convert("selection:\n    action: x\ncondition: selection", "product: zoom\nservice: meetings");

        Assert.Equal(SigmaConversionStatus.Partial, c.Status);
        Assert.Equal("@action:x", c.Query());
        Assert.Contains(c.Diagnostics, d => d.Message.Contains("'product: zoom, service: meetings' is not in the mapping table", StringComparison.Ordinal));
    }

    [Fact]
    public void StatusField_IsTheAttributeAsSent()
    {
        // The intake maps 'status' to the log status (success → ok) and keeps the field, so the Sigma value matches exactly.
        var c = SigmaSamples.Convert("selection:\n    eventName: x\n    status: success\ncondition: selection", "product: m365\nservice: threat_management");

        Assert.Equal(SigmaConversionStatus.Lossless, c.Status);
        Assert.Equal("source:m365.threat_management @eventName:x @status:success", c.Query());
        Assert.True(c.Matches(IntakeSamples.Json("""{"ddsource":"m365.threat_management","eventName":"x","status":"success"}""")));
        Assert.False(c.Matches(IntakeSamples.Json("""{"ddsource":"m365.threat_management","eventName":"x","status":"ok"}""")));
        Assert.False(c.Matches(IntakeSamples.Json("""{"ddsource":"m365.threat_management","eventName":"x","status":"failure"}""")));
    }

    [Fact]
    public void ReservedServiceField_IsTheServiceAsSent()
    {
        var c = SigmaSamples.Convert("selection:\n    service: billing\ncondition: selection", "product: okta\nservice: okta");

        Assert.Equal(SigmaConversionStatus.Lossless, c.Status);
        Assert.Equal("source:okta service:billing", c.Query());
    }

    [Theory]
    [InlineData("timestamp")]
    [InlineData("ddtags")]
    [InlineData("bad field")]
    [InlineData(".leadingdot")]
    public void UnsearchableField_IsUnsupported(string field)
    {
        var c = SigmaSamples.Convert($"selection:\n    '{field}': x\ncondition: selection");

        Assert.Equal(SigmaConversionStatus.Unsupported, c.Status);
    }
}
