using System.Text;

namespace Portal.Data.Tenancy;

/// <summary>Organisation slugs: lower-case letters, digits and single hyphens, 3 to 40 characters.</summary>
public static class Slugs
{
    /// <summary>Derives a slug from an organisation name ("Acme Corp." → "acme-corp").</summary>
    public static string FromName(string name)
    {
        var sb = new StringBuilder();
        foreach (var c in name.Normalize(NormalizationForm.FormD).ToLowerInvariant())
        {
            if (c is >= 'a' and <= 'z' or >= '0' and <= '9')
            {
                sb.Append(c);
            }
            else if (char.GetUnicodeCategory(c) != System.Globalization.UnicodeCategory.NonSpacingMark && sb.Length > 0 && sb[^1] != '-')
            {
                sb.Append('-');
            }
        }
        var slug = sb.ToString().Trim('-');
        return slug.Length > 40 ? slug[..40].TrimEnd('-') : slug;
    }

    /// <summary>Null when valid, else why not.</summary>
    public static string? Validate(string? slug)
    {
        if (string.IsNullOrEmpty(slug) || slug.Length < 3 || slug.Length > 40)
        {
            return "must be 3 to 40 characters";
        }
        if (!slug.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-') || slug.StartsWith('-') || slug.EndsWith('-') || slug.Contains("--", StringComparison.Ordinal))
        {
            return "may contain only lower-case letters, digits and single hyphens";
        }
        return null;
    }
}
