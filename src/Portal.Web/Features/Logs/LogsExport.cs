using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Portal.Data.Audit;
using Portal.Data.Identity;
using Portal.Detection.Query;
using Portal.Search;
using Portal.Web.Components.Shared;
using Portal.Web.Features.Identity;

namespace Portal.Web.Features.Logs;

/// <summary>
/// The Logs Explorer's view as a CSV file: <c>GET /logs/export</c> with the page's own URL parameters (<c>q</c>,
/// <c>range</c> or <c>from</c>/<c>to</c>, <c>live</c>, <c>cols</c>, <c>sort</c>), the list's columns in its order, newest first
/// (or, with <c>sort=asc</c>, oldest first, as the list), up to <c>limit</c> rows (<see cref="DefaultLimit"/>, at most <see cref="MaxLimit"/>). Each export is in the audit trail.
/// </summary>
public static partial class LogsExport
{
    public const int DefaultLimit = 5_000;
    public const int MaxLimit = 100_000;

    /// <summary>Rows read from the store at a time.</summary>
    internal const int PageSize = 1_000;

    public static void MapLogsExport(this WebApplication app) =>
        app.MapGet("/logs/export", ExportAsync)
            .RequireAuthorization(IdentitySetup.ApiPolicy)
            .RequirePermission(Permission.LogsRead)
            .WithName("ExportLogs");

    /// <summary>
    /// The export of a query over <c>[from, to)</c> as absolute bounds (epoch milliseconds), so that the file holds the
    /// window the page shows rather than one resolved again when the link is followed.
    /// </summary>
    public static string Link(string query, DateTimeOffset from, DateTimeOffset to, IReadOnlyList<string> columns, bool oldestFirst = false)
    {
        var link = $"logs/export?q={Uri.EscapeDataString(query)}&range={TimeRanges.Custom}"
            + $"&from={from.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)}&to={to.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)}";
        link = AttributeColumns.Format(columns) is { } cols ? $"{link}&cols={Uri.EscapeDataString(cols)}" : link;
        return oldestFirst ? $"{link}&{LogSort.Parameter}={LogSort.OldestFirst}" : link;
    }

    private static async Task<Results<EmptyHttpResult, ProblemHttpResult>> ExportAsync(HttpContext http, ILogStore store, AuditLog audit, TimeProvider clock, CancellationToken cancellationToken)
    {
        var q = http.Request.Query;
        var text = q["q"].ToString();
        if (!QueryParser.TryParse(text, out var query, out var error))
        {
            return Problem($"q: {error!.Message}", "q");
        }
        var live = string.Equals(q["live"], "true", StringComparison.OrdinalIgnoreCase);
        var range = q["range"].ToString() is { Length: > 0 } given ? given : "1h";
        if (!live && range != TimeRanges.Custom && TimeRanges.All.All(r => r.Key != range))
        {
            return Problem($"range: expected one of {string.Join(", ", TimeRanges.All.Select(r => r.Key))} or {TimeRanges.Custom}", "range");
        }
        var now = clock.GetUtcNow();
        // Bounds typed without an offset are in the organisation's zone, as the Logs page writes them.
        var zone = await http.RequestServices.GetRequiredService<Settings.OrganisationZone>().GetAsync(SessionInfo.From(http.User)!.TenantId);
        if (!TimeRanges.TryResolveView(range, live, q["from"], q["to"], now, out var from, out var to, out var rangeError, zone))
        {
            return Problem(rangeError!, rangeError!.StartsWith("From", StringComparison.Ordinal) ? "from" : "to");
        }
        var limit = DefaultLimit;
        if (q["limit"].ToString() is { Length: > 0 } limitText
            && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxLimit))
        {
            return Problem($"limit: expected a whole number from 1 to {MaxLimit:N0}", "limit");
        }
        var columns = AttributeColumns.Parse(q["cols"]);
        if (!LogSort.TryParse(q[LogSort.Parameter], out var oldestFirst))
        {
            return Problem($"{LogSort.Parameter}: expected {LogSort.OldestFirst} (oldest first) or {LogSort.NewestFirst} (newest first, the default)", LogSort.Parameter);
        }
        // Live tail reads the newest.
        oldestFirst &= !live;
        var tenantId = SessionInfo.From(http.User)!.TenantId;

        // The first page before the response starts: a store that fails then answers with an error, not a cut file.
        var page = await store.SearchAsync(tenantId, new SearchRequest(query!, from, to, Math.Min(PageSize, limit), OldestFirst: oldestFirst), cancellationToken);
        await audit.RecordAsync(tenantId, new AuditRecord("logs.exported", "logs", null, text.Length == 0 ? "*" : text)
        {
            Message = $"CSV export of logs requested: {(text.Length == 0 ? "*" : text)} from {from:u} to {to:u}, up to {limit:N0} rows"
                + (columns.Count > 0 ? $", columns {AttributeColumns.Format(columns)}" : ""),
        }, cancellationToken);
        http.Response.ContentType = "text/csv; charset=utf-8";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"vigil-logs-{now.UtcDateTime:yyyyMMdd-HHmmss}.csv\"";
        http.Response.Headers.CacheControl = "no-store";
        // With a byte order mark, which spreadsheets need to read UTF-8 as such.
        await using var writer = new StreamWriter(http.Response.Body, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true), bufferSize: 64 * 1024);
        // Attributes are headed by their paths: a leading @ would read as a formula.
        // The date is UTC whatever the organisation's zone the list shows, and its header says so.
        await writer.WriteAsync(Row(["date (UTC)", "status", "host", "service", .. columns, "message"]).AsMemory(), cancellationToken);
        var written = 0;
        while (true)
        {
            foreach (var e in page.Items)
            {
                await writer.WriteAsync(Row([
                    e.Timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture), e.Status, e.Host, e.Service,
                    .. columns.Select(c => AttributeColumns.Cell(e, c)), e.Message]).AsMemory(), cancellationToken);
            }
            written += page.Items.Count;
            if (page.Next is not { } after || page.Items.Count == 0 || written >= limit)
            {
                break;
            }
            // A download given up stops here (and the store's search, given the token, where it is).
            cancellationToken.ThrowIfCancellationRequested();
            page = await store.SearchAsync(tenantId, new SearchRequest(query!, from, to, Math.Min(PageSize, limit - written), after, oldestFirst), cancellationToken);
        }
        await writer.FlushAsync(cancellationToken);
        return TypedResults.Empty;
    }

    /// <summary>
    /// One CSV record (RFC 4180): a field holding a comma, a quote, a line break, a semicolon or a tab is quoted (a
    /// spreadsheet whose list separator is the semicolon splits fields there), its quotes doubled; a field a spreadsheet
    /// would read as a formula (starting with <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, a tab or a carriage return, and not a
    /// plain number) is kept as text by a leading apostrophe, as OWASP advises against formula injection.
    /// </summary>
    internal static string Row(IReadOnlyList<string?> fields)
    {
        var row = new StringBuilder();
        for (var i = 0; i < fields.Count; i++)
        {
            if (i > 0)
            {
                row.Append(',');
            }
            var field = fields[i] ?? "";
            if (field.Length > 0 && field[0] is '=' or '+' or '-' or '@' or '\t' or '\r' && !PlainNumber().IsMatch(field))
            {
                field = "'" + field;
            }
            if (field.AsSpan().IndexOfAny(Quoted) >= 0)
            {
                row.Append('"').Append(field.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
            }
            else
            {
                row.Append(field);
            }
        }
        return row.Append("\r\n").ToString();
    }

    /// <summary>A signed decimal number, which no spreadsheet reads as a formula (<see cref="Row"/>).</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"^[+-]?[0-9]+(\.[0-9]+)?$", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex PlainNumber();

    /// <summary>What makes a field quoted (<see cref="Row"/>).</summary>
    private static readonly System.Buffers.SearchValues<char> Quoted = System.Buffers.SearchValues.Create(",\"\r\n;\t");

    private static ProblemHttpResult Problem(string detail, string parameter) => TypedResults.Problem(
        detail: detail, statusCode: StatusCodes.Status400BadRequest, title: "Invalid log export",
        extensions: new Dictionary<string, object?> { ["parameter"] = parameter });
}
