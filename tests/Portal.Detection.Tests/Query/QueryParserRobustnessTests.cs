using System.Text.Json.Nodes;
using Portal.Detection.Events;
using Portal.Detection.Query;

namespace Portal.Detection.Tests.Query;

/// <summary>Whatever a user types, the parser answers with a tree the matcher can run, or a <see cref="QuerySyntaxException"/>; never a crash.</summary>
public class QueryParserRobustnessTests
{
    private static readonly LogEvent Sample = new()
    {
        Id = "sample",
        Host = "a",
        Status = "info",
        Message = "a host 1 status é",
        Tags = ["a:b", "host"],
        Attributes = JsonNode.Parse("""{"a":{"b":[1,"x",{"c":true}]},"host":"a","a.b":2.5}""")!.AsObject(),
    };

    [Fact]
    public void Parse_100000RandomAndMutatedStrings_ParseAndMatchOrThrowOnlyQuerySyntaxException()
    {
        var random = new Random(20260303);
        string[] valid =
        [
            "service:web (status:error OR @http.status_code:>=500) -env:staging",
            "\"failed password\" @usr.name:adm* -@network.client.ip:10.*",
            "source:sshd AND NOT (@evt.outcome:success OR host:bastion-*)",
            "@duration:<=1.5 @file.path:C\\:\\\\Temp\\ dir env:* message:\"a b\"",
            "@http.status_code:[400 TO 499} @created:{2026-03-03 TO *] host:we?-*1 fa?l*d",
            "CIDR(@network.client.ip, 10.0.0.0/8, 2001:db8::/32) OR @ip:CIDR(192.168.1.7)",
        ];
        string[] pieces = ["a", "AND", "OR", "NOT", " ", "  ", "(", ")", "\"", "\\", "*", ":", "@", "-", ">", "<", "=", ".", "1", "2.5", "e9", "host", "@a.b", "status", "é", "\t", "\u00a0", "\ud83d", "\ude00", "\0", "?", "[", "]", "{", "}", " TO ", "*]", "CIDR(", "@a,", "10.0.0.0/8", "/", ",", "::", "2026-03-03"];
        var failures = new List<string>();

        for (var i = 0; i < 100_000; i++)
        {
            var query = i % 2 == 0 ? RandomPieces(random, pieces) : Mutate(random, valid[random.Next(valid.Length)], pieces);
            try
            {
                QueryMatcher.Matches(QueryParser.Parse(query), Sample);
            }
            catch (QuerySyntaxException e) when (e.Position >= 0 && e.Position <= query.Length)
            {
                // The one allowed way to reject input: a syntax error pointing inside the query.
            }
            catch (Exception e)
            {
                failures.Add($"{Escape(query)} -> {e.GetType().Name}: {e.Message}");
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures.Take(10)));
    }

    private static string RandomPieces(Random random, string[] pieces)
    {
        var count = random.Next(0, 12);
        return string.Concat(Enumerable.Range(0, count).Select(_ => pieces[random.Next(pieces.Length)]));
    }

    private static string Mutate(Random random, string query, string[] pieces)
    {
        var text = query;
        for (var edits = random.Next(1, 4); edits > 0; edits--)
        {
            var at = random.Next(text.Length + 1);
            text = random.Next(3) switch
            {
                0 => text.Insert(at, pieces[random.Next(pieces.Length)]),
                1 when at < text.Length => text.Remove(at, Math.Min(text.Length - at, random.Next(1, 4))),
                _ => text[..at],
            };
        }
        return text;
    }

    private static string Escape(string text) => string.Concat(text.Select(c => c < ' ' || c > '~' ? $"\\u{(int)c:x4}" : c.ToString()));
}
