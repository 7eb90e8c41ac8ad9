using System.Text.Json.Nodes;
using Portal.Detection.Events;

namespace Portal.Detection.ThreatIntel;

/// <summary>
/// Datadog's threat-intelligence enrichment: an event whose IP attributes match an indicator gets
/// <c>threat_intel.results</c> (one <c>{category, intention, source: {name}, ip}</c> per match, the most alarming
/// intention first) and <c>threat_intel.indicators_matched</c> (the matching addresses, as the event writes them).
/// </summary>
public static class ThreatIntelEnrichment
{
    /// <summary>Attribute holding the results.</summary>
    public const string ResultsAttribute = "threat_intel.results";

    /// <summary>Attribute holding the matching addresses.</summary>
    public const string IndicatorsMatchedAttribute = "threat_intel.indicators_matched";

    /// <summary>
    /// The attributes looked up: the standard client and destination addresses, and CloudTrail's caller, which the
    /// CloudTrail parser copies to <c>network.client.ip</c> only for the <c>cloudtrail</c> source.
    /// </summary>
    public static IReadOnlyList<string> IpAttributes { get; } = ["network.client.ip", "network.destination.ip", "sourceIPAddress"];

    /// <summary>
    /// Adds the results of <paramref name="indicators"/> to <paramref name="attributes"/> when one of its addresses
    /// matches, replacing any <c>threat_intel</c> results the sender put there (the instance's feeds are what its rules
    /// trust); leaves the attributes untouched otherwise.
    /// </summary>
    /// <returns>True when something matched.</returns>
    public static bool Enrich(JsonObject attributes, ThreatIndicatorSet indicators) =>
        Enrich(path => AttributePath.Values(attributes, path), () => attributes, indicators);

    /// <summary>
    /// <see cref="Enrich(JsonObject, ThreatIndicatorSet)"/> for attributes read through <paramref name="valuesAt"/> (the
    /// values at a path), whose tree <paramref name="tree"/> gives only when a result is to be added.
    /// </summary>
    internal static bool Enrich(Func<string, IEnumerable<AttributeValue>> valuesAt, Func<JsonObject> tree, ThreatIndicatorSet indicators)
    {
        if (indicators.IsEmpty)
        {
            return false;
        }
        var seen = new HashSet<UInt128>();
        var matches = new List<(string Ip, ThreatIndicator Indicator)>();
        foreach (var path in IpAttributes)
        {
            foreach (var value in valuesAt(path))
            {
                if (value.Number is not null || !IpText.TryParse(value.Text, out var address))
                {
                    continue;
                }
                var number = IpText.ToUInt128(address);
                if (!seen.Add(number))
                {
                    continue;
                }
                foreach (var indicator in indicators.Match(number))
                {
                    matches.Add((value.Text, indicator));
                }
            }
        }
        if (matches.Count == 0)
        {
            return false;
        }
        var ordered = matches.OrderBy(m => ThreatIntentions.Rank(m.Indicator.Intention)).ToList();
        var results = new JsonArray();
        foreach (var (ip, indicator) in ordered)
        {
            results.Add(new JsonObject
            {
                ["category"] = indicator.Category,
                ["intention"] = indicator.Intention,
                ["source"] = new JsonObject { ["name"] = indicator.Source },
                ["ip"] = ip,
            });
        }
        var attributes = tree();
        AttributePath.Set(attributes, ResultsAttribute, results);
        AttributePath.Set(attributes, IndicatorsMatchedAttribute, new JsonArray(ordered.Select(m => m.Ip).Distinct(StringComparer.Ordinal).Select(ip => (JsonNode?)JsonValue.Create(ip)).ToArray()));
        return true;
    }
}
