namespace Portal.Detection.Events;

/// <summary>The query names of Datadog's reserved attributes.</summary>
public static class ReservedAttributes
{
    public const string Host = "host";
    public const string Service = "service";
    public const string Source = "source";
    public const string Status = "status";
    public const string Message = "message";

    /// <summary>Reserved names other than <c>message</c>, which is searched as free text.</summary>
    public static readonly IReadOnlySet<string> Facets = new HashSet<string>(StringComparer.Ordinal) { Host, Service, Source, Status };

    /// <summary>True when <paramref name="name"/> is a reserved facet (not a tag).</summary>
    public static bool IsFacet(string name) => Facets.Contains(name);
}
