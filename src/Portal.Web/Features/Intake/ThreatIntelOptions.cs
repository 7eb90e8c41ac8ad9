namespace Portal.Web.Features.Intake;

/// <summary>The instance's threat-intelligence feeds (<c>Vigil:ThreatIntel</c>), read once at start.</summary>
public sealed class ThreatIntelOptions
{
    public const string Section = "Vigil:ThreatIntel";

    /// <summary>Paths of feed files (<c>Vigil:ThreatIntel:Feeds:0</c>, <c>:1</c>...). Default: none (no enrichment).</summary>
    public List<string> Feeds { get; set; } = [];
}
