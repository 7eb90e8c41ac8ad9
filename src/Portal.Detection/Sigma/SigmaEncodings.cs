using System.Text;
using System.Text.RegularExpressions;

namespace Portal.Detection.Sigma;

/// <summary>The value transformations of Sigma's modifiers, as pySigma (the reference implementation) defines them.</summary>
internal static partial class SigmaEncodings
{
    /// <summary>Most variants <c>windash</c> may produce for one value (5 per dash: 4 dashes give 625).</summary>
    public const int MaxWindashVariants = 625;

    /// <summary>The characters <c>windash</c> substitutes for a dash or slash that starts a word.</summary>
    private static readonly string[] WindashCharacters = ["-", "/", "\u2013", "\u2014", "\u2015"];

    /// <summary>The byte encoding a modifier (<c>wide</c>, <c>utf16le</c>, <c>utf16be</c>, <c>utf16</c>) selects, or null.</summary>
    public static Encoding? FromModifier(string modifier) => modifier switch
    {
        "wide" or "utf16le" => new UnicodeEncoding(bigEndian: false, byteOrderMark: false),
        "utf16be" => new UnicodeEncoding(bigEndian: true, byteOrderMark: false),
        "utf16" => new UnicodeEncoding(bigEndian: false, byteOrderMark: true),
        _ => null,
    };

    /// <summary><c>base64</c>: the Base64 of the value's bytes.</summary>
    public static string Base64(string value, Encoding encoding) => Convert.ToBase64String(Bytes(value, encoding));

    /// <summary>
    /// <c>base64offset</c>: the three Base64 forms the value takes inside a longer encoded text, depending on its offset
    /// modulo 3 (pySigma's <c>SigmaBase64OffsetModifier</c>: prefix 0, 1 or 2 spaces, encode, then cut the characters
    /// that depend on the neighbours: starts 0, 2, 3 and ends by <c>(length + i) % 3</c> as none, 3 or 2).
    /// </summary>
    public static IReadOnlyList<string> Base64Offsets(string value, Encoding encoding)
    {
        int[] starts = [0, 2, 3];
        int?[] endCuts = [null, 3, 2];
        var bytes = Bytes(value, encoding);
        var results = new List<string>(3);
        for (var i = 0; i < 3; i++)
        {
            var shifted = new byte[i + bytes.Length];
            for (var j = 0; j < i; j++)
            {
                shifted[j] = (byte)' ';
            }
            bytes.CopyTo(shifted, i);
            var encoded = Convert.ToBase64String(shifted);
            var end = endCuts[(bytes.Length + i) % 3] is { } cut ? encoded.Length - cut : encoded.Length;
            results.Add(end > starts[i] ? encoded[starts[i]..end] : "");
        }
        return results;
    }

    /// <summary>
    /// <c>windash</c>: every combination of <c>- / – — ―</c> in place of each dash or slash that starts a word (pySigma's
    /// <c>\B[-/]\b</c>), within each literal part; null when there would be more than <see cref="MaxWindashVariants"/>.
    /// </summary>
    public static IReadOnlyList<SigmaPattern>? Windash(SigmaPattern pattern)
    {
        var variants = new List<List<(SigmaPatternPart, string)>> { new() };
        foreach (var (kind, text) in pattern.Parts)
        {
            var pieces = kind == SigmaPatternPart.Literal ? ExpandDashes(text) : [text];
            if (variants.Count * pieces.Count > MaxWindashVariants)
            {
                return null;
            }
            variants = [.. variants.SelectMany(v => pieces.Select(p => new List<(SigmaPatternPart, string)>([.. v, (kind, p)])))];
        }
        return [.. variants.Select(SigmaPattern.FromParts)];
    }

    private static List<string> ExpandDashes(string text)
    {
        var results = new List<string> { "" };
        var last = 0;
        foreach (Match m in WordStartDash().Matches(text))
        {
            var before = text[last..m.Index];
            results = [.. results.SelectMany(r => WindashCharacters.Select(c => r + before + c))];
            if (results.Count > MaxWindashVariants)
            {
                return results;
            }
            last = m.Index + 1;
        }
        var tail = text[last..];
        return [.. results.Select(r => r + tail)];
    }

    private static byte[] Bytes(string value, Encoding encoding)
    {
        var preamble = encoding.GetPreamble();
        return [.. preamble, .. encoding.GetBytes(value)];
    }

    [GeneratedRegex(@"\B[-/]\b", RegexOptions.CultureInvariant)]
    private static partial Regex WordStartDash();
}
