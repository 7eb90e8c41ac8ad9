using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Portal.Detection.Rules;

namespace Portal.Web.Features.Rules;

/// <summary>Reading JSON request bodies and answering their faults, as the rule and suppression APIs do alike.</summary>
internal static class JsonBodies
{
    /// <summary>
    /// The request body as a JSON object, or the problem to answer: 415 without a JSON content type (which also keeps
    /// cross-site form posts away from cookie-authenticated writes), 400 with line and byte for malformed JSON or a
    /// body that is not an object. <paramref name="what"/> names the expected object in messages.
    /// </summary>
    public static async Task<(JsonObject? Json, ProblemHttpResult? Error)> ReadObjectAsync(HttpContext http, string what, CancellationToken cancellationToken)
    {
        if (!http.Request.HasJsonContentType())
        {
            return (null, TypedResults.Problem(detail: $"Send the {what} as JSON with Content-Type: application/json.", statusCode: 415, title: "Unsupported media type"));
        }
        try
        {
            // A key twice in one object is malformed (it would otherwise fault when the object is read, a 500).
            var node = await JsonNode.ParseAsync(http.Request.Body, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false }, cancellationToken: cancellationToken);
            return node is JsonObject obj
                ? (obj, null)
                : (null, TypedResults.Problem(detail: $"$: expected a {what} object.", statusCode: 400, title: $"Invalid {what}"));
        }
        catch (JsonException e)
        {
            return (null, TypedResults.Problem(detail: $"Malformed JSON at line {(e.LineNumber ?? 0) + 1}, byte {(e.BytePositionInLine ?? 0) + 1}.", statusCode: 400, title: "Malformed JSON"));
        }
    }

    /// <summary>A 400 listing every error under its JSON path, each path prefixed with <paramref name="under"/> (where the object sits in the body).</summary>
    public static ValidationProblem Invalid(IReadOnlyList<RuleError> errors, string title, string under = "$") => TypedResults.ValidationProblem(
        errors.GroupBy(e => under + e.Path[1..]).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()),
        title: title);
}
