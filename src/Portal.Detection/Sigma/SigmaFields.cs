namespace Portal.Detection.Sigma;

/// <summary>What a Sigma field becomes in a Vigil query.</summary>
internal enum SigmaTargetKind
{
    /// <summary>An attribute, <c>@eventName</c>.</summary>
    Attribute,

    /// <summary>A reserved attribute kept as sent (<c>service</c>, <c>host</c>).</summary>
    Reserved,

    /// <summary>A URL path's extension (<c>c-uri-extension</c>), matched as the end of <c>@http.url_details.path</c>.</summary>
    PathExtension,

    /// <summary>The message, searched by free text: Sigma keywords.</summary>
    FreeText,
}

/// <summary>A resolved field: its kind and how a query names it (<c>@http.url</c>, <c>service</c>).</summary>
internal sealed record SigmaTarget(SigmaTargetKind Kind, string QueryField);

/// <summary>Resolves Sigma field names through the logsource table and the intake's reserved fields.</summary>
internal static class SigmaFields
{
    private static readonly SigmaTarget FreeText = new(SigmaTargetKind.FreeText, "message");

    /// <summary>The Vigil field for <paramref name="name"/> (empty for keywords), or null after reporting why there is none.</summary>
    public static SigmaTarget? Resolve(SigmaLogSource? source, string name, string where, SigmaDiagnostics diagnostics)
    {
        if (name.Length == 0)
        {
            return FreeText;
        }
        if (source?.ObjectFields is { } objects && objects.Contains(name))
        {
            diagnostics.Unsupported(where, $"'{name}' is an object in {source.Describe()} records, and Vigil matches the leaf values of attributes (@{name}.<key>), not the object as text");
            return null;
        }
        if (source?.Fields is { } table)
        {
            if (table.TryGetValue(name, out var mapped))
            {
                return mapped == SigmaLogSources.PathExtension
                    ? new SigmaTarget(SigmaTargetKind.PathExtension, "@http.url_details.path")
                    : new SigmaTarget(SigmaTargetKind.Attribute, mapped);
            }
            if (IsAttributeName(name))
            {
                diagnostics.Inexact(where, $"'{name}' is not a field of the {source.Describe()} mapping (docs/SIGMA.md), so Vigil's access-log parser never produces it; matched as @{name}, as a log shipped as JSON would carry it");
            }
        }
        switch (name)
        {
            // The intake takes these fields of a record out of its attributes (IntakeNormalizer, ReservedFields).
            case "message":
                diagnostics.Inexact(where, "the field 'message' is the event's message, which Vigil searches as words; matched as full text");
                return FreeText;
            case "service":
                return new SigmaTarget(SigmaTargetKind.Reserved, "service");
            case "host" or "hostname":
                diagnostics.Inexact(where, $"'{name}' becomes the event's host at intake (hostname wins over host); matched as host");
                return new SigmaTarget(SigmaTargetKind.Reserved, "host");
            case "status" or "level" or "severity":
                // The intake maps the first of these to the log status and keeps the field as sent, so @status is what the record says.
                return new SigmaTarget(SigmaTargetKind.Attribute, "@" + name);
            case "ddsource" or "ddtags" or "timestamp" or "date" or "@timestamp":
                diagnostics.Unsupported(where, $"the intake consumes '{name}' (source, tags or time of the event), so its value as sent cannot be searched");
                return null;
        }
        if (!IsAttributeName(name))
        {
            diagnostics.Unsupported(where, $"'{name}' is not a valid attribute path (letters, digits, '_', '-', '/' and inner '.')");
            return null;
        }
        return new SigmaTarget(SigmaTargetKind.Attribute, "@" + name);
    }

    /// <summary>The attribute names the query parser reads: letters, digits, <c>_ . - /</c>, not starting or ending with a dot.</summary>
    private static bool IsAttributeName(string name) =>
        name.Length > 0 && name[0] != '.' && name[^1] != '.' && name.All(c => char.IsLetterOrDigit(c) || c is '_' or '.' or '-' or '/');
}
