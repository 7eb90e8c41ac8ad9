using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Portal.Web.Features.Platform;

/// <summary>
/// A page of a list endpoint as Datadog numbers them: <c>page[size]</c> items from the first of page <c>page[number]</c>
/// (counted from 0). Clients page on until a page holds fewer than its size, so an endpoint that ignored them would answer
/// the same items for every number.
/// </summary>
public readonly record struct NumberedPage(int Size, int Number)
{
    /// <summary>
    /// Reads the page <paramref name="query"/> asks: <paramref name="defaultSize"/> items from page 0 when it says nothing; a
    /// size or number that is not a whole number in range is the 400 to answer, naming the parameter.
    /// </summary>
    public static bool TryRead(IQueryCollection query, int defaultSize, int maxSize, out NumberedPage page, out ProblemHttpResult? problem)
    {
        (page, problem) = (default, null);
        var size = Read(query["page[size]"], defaultSize);
        var number = Read(query["page[number]"], 0);
        if (size is null or < 1 || size > maxSize)
        {
            problem = TypedResults.Problem(detail: $"page[size]: expected a number from 1 to {maxSize}.", statusCode: StatusCodes.Status400BadRequest, title: "Invalid page");
            return false;
        }
        if (number is null)
        {
            problem = TypedResults.Problem(detail: "page[number]: expected a number from 0.", statusCode: StatusCodes.Status400BadRequest, title: "Invalid page");
            return false;
        }
        page = new NumberedPage(size.Value, number.Value);
        return true;
    }

    /// <summary>The items of this page among <paramref name="all"/>.</summary>
    public IEnumerable<T> Of<T>(IEnumerable<T> all) => all.Skip((int)Math.Min((long)Number * Size, int.MaxValue)).Take(Size);

    private static int? Read(string? text, int fallback) =>
        string.IsNullOrEmpty(text) ? fallback : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
}
