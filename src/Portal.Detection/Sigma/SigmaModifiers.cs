namespace Portal.Detection.Sigma;

/// <summary>
/// The modifiers of one field (<c>c-uri|contains|all</c>), sorted into what they do: list semantics (<c>all</c>), value
/// transformations applied in order (<c>wide</c>, <c>utf16*</c>, <c>base64</c>, <c>base64offset</c>, <c>windash</c>),
/// a match position (<c>contains</c>, <c>startswith</c>, <c>endswith</c>), or one special comparison (<c>re</c>, <c>cidr</c>,
/// <c>exists</c>, <c>lt</c>, <c>lte</c>, <c>gt</c>, <c>gte</c>, <c>fieldref</c>, <c>expand</c>).
/// </summary>
internal sealed record SigmaModifiers(bool All, IReadOnlyList<string> Transforms, string? Position, string? Special, string RegexFlags)
{
    private static readonly string[] Transformations = ["wide", "utf16le", "utf16be", "utf16", "base64", "base64offset", "windash"];
    private static readonly string[] Positions = ["contains", "startswith", "endswith"];
    private static readonly string[] Specials = ["re", "cidr", "exists", "lt", "lte", "gt", "gte", "fieldref", "expand"];

    /// <summary>Sorts <paramref name="names"/>; null after reporting an unknown or conflicting modifier.</summary>
    public static SigmaModifiers? Parse(IReadOnlyList<string> names, string where, SigmaDiagnostics diagnostics)
    {
        var all = false;
        var transforms = new List<string>();
        string? position = null;
        string? special = null;
        var flags = "";
        foreach (var name in names)
        {
            if (name == "all")
            {
                all = true;
            }
            else if (name == "cased")
            {
                // Vigil compares attribute values case-sensitively already (docs/SIGMA.md, "Case").
            }
            else if (Transformations.Contains(name))
            {
                transforms.Add(name);
            }
            else if (Positions.Contains(name))
            {
                if (position is not null)
                {
                    diagnostics.Unsupported(where, $"the modifiers '{position}' and '{name}' conflict");
                    return null;
                }
                position = name;
            }
            else if (Specials.Contains(name))
            {
                if (special is not null)
                {
                    diagnostics.Unsupported(where, $"the modifiers '{special}' and '{name}' cannot be combined");
                    return null;
                }
                special = name;
            }
            else if (special == "re" && RegexFlag(name) is { } flag)
            {
                flags += flag;
            }
            else
            {
                diagnostics.Unsupported(where, $"unknown modifier '{name}'");
                return null;
            }
        }
        if (special is not null && special != "re" && (transforms.Count > 0 || position is not null))
        {
            diagnostics.Unsupported(where, $"'{special}' cannot be combined with value modifiers ({string.Join(", ", transforms.Append(position ?? "").Where(m => m.Length > 0))})");
            return null;
        }
        if (special == "re" && (transforms.Count > 0 || position is not null))
        {
            diagnostics.Unsupported(where, "'re' cannot be combined with value modifiers");
            return null;
        }
        return new SigmaModifiers(all, transforms, position, special, flags);
    }

    /// <summary>Sigma's regex flag modifiers: <c>i</c>/<c>ignorecase</c>, <c>m</c>/<c>multiline</c>, <c>s</c>/<c>dotall</c>.</summary>
    private static string? RegexFlag(string name) => name switch
    {
        "i" or "ignorecase" => "i",
        "m" or "multiline" => "m",
        "s" or "dotall" => "s",
        _ => null,
    };
}
