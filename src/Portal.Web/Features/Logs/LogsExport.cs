using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Portal.Data.Identity;
using Portal.Detection.Query;
using Portal.Search;
using Portal.Web.Components.Shared;
using Portal.Web.Features.Identity;

namespace Portal.Web.Features.Logs;

/// <summary>
/// The Logs Explorer's view as a CSV file: <c>GET /logs/export</c> with the page's own URL parameters (<c>q</c>,
/// <c>range</c> or <c>from</c>/<c>to</c>, <c>live</c>, <c>cols</c>), the list's columns in its order, newest first, up to
/// <c>limit</c> rows (<see cref="DefaultLimit"/>, at most <see cref="MaxLimit"/>).
/// </summary>
public static class LogsExport
{
    public const int DefaultLimit = 5_000;
    public const int MaxLimit = 100_000;
    private const int PageSize = 1_000;

    public static void MapLogsExport(this WebApplication app) =>
        app.MapGet("/logs/export", ExportAsync)
            .RequireAuthorization(IdentitySetup.ApiPolicy)
            .RequirePermission(Permission.LogsRead)
            .WithName("ExportLogs");

    /// <summary>The export's link for a view of the page (its parameters as the page keeps them in its URL).</summary>
    public static string Link(string query, string range, bool live, string? customFrom, string? customTo, IReadOnlyList<string> columns)
    {
        var parameters = new List<string> { "q=" + Uri.EscapeDataString(query) };
        if (live)
        {
            parameters.Add("live=true");
        }
        else
        {
            parameters.Add("range=" + Uri.EscapeDataString(range));
            if (range == TimeRanges.Custom)
            {
                parameters.Add("from=" + Uri.EscapeDataString(customFrom ?? ""));
                parameters.Add("to=" + Uri.EscapeDataString(customTo ?? ""));
            }
        }
        if (AttributeColumns.Format(columns) is { } cols)
        {
            parameters.Add("cols=" + Uri.EscapeDataString(cols));
        }
        return "logs/export?" + string.Join('&', parameters);
    }

    private static async Task<Results<EmptyHttpResult, ProblemHttpResult>> ExportAsync(HttpContext http, ILogStore store, TimeProvider clock, CancellationToken cancellationToken)
    {
        var q = http.Request.Query;
        var text = q["q"].ToString();
        if (!QueryParser.TryParse(text, out var query, out var error))
        {
            return Problem($"q: {error!.Message}", "q");
        }
        var live = string.Equals(q["live"], "true", StringComparison.OrdinalIgnoreCase);
        var range = q["range"].ToString() is { Length: > 0 } given ? given : "1h";
        if (range != TimeRanges.Custom && TimeRanges.All.All(r => r.Key != range))
        {
            return Problem($"range: expected one of {string.Join(", ", TimeRanges.All.Select(r => r.Key))} or {TimeRanges.Custom}", "range");
        }
        var now = clock.GetUtcNow();
        if (!TimeRanges.TryResolveView(range, live, LogsPage.LiveRange, q["from"], q["to"], now, out var from, out var to, out var rangeError))
        {
            return Problem(rangeError!, rangeError!.StartsWith("To", StringComparison.Ordinal) ? "to" : "from");
        }
        var limit = DefaultLimit;
        if (q["limit"].ToString() is { Length: > 0 } limitText
            && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxLimit))
        {
            return Problem($"limit: expected a whole number from 1 to {MaxLimit:N0}", "limit");
        }
        var columns = AttributeColumns.Parse(q["cols"]);

        var tenantId = SessionInfo.From(http.User)!.TenantId;
        http.Response.ContentType = "text/csv; charset=utf-8";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"vigil-logs-{now.UtcDateTime:yyyyMMdd-HHmmss}.csv\"";
        await using var writer = new StreamWriter(http.Response.Body, new UTF8Encoding(false), bufferSize: 64 * 1024);
        // Attributes are headed by their paths: a leading @ would read as a formula.
        await writer.WriteAsync(Row(["date", "status", "host", "service", .. columns, "message"]));
        var written = 0;
        SearchCursor? after = null;
        do
        {
            var page = await store.SearchAsync(tenantId, new SearchRequest(query!, from, to, Math.Min(PageSize, limit - written), after), cancellationToken);
            foreach (var e in page.Items)
            {
                await writer.WriteAsync(Row([
                    e.Timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture), e.Status, e.Host, e.Service,
                    .. columns.Select(c => AttributeColumns.Cell(e, c)), e.Message]));
            }
            written += page.Items.Count;
            after = page.Next;
        }
        while (after is not null && written < limit);
        await writer.FlushAsync(cancellationToken);
        return TypedResults.Empty;
    }

    /// <summary>
    /// One CSV record (RFC 4180): a field holding a comma, a quote or a line break is quoted, its quotes doubled; a field a
    /// spreadsheet would read as a formula (starting with <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, a tab or a carriage
    /// return) is kept as text by a leading apostrophe (OWASP's advice against formula injection).
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
            if (field.Length > 0 && field[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
            {
                field = "'" + field;
            }
            if (field.AsSpan().IndexOfAny(",\"\r\n") >= 0)
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

    private static ProblemHttpResult Problem(string detail, string parameter) => TypedResults.Problem(
        detail: detail, statusCode: StatusCodes.Status400BadRequest, title: "Invalid log export",
        extensions: new Dictionary<string, object?> { ["parameter"] = parameter });
}
