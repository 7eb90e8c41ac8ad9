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
        var now = DateTimeOffset.UtcNow;
        // The stage and its baseline take turns of 100 ms: measured one after the other, each saw the machine of its own
        // seconds, and on the reference machine the reader alone moved from 0.87 to 1.43 M events/s between runs minutes apart.
        var (baseline, parsed) = Alternately(
            () => SixFields(payloads[next++ % payloads.Length]), () => IntakePayload.Read(payloads[next++ % payloads.Length], now, null), quick);
        new Figure("parse.events_per_second", parsed, "events/s", baseline).Print();
        new Figure("parse.allocated_bytes_per_event", AllocatedPerEvent(() => IntakePayload.Read(payloads[next++ % payloads.Length], now, null)), "bytes",
            AllocatedPerEvent(() => SixFields(payloads[next++ % payloads.Length]))).Print();
        // What the intake does before its 202 now: one checking pass of the JSON reader (normalisation waits for indexing).
        var checkedOnly = Throughput.Measure(() => IntakePayload.Check(payloads[next++ % payloads.Length]), EventsPerPayload, quick);
        new Figure("parse.check_events_per_second", checkedOnly, "events/s", baseline).Print();
        return Task.CompletedTask;
    }

    /// <summary>
    /// Events per second of <paramref name="baseline"/> and of <paramref name="stage"/> (each call a payload of
    /// <see cref="EventsPerPayload"/>), in turns of 100 ms after a warm-up in turns too (JIT tiering, caches): both rates are
    /// of the same seconds of the machine.
    /// </summary>
    private static (double Baseline, double Stage) Alternately(Action baseline, Action stage, bool quick)
    {
        Action[] sides = [baseline, stage];
        var (events, time) = (new long[2], new double[2]);
        var stopwatch = new System.Diagnostics.Stopwatch();
        void Turn(int side, bool counted)
        {
            stopwatch.Restart();
            long done = 0;
            while (stopwatch.ElapsedMilliseconds < 100)
            {
                sides[side]();
                done += EventsPerPayload;
            }
            if (counted)
            {
                events[side] += done;
                time[side] += stopwatch.Elapsed.TotalSeconds;
            }
        }
        for (var i = 0; i < (quick ? 15 : 30); i++)
        {
            Turn(0, counted: false);
            Turn(1, counted: false);
        }
        GC.Collect();
        var share = CpuShare.Start();
        for (var turn = 0; turn < (quick ? 20 : 80); turn++)
        {
            // Each goes first in every other pair.
            Turn(turn & 1, counted: true);
            Turn(1 - (turn & 1), counted: true);
        }
        var (baselineRate, stageRate) = (events[0] / time[0], events[1] / time[1]);
        Console.Error.WriteLine($"baseline {baselineRate:N0}, stage {stageRate:N0} events/s ({stageRate / baselineRate:P1}); {share.Describe()}; {share.Runtime()}");
        return (baselineRate, stageRate);
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
