using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Portal.Detection.Events;
using Portal.Detection.Files;
using Portal.Detection.Intake;
using Portal.Search;
using Portal.Search.Journal;

namespace Portal.Benchmarks;

/// <summary>
/// The benchmarks' realistic events, about 400 bytes each: sshd syslog lines, nginx combined access lines and
/// AWS CloudTrail records, in equal parts, as Datadog shippers send them.
/// </summary>
internal static class Workload
{
    /// <summary>
    /// One JSON array of <paramref name="events"/> events, stamped with the current second as a live shipper's are; the same
    /// seed gives the same events.
    /// </summary>
    /// <remarks>With <paramref name="kind"/>, events of that kind alone (<see cref="Kinds"/>).</remarks>
    public static byte[] Payload(int seed, int events, int? kind = null)
    {
        var random = new Random(seed);
        var at = new Stamp(CurrentSecond());
        var array = new JsonArray();
        for (var i = 0; i < events; i++)
        {
            array.Add(Event(random, kind is { } only ? 3 * i + only : i, at));
        }
        return Encoding.UTF8.GetBytes(array.ToJsonString());
    }

    /// <summary>The kinds of event, in the order the workload takes turns between them.</summary>
    public static readonly string[] Kinds = ["sshd", "access", "cloudtrail"];

    /// <summary>The kind of event the command line asks for alone (<c>--kind sshd|access|cloudtrail</c>), or null for the mix.</summary>
    public static int? KindOption()
    {
        var args = Environment.GetCommandLineArgs();
        var option = Array.IndexOf(args, "--kind");
        return option < 0 ? null
            : option + 1 < args.Length && Array.IndexOf(Kinds, args[option + 1]) is var at and >= 0 ? at
            : throw new ArgumentException($"--kind: one of {string.Join(", ", Kinds)}");
    }

    /// <summary>The same events as NDJSON lines, for writers that take one event per line.</summary>
    public static IEnumerable<JsonObject> Events(int seed, int events)
    {
        var random = new Random(seed);
        var at = new Stamp(CurrentSecond());
        for (var i = 0; i < events; i++)
        {
            yield return Event(random, i, at);
        }
    }

    /// <summary>
    /// Normalised events of the workload, to be re-used by <see cref="Restamped"/>, as the server's intake normalises them:
    /// read from requests of 1,000 (<see cref="IntakePayload.Read(ReadOnlyMemory{byte}, DateTimeOffset, RequestFields?, bool, Portal.Detection.ThreatIntel.ThreatIndicatorSet?)"/>).
    /// </summary>
    public static List<LogEvent> Normalized(int size)
    {
        var now = DateTimeOffset.UtcNow;
        var events = new List<LogEvent>(size);
        foreach (var chunk in Events(42, size).Chunk(1000))
        {
            var (read, error) = IntakePayload.Read(Encoding.UTF8.GetBytes(new JsonArray(chunk).ToJsonString()), now, null);
            events.AddRange(read ?? throw new InvalidOperationException(error!.Detail));
        }
        return events;
    }

    /// <summary>The same events as <see cref="Normalized"/>, read as <c>vigil detect</c> reads a file holding them as a JSON array (<see cref="LogFiles"/>).</summary>
    public static List<LogEvent> Recorded(int size)
    {
        var errors = new List<FileError>();
        var events = LogFiles.Read("workload.json", new JsonArray(Events(42, size).ToArray()).ToJsonString(), source: null, DateTime.UtcNow.Year, errors);
        return errors.Count == 0 ? events : throw new InvalidOperationException(errors[0].ToString());
    }

    /// <summary>
    /// Events <paramref name="offset"/> to <paramref name="offset"/> + <paramref name="count"/> of an endless stream cycling
    /// through the pool, with fresh ids and the given times, each sharing its template's attributes as normalisation made
    /// them (<see cref="LogEvent.WithTime"/>: a parsed line's leaves, a record's tree, never leaves read from a tree).
    /// </summary>
    public static List<LogEvent> Restamped(List<LogEvent> pool, int offset, int count, Func<int, DateTimeOffset> timeOf)
    {
        var events = new List<LogEvent>(count);
        for (var i = offset; i < offset + count; i++)
        {
            var at = timeOf(i);
            events.Add(pool[i % pool.Count].WithTime(EventIds.New(at), at));
        }
        return events;
    }

    /// <summary>Appends a batch as a shipper sends it: on "busy" (the intake's 503), wait, then send the same batch again.</summary>
    public static async Task AppendAsync(ILogStore store, Guid tenant, List<LogEvent> events)
    {
        while (true)
        {
            try
            {
                await store.AppendAsync(tenant, events, CancellationToken.None);
                return;
            }
            catch (StoreBusyException busy)
            {
                await Task.Delay(busy.RetryAfter / 20);
            }
        }
    }

    /// <summary>One time as each source writes it: BSD syslog (<c>Dec  3 14:05:42</c>), access logs, ISO 8601.</summary>
    private sealed class Stamp(DateTimeOffset at)
    {
        public string Syslog { get; } = $"{at.ToString("MMM", CultureInfo.InvariantCulture)} {at.Day,2} {at.ToString("HH:mm:ss", CultureInfo.InvariantCulture)}";

        public string Access { get; } = at.ToString("dd/MMM/yyyy:HH:mm:ss +0000", CultureInfo.InvariantCulture);

        public string Iso { get; } = at.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
    }

    private static DateTimeOffset CurrentSecond()
    {
        var now = DateTimeOffset.UtcNow;
        return now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond));
    }

    /// <summary>
    /// One event, its own time <paramref name="at"/> in the form its source writes it. (Until session 20 the times were fixed
    /// at 2026-11-27 10:05: from the next day on, every access line and CloudTrail record was older than the intake's 18 hours
    /// and was normalised as a late event, with two attributes more, which live data does not have.)
    /// </summary>
    private static JsonObject Event(Random random, int i, Stamp at)
    {
        var ip = $"203.0.113.{random.Next(1, 255)}";
        return (i % 3) switch
        {
            0 => new JsonObject
            {
                ["ddsource"] = "sshd", ["service"] = "sshd", ["hostname"] = $"bastion-{random.Next(1, 4)}", ["ddtags"] = "env:prod,team:infra",
                ["message"] = $"{at.Syslog} bastion-1 sshd[{random.Next(1000, 40000)}]: Failed password for invalid user admin{random.Next(100)} from {ip} port {random.Next(1024, 65535)} ssh2",
            },
            1 => new JsonObject
            {
                ["ddsource"] = "nginx", ["service"] = "web-store", ["hostname"] = $"web-{random.Next(1, 4)}", ["ddtags"] = "env:prod,team:web",
                ["message"] = $"{ip} - - [{at.Access}] \"GET /products/{random.Next(1000)}?ref=mail HTTP/1.1\" {(random.Next(10) == 0 ? 500 : 200)} {random.Next(200, 90000)} \"https://shop.example.test/\" \"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36\"",
            },
            _ => new JsonObject
            {
                ["ddsource"] = "cloudtrail", ["service"] = "cloudtrail", ["ddtags"] = "env:prod,account:123456789012",
                ["eventVersion"] = "1.09", ["eventTime"] = at.Iso, ["eventSource"] = "s3.amazonaws.com", ["eventName"] = random.Next(4) == 0 ? "PutBucketPolicy" : "GetObject",
                ["awsRegion"] = "us-east-1", ["sourceIPAddress"] = ip, ["userAgent"] = "aws-cli/2.15.30",
                ["userIdentity"] = new JsonObject { ["type"] = "IAMUser", ["userName"] = $"user{random.Next(50)}", ["arn"] = $"arn:aws:iam::123456789012:user/user{random.Next(50)}", ["accountId"] = "123456789012" },
                ["requestParameters"] = new JsonObject { ["bucketName"] = "shop-assets", ["key"] = $"img/{random.Next(10000)}.png" },
            },
        };
    }
}
