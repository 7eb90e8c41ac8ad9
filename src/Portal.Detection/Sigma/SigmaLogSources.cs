namespace Portal.Detection.Sigma;

/// <summary>
/// Where a Sigma logsource's events are in Vigil: the <c>source:</c> values that select them and how its field names
/// become Vigil fields. This table is the whole mapping; docs/SIGMA.md documents it row by row.
/// </summary>
/// <param name="Product">Sigma <c>logsource.product</c>, or null when the row has none.</param>
/// <param name="Service">Sigma <c>logsource.service</c>, or null.</param>
/// <param name="Category">Sigma <c>logsource.category</c>, or null.</param>
/// <param name="Sources">The <c>source:</c> values (any of them); empty for no source filter.</param>
/// <param name="Fields">
/// Sigma field name → Vigil field (<c>@attribute.path</c>, or <see cref="SigmaLogSources.PathExtension"/>); null when
/// the logsource's records arrive as JSON and keep their own names (<c>eventName</c> → <c>@eventName</c>).
/// </param>
/// <param name="ObjectFields">
/// Fields that hold objects in the records: Vigil matches leaf values, so a test on the whole object (Sigma backends that
/// search the record as text allow <c>requestParameters|contains: x</c>) cannot be expressed.
/// </param>
/// <param name="LineBased">
/// True when an event's message is the whole log line (syslog, sshd, access logs), so that full-text search covers all
/// of the event, as Sigma keywords do; false for records shipped as JSON, whose message is at most a summary.
/// </param>
internal sealed record SigmaLogSource(
    string? Product, string? Service, string? Category, IReadOnlyList<string> Sources, IReadOnlyDictionary<string, string>? Fields,
    IReadOnlyList<string>? ObjectFields = null, bool LineBased = false)
{
    /// <summary>The logsource as Sigma writes it, for messages: <c>product: aws, service: cloudtrail</c>.</summary>
    public string Describe() => SigmaLogSources.Describe(Product, Service, Category);
}

/// <summary>The logsource table.</summary>
internal static class SigmaLogSources
{
    /// <summary>
    /// The target of <c>c-uri-extension</c>: Vigil has no extension attribute, so <c>exe</c> becomes
    /// <c>@http.url_details.path:*.exe</c>, which is exact for an extension without dots or slashes.
    /// </summary>
    public const string PathExtension = "=extension";

    /// <summary>The sources whose lines the intake parses as web access logs (IntakeNormalizer's access-log parsers).</summary>
    private static readonly string[] WebAccessSources = ["apache", "nginx", "httpd", "webserver", "access"];

    /// <summary>
    /// Web server fields (W3C extended log names, as Sigma's taxonomy uses them) → the attributes AccessLogParser produces,
    /// which are Datadog's standard <c>http.*</c>, <c>network.*</c> and <c>usr.*</c> attributes.
    /// <c>cs-uri-query</c> is the whole request URI (path and query): that is how the rule set uses it (most of its values are
    /// paths such as <c>/wp-admin</c>), and the query string alone is <c>@http.url_details.queryString</c>, which <c>c-uri-query</c> names.
    /// </summary>
    private static readonly Dictionary<string, string> WebFields = new(StringComparer.Ordinal)
    {
        ["c-ip"] = "@network.client.ip",
        ["src_ip"] = "@network.client.ip",
        ["dst_ip"] = "@network.destination.ip",
        ["cs-method"] = "@http.method",
        ["cs-uri"] = "@http.url",
        ["c-uri"] = "@http.url",
        ["cs-uri-query"] = "@http.url",
        ["c-uri-query"] = "@http.url_details.queryString",
        ["cs-uri-stem"] = "@http.url_details.path",
        ["c-uri-stem"] = "@http.url_details.path",
        ["c-uri-extension"] = PathExtension,
        ["cs-host"] = "@http.url_details.host",
        ["r-dns"] = "@http.url_details.host",
        ["sc-status"] = "@http.status_code",
        ["cs-user-agent"] = "@http.useragent",
        ["c-useragent"] = "@http.useragent",
        ["cs-referer"] = "@http.referer",
        ["cs-referrer"] = "@http.referer",
        ["cs-username"] = "@usr.name",
        ["cs-version"] = "@http.version",
        ["sc-bytes"] = "@network.bytes_written",
    };

    /// <summary>The objects of a CloudTrail record (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html).</summary>
    private static readonly string[] CloudTrailObjects =
    [
        "userIdentity", "userIdentity.sessionContext", "userIdentity.sessionContext.sessionIssuer", "userIdentity.sessionContext.attributes",
        "userIdentity.sessionContext.webIdFederationData", "requestParameters", "responseElements", "additionalEventData", "resources",
        "serviceEventDetails", "tlsDetails", "edgeDeviceDetails", "insightDetails",
    ];

    /// <summary>Linux logs are shipped by program; a rule on any Linux log searches all of them.</summary>
    private static readonly string[] LinuxSources = ["syslog", "sshd", "auth", "auditd", "sudo", "cron"];

    /// <summary>Every row; the first whose product, service and category all equal the rule's wins.</summary>
    public static readonly IReadOnlyList<SigmaLogSource> All =
    [
        new(null, null, "webserver", WebAccessSources, WebFields, LineBased: true),
        new(null, null, "proxy", WebAccessSources, WebFields, LineBased: true),
        new(null, "apache", null, ["apache"], null, LineBased: true),
        new(null, "nginx", null, ["nginx"], null, LineBased: true),
        new("aws", "cloudtrail", null, ["cloudtrail"], null, CloudTrailObjects),
        new("okta", "okta", null, ["okta"], null),
        new("github", "audit", null, ["github"], null),
        new("gcp", "gcp.audit", null, ["gcp.audit"], null),
        new("gcp", "google_workspace.admin", null, ["google_workspace.admin"], null),
        new("gcp", "google_workspace.login", null, ["google_workspace.login"], null),
        new("azure", "activitylogs", null, ["azure.activitylogs"], null),
        new("azure", "auditlogs", null, ["azure.auditlogs"], null),
        new("azure", "signinlogs", null, ["azure.signinlogs"], null),
        new("azure", "riskdetection", null, ["azure.riskdetection"], null),
        new("azure", "pim", null, ["azure.pim"], null),
        new("m365", "audit", null, ["m365.audit"], null),
        new("m365", "exchange", null, ["m365.exchange"], null),
        new("m365", "threat_management", null, ["m365.threat_management"], null),
        new("m365", "threat_detection", null, ["m365.threat_detection"], null),
        new("onelogin", "onelogin.events", null, ["onelogin"], null),
        new("cisco", "duo", null, ["duo"], null),
        new("linux", null, null, LinuxSources, null, LineBased: true),
        new("linux", "sshd", null, ["sshd"], null, LineBased: true),
        new("linux", "syslog", null, ["syslog"], null, LineBased: true),
        new("linux", "auth", null, ["auth"], null, LineBased: true),
        new("linux", "auditd", null, ["auditd"], null, LineBased: true),
        new("linux", "sudo", null, ["sudo"], null, LineBased: true),
        new("linux", "cron", null, ["cron"], null, LineBased: true),
        new("linux", "clamav", null, ["clamav"], null, LineBased: true),
        new("linux", "vsftpd", null, ["vsftpd"], null, LineBased: true),
        new("linux", "guacamole", null, ["guacamole"], null, LineBased: true),
    ];

    /// <summary>The row for a logsource, or null when the table has none.</summary>
    public static SigmaLogSource? Find(string? product, string? service, string? category) =>
        All.FirstOrDefault(s => s.Product == product && s.Service == service && s.Category == category);

    /// <summary>A logsource as Sigma writes it.</summary>
    public static string Describe(string? product, string? service, string? category)
    {
        var parts = new List<string>();
        if (product is not null)
        {
            parts.Add("product: " + product);
        }
        if (service is not null)
        {
            parts.Add("service: " + service);
        }
        if (category is not null)
        {
            parts.Add("category: " + category);
        }
        return parts.Count == 0 ? "(empty logsource)" : string.Join(", ", parts);
    }
}
