using System.Diagnostics;
using System.Text.Json.Nodes;
using Portal.Detection.Events;
using Portal.Detection.Intake;
using Portal.Search.Lucene;

namespace Portal.Benchmarks;

/// <summary>
/// The intake's stages measured apart, in process: normalisation (parsers included) and the durable Lucene append,
/// each against the raw System.Text.Json parse of the same payloads.
/// </summary>
internal static class IntakeStagesBenchmark
{
    public static async Task RunAsync(bool quick)
    {
        var payloads = Enumerable.Range(0, quick ? 20 : 100).Select(IntakeBenchmark.Payload).ToList();
        var events = payloads.Count * (double)IntakeBenchmark.EventsPerRequest;
        var sw = Stopwatch.StartNew();
        var parsed = payloads.Select(p => JsonNode.Parse(p)!.AsArray()).ToList();
        var parse = events / sw.Elapsed.TotalSeconds;
        sw.Restart();
        var now = DateTimeOffset.UtcNow;
        var normalized = parsed.Select(a => a.Select(n => IntakeNormalizer.Normalize(n!.AsObject(), now)).ToList()).ToList();
        new Figure("intake.normalize_events_per_second", events / sw.Elapsed.TotalSeconds, "events/s", parse).Print();
        var flat = normalized.SelectMany(b => b).ToList();
        sw.Restart();
        var sources = flat.Select(e => (ReadOnlyMemory<byte>)System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(e, LogEventJson.Options)).ToList();
        new Figure("intake.serialize_events_per_second", events / sw.Elapsed.TotalSeconds, "events/s", parse).Print();
        sw.Restart();
        var attributes = new AttributeFields([], AttributeFields.DefaultLimit);
        var documents = flat.Select((e, i) => EventDocument.Build(e, sources[i], attributes, keyed: false)).ToList();
        new Figure("intake.build_documents_per_second", events / sw.Elapsed.TotalSeconds, "events/s", parse).Print();
        new Figure("intake.fields_per_document", documents.Average(d => d.Fields.Count), "fields", 0).Print();
        var dir = Path.Combine(Path.GetTempPath(), "vigil-probe-" + Guid.NewGuid().ToString("N"));
        using (var indexes = new TenantIndexes(dir))
        {
            var store = new LuceneLogStore(indexes);
            var tenant = Guid.NewGuid();
            sw.Restart();
            foreach (var batch in normalized)
            {
                await store.AppendAsync(tenant, batch, CancellationToken.None);
            }
            new Figure("intake.durable_append_events_per_second", events / sw.Elapsed.TotalSeconds, "events/s", parse).Print();
        }
        Directory.Delete(dir, true);
    }
}
