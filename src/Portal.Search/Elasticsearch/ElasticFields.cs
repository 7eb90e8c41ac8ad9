namespace Portal.Search.Elasticsearch;

/// <summary>
/// Field names of Vigil's Elasticsearch log documents (see <see cref="ElasticIndexTemplate"/>). Like the
/// embedded index, values are typed by Vigil when written, so every store answers a query the same way:
/// attribute text in <c>attr.*</c> (keywords), range values (numbers, dates as epoch ms) in <c>num.*</c>,
/// addresses in <c>ip.*</c>. The three objects use <c>subobjects: false</c>, so <c>@usr</c> and
/// <c>@usr.name</c> never conflict.
/// </summary>
public static class ElasticFields
{
    public const string EventId = "event_id";

    /// <summary>The order of events of one millisecond: the embedded index's key of the id (<see cref="Lucene.TieBreak"/>), so that both stores page alike.</summary>
    public const string TieBreak = "tb";
    public const string Timestamp = "timestamp";
    public const string Message = "message";

    /// <summary>The whole message as one value (a <c>wildcard</c> field), for patterns that span words.</summary>
    public const string WholeMessage = "message.whole";
    public const string Tags = "tags";

    /// <summary>Exact (keyword) values of an attribute.</summary>
    public static string Attribute(string path) => "attr." + path;

    /// <summary>Range values of an attribute: numbers, and dates as epoch milliseconds.</summary>
    public static string Numeric(string path) => "num." + path;

    /// <summary>IP values of an attribute (an <c>ip</c> field, queried with CIDR terms).</summary>
    public static string Ip(string path) => "ip." + path;

    /// <summary>The tenant's time-partitioned log indexes: one per UTC day, all matched by this pattern.</summary>
    public static string LogIndexPattern(Guid tenantId) => $"vigil-logs-{tenantId:N}-*";

    /// <summary>The tenant's log index for the day of <paramref name="timestamp"/>.</summary>
    public static string LogIndex(Guid tenantId, DateTimeOffset timestamp) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"vigil-logs-{tenantId:N}-{timestamp.UtcDateTime:yyyy.MM.dd}");
}
