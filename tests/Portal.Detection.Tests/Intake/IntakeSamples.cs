using System.Text.Json.Nodes;
using Portal.Detection.Events;
using Portal.Detection.Intake;
using Portal.Detection.ThreatIntel;

namespace Portal.Detection.Tests.Intake;

/// <summary>Builds events the way the intake does, for parser, content and demo tests.</summary>
internal static class IntakeSamples
{
    /// <summary>The arrival time used by tests unless they need another.</summary>
    public static readonly DateTimeOffset ReceivedAt = new(2026, 3, 3, 14, 5, 0, TimeSpan.Zero);

    /// <summary>
    /// A threat-intelligence feed listing the documentation ranges' scanners (203.0.113.0/24) and one malware host
    /// (198.51.100.4), so that enrichment runs as it does with feeds configured.
    /// </summary>
    public static readonly ThreatIndicatorSet Feed = new(ThreatIntelFeed.Parse("intel.csv", """
        ip,category,intention,source
        203.0.113.0/24,scanner,malicious,test feed
        198.51.100.4,malware,malicious,test feed
        """).Indicators);

    /// <summary>A raw line shipped with only a source.</summary>
    public static LogEvent Line(string source, string message, DateTimeOffset? receivedAt = null) =>
        IntakeNormalizer.Normalize(new JsonObject { ["ddsource"] = source, ["message"] = message }, receivedAt ?? ReceivedAt);

    /// <summary>Normalises intake JSON text.</summary>
    public static LogEvent Json(string json, DateTimeOffset? receivedAt = null) =>
        IntakeNormalizer.Normalize(JsonNode.Parse(json)!.AsObject(), receivedAt ?? ReceivedAt);

    /// <summary>The only text value at <paramref name="path"/>, or null when there is none.</summary>
    public static string? Text(this LogEvent e, string path) => e.GetAttribute(path).Select(v => v.Text).SingleOrDefault();

    /// <summary>The only numeric value at <paramref name="path"/>, or null when there is none or it is not a JSON number.</summary>
    public static double? Number(this LogEvent e, string path) => e.GetAttribute(path).Select(v => v.Number).SingleOrDefault();

    /// <summary>Path of a test fixture copied next to the test assembly.</summary>
    public static string Fixture(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "Fixtures", .. parts]);
}
