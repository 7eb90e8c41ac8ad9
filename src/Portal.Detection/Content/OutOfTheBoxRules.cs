namespace Portal.Detection.Content;

/// <summary>
/// The detection rules Vigil ships with, embedded as Datadog v2 rule JSON
/// (<c>Content/Rules/*.json</c>) so that they can be reviewed and diffed like any other rule.
/// </summary>
public static class OutOfTheBoxRules
{
    private const string ResourcePrefix = "Portal.Detection.Content.Rules.";

    /// <summary>The JSON text of every shipped rule, ordered by file name.</summary>
    public static IReadOnlyList<string> LoadJson() => LoadNamedJson().Select(r => r.Json).ToList();

    /// <summary>Every shipped rule as its file name (<c>ssh-brute-force.json</c>) and JSON text, ordered by file name.</summary>
    public static IReadOnlyList<(string FileName, string Json)> LoadNamedJson()
    {
        var assembly = typeof(OutOfTheBoxRules).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(".json", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n =>
            {
                using var stream = assembly.GetManifestResourceStream(n)
                    ?? throw new InvalidOperationException($"Embedded rule {n} disappeared.");
                using var reader = new StreamReader(stream);
                return (n[ResourcePrefix.Length..], reader.ReadToEnd());
            })
            .ToList();
    }
}
