using System.Net;
using System.Text.RegularExpressions;

namespace Portal.Web.Tests.Infrastructure;

/// <summary>Posts the static server-rendered account forms the way a browser does (antiforgery token included).</summary>
public static partial class Forms
{
    /// <summary>GETs <paramref name="path"/>, then posts <paramref name="fields"/> with the form's hidden fields.</summary>
    public static async Task<HttpResponseMessage> SubmitAsync(HttpClient client, string path, string formName, IDictionary<string, string> fields)
    {
        var page = await client.GetStringAsync(path);
        var token = Token().Match(page);
        Assert.True(token.Success, $"No antiforgery token on {path}");
        var body = new Dictionary<string, string>(fields)
        {
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value),
            ["_handler"] = formName,
        };
        return await client.PostAsync(path, new FormUrlEncodedContent(body));
    }

    /// <summary>Signs in through the sign-in form; returns the response (302 on success).</summary>
    public static Task<HttpResponseMessage> SignInAsync(HttpClient client, string slug, string email, string password) =>
        SubmitAsync(client, "account/signin", "signin", new Dictionary<string, string>
        {
            ["Input.Slug"] = slug,
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        });

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex Token();
}
