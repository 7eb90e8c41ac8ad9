using Portal.Detection.Events;
using Portal.Detection.Query;
using Portal.Detection.Sigma;
using Portal.Detection.Tests.Intake;

namespace Portal.Detection.Tests.Sigma;

/// <summary>Small Sigma rules written inline, and events to run their conversions on.</summary>
internal static class SigmaSamples
{
    public const string CloudTrail = "product: aws\nservice: cloudtrail";
    public const string Webserver = "category: webserver";

    /// <summary>A Sigma rule around <paramref name="detection"/> and <paramref name="logsource"/>, both written without indentation.</summary>
    public static string Rule(string detection, string logsource = CloudTrail, string level = "high") => $"""
        title: Test rule
        id: 7f1e5a52-0000-4000-8000-000000000001
        status: test
        description: A rule written for a test.
        author: Ada Lovelace
        tags:
            - attack.initial-access
            - attack.t1078.004
        logsource:
        {Indent(logsource)}
        detection:
        {Indent(detection)}
        level: {level}
        """;

    /// <summary>Indents every line of <paramref name="yaml"/> by four spaces.</summary>
    public static string Indent(string yaml) => string.Join("\n", yaml.Split('\n').Select(line => "    " + line));

    /// <summary>Converts a rule made by <see cref="Rule"/>.</summary>
    public static SigmaConversion Convert(string detection, string logsource = CloudTrail) => SigmaConverter.Convert(Rule(detection, logsource), "test.yml");

    /// <summary>The query of a converted rule; fails when there is no rule.</summary>
    public static string Query(this SigmaConversion conversion)
    {
        Assert.True(conversion.Rule is not null, "no rule: " + string.Join("; ", conversion.Diagnostics));
        return conversion.Rule!.Queries[0].Query;
    }

    /// <summary>True when the converted rule's query matches <paramref name="e"/>.</summary>
    public static bool Matches(this SigmaConversion conversion, LogEvent e) => QueryMatcher.Matches(QueryParser.Parse(conversion.Query()), e);

    /// <summary>A CloudTrail record as the intake normalises it (<paramref name="recordJson"/> without <c>ddsource</c>).</summary>
    public static LogEvent CloudTrailEvent(string recordJson) => IntakeSamples.Json("""{"ddsource":"cloudtrail",""" + recordJson.TrimStart()[1..]);

    /// <summary>A combined access log line for <paramref name="url"/>, shipped as <c>source:apache</c>.</summary>
    public static LogEvent AccessLine(string url, string method = "GET", int status = 200, string referer = "-", string agent = "curl/8.5.0") =>
        IntakeSamples.Line("apache", $"""203.0.113.9 - - [03/Mar/2026:14:05:00 +0000] "{method} {url} HTTP/1.1" {status} 512 "{referer}" "{agent}" """.TrimEnd());

    /// <summary>The diagnostics of a conversion, one per line, for assertion messages.</summary>
    public static string Describe(this SigmaConversion conversion) => string.Join("\n", conversion.Diagnostics);
}
