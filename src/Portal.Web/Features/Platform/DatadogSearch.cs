using Microsoft.AspNetCore.Http.HttpResults;
using Portal.Detection.Query;
using Portal.Search;
using Portal.Web.Features.Signals;

namespace Portal.Web.Features.Platform;

/// <summary>
/// The parameters shared by Datadog's search endpoints (signals and logs): query, time range, sort, page size and
/// cursor, validated into one <see cref="SearchRequest"/>, and the <c>links.next</c> URL of a page.
/// </summary>
public static class DatadogSearch
{
    /// <summary>How the endpoint names its parameters in errors: <c>filter[query]</c> (query string) or <c>filter.query</c> (JSON body).</summary>
    public delegate string ParameterName(string group, string name);

    public static readonly ParameterName QueryString = (group, name) => $"{group}[{name}]";
    public static readonly ParameterName JsonBody = (group, name) => $"{group}.{name}";

    /// <summary>Validates the parameters; on failure returns the problem to answer, naming the parameter at fault.</summary>
    public static (SearchRequest? Request, ProblemHttpResult? Problem) Parse(
        string? query, string? from, string? to, string? sort, int? limit, string? cursor,
        int defaultLimit, int maxLimit, TimeProvider clock, ParameterName named)
    {
        if (!QueryParser.TryParse(query, out var node, out var syntax))
        {
            return Fail($"{named("filter", "query")}: {syntax!.Message}", new() { ["position"] = syntax.Position });
        }
        var now = clock.GetUtcNow();
        if (!TimeParameter.TryParse(from, now, now.AddMinutes(-15), out var fromTime) || !TimeParameter.TryParse(to, now, now, out var toTime))
        {
            return Fail($"{named("filter", "from")} and {named("filter", "to")} must be ISO 8601 dates, epoch milliseconds, or date math such as 'now-15m'.");
        }
        if (toTime < fromTime)
        {
            return Fail($"{named("filter", "from")} must not be after {named("filter", "to")}.");
        }
        if (sort is not (null or "" or "-timestamp" or "timestamp"))
        {
            return Fail("sort: 'timestamp' (oldest first) or '-timestamp' (newest first, the default).");
        }
        var size = limit ?? defaultLimit;
        if (size < 1 || size > maxLimit)
        {
            return Fail($"{named("page", "limit")} must be between 1 and {maxLimit}.");
        }
        SearchCursor? after = null;
        if (!string.IsNullOrEmpty(cursor))
        {
            if (!SearchCursor.TryDecode(cursor, out var decoded))
            {
                return Fail($"{named("page", "cursor")} is not a cursor returned by this API.");
            }
            if (decoded.OldestFirst != (sort == "timestamp"))
            {
                return Fail($"{named("page", "cursor")} was returned for the other sort order: page on with the sort of the search that returned it.");
            }
            after = decoded;
        }
        return (new SearchRequest(node!, fromTime, InclusiveEnd(toTime), size, after, OldestFirst: sort == "timestamp"), null);
    }

    /// <summary>
    /// The stores' (exclusive) upper bound of a range whose end Datadog's APIs take as inclusive: a millisecond later (the
    /// last moment there is stays as it is).
    /// </summary>
    public static DateTimeOffset InclusiveEnd(DateTimeOffset to) => to < DateTimeOffset.MaxValue.AddMilliseconds(-1) ? to.AddMilliseconds(1) : DateTimeOffset.MaxValue;

    /// <summary>
    /// A page size as the query string gives it (<c>page[limit]</c>): none when absent; one that is not a whole number is
    /// out of range, so that <see cref="Parse"/> refuses it instead of answering with the default.
    /// </summary>
    public static int? LimitOf(string? text) =>
        string.IsNullOrEmpty(text) ? null
        : int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var limit) ? limit
        : int.MinValue;

    /// <summary>The largest search request body read: a query and its parameters, with room to spare.</summary>
    public const int MaxBodyBytes = 1 << 20;

    /// <summary>
    /// A search request's JSON body, read with the API's own options; on malformed JSON the problem to answer, which says
    /// where (line and byte), as the intake's does; over <see cref="MaxBodyBytes"/>, a 413. An empty body is none.
    /// </summary>
    public static async Task<(T? Body, ProblemHttpResult? Problem)> ReadBodyAsync<T>(HttpContext http, CancellationToken cancellationToken) where T : class
    {
        var options = http.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        using var buffer = new MemoryStream();
        var chunk = new byte[16 << 10];
        int read;
        while ((read = await http.Request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return (null, TypedResults.Problem(detail: $"A search request's body is at most {MaxBodyBytes:N0} bytes.", statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request too large"));
            }
            buffer.Write(chunk, 0, read);
        }
        if (buffer.Length == 0)
        {
            return (null, null);
        }
        try
        {
            return (System.Text.Json.JsonSerializer.Deserialize<T>(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), options), null);
        }
        catch (System.Text.Json.JsonException e)
        {
            var (line, at) = ((e.LineNumber ?? 0) + 1, (e.BytePositionInLine ?? 0) + 1);
            var where = e.Path is { Length: > 1 } path ? $" ({path})" : "";
            return (null, Fail($"Malformed JSON at line {line}, byte {at}{where}.", new() { ["line"] = line, ["byte"] = at }).Item2);
        }
    }

    /// <summary>A search response's <c>meta</c>: the next page's cursor, status, elapsed milliseconds and request id.</summary>
    public static System.Text.Json.Nodes.JsonObject Meta(HttpContext http, long started, string? after) => new()
    {
        ["page"] = Page(after),
        ["status"] = "done",
        ["elapsed"] = (long)System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds,
        ["request_id"] = http.TraceIdentifier,
    };

    /// <summary>
    /// A response's <c>meta.page</c>: the next page's cursor, left out on the last page. Datadog's clients page on until
    /// <c>after</c> is absent (a null sent them back to the first page, for ever) and refuse a null where they expect text.
    /// </summary>
    public static System.Text.Json.Nodes.JsonObject Page(string? after) => after is null ? [] : new() { ["after"] = after };

    /// <summary>
    /// The GET URL of the page after <paramref name="next"/> for the same search: under <c>Vigil:PublicUrl</c> when it is set
    /// (behind a proxy that ends TLS, the request's own scheme and host are the proxy's way in, not the client's), else under
    /// the request's scheme, host and path base.
    /// </summary>
    public static string NextLink(HttpRequest http, string path, string? query, SearchRequest request, SearchCursor next) =>
        NextLink(http, path, query, request, next.Encode());

    /// <inheritdoc cref="NextLink(HttpRequest, string, string?, SearchRequest, SearchCursor)"/>
    public static string NextLink(HttpRequest http, string path, string? query, SearchRequest request, string next) =>
        $"{Root(http)}{path}?filter[query]={Uri.EscapeDataString(query ?? "")}"
        + $"&filter[from]={Uri.EscapeDataString(request.From.ToString("O"))}&filter[to]={Uri.EscapeDataString(request.To.AddMilliseconds(-1).ToString("O"))}"
        + $"&page[limit]={request.Limit}&page[cursor]={Uri.EscapeDataString(next)}" + (request.OldestFirst ? "&sort=timestamp" : "");

    /// <summary>Where the API is reached from outside, without a trailing slash.</summary>
    private static string Root(HttpRequest http) =>
        http.HttpContext.RequestServices.GetService<IConfiguration>()?["Vigil:PublicUrl"] is { Length: > 0 } configured
            ? configured.TrimEnd('/')
            : $"{http.Scheme}://{http.Host}{http.PathBase}";

    private static (SearchRequest?, ProblemHttpResult?) Fail(string detail, Dictionary<string, object?>? extensions = null) =>
        (null, TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status400BadRequest, title: "Invalid search", extensions: extensions));
}
