namespace Portal.Web.Tests.Infrastructure;

/// <summary>
/// The threat-intelligence feed of the shared test portal (<c>Vigil:ThreatIntel:Feeds:0</c>): one address that no
/// other test sends logs from, so that no other test sees an enriched event or the threat-intel rule's signal.
/// </summary>
public static class ThreatIntelFeedFile
{
    /// <summary>The only listed address: malicious malware infrastructure, from <see cref="SourceName"/>.</summary>
    public const string MaliciousIp = "203.0.113.250";

    /// <summary>The feed's source name, as results carry it.</summary>
    public const string SourceName = "Vigil test feed";

    /// <summary>
    /// Writes the feed and returns its path. Every test run writes the same content to the same path, each through a
    /// rename, so runs side by side never read a half-written file and nothing accumulates in the temp directory.
    /// </summary>
    public static string Write()
    {
        var path = Path.Combine(Path.GetTempPath(), "vigil-test-threat-intel.csv");
        var staging = $"{path}.{Guid.NewGuid():N}";
        File.WriteAllText(staging, $"ip,category,intention,source\n{MaliciousIp},malware,malicious,{SourceName}\n");
        File.Move(staging, path, overwrite: true);
        return path;
    }
}
