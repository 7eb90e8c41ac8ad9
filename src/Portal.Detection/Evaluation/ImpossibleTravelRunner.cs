using System.Text.Json.Nodes;
using Portal.Detection.Events;

namespace Portal.Detection.Evaluation;

/// <summary>
/// Impossible travel: per user (the single group-by field), each login's place is compared with the previous login's.
/// When reaching it would take more than <see cref="MaxSpeedKmh"/> over at least <see cref="MinDistanceKm"/> (closer
/// places are within geo-IP error), a candidate is raised with both places. With <c>baselineUserLocations</c>, the
/// places a user has already logged in from are their usual ones and never raise, and the first
/// <see cref="BaselineLearning"/> of a user only learns.
/// </summary>
internal sealed class ImpossibleTravelRunner(CompiledRule rule) : RuleRunner(rule)
{
    /// <summary>Faster than any airliner.</summary>
    public const double MaxSpeedKmh = 1000;

    /// <summary>Geo-IP places a city's addresses tens of kilometres apart, and VPN exits hop nearby cities.</summary>
    public const double MinDistanceKm = 300;

    /// <summary>How long a user's usual places are learned before travel between them and new ones is judged.</summary>
    public static readonly TimeSpan BaselineLearning = TimeSpan.FromHours(24);

    private const string DefaultGeoPath = "network.client.geoip";

    private readonly bool _baseline = rule.Definition.Options.ImpossibleTravelOptions?.BaselineUserLocations ?? false;
    private readonly Dictionary<string, Traveller> _users = new(StringComparer.Ordinal);

    public override SignalCandidate? Observe(int query, LogEvent e)
    {
        var q = Rule.Queries[query];
        var geoPath = q.Metrics.Count > 0 && q.Metrics[0].Kind == Query.FieldKind.Attribute ? q.Metrics[0].Name : DefaultGeoPath;
        if (GroupAggregator.GroupValues(q.GroupBy, e, optional: false) is not { } user || GeoPoint.TryRead(e, geoPath) is not { } here)
        {
            return null;
        }
        var key = GroupAggregator.GroupKey(user);
        if (!_users.TryGetValue(key, out var traveller))
        {
            _users[key] = new Traveller(e, here);
            return null;
        }

        var previous = traveller.Last;
        var there = traveller.LastPlace;
        var known = traveller.Places.Contains(here.Label);
        traveller.Last = e;
        traveller.LastPlace = here;
        traveller.Places.Add(here.Label);

        var distance = there.DistanceKm(here);
        var hours = (e.Timestamp - previous.Timestamp).TotalHours;
        var speed = hours > 0 ? distance / hours : double.PositiveInfinity;
        var learning = _baseline && e.Timestamp - traveller.FirstSeen < BaselineLearning;
        if (distance < MinDistanceKm || speed <= MaxSpeedKmh || learning || (_baseline && known))
        {
            return null;
        }
        var values = new Dictionary<string, double>(StringComparer.Ordinal) { [q.Name] = 1 };
        if (FirstCase(values) is not { } matched)
        {
            return null;
        }
        var counts = Counted(query, 2);
        var details = new JsonObject
        {
            ["impossible_travel"] = new JsonObject
            {
                ["from"] = Place(there, previous),
                ["to"] = Place(here, e),
                ["distance_km"] = Math.Round(distance),
                ["speed_kmh"] = double.IsFinite(speed) ? Math.Round(speed) : null,
            },
        };
        return new SignalCandidate(key, GroupBy(user), matched, values, counts, counts, previous.Timestamp, e.Timestamp, [previous, e]) { Details = details };
    }

    private static JsonObject Place(GeoPoint point, LogEvent e) => new()
    {
        ["place"] = point.Label,
        ["latitude"] = point.Latitude,
        ["longitude"] = point.Longitude,
        ["timestamp"] = e.Timestamp.UtcDateTime.ToString("O"),
        ["event_id"] = e.Id,
    };

    private sealed class Traveller(LogEvent first, GeoPoint place)
    {
        public DateTimeOffset FirstSeen { get; } = first.Timestamp;
        public LogEvent Last { get; set; } = first;
        public GeoPoint LastPlace { get; set; } = place;
        public HashSet<string> Places { get; } = new(StringComparer.Ordinal) { place.Label };
    }
}
