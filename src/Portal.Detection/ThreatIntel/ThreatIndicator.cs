using Portal.Detection.Events;

namespace Portal.Detection.ThreatIntel;

/// <summary>
/// One entry of a threat-intelligence feed: an address or network and what it is known for, in Datadog's terms
/// (<c>@threat_intel.results.category</c>, <c>.intention</c>, <c>.source.name</c>).
/// </summary>
/// <param name="Range">The address (a /32 or /128 network) or network listed.</param>
/// <param name="Category">What the address is used for, lower case: <c>malware</c>, <c>scanner</c>, <c>tor</c>, <c>hosting_proxy</c>...</param>
/// <param name="Intention">One of <see cref="ThreatIntentions"/>.</param>
/// <param name="Source">The feed's name, as analysts know it (<c>abuse.ch Feodo Tracker</c>, <c>spamhaus-drop</c>).</param>
public sealed record ThreatIndicator(IpRange Range, string Category, string Intention, string Source);

/// <summary>Datadog's intentions of a threat-intelligence result, from the most to the least alarming.</summary>
public static class ThreatIntentions
{
    public const string Malicious = "malicious";
    public const string Suspicious = "suspicious";
    public const string Benign = "benign";
    public const string Unknown = "unknown";

    /// <summary>Every intention, most alarming first.</summary>
    public static IReadOnlyList<string> All { get; } = [Malicious, Suspicious, Benign, Unknown];

    /// <summary>The position of <paramref name="intention"/> in <see cref="All"/>, so that results sort most alarming first.</summary>
    public static int Rank(string intention)
    {
        for (var i = 0; i < All.Count; i++)
        {
            if (All[i] == intention)
            {
                return i;
            }
        }
        return All.Count;
    }
}
