namespace Portal.Detection.Events;

/// <summary>
/// Where an IP address is, as geo-IP enrichment writes it (Datadog's <c>@network.client.geoip</c> object:
/// <c>location.latitude</c>, <c>location.longitude</c>, <c>country.iso_code</c>, <c>country.name</c>, <c>city.name</c>).
/// </summary>
public readonly record struct GeoPoint(double Latitude, double Longitude, string? Country, string? City)
{
    private const double EarthRadiusKm = 6371.0088;

    /// <summary>"City, Country" or whichever of the two is known, else the coordinates.</summary>
    public string Label => (City, Country) switch
    {
        ({ } city, { } country) => $"{city}, {country}",
        (null, { } country) => country,
        ({ } city, null) => city,
        _ => FormattableString.Invariant($"{Latitude:0.##},{Longitude:0.##}"),
    };

    /// <summary>Reads the geo-IP object at attribute <paramref name="path"/> (without <c>@</c>); null without valid coordinates.</summary>
    public static GeoPoint? TryRead(LogEvent e, string path)
    {
        var latitude = Number(e, path + ".location.latitude") ?? Number(e, path + ".location.lat");
        var longitude = Number(e, path + ".location.longitude") ?? Number(e, path + ".location.lon");
        if (latitude is not (>= -90 and <= 90) || longitude is not (>= -180 and <= 180))
        {
            return null;
        }
        var country = Text(e, path + ".country.iso_code") ?? Text(e, path + ".country.name");
        return new GeoPoint(latitude.Value, longitude.Value, country, Text(e, path + ".city.name"));
    }

    /// <summary>Great-circle distance in kilometres (haversine).</summary>
    public double DistanceKm(GeoPoint other)
    {
        static double Radians(double degrees) => degrees * Math.PI / 180;
        var dLat = Radians(other.Latitude - Latitude);
        var dLon = Radians(other.Longitude - Longitude);
        var a = Math.Pow(Math.Sin(dLat / 2), 2) + Math.Cos(Radians(Latitude)) * Math.Cos(Radians(other.Latitude)) * Math.Pow(Math.Sin(dLon / 2), 2);
        return 2 * EarthRadiusKm * Math.Asin(Math.Min(1, Math.Sqrt(a)));
    }

    private static double? Number(LogEvent e, string path)
    {
        foreach (var value in e.GetAttribute(path))
        {
            if (value.FiniteNumber is { } number)
            {
                return number;
            }
        }
        return null;
    }

    private static string? Text(LogEvent e, string path)
    {
        foreach (var value in e.GetAttribute(path))
        {
            if (value.Text.Length > 0)
            {
                return value.Text;
            }
        }
        return null;
    }
}
