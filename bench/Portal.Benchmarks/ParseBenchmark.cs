using System.Text.Json;
using Portal.Detection.Intake;

namespace Portal.Benchmarks;

/// <summary>
/// The intake's parse stage in process: request body (decompressed, 1,000 mixed events) to normalised events, with
/// the sshd, access-log and CloudTrail parsers, and the check the intake makes before acknowledging; against a raw
/// System.Text.Json reader taking six fields per event.
/// </summary>
internal static class ParseBenchmark
{
    internal const int EventsPerPayload = 1000;

    /// <summary>The stage's eight request bodies of <see cref="EventsPerPayload"/> events: the mix, or one <paramref name="kind"/> alone.</summary>
    internal static byte[][] Payloads(int? kind) => [.. Enumerable.Range(0, 8).Select(seed => Workload.Payload(seed, EventsPerPayload, kind))];

    public static Task RunAsync(bool quick)
    {
        // --kind sshd|access|cloudtrail: that kind of event alone, to see what each costs.
        var payloads = Payloads(Workload.KindOption());
        new Figure("parse.event_bytes", payloads.Average(p => p.Length) / EventsPerPayload, "bytes", 0).Print();
        var next = 0;
        var baseline = Throughput.Measure(() => SixFields(payloads[next++ % payloads.Length]), EventsPerPayload, quick);
        var now = DateTimeOffset.UtcNow;
        var parsed = Throughput.Measure(() => IntakePayload.Read(payloads[next++ % payloads.Length], now, null), EventsPerPayload, quick);
        new Figure("parse.events_per_second", parsed, "events/s", baseline).Print();
        new Figure("parse.allocated_bytes_per_event", AllocatedPerEvent(() => IntakePayload.Read(payloads[next++ % payloads.Length], now, null)), "bytes",
            AllocatedPerEvent(() => SixFields(payloads[next++ % payloads.Length]))).Print();
        // What the intake does before its 202 now: one checking pass of the JSON reader (normalisation waits for indexing).
        var checkedOnly = Throughput.Measure(() => IntakePayload.Check(payloads[next++ % payloads.Length]), EventsPerPayload, quick);
        new Figure("parse.check_events_per_second", checkedOnly, "events/s", baseline).Print();
        return Task.CompletedTask;
    }

    /// <summary>Bytes the current thread allocates per event of <paramref name="work"/>, over ten calls after it ran once.</summary>
    private static double AllocatedPerEvent(Action work)
    {
        work();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10; i++)
        {
            work();
        }
        return (GC.GetAllocatedBytesForCurrentThread() - before) / (10.0 * EventsPerPayload);
    }

    /// <summary>The ceiling: each event's six reserved fields read with <see cref="Utf8JsonReader"/>, nothing else.</summary>
    private static int SixFields(byte[] payload)
    {
        var reader = new Utf8JsonReader(payload);
        var found = 0;
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 2
                && (reader.ValueTextEquals("message"u8) || reader.ValueTextEquals("ddsource"u8) || reader.ValueTextEquals("ddtags"u8)
                    || reader.ValueTextEquals("hostname"u8) || reader.ValueTextEquals("service"u8) || reader.ValueTextEquals("status"u8)))
            {
                reader.Read();
                found += reader.GetString()!.Length > 0 ? 1 : 0;
            }
        }
        return found;
    }
}
