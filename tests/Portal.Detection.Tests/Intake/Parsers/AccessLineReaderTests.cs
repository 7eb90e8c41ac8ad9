using Portal.Detection.Intake.Parsers;

namespace Portal.Detection.Tests.Intake.Parsers;

/// <summary>
/// The access-log parser reads the combined format by hand; its pattern stays the specification. Over the Apache sample's
/// lines and many thousands of mutations of them (quotes, backslashes, line breaks, white space of every kind, request
/// lines of every shape), every group must lie where the pattern puts it, and take part exactly when it does.
/// </summary>
public class AccessLineReaderTests
{
    private static readonly string[] Extra =
    [
        """203.0.113.5 - bob [03/Dec/2026:10:00:00 +0100] "GET /caf%C3%A9?q=\"x\"&é=1 HTTP/2.0" 404 - "https://ex.test/<p>" "Mozilla \"quoted\" ü 漢字 \\ end" """,
        """proxy.example - - [03/Dec/2026:10:00:00 +0000] "POST http://upstream.test:8080/api/v1?k=v HTTP/1.1" 502 0 "-" "-" """,
        """203.0.113.5 - - [03/Dec/2026:10:00:00 +0000] "\x16\x03\x01" 400 150 "-" "-" """,
        """203.0.113.5 - - [03/Dec/2026:10:00:00 +0000] "GET /a"b" 200 1""",
        """203.0.113.5 - - [03/Dec/2026:10:00:00 +0000] "GET /a" 200 1 "r" "a" "GET /b" 200 1""",
        """203.0.113.5 - - [03/Dec/2026:10:00:00 +0000] "-" 408 -""",
        """203.0.113.5 - - [03/Dec/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 12 "x\\""",
        """1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /x\" 200 5 \"-\" HTTP/1.1" 400 226 "-" "-" """,
        """1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /x\\" 200 5 "-" "-" """,
        """1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /x\ HTTP/1.1" 200 5 "-" "-" """,
    ];

    [Fact]
    public void Read_SampleLinesAndTheirMutations_FindsTheGroupsThePatternFinds()
    {
        var lines = File.ReadLines(IntakeSamples.Fixture("elastic-examples-apache-access", "apache_logs_sample.log")).Concat(Extra).ToList();
        string[] pieces = [" ", "  ", "\t", "\u00a0", "\n", "\"", "\\", "\\\"", "]", "[", "-", "1", "\u0663", ".", "A", "GET ", " HTTP/", "HTTP/1.1", "\" ", " \"", "\" 200 "];
        var cases = 0;
        foreach (var line in LineMutations.Of(lines, 3_000, pieces, seed: 5123))
        {
            AssertSame(line);
            cases++;
        }
        Assert.True(cases > 20_000);
    }

    private static void AssertSame(string line)
    {
        var match = AccessLogParser.CombinedLine().Match(line);
        var read = AccessLogParser.Read(line);
        var where = $"Line {System.Text.Json.JsonSerializer.Serialize(line)}";
        Assert.True(match.Success == read is not null, $"{where}: the pattern matches: {match.Success}.");
        if (read is not { } parts)
        {
            return;
        }
        Same("ip", parts.Ip);
        Same("ident", parts.Ident);
        Same("user", parts.User);
        Same("time", parts.Time);
        Same("request", parts.Request);
        Same("method", parts.Method);
        Same("url", parts.Url);
        Same("version", parts.Version);
        Same("status", parts.Status);
        Same("bytes", parts.Bytes);
        Same("referer", parts.Referer);
        Same("agent", parts.Agent);

        void Same(string group, Range? read)
        {
            var g = match.Groups[group];
            var expected = g.Success ? $"{g.Index}+{g.Length}" : "none";
            var actual = read is { } r ? $"{r.Start.Value}+{r.End.Value - r.Start.Value}" : "none";
            Assert.True(expected == actual, $"{where}: group {group} is {expected} by the pattern, {actual} as read.");
        }
    }
}
